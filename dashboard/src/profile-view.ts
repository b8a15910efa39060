// Profile viewer: a user's live profile (GET /v1/profiles/{id}), its behaviour windows as sparklines, identity
// links (GET /v1/profiles/{id}/identity) and consent history; refreshed while it is on screen.
import { ApiError, getJson } from "./api";
import { describeError, el, errorBox, formatTime, number, showError, table } from "./dom";
import { LabelledChart } from "./labelled-chart";
import { type Explanation, explanation, type Membership, membershipTable } from "./profile-segments";

interface WindowValues {
  events_by_type: Record<string, number>;
  distinct_items_viewed: number;
  add_to_cart: number;
  purchases: number;
  revenue: number;
  sessions: number;
  searches: number;
}

interface Profile {
  id: string;
  events_applied: number;
  first_seen: string | null;
  last_seen: string | null;
  event_counts: Record<string, number>;
  total_revenue: number;
  orders: number;
  recently_viewed_items: string[];
  traits: Record<string, string>;
  consent: Record<string, { granted: boolean; at: string }> | null;
  known_ids: string[];
  windows: Record<string, WindowValues>;
  affinities: { categories: { key: string; score: number }[]; items: { key: string; score: number }[] };
  lifecycle: string;
  value: { recency_days: number | null; frequency: number; monetary: number; average_order_value: number | null };
  consent_history: { purpose: string; granted: boolean; at: string }[];
  segments: Membership[];
}

interface Identity {
  merged_ids: { id: string; merge_id: string; at: string }[];
  user_ids: string[];
  refused_merges: { at: string; reason: string; trigger_event_id: string }[];
}

const RefreshMs = 3000;

/** Window metrics drawn as sparklines over the standard windows, shortest first. */
const WindowMetrics: [string, (w: WindowValues) => number][] = [
  ["events", (w) => Object.values(w.events_by_type).reduce((a, b) => a + b, 0)],
  ["sessions", (w) => w.sessions],
  ["distinct items viewed", (w) => w.distinct_items_viewed],
  ["add to cart", (w) => w.add_to_cart],
  ["purchases", (w) => w.purchases],
  ["revenue", (w) => w.revenue],
];

export class ProfileView {
  readonly root = el("section", { id: "view-profile", class: "view", "aria-labelledby": "tab-profile" });
  private readonly input = el("input", { id: "profile-id", name: "user-id", type: "search", autocomplete: "off", placeholder: "e.g. u0000159", required: "" });
  private readonly error = errorBox("profile-error");
  private readonly result = el("div", { id: "profile-result", "aria-live": "polite" });
  private charts: LabelledChart[] = [];
  private shown: string | null = null;
  private timer: number | undefined;
  private loading: AbortController | null = null;

