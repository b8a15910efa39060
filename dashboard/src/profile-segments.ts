// The profile viewer's segments: the memberships GET /v1/profiles/{id} lists, and why, from GET /v1/profiles/{id}/explain
// (each segment the user is in or just left, with its rule, what decided the change and every clause's value).
import { el, formatTime, table } from "./dom";

export interface Membership {
  id: string;
  version: number;
  since: string;
  shadow: boolean;
}

interface Clause {
  clause: string;
  value: boolean;
  observed: string;
}

interface SegmentExplanation {
  segment: string;
  member: boolean;
  shadow: boolean;
  version: number;
  current_version: number | null;
  since: string;
  change_id: string;
  decided_by: string;
  rule: string | null;
  outcome: boolean | null;
  deciding: Clause[];
  clauses: Clause[];
}

export interface Explanation {
  user_id: string;
  segment_set_revision: number;
  segments: SegmentExplanation[];
}

export function membershipTable(segments: Membership[]): HTMLTableElement {
  return table("Segments", ["Segment", "Mode", "Version", "Member since"],
    segments.map((s) => [s.id, s.shadow ? "shadow" : "live", `v${s.version}`, formatTime(s.since)]), "in no segment");
}

/** One block per explained segment: the outcome, what decided it, and its clauses with the deciding ones marked. */
export function explanation(explain: Explanation): HTMLElement {
  const box = el("section", { id: "profile-explain", class: "explain", "aria-labelledby": "profile-explain-title" },
    el("h4", { id: "profile-explain-title" }, `Why (segment set revision ${explain.segment_set_revision})`));
  if (explain.segments.length === 0) box.append(el("p", { class: "empty" }, "The user is in no segment and left none recently."));
  for (const s of explain.segments) {
    const deciding = new Set(s.deciding.map((c) => c.clause));
    const status = s.member ? "member" : "left";
    const now = s.outcome === null ? "no longer defined" : s.outcome ? "rule true now" : "rule false now";
    box.append(el("article", { class: "explain-segment", "data-segment": s.segment },
      el("h5", {}, `${s.segment}: ${status}${s.shadow ? " (shadow)" : ""}`),
      el("p", {}, `Since ${formatTime(s.since)}, decided by ${s.decided_by} at v${s.version}; ${now}` +
        (s.current_version !== null && s.current_version !== s.version ? ` (evaluated at v${s.current_version})` : "")),
      s.rule ? el("p", {}, el("code", {}, s.rule)) : null,
      el("div", { class: "table-wrap" }, table(`Clauses of ${s.segment}`, ["Clause", "Value", "Read", "Deciding"],
        s.clauses.map((c) => [el("code", {}, c.clause), String(c.value), c.observed, deciding.has(c.clause) ? "yes" : ""]), "no clauses"))));
  }
  return box;
}
