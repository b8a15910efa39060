// Recommendations: lists served per second and the latency of GET /v1/recommendations on this node (from the live
// stream), and one user's recommendations with the reason for each item (GET /v1/recommendations/{id}).
import { ApiError, getJson } from "./api";
import { clockLabel, describeError, el, errorBox, formatTime, number, showError, table } from "./dom";
import { LabelledChart } from "./labelled-chart";
import type { DashboardSample } from "./model";

interface RecommendedItem {
  item_id: string;
  title: string | null;
  category: string | null;
  price: number | null;
  score: number;
  reason: string;
  reason_item: string | null;
  reason_text: string;
}

interface Recommendation {
  recommendation_id: string;
  user_id: string;
  slot: string | null;
  generated_at: string;
  personalized: boolean;
  items: RecommendedItem[];
}

export class RecommendationsView {
  readonly root = el("section", { id: "view-recommendations", class: "view", "aria-labelledby": "tab-recommendations" });
  private readonly tiles = el("dl", { class: "tiles" });
  private readonly served: LabelledChart;
  private readonly latency: LabelledChart;
  private readonly input = el("input", { id: "recs-user", name: "user-id", type: "search", autocomplete: "off", placeholder: "e.g. u0000159", required: "" });
  private readonly slot = el("input", { id: "recs-slot", name: "slot", type: "text", autocomplete: "off", placeholder: "optional, e.g. home" });
  private readonly error = errorBox("recs-error");
  private readonly result = el("div", { id: "recs-result", "aria-live": "polite" });

  /** @param onNeedsKey called when the node refuses the request for want of a (read) key. */
  constructor(private readonly onNeedsKey: (error: ApiError) => void) {
    const grid = el("div", { class: "grid" });
    const form = el("form", { class: "search", role: "search", "aria-label": "A user's recommendations" },
      el("label", { for: "recs-user" }, "User id"), this.input,
      el("label", { for: "recs-slot" }, "Slot"), this.slot,
      el("button", { type: "submit" }, "Recommend"));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const id = this.input.value.trim();
      if (id) void this.show(id, this.slot.value.trim());
    });
    this.root.append(el("h2", { class: "sr-only" }, "Recommendations"), this.tiles, grid, el("h3", {}, "A user's recommendations"), form, this.error, this.result);
    this.served = new LabelledChart(grid, "chart-recs-served", "Recommendation lists served per second (this node)", ["served"], "line", "lists/s");
    this.latency = new LabelledChart(grid, "chart-recs-latency", "GET /v1/recommendations latency (this node)", ["p50", "p95", "max"], "line", "ms");
  }

  render(samples: readonly DashboardSample[]): void {
    const withRecs = samples.filter((s) => s.recommendations !== undefined);
    const latest = withRecs[withRecs.length - 1];
    if (!latest) return;
    this.served.update(withRecs.map((s) => clockLabel(s.at)), [withRecs.map((s) => s.recommendations.served_per_second)]);
    // Seconds without a request have no latency: they are left out rather than drawn as zero.
    const timed = withRecs.filter((s) => s.recommendations.requests > 0);
    this.latency.update(timed.map((s) => clockLabel(s.at)), timed.length > 0 ? [
      timed.map((s) => s.recommendations.latency_ms_p50 ?? 0),
      timed.map((s) => s.recommendations.latency_ms_p95 ?? 0),
      timed.map((s) => s.recommendations.latency_ms_max ?? 0),
    ] : [], "No recommendation request in the shown period.");
    const r = latest.recommendations;
    const lastTimed = timed[timed.length - 1]?.recommendations;
    const fact = (id: string, name: string, value: string) => el("div", { class: "tile" }, el("dt", {}, name), el("dd", { id }, value));
    this.tiles.replaceChildren(
      fact("tile-recs-served", "Served", `${number.format(r.served_per_second)}/s`),
      fact("tile-recs-total", "Lists served", number.format(r.served_total)),
      fact("tile-recs-p95", "Latency p95 (last busy second)", lastTimed?.latency_ms_p95 == null ? "—" : `${number.format(lastTimed.latency_ms_p95)} ms`),
    );
  }

  async show(userId: string, slot: string): Promise<void> {
    const query = new URLSearchParams({ n: "10" });
    if (slot) query.set("slot", slot);
    try {
      const rec = await getJson<Recommendation>(`/v1/recommendations/${encodeURIComponent(userId)}?${query}`);
      showError(this.error, null);
      this.result.replaceChildren(
        el("p", { id: "recs-meta" }, `${rec.items.length} items for ${rec.user_id}${rec.slot ? ` in slot ${rec.slot}` : ""}, ` +
          `${rec.personalized ? "personalized" : "popularity only (no personalization consent)"}; ${rec.recommendation_id} at ${formatTime(rec.generated_at)}`),
        el("div", { class: "table-wrap" }, table("Recommended items", ["#", "Item", "Title", "Category", "Price", "Score", "Reason"],
          rec.items.map((item, i) => [String(i + 1), item.item_id, item.title ?? "—", item.category ?? "—",
            item.price === null ? "—" : number.format(item.price), item.score.toFixed(3), item.reason_text]), "nothing to recommend yet")),
      );
    } catch (e) {
      if (e instanceof ApiError && e.needsKey) this.onNeedsKey(e);
      showError(this.error, new Error(`Recommendations for '${userId}': ${describeError(e)}`));
      this.result.replaceChildren();
    }
  }
}
