// Stream: events per second consumed, applied and rejected, rejections by reason, consumer lag per partition,
// checkpoint age and duration, over the samples the live stream has sent (five minutes at one a second).
import { clockLabel, el, number } from "./dom";
import { LabelledChart } from "./labelled-chart";
import type { DashboardSample } from "./model";

export class StreamView {
  readonly root = el("section", { id: "view-stream", class: "view", "aria-labelledby": "tab-stream" });
  private readonly tiles = el("dl", { class: "tiles" });
  private readonly rates: LabelledChart;
  private readonly rejected: LabelledChart;
  private readonly lag: LabelledChart;
  private readonly checkpointAge: LabelledChart;
  private readonly checkpointDuration: LabelledChart;

  constructor() {
    const grid = el("div", { class: "grid" });
    this.root.append(el("h2", { class: "sr-only" }, "Stream"), this.tiles, grid);
    this.rates = new LabelledChart(grid, "chart-rates", "Events per second", ["consumed", "applied", "rejected"], "line", "events/s");
    this.rejected = new LabelledChart(grid, "chart-rejected", "Rejected events by reason (shown period)", ["rejected"], "hbar", "events");
    this.lag = new LabelledChart(grid, "chart-lag", "Consumer lag per partition", ["records behind"], "bar", "records");
    this.checkpointAge = new LabelledChart(grid, "chart-checkpoint-age", "Checkpoint age", ["seconds since last checkpoint"], "line", "s");
    this.checkpointDuration = new LabelledChart(grid, "chart-checkpoint-duration", "Checkpoint duration", ["last checkpoint"], "line", "ms");
  }

  render(samples: readonly DashboardSample[]): void {
    const latest = samples[samples.length - 1];
    if (!latest) return;
    const labels = samples.map((s) => clockLabel(s.at));
    this.rates.update(labels, [
      samples.map((s) => s.consumed_per_second),
      samples.map((s) => s.applied_per_second),
      samples.map((s) => s.rejected_per_second),
    ]);

    // Rejections over the shown period: the difference of the totals between the first and the last sample.
    const first = samples[0]!;
    const reasons = Object.keys(latest.rejected_total)
      .map((r) => [r, (latest.rejected_total[r] ?? 0) - (first.rejected_total[r] ?? 0)] as const)
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1]);
    this.rejected.update(reasons.map(([r]) => r), reasons.length > 0 ? [reasons.map(([, n]) => n)] : [], "No event rejected in the shown period.");

    const lag = [...latest.lag].sort((a, b) => a.partition - b.partition);
    this.lag.update(lag.map((p) => `partition ${p.partition}`), lag.length > 0 ? [lag.map((p) => p.lag)] : [], "This node consumes no partition right now.");

    const withAge = samples.filter((s) => s.checkpoint.age_seconds !== null);
    this.checkpointAge.update(withAge.map((s) => clockLabel(s.at)), withAge.length > 0 ? [withAge.map((s) => s.checkpoint.age_seconds!)] : [], "No checkpoint completed yet.");
    const withDuration = samples.filter((s) => s.checkpoint.last_duration_ms !== null);
    this.checkpointDuration.update(withDuration.map((s) => clockLabel(s.at)), withDuration.length > 0 ? [withDuration.map((s) => s.checkpoint.last_duration_ms!)] : [], "No checkpoint completed yet.");

    const totalLag = latest.lag.reduce((n, p) => n + p.lag, 0);
    this.tiles.replaceChildren(
      ...tile("tile-consumed", "Consumed", `${number.format(latest.consumed_per_second)}/s`),
      ...tile("tile-applied", "Applied", `${number.format(latest.applied_per_second)}/s`),
      ...tile("tile-rejected", "Rejected", `${number.format(latest.rejected_per_second)}/s`),
      ...tile("tile-lag", "Consumer lag", `${number.format(totalLag)} records`),
      ...tile("tile-checkpoint", "Last checkpoint", latest.checkpoint.age_seconds === null ? "none yet" : `${number.format(latest.checkpoint.age_seconds)} s ago`),
      ...tile("tile-ingest", "Ingest", latest.ingest_running === null ? "not running on this node" : latest.ingest_running ? "running" : "restarting"),
    );
  }
}

function tile(id: string, name: string, value: string): HTMLElement[] {
  return [el("div", { class: "tile" }, el("dt", {}, name), el("dd", { id }, value))];
}
