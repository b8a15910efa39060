// A chart in a captioned figure with a text summary of its latest values, for screen readers and for anyone
// who wants the number rather than the line.
import type { Chart } from "chart.js";
import { barChart, lineChart, setData, sparkline } from "./charts";
import { el, number } from "./dom";

export type Kind = "line" | "bar" | "hbar" | "spark";

export class LabelledChart {
  readonly figure: HTMLElement;
  private readonly summary: HTMLParagraphElement;
  private readonly body: HTMLDivElement;
  private readonly chart: Chart<"line" | "bar", number[], string>;

  constructor(parent: HTMLElement, readonly id: string, title: string, private readonly series: string[], private readonly kind: Kind, yTitle = "") {
    const caption = el("figcaption", { id: `${id}-title` }, title);
    this.summary = el("p", { class: "chart-summary", id: `${id}-summary` });
    const canvas = el("canvas", { id, role: "img", "aria-labelledby": `${id}-title`, "aria-describedby": `${id}-summary` });
    this.body = el("div", { class: "chart-body" }, canvas);
    this.body.hidden = true;
    this.summary.textContent = "Waiting for data…";
    this.figure = el("figure", { class: `chart chart-${kind}`, "data-points": "0" }, caption, this.body, this.summary);
    parent.append(this.figure);
    this.chart = (kind === "line" ? lineChart(canvas, series, yTitle)
      : kind === "spark" ? sparkline(canvas, [], [], series[0] ?? title)
      : barChart(canvas, series, yTitle, kind === "hbar")) as Chart<"line" | "bar", number[], string>;
  }

  /** New labels and one array of values per series; `note` replaces the summary when there is nothing to show. */
  update(labels: string[], values: number[][], note?: string): void {
    setData(this.chart, labels, values);
    const points = values.reduce((n, v) => n + v.length, 0);
    this.figure.dataset.points = String(points);
    // Nothing to draw: the note says so instead of empty axes.
    this.body.hidden = points === 0;
    if (points === 0) {
      this.summary.textContent = note ?? "No data yet.";
      return;
    }
    if (this.kind === "bar" || this.kind === "hbar") {
      // Categories (partitions, reasons, nodes): every one with its values.
      this.summary.textContent = labels.map((l, i) => `${l}: ${this.series.map((s, j) => `${this.series.length > 1 ? s + " " : ""}${number.format(values[j]?.[i] ?? 0)}`).join(", ")}`).join("; ");
    } else {
      // Over time or windows: the latest value of each series.
      const last = labels.length - 1;
      this.summary.textContent = this.series.map((s, i) => `${s}: ${number.format(values[i]?.[last] ?? 0)}`).join(", ") + ` (${labels[last]})`;
    }
  }

  destroy(): void {
    this.chart.destroy();
    this.figure.remove();
  }
}
