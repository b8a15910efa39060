// Webhooks: every subscriber endpoint (GET /v1/webhooks, admin role) with its deliveries, dead letters, success rate,
// latency and circuit state, polled while the view is shown.
import { ApiError, getJson } from "./api";
import { describeError, el, errorBox, number, showError, table } from "./dom";
import { LabelledChart } from "./labelled-chart";
import { Poller } from "./poller";

interface DeliverySummary {
  delivered: number;
  failed: number;
  dead: number;
  pending: number;
  success_rate: number | null;
  latency_ms_p50: number | null;
  latency_ms_p95: number | null;
  recent: number;
}

interface WebhookSummary {
  id: string;
  url: string;
  kinds: string[];
  enabled: boolean;
  circuit: string;
  deliveries: DeliverySummary;
}

const PollMs = 5000;

export class WebhooksView {
  readonly root = el("section", { id: "view-webhooks", class: "view", "aria-labelledby": "tab-webhooks" });
  private readonly error = errorBox("webhooks-error");
  private readonly tiles = el("dl", { class: "tiles" });
  private readonly list = el("div", { class: "table-wrap", id: "webhooks-list" });
  private readonly success: LabelledChart;
  private readonly latency: LabelledChart;
  private readonly poller = new Poller(PollMs, (signal) => this.poll(signal));

  /** @param onNeedsKey called when the node refuses a request for want of a key. */
  constructor(private readonly onNeedsKey: (error: ApiError) => void) {
    const grid = el("div", { class: "grid" });
    this.root.append(el("h2", { class: "sr-only" }, "Webhooks"), this.error, this.tiles, grid, this.list);
    this.success = new LabelledChart(grid, "chart-webhook-success", "Success rate per endpoint (recent deliveries)", ["success %"], "hbar", "%");
    this.latency = new LabelledChart(grid, "chart-webhook-latency", "Delivery latency per endpoint (recent deliveries)", ["p50", "p95"], "hbar", "ms");
  }

  /** Called when the view is shown or hidden: the endpoints are polled only while someone looks. */
  setActive(active: boolean): void {
    this.poller.setActive(active);
  }

  private async poll(signal: AbortSignal): Promise<void> {
    try {
      const { webhooks } = await getJson<{ webhooks: WebhookSummary[] }>("/v1/webhooks", signal);
      if (signal.aborted) return;
      showError(this.error, null);
      this.render(webhooks);
    } catch (e) {
      if (signal.aborted) return;
      if (e instanceof ApiError && e.needsKey) this.onNeedsKey(e);
      // The last numbers stay on screen under the message; the list needs the admin role.
      showError(this.error, new Error(`Webhooks: ${describeError(e)}`));
    }
  }

  private render(webhooks: WebhookSummary[]): void {
    const sum = (pick: (d: DeliverySummary) => number) => webhooks.reduce((n, w) => n + pick(w.deliveries), 0);
    const fact = (id: string, name: string, value: string) => el("div", { class: "tile" }, el("dt", {}, name), el("dd", { id }, value));
    this.tiles.replaceChildren(
      fact("tile-webhooks", "Endpoints", String(webhooks.length)),
      fact("tile-webhooks-delivered", "Delivered", number.format(sum((d) => d.delivered))),
      fact("tile-webhooks-dead", "Dead letters", number.format(sum((d) => d.dead))),
      fact("tile-webhooks-open", "Circuits not closed", String(webhooks.filter((w) => w.circuit !== "closed").length)),
    );

    const rated = webhooks.filter((w) => w.deliveries.success_rate !== null);
    this.success.update(rated.map((w) => w.id), rated.length > 0 ? [rated.map((w) => 100 * w.deliveries.success_rate!)] : [],
      webhooks.length > 0 ? "No delivery has finished yet." : "No webhook endpoint is defined.");
    const timed = webhooks.filter((w) => w.deliveries.latency_ms_p50 !== null);
    this.latency.update(timed.map((w) => w.id),
      timed.length > 0 ? [timed.map((w) => w.deliveries.latency_ms_p50!), timed.map((w) => w.deliveries.latency_ms_p95!)] : [],
      webhooks.length > 0 ? "No message has been delivered yet." : "No webhook endpoint is defined.");

    const ms = (v: number | null) => (v === null ? "—" : `${number.format(v)} ms`);
    const rows = webhooks.map((w) => {
      const d = w.deliveries;
      return [w.id, el("code", {}, w.url), w.kinds.join(", "), w.enabled ? "enabled" : "disabled",
        el("span", { class: `circuit circuit-${w.circuit}`, "data-circuit": w.circuit }, w.circuit),
        number.format(d.delivered), number.format(d.failed), number.format(d.dead), number.format(d.pending),
        d.success_rate === null ? "—" : `${number.format(100 * d.success_rate)} %`, ms(d.latency_ms_p50), ms(d.latency_ms_p95)];
    });
    this.list.replaceChildren(table("Webhook endpoints", ["Endpoint", "URL", "Kinds", "State", "Circuit", "Delivered", "Failed attempts",
      "Dead letters", "Pending", "Success rate", "Latency p50", "Latency p95"], rows, "no webhook endpoints"));
  }
}
