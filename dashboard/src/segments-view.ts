// Segments: the live definitions (GET /v1/segments) with their member counts over time (GET .../members/count), the
// enters and exits this node publishes (from the live stream), and the backfill's progress (GET /v1/segments/backfill).
import { ApiError, getJson } from "./api";
import { clockLabel, describeError, el, errorBox, formatTime, number, showError, table } from "./dom";
import { LabelledChart } from "./labelled-chart";
import type { DashboardSample } from "./model";

interface SegmentDefinition {
  id: string;
  version: number;
  rule: string;
  shadow: boolean;
  defined_at: string;
}

interface SegmentList {
  revision: number;
  segments: SegmentDefinition[];
}

interface BackfillProgress {
  state: string;
  revision: number;
  done: number;
  total: number;
  changes: number;
  failed: number;
  started_at: string | null;
  finished_at: string | null;
  users_per_second: number;
  in_flight: number;
  restarts: number;
}

const PollMs = 5000;
/** Member counts kept: ten minutes at one poll every five seconds. */
const MaxPoints = 120;

export class SegmentsView {
  readonly root = el("section", { id: "view-segments", class: "view", "aria-labelledby": "tab-segments" });
  private readonly error = errorBox("segments-error");
  private readonly tiles = el("dl", { class: "tiles" });
  private readonly backfill = el("div", { id: "segments-backfill", class: "backfill" });
  private readonly list = el("div", { class: "table-wrap", id: "segments-list" });
  private readonly sizesHolder = el("div", { class: "chart-slot" });
  private readonly changes: LabelledChart;
  private readonly bySegment: LabelledChart;
  private sizes: LabelledChart | null = null;
  private sizeSeries = "";
  private readonly sizeHistory: { at: string; counts: Record<string, number> }[] = [];
  private definitions: SegmentDefinition[] = [];
  private periodChanges = new Map<string, [number, number]>();
  private timer: number | undefined;
  private polling: AbortController | null = null;

  /** @param onNeedsKey called when the node refuses a request for want of a (read) key. */
  constructor(private readonly onNeedsKey: (error: ApiError) => void) {
    const grid = el("div", { class: "grid" });
    this.root.append(el("h2", { class: "sr-only" }, "Segments"), this.error, this.tiles, this.backfill, grid, this.list);
    grid.append(this.sizesHolder);
    this.changes = new LabelledChart(grid, "chart-segment-changes", "Segment enters and exits per second (this node)", ["entered", "exited"], "line", "changes/s");
    this.bySegment = new LabelledChart(grid, "chart-segment-by-id", "Enters and exits per segment (shown period)", ["entered", "exited"], "hbar", "changes");
    this.showSizes([]);
  }

  /** Called when the view is shown or hidden: the definitions and counts are polled only while someone looks. */
  setActive(active: boolean): void {
    window.clearInterval(this.timer);
    this.polling?.abort();
    if (!active) return;
    void this.poll();
    this.timer = window.setInterval(() => void this.poll(), PollMs);
  }

  /** Enter and exit rates from the live stream's samples. */
  render(samples: readonly DashboardSample[]): void {
    const withChanges = samples.filter((s) => s.segment_changes !== undefined);
    const first = withChanges[0];
    const latest = withChanges[withChanges.length - 1];
    if (!first || !latest) return;
    const sum = (s: DashboardSample, pick: (c: DashboardSample["segment_changes"][number]) => number) => s.segment_changes.reduce((n, c) => n + pick(c), 0);
    this.changes.update(withChanges.map((s) => clockLabel(s.at)), [
      withChanges.map((s) => sum(s, (c) => c.entered_per_second)),
      withChanges.map((s) => sum(s, (c) => c.exited_per_second)),
    ]);
    // Over the shown period: the growth of each segment's totals from the first sample to the last.
    const before = new Map(first.segment_changes.map((c) => [c.segment, c]));
    this.periodChanges = new Map(latest.segment_changes.map((c) => {
      const was = before.get(c.segment);
      return [c.segment, [c.entered_total - (was?.entered_total ?? 0), c.exited_total - (was?.exited_total ?? 0)]];
    }));
    const moved = [...this.periodChanges].filter(([, [e, x]]) => e + x > 0);
    this.bySegment.update(moved.map(([s]) => s), moved.length > 0 ? [moved.map(([, [e]]) => e), moved.map(([, [, x]]) => x)] : [],
      "No segment change published in the shown period.");
    this.renderList();
  }

