// Cluster: the nodes with their roles, status and reachability, user shards and live entities per node, the leader
// and the node where cluster singletons run.
import { el, table } from "./dom";
import { LabelledChart } from "./labelled-chart";
import type { ClusterSample } from "./model";

export class ClusterView {
  readonly root = el("section", { id: "view-cluster", class: "view", "aria-labelledby": "tab-cluster" });
  private readonly facts = el("dl", { class: "tiles" });
  private readonly members = el("div", { class: "table-wrap" });
  private readonly shards: LabelledChart;
  private readonly entities: LabelledChart;

  constructor() {
    const grid = el("div", { class: "grid" });
    this.root.append(el("h2", { class: "sr-only" }, "Cluster"), this.facts, this.members, grid);
    this.shards = new LabelledChart(grid, "chart-shards", "User shards per node", ["shards"], "bar", "shards");
    this.entities = new LabelledChart(grid, "chart-entities", "Live user entities per node", ["entities"], "bar", "entities");
  }

  render(cluster: ClusterSample | null): void {
    if (!cluster) {
      this.facts.replaceChildren(el("div", { class: "tile" }, el("dt", {}, "Cluster"), el("dd", {}, "this node's engine is not running")));
      return;
    }
    const short = (address: string | null) => (address ? address.replace(/^akka(\.tcp)?:\/\/[^@]*@/, "") : "—");
    this.facts.replaceChildren(
      el("div", { class: "tile" }, el("dt", {}, "Nodes"), el("dd", { id: "tile-nodes" }, String(cluster.nodes.length))),
      el("div", { class: "tile tile-text" }, el("dt", {}, "This node"), el("dd", {}, short(cluster.self))),
      el("div", { class: "tile tile-text" }, el("dt", {}, "Leader"), el("dd", {}, short(cluster.leader))),
      el("div", { class: "tile tile-text" }, el("dt", {}, "Singleton node"), el("dd", { id: "tile-singleton" }, short(cluster.singleton_node))),
    );
    const rows = cluster.nodes.map((n) => [
      short(n.address) + (n.address === cluster.self ? " (this node)" : ""),
      n.roles.join(", ") || "—",
      n.status,
      n.reachable ? "reachable" : "unreachable",
      n.shards === null ? "—" : String(n.shards),
      n.entities === null ? "—" : String(n.entities),
      n.address === cluster.singleton_node ? "yes" : "",
    ]);
    this.members.replaceChildren(table("Members", ["Node", "Roles", "Status", "Reachability", "Shards", "Entities", "Singleton"], rows, "no members"));
    const counted = cluster.nodes.filter((n) => n.shards !== null);
    const labels = counted.map((n) => short(n.address));
    this.shards.update(labels, counted.length > 0 ? [counted.map((n) => n.shards!)] : [], "Shard counts not gathered yet.");
    this.entities.update(labels, counted.length > 0 ? [counted.map((n) => n.entities ?? 0)] : [], "Entity counts not gathered yet.");
  }
}
