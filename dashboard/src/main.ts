// The dashboard shell: node facts from GET /v1/info, tabs for the views, the live stream
// (GET /v1/stream/dashboard) feeding Stream, Cluster, Segments and Recommendations, and the key prompt when the node
// requires API keys.
import "./app.css";
import { ApiError, getJson, readStream, storedKey, storeKey } from "./api";
import { ClusterView } from "./cluster-view";
import { describeError, el, errorBox, showError } from "./dom";
import type { DashboardSample, NodeInfo } from "./model";
import { ProfileView } from "./profile-view";
import { RecommendationsView } from "./recommendations-view";
import { SegmentsView } from "./segments-view";
import { StreamView } from "./stream-view";
import { WebhooksView } from "./webhooks-view";

/** How many samples the charts keep: five minutes at one a second. */
const MaxSamples = 300;
const ReconnectMs = 2000;

interface View {
  id: string;
  title: string;
  root: HTMLElement;
  setActive?(active: boolean): void;
}

const stream = new StreamView();
const cluster = new ClusterView();
const profile = new ProfileView((e) => askForKey(e));
const segments = new SegmentsView((e) => askForKey(e));
const recommendations = new RecommendationsView((e) => askForKey(e));
const webhooks = new WebhooksView((e) => askForKey(e));
// Models and campaigns add their views here as they land.
const views: View[] = [
  { id: "stream", title: "Stream", root: stream.root },
  { id: "cluster", title: "Cluster", root: cluster.root },
  { id: "profile", title: "Profiles", root: profile.root, setActive: (a) => profile.setActive(a) },
  { id: "segments", title: "Segments", root: segments.root, setActive: (a) => segments.setActive(a) },
  { id: "recommendations", title: "Recommendations", root: recommendations.root },
  { id: "webhooks", title: "Webhooks", root: webhooks.root, setActive: (a) => webhooks.setActive(a) },
];

const status = el("p", { id: "stream-status", class: "status", role: "status", "aria-live": "polite" }, "connecting…");
const streamError = errorBox("stream-error");
const keyForm = buildKeyForm();
const nodeLine = el("p", { id: "node-info", class: "node" });
const tabs = el("nav", { class: "tabs", role: "tablist", "aria-label": "Views" });
let samples: DashboardSample[] = [];
let connection: AbortController | null = null;

function buildKeyForm(): HTMLFormElement {
  const input = el("input", { id: "api-key", type: "password", autocomplete: "current-password", required: "" });
  const form = el("form", { id: "key-form", class: "key-form", "aria-labelledby": "key-title" },
    el("h2", { id: "key-title" }, "API key required"),
    el("p", {}, "This node requires an API key with the read role (or admin). It is kept in this browser tab only."),
    el("label", { for: "api-key" }, "API key"), input, el("button", { type: "submit" }, "Connect"));
  form.hidden = true;
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    storeKey(input.value.trim());
    input.value = "";
    form.hidden = true;
    start();
  });
  return form;
}

function askForKey(error: ApiError): void {
  showError(streamError, storedKey() ? error : null);
  keyForm.hidden = false;
  status.textContent = "waiting for an API key";
  keyForm.querySelector("input")!.focus();
}

function select(id: string, focus = false): void {
  for (const view of views) {
    const active = view.id === id;
    const tab = document.getElementById(`tab-${view.id}`)!;
    tab.setAttribute("aria-selected", String(active));
    tab.tabIndex = active ? 0 : -1;
    if (active && focus) tab.focus();
    view.root.hidden = !active;
    view.setActive?.(active);
  }
  if (location.hash !== `#${id}` && !location.hash.startsWith(`#${id}/`)) history.replaceState(null, "", `#${id}`);
}

function buildTabs(): void {
  for (const view of views) {
    const tab = el("button", { id: `tab-${view.id}`, role: "tab", "aria-controls": `view-${view.id}`, type: "button" }, view.title);
    tab.addEventListener("click", () => select(view.id));
    tabs.append(tab);
    view.root.setAttribute("role", "tabpanel");
  }
  // Arrow keys, Home and End move between tabs (the WAI-ARIA tabs pattern); Tab moves into the view.
  tabs.addEventListener("keydown", (e) => {
    const at = views.findIndex((v) => document.activeElement?.id === `tab-${v.id}`);
    if (at < 0) return;
    const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: views.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    select(views[(next + views.length) % views.length]!.id, true);
  });
}

function onSample(sample: DashboardSample): void {
  samples.push(sample);
  if (samples.length > MaxSamples) samples = samples.slice(-MaxSamples);
  stream.render(samples);
  cluster.render(sample.cluster);
  segments.render(samples);
  recommendations.render(samples);
}

async function loadInfo(): Promise<void> {
  const info = await getJson<NodeInfo>("/v1/info");
  nodeLine.textContent = `DmpActors ${info.version} · ${info.mode} · Kafka ${info.kafka_bootstrap}${info.node_address ? " · node " + info.node_address : ""}`;
}

/** Connects the live stream and reconnects after it drops; an error is shown, never a silent blank chart. */
function start(): void {
  connection?.abort();
  const current = (connection = new AbortController());
  const run = async () => {
    while (!current.signal.aborted) {
      try {
        await loadInfo();
        status.textContent = "connecting…";
        await readStream("/v1/stream/dashboard", (e) => {
          showError(streamError, null);
          status.textContent = "live";
          if (e.event === "history") {
            samples = [];
            (JSON.parse(e.data) as DashboardSample[]).forEach(onSample);
          } else if (e.event === "sample") {
            onSample(JSON.parse(e.data) as DashboardSample);
          }
        }, current.signal);
        if (current.signal.aborted) return;
        status.textContent = "stream ended; reconnecting…";
      } catch (e) {
        if (current.signal.aborted) return;
        if (e instanceof ApiError && e.needsKey) {
          askForKey(e);
          return;
        }
        showError(streamError, new Error(`Live stream: ${describeError(e)}`));
        status.textContent = "disconnected; retrying…";
      }
      await new Promise((r) => setTimeout(r, ReconnectMs));
    }
  };
  void run();
}

function main(): void {
  buildTabs();
  const header = el("header", {}, el("h1", {}, "DmpActors"), nodeLine, status);
  const main = el("main", {}, streamError, keyForm, ...views.map((v) => v.root));
  document.body.append(el("a", { href: "#main", class: "skip" }, "Skip to content"), header, tabs, main);
  main.id = "main";
  const [first, ...rest] = location.hash.slice(1).split("/");
  select(views.some((v) => v.id === first) ? first! : "stream");
  if (first === "profile" && rest.length > 0) void profile.show(decodeURIComponent(rest.join("/")));
  start();
}

main();
