// Small DOM helpers: elements with text, tables, and the message that replaces a chart when the API fails.
import { ApiError } from "./api";

type Child = Node | string | null | undefined;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "class") node.className = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

/** A table with a caption, a header row and rows of cells; an empty body says `empty`. */
export function table(caption: string, head: string[], rows: Child[][], empty = "none"): HTMLTableElement {
  const body = rows.length > 0
    ? rows.map((cells) => el("tr", {}, ...cells.map((c) => el("td", {}, c))))
    : [el("tr", {}, el("td", { colspan: String(head.length), class: "empty" }, empty))];
  return el("table", {}, el("caption", {}, caption), el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { scope: "col" }, h)))), el("tbody", {}, ...body));
}

export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.status > 0 ? `${error.message} (HTTP ${error.status})` : error.message;
  return error instanceof Error ? error.message : String(error);
}

/** Shows `error` in `box` (role=alert), or hides the box when `error` is null. */
export function showError(box: HTMLElement, error: unknown | null): void {
  box.hidden = error === null;
  box.textContent = error === null ? "" : describeError(error);
}

export function errorBox(id: string): HTMLDivElement {
  const box = el("div", { class: "error", role: "alert", id });
  box.hidden = true;
  return box;
}

export const number = new Intl.NumberFormat("en", { maximumFractionDigits: 1 });

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : at.toLocaleString("en-GB", { hour12: false });
}

export function clockLabel(iso: string): string {
  return new Date(iso).toLocaleTimeString("en-GB", { hour12: false });
}
