// Chart.js with only the parts the views use, and the defaults that keep every chart labelled.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  type ChartDataset,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Title,
  Tooltip,
} from "chart.js";

Chart.register(LineController, LineElement, PointElement, BarController, BarElement, CategoryScale, LinearScale, Filler, Legend, Title, Tooltip);
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.font.family = "system-ui, sans-serif";

export const Palette = ["#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777"];

/** A canvas inside a labelled figure: the title is both the visible caption and the accessible name. */
export function figure(parent: HTMLElement, id: string, title: string): HTMLCanvasElement {
  const fig = document.createElement("figure");
  fig.className = "chart";
  const caption = document.createElement("figcaption");
  caption.id = `${id}-title`;
  caption.textContent = title;
  const holder = document.createElement("div");
  holder.className = "chart-body";
  const canvas = document.createElement("canvas");
  canvas.id = id;
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-labelledby", caption.id);
  holder.append(canvas);
  fig.append(caption, holder);
  parent.append(fig);
  return canvas;
}

/** Line chart over category labels (times, window names), one dataset per series. */
export function lineChart(canvas: HTMLCanvasElement, series: string[], yTitle: string): Chart<"line", number[], string> {
  const config: ChartConfiguration<"line", number[], string> = {
    type: "line",
    data: {
      labels: [],
      datasets: series.map((label, i): ChartDataset<"line", number[]> => ({
        label,
        data: [],
        borderColor: Palette[i % Palette.length],
        backgroundColor: Palette[i % Palette.length],
        // No points on a line, except a lone one (a line needs two): it would not show at all.
        pointRadius: (ctx) => ((ctx.chart.data.labels?.length ?? 0) <= 1 ? 3 : 0),
        borderWidth: 2,
        // Series often coincide (applied = consumed): dashes keep the one underneath visible.
        borderDash: i === 0 ? [] : [6, 4],
        tension: 0.2,
      })),
    },
    options: {
      interaction: { mode: "index", intersect: false },
      scales: {
        x: { ticks: { maxTicksLimit: 8, autoSkip: true } },
        y: { beginAtZero: true, title: { display: true, text: yTitle } },
      },
    },
  };
  return new Chart(canvas, config);
}

/** Bar chart of one or more series over category labels (partitions, reasons, nodes). */
export function barChart(canvas: HTMLCanvasElement, series: string[], yTitle: string, horizontal = false): Chart<"bar", number[], string> {
  return new Chart(canvas, {
    type: "bar",
    data: {
      labels: [],
      datasets: series.map((label, i) => ({ label, data: [], backgroundColor: Palette[i % Palette.length] })),
    },
    options: {
      indexAxis: horizontal ? "y" : "x",
      scales: {
        [horizontal ? "x" : "y"]: { beginAtZero: true, title: { display: true, text: yTitle } },
      },
      plugins: { legend: { display: series.length > 1 } },
    },
  });
}

/** A small axis-less line for the profile viewer's windows. */
export function sparkline(canvas: HTMLCanvasElement, labels: string[], values: number[], name: string): Chart<"line", number[], string> {
  return new Chart(canvas, {
    type: "line",
    data: { labels, datasets: [{ label: name, data: values, borderColor: Palette[0], backgroundColor: "rgba(37,99,235,0.15)", fill: true, pointRadius: 2, borderWidth: 2 }] },
    options: {
      plugins: { legend: { display: false } },
      scales: { x: { display: true, grid: { display: false } }, y: { display: false, beginAtZero: true } },
    },
  });
}

/** Replaces a chart's labels and series values, then redraws once. */
export function setData<T extends "line" | "bar">(chart: Chart<T, number[], string>, labels: string[], values: number[][]): void {
  chart.data.labels = labels;
  values.forEach((v, i) => {
    const dataset = chart.data.datasets[i];
    if (dataset) dataset.data = v;
  });
  chart.update();
}
