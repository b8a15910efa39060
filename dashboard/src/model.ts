// What GET /v1/stream/dashboard sends (docs/dashboard.md): one sample a second, a history of them on connect.

export interface PartitionLag {
  partition: number;
  lag: number;
}

export interface CheckpointSample {
  age_seconds: number | null;
  last_duration_ms: number | null;
  completed: number;
}

export interface NodeSample {
  address: string;
  roles: string[];
  status: string;
  reachable: boolean;
  shards: number | null;
  entities: number | null;
}

export interface ClusterSample {
  self: string;
  leader: string | null;
  singleton_node: string | null;
  nodes: NodeSample[];
}

export interface DashboardSample {
  at: string;
  consumed_per_second: number;
  applied_per_second: number;
  rejected_per_second: number;
  rejected_by_reason: Record<string, number>;
  consumed_total: number;
  applied_total: number;
  rejected_total: Record<string, number>;
  lag: PartitionLag[];
  checkpoint: CheckpointSample;
  ingest_running: boolean | null;
  cluster: ClusterSample | null;
  segment_changes: SegmentChangeSample[];
  recommendations: RecommendationSample;
}

/** One segment's changes published by this node: per second since the previous sample, and since the node started. */
export interface SegmentChangeSample {
  segment: string;
  entered_per_second: number;
  exited_per_second: number;
  entered_total: number;
  exited_total: number;
}

/** Recommendation lists served, and GET /v1/recommendations durations of the requests since the previous sample. */
export interface RecommendationSample {
  served_per_second: number;
  served_total: number;
  requests: number;
  latency_ms_p50: number | null;
  latency_ms_p95: number | null;
  latency_ms_max: number | null;
}

/** The part of GET /v1/info the header shows. */
export interface NodeInfo {
  version: string;
  mode: string;
  kafka_bootstrap: string;
  node_address: string | null;
}