  private async poll(): Promise<void> {
    this.polling?.abort();
    const polling = (this.polling = new AbortController());
    try {
      const [list, progress] = await Promise.all([
        getJson<SegmentList>("/v1/segments", polling.signal),
        getJson<BackfillProgress>("/v1/segments/backfill", polling.signal),
      ]);
      const counts = await Promise.all(list.segments.map((s) =>
        getJson<{ count: number }>(`/v1/segments/${encodeURIComponent(s.id)}/members/count`, polling.signal).then((c) => [s.id, c.count] as const)));
      if (polling.signal.aborted) return;
      showError(this.error, null);
      this.definitions = list.segments;
      this.sizeHistory.push({ at: new Date().toISOString(), counts: Object.fromEntries(counts) });
      if (this.sizeHistory.length > MaxPoints) this.sizeHistory.shift();
      this.renderTiles(list, progress);
      this.renderBackfill(progress);
      this.showSizes(list.segments.map((s) => s.id));
      this.renderList();
    } catch (e) {
      if (polling.signal.aborted) return;
      if (e instanceof ApiError && e.needsKey) this.onNeedsKey(e);
      // The last numbers stay on screen under the message.
      showError(this.error, new Error(`Segments: ${describeError(e)}`));
    }
  }

  /** The member-count chart has one line per segment: it is rebuilt when the set of segments changes. */
  private showSizes(ids: string[]): void {
    const series = ids.join("\n");
    if (this.sizes === null || series !== this.sizeSeries) {
      this.sizes?.destroy();
      this.sizeSeries = series;
      this.sizes = new LabelledChart(this.sizesHolder, "chart-segment-sizes", "Segment members over time", ids.length > 0 ? ids : ["members"], "line", "members");
    }
    const points = this.sizeHistory.filter((h) => ids.every((id) => id in h.counts));
    this.sizes.update(points.map((h) => clockLabel(h.at)), ids.length > 0 && points.length > 0 ? ids.map((id) => points.map((h) => h.counts[id]!)) : [],
      ids.length > 0 ? "Counting members…" : "No segment is defined.");
  }

  private renderTiles(list: SegmentList, progress: BackfillProgress): void {
    const latest = this.sizeHistory[this.sizeHistory.length - 1]?.counts ?? {};
    const members = list.segments.filter((s) => !s.shadow).reduce((n, s) => n + (latest[s.id] ?? 0), 0);
    const fact = (id: string, name: string, value: string) => el("div", { class: "tile" }, el("dt", {}, name), el("dd", { id }, value));
    this.tiles.replaceChildren(
      fact("tile-segments", "Segments", String(list.segments.length)),
      fact("tile-segments-shadow", "In shadow", String(list.segments.filter((s) => s.shadow).length)),
      fact("tile-segments-revision", "Catalogue revision", String(list.revision)),
      fact("tile-segment-members", "Memberships (live segments)", number.format(members)),
      fact("tile-backfill-state", "Backfill", progress.state),
    );
  }

  private renderBackfill(p: BackfillProgress): void {
    const percent = p.total > 0 ? Math.min(100, (100 * p.done) / p.total) : p.state === "completed" ? 100 : 0;
    const bar = el("progress", { id: "backfill-bar", max: "100", value: String(percent), "aria-labelledby": "backfill-label" });
    this.backfill.replaceChildren(
      el("p", { id: "backfill-label" }, `Backfill of revision ${p.revision}: ${p.state}, ${number.format(p.done)} of ${number.format(p.total)} users (${number.format(percent)} %)`),
      bar,
      el("p", { class: "chart-summary" },
        `${number.format(p.users_per_second)} users/s, ${p.in_flight} in flight, ${number.format(p.changes)} changes, ${number.format(p.failed)} failed, ` +
        `${p.restarts} restarts; started ${formatTime(p.started_at)}, finished ${formatTime(p.finished_at)}`),
    );
  }

  private renderList(): void {
    if (this.definitions.length === 0) return;
    const latest = this.sizeHistory[this.sizeHistory.length - 1]?.counts ?? {};
    const rows = this.definitions.map((s) => {
      const [entered, exited] = this.periodChanges.get(s.id) ?? [0, 0];
      return [s.id, `v${s.version}`, s.shadow ? "shadow" : "live", latest[s.id] === undefined ? "—" : number.format(latest[s.id]!),
        s.shadow ? "not published" : `${number.format(entered)} / ${number.format(exited)}`, formatTime(s.defined_at), el("code", {}, s.rule)];
    });
    this.list.replaceChildren(table("Segment definitions", ["Segment", "Version", "Mode", "Members", "Entered / exited (shown period)", "Defined", "Rule"], rows, "no segments"));
  }
}