  /** @param onNeedsKey called when the node refuses the request for want of a (read) key. */
  constructor(private readonly onNeedsKey: (error: ApiError) => void) {
    const form = el("form", { class: "search", role: "search" },
      el("label", { for: "profile-id" }, "User or anonymous id"), this.input, el("button", { type: "submit" }, "Show profile"));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const id = this.input.value.trim();
      if (id) void this.show(id);
    });
    this.root.append(el("h2", { class: "sr-only" }, "Profile viewer"), form, this.error, this.result);
  }

  /** Called when the view is shown or hidden: refresh only while someone looks. */
  setActive(active: boolean): void {
    window.clearInterval(this.timer);
    if (active && this.shown) this.timer = window.setInterval(() => void this.load(this.shown!, false), RefreshMs);
    if (active) this.input.focus();
  }

  async show(id: string): Promise<void> {
    this.shown = id;
    this.input.value = id;
    // The address names the profile, so it can be bookmarked or shared.
    history.replaceState(null, "", `#profile/${encodeURIComponent(id)}`);
    await this.load(id, true);
    this.setActive(true);
  }

  private async load(id: string, fresh: boolean): Promise<void> {
    this.loading?.abort();
    const loading = (this.loading = new AbortController());
    try {
      const path = `/v1/profiles/${encodeURIComponent(id)}`;
      const [profile, identity, explain] = await Promise.all([getJson<Profile>(path, loading.signal), getJson<Identity>(`${path}/identity`, loading.signal),
        getJson<Explanation>(`${path}/explain`, loading.signal)]);
      if (loading.signal.aborted) return;
      showError(this.error, null);
      this.render(profile, identity, explain, fresh);
    } catch (e) {
      if (loading.signal.aborted) return;
      if (e instanceof ApiError && e.needsKey) this.onNeedsKey(e);
      // A failed refresh keeps the last profile on screen under the message; a failed search clears it.
      showError(this.error, new Error(`Profile '${id}': ${describeError(e)}`));
      if (fresh) this.clear();
    }
  }

  private clear(): void {
    this.charts.forEach((c) => c.destroy());
    this.charts = [];
    this.result.replaceChildren();
  }

  private render(p: Profile, identity: Identity, explain: Explanation, fresh: boolean): void {
    const windowNames = Object.keys(p.windows);
    if (fresh || this.charts.length === 0) {
      this.clear();
      const summary = el("dl", { class: "tiles", id: "profile-summary" });
      const sparks = el("div", { class: "sparks" });
      const details = el("div", { class: "details" });
      this.result.append(el("h3", { id: "profile-title" }, `Profile ${p.id}`), summary, el("h4", {}, "Behaviour windows"), sparks, details);
      this.charts = WindowMetrics.map(([name], i) => new LabelledChart(sparks, `spark-${i}`, name, [name], "spark"));
    }
    const summary = this.result.querySelector("#profile-summary")!;
    const fact = (name: string, value: string, id?: string) => el("div", { class: "tile" }, el("dt", {}, name), el("dd", id ? { id } : {}, value));
    summary.replaceChildren(
      fact("Events applied", number.format(p.events_applied), "profile-events"),
      fact("Lifecycle", p.lifecycle),
      fact("Orders", String(p.orders)),
      fact("Revenue", number.format(p.total_revenue), "profile-revenue"),
      fact("First seen", formatTime(p.first_seen)),
      fact("Last seen", formatTime(p.last_seen)),
      fact("Recency", p.value.recency_days === null ? "no purchase" : `${number.format(p.value.recency_days)} days`),
    );
    WindowMetrics.forEach(([, pick], i) => this.charts[i]?.update(windowNames, [windowNames.map((w) => pick(p.windows[w]!))]));

    const details = this.result.querySelector(".details")!;
    const entries = (r: Record<string, string | number>) => Object.entries(r).map(([k, v]) => [k, String(v)]);
    details.replaceChildren(
      membershipTable(p.segments ?? []),
      table("Events by type (lifetime)", ["Type", "Count"], entries(p.event_counts)),
      table("Identity links", ["Id", "How", "Since"], [
        ...identity.user_ids.filter((u) => u !== p.id).map((u) => [u, "user id", ""]),
        ...identity.merged_ids.map((m) => [m.id, `merged (${m.merge_id})`, formatTime(m.at)]),
        ...p.known_ids.filter((k) => k !== p.id && !identity.merged_ids.some((m) => m.id === k) && !identity.user_ids.includes(k)).map((k) => [k, "known id", ""]),
        ...identity.refused_merges.map((r) => [r.trigger_event_id, `refused: ${r.reason}`, formatTime(r.at)]),
      ], "no other ids"),
      table("Consent history", ["Purpose", "Decision", "At"],
        p.consent_history.map((c) => [c.purpose, c.granted ? "granted" : "withdrawn", formatTime(c.at)]), "no consent decisions"),
      table("Traits", ["Trait", "Value"], entries(p.traits), "no traits"),
      table("Top categories", ["Category", "Affinity"], p.affinities.categories.map((a) => [a.key, a.score.toFixed(2)]), "none yet"),
      table("Recently viewed items", ["Item"], p.recently_viewed_items.map((i) => [i]), "none"),
    );
    this.result.querySelector("#profile-explain")?.remove();
    this.result.append(explanation(explain));
  }
}
