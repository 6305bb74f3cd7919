// The demo page. Imports the built package exactly as an app would: an ES module, no bundler,
// no init call (the default entry embeds the wasm and starts it on the first `new RimpClient()`).
import * as rimp from "/pkg/index.js";
import { planCall, splitResponse } from "./api.js";
import { FAULTS, HIDE_HEADERS, faultById, MockControl } from "./faults.js";
import { CallCard } from "./timeline.js";
import { h } from "./dom.js";
import { WebhookPanel } from "./webhooks.js";

const { RimpClient, isRimpError } = rimp;

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

// Model names the mock knows (GET /v1/models); the Models tab refreshes them from the API.
const DEFAULT_MODELS = {
  image: ["flux-pro", "flux-schnell", "sdxl-turbo", "provider-down", "fail-model"],
  video: ["veo-3-1-fast", "kling-2"],
  chat: ["gpt-4o-mini", "claude-haiku"],
};

// ---- settings ------------------------------------------------------------------------------

const settingsForm = $("#settings");
const SETTINGS_KEY = "rimp-demo.settings";
const NUMERIC = ["timeoutMs", "maxRetries", "retryDelayMs", "maxRetryAfterMs"];

function loadSettings() {
  let saved = {};
  try { saved = JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? "{}") ?? {}; } catch { saved = {}; }
  const api = new URLSearchParams(location.search).get("api");
  if (api) saved.baseUrl = api;
  for (const [k, v] of Object.entries(saved)) {
    const el = settingsForm.elements.namedItem(k);
    if (!el) continue;
    if (el.type === "checkbox") el.checked = Boolean(v);
    else el.value = String(v);
  }
}

function readSettings() {
  const f = settingsForm.elements;
  const s = {
    baseUrl: f.baseUrl.value.trim().replace(/\/+$/, ""),
    apiKey: f.apiKey.value.trim(),
    dangerouslyAllowBrowser: f.dangerouslyAllowBrowser.checked,
  };
  for (const k of NUMERIC) s[k] = Number(f[k].value);
  return s;
}

function saveSettings() {
  try { localStorage.setItem(SETTINGS_KEY, JSON.stringify(readSettings())); } catch { /* private mode */ }
}

// ---- theme ---------------------------------------------------------------------------------

const THEMES = ["auto", "light", "dark"];
const THEME_KEY = "rimp-demo.theme";
function applyTheme(t) {
  if (t === "auto") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = t;
  $("#theme-label").textContent = t[0].toUpperCase() + t.slice(1);
  $("#theme-icon").textContent = t === "light" ? "☀" : t === "dark" ? "☾" : "◐";
  $("#theme-toggle").setAttribute("aria-label", `Colour theme: ${t === "auto" ? "follows the system" : t}. Change`);
}
function initTheme() {
  let t = "auto";
  try { t = localStorage.getItem(THEME_KEY) ?? "auto"; } catch { /* ignore */ }
  if (!THEMES.includes(t)) t = "auto";
  applyTheme(t);
  $("#theme-toggle").addEventListener("click", () => {
    t = THEMES[(THEMES.indexOf(t) + 1) % THEMES.length];
    try { localStorage.setItem(THEME_KEY, t); } catch { /* ignore */ }
    applyTheme(t);
  });
}

// ---- tabs ----------------------------------------------------------------------------------

function initTabs() {
  const tabs = $$('[role="tab"]');
  const select = (tab, focus) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      $(`#${t.getAttribute("aria-controls")}`).hidden = !on;
    }
    if (focus) tab.focus();
  };
  for (const t of tabs) {
    t.addEventListener("click", () => select(t, false));
    t.addEventListener("keydown", (e) => {
      const i = tabs.indexOf(t);
      const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
      if (next === undefined) return;
      e.preventDefault();
      select(tabs[(next + tabs.length) % tabs.length], true);
    });
  }
}

// ---- form helpers --------------------------------------------------------------------------

function fillDatalists(models) {
  for (const [kind, names] of Object.entries(models)) {
    const dl = $(`#models-${kind}`);
    dl.replaceChildren(...names.map((n) => h("option", { value: n })));
  }
  const box = $("#comparison-models");
  const checked = new Set($$("input:checked", box).map((i) => i.value));
  if (!checked.size) { checked.add("flux-pro"); checked.add("sdxl-turbo"); }
  box.replaceChildren(...models.image.map((m) => h("label", { class: "chip" },
    h("input", { type: "checkbox", name: "models", value: m, checked: checked.has(m) }), h("span", {}, m))));
  validateModelCount();
}

function validateModelCount() {
  const boxes = $$("#comparison-models input");
  const n = boxes.filter((b) => b.checked).length;
  const msg = n < 2 || n > 12 ? "Pick 2 to 12 models." : "";
  boxes.forEach((b, i) => b.setCustomValidity(i === 0 ? msg : ""));
}

function addMessage(role = "user", content = "") {
  const row = $("#message-template").content.firstElementChild.cloneNode(true);
  row.querySelector("select").value = role;
  row.querySelector("input").value = content;
  row.querySelector("[data-remove]").addEventListener("click", () => {
    if ($$("#message-list li").length > 1) row.remove();
    updateMessageButtons();
  });
  $("#message-list").append(row);
  updateMessageButtons();
  return row;
}

function updateMessageButtons() {
  const rows = $$("#message-list li");
  rows.forEach((r) => { r.querySelector("[data-remove]").disabled = rows.length <= 1; });
  $("#add-message").disabled = rows.length >= 50;
}

function parseField(el, novalidate) {
  const raw = el.value.trim();
  if (raw === "") return undefined;
  switch (el.dataset.type) {
    case "int":
    case "number":
      return Number(raw);
    case "json":
      return JSON.parse(raw);
    case "datetime":
      return new Date(raw).toISOString();
    default:
      return novalidate ? el.value : raw;
  }
}

/** The request body (or query) from a form, and the page-only controls (`data-control`). */
function readForm(form, novalidate) {
  const params = {};
  const control = {};
  for (const el of form.elements) {
    if (!el.name || el.type === "submit" || el.type === "button" || el.closest(".message-row, .chips") || el.tagName === "OUTPUT") continue;
    if (el.dataset.control !== undefined) {
      control[el.name] = el.type === "checkbox" ? el.checked : Number(el.value);
      continue;
    }
    const v = parseField(el, novalidate);
    if (v !== undefined) params[el.name] = v;
  }
  return { params, control };
}

function initJsonField(el) {
  el.addEventListener("input", () => {
    try { if (el.value.trim()) JSON.parse(el.value); el.setCustomValidity(""); } catch { el.setCustomValidity("Not valid JSON."); }
  });
}

// ---- recent ids ----------------------------------------------------------------------------

const recentIds = [];
function rememberId(id) {
  if (typeof id !== "string" || !id.startsWith("gen_")) return;
  const i = recentIds.indexOf(id);
  if (i >= 0) recentIds.splice(i, 1);
  recentIds.unshift(id);
  recentIds.length = Math.min(recentIds.length, 20);
  $("#recent-ids").replaceChildren(...recentIds.map((x) => h("option", { value: x })));
  $("#form-generation").elements.id.value = id;
}

// ---- rimp-mock detection and the fault panel -------------------------------------------------

let mock = null;       // MockControl when the base URL is a rimp-mock
let mockBase = null;

function renderFaults() {
  const box = $("#faults");
  box.replaceChildren(...FAULTS.map((f, i) => h("label", { class: "fault", "data-fault": f.id, title: f.detail },
    h("input", { type: "radio", name: "fault", value: f.id, checked: i === 0 }),
    h("span", { class: "fault-label" }, f.label))));
  box.addEventListener("change", showFaultDetail);
  $("#hide-headers").addEventListener("change", showFaultDetail);
  showFaultDetail();
}

/** The faults armed for the next call: the chosen one and/or hidden headers. */
function armedFaults() {
  return [selectedFault(), $("#hide-headers").checked ? HIDE_HEADERS : null].filter((f) => f?.kind);
}

function showFaultDetail() {
  const armed = armedFaults();
  const el = $("#fault-detail");
  el.dataset.armed = String(armed.length > 0);
  if (!armed.length) { el.replaceChildren(FAULTS[0].detail); return; }
  el.replaceChildren(h("strong", {}, "Armed for the next call: "), armed.map((f) => f.detail).join(" "));
}

function selectedFault() {
  const v = $("#faults input:checked")?.value ?? "none";
  return faultById(v);
}

async function detectMock() {
  const { baseUrl } = readSettings();
  if (baseUrl === mockBase) return;
  mockBase = baseUrl;
  const pill = $("#mock-status");
  pill.dataset.state = "checking";
  pill.textContent = "Checking the API…";
  let info = null;
  try { new URL(baseUrl); info = await new MockControl(baseUrl).info(); } catch { info = null; }
  if (baseUrl !== mockBase) return;   // the URL changed meanwhile
  mock = info ? new MockControl(baseUrl) : null;
  pill.dataset.state = info ? "ok" : "off";
  pill.textContent = info ? `rimp-mock ${info.version} · time ×${info.time_scale}` : "Not a rimp-mock: faults off";
  $("#faults").disabled = !info;
  $("#hide-headers").disabled = !info;
  $("#fault-availability").textContent = info ? "" : "needs rimp-mock at the base URL";
}

// ---- webhooks: deliveries shown in the call they are about -----------------------------------

const cardsByJob = new Map();   // generation / comparison id → CallCard
const deliveries = [];          // every delivery the demo server reported (it may come before the id is known)

/** The call card now knows its job's id: show the deliveries already received for it. */
function linkCard(card, id) {
  if (typeof id !== "string" || !id) return;
  card.created(id);
  cardsByJob.set(id, card);
  // rimp-mock re-seeds its ids on reset, so an id can come back: only deliveries received since
  // this call started are about it.
  for (const d of deliveries) if (d.subjectId === id && Date.parse(d.receivedAt) >= card.wallStart) card.webhook(d);
}

function onDelivery(entry) {
  deliveries.push(entry);
  if (deliveries.length > 500) deliveries.splice(0, deliveries.length - 500);
  cardsByJob.get(entry.subjectId)?.webhook(entry);
}

/** A client for the current settings, without the page's tracing (webhook registration). */
function plainClient() {
  const s = readSettings();
  return new RimpClient({
    baseUrl: s.baseUrl, ...(s.apiKey ? { apiKey: s.apiKey } : {}), dangerouslyAllowBrowser: s.dangerouslyAllowBrowser,
    timeoutMs: s.timeoutMs, maxRetries: s.maxRetries, retryDelayMs: s.retryDelayMs, maxRetryAfterMs: s.maxRetryAfterMs,
  });
}

let webhooks = null;
function initWebhooks() {
  webhooks = new WebhookPanel({
    toggle: $("#webhooks-on"), status: $("#webhooks-status"), log: $("#webhooks-log"),
    makeClient: plainClient, settings: readSettings, mock: () => mock, onDelivery,
  });
}

// ---- running a call --------------------------------------------------------------------------

const calls = $("#calls");

function syncEmpty() {
  $("#calls-empty").hidden = calls.children.length > 0;
}

async function runCall(endpoint, params, control, extra = {}) {
  const settings = readSettings();
  const faults = armedFaults();
  if (faults.length) {   // one-shot
    $('#faults input[value="none"]').checked = true;
    $("#hide-headers").checked = false;
    showFaultDetail();
  }
  const plan = planCall(endpoint, params, control);
  const controller = new AbortController();
  const isPost = plan.method === "POST";
  let createdMeta = null;
  const card = new CallCard(calls, {
    plan, faults, settings,
    onCancel: () => controller.abort(new DOMException("Canceled from the demo page", "AbortError")),
    onRetrySameKey: isPost ? (key) => runCall(endpoint, params, control, { idempotencyKey: key }) : null,
    onCancelJob: (id) => runCall("generation", { id }, { op: "cancel" }),
  });
  syncEmpty();
  if (matchMedia("(max-width: 900px)").matches) {
    card.el.scrollIntoView({ block: "start", behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth" });
  }
  if (endpoint === "generation" && control.op === "wait") linkCard(card, params.id);

  const tracedFetch = async (input, init = {}) => {
    const a = card.attemptStart(init.method ?? "GET", String(input), init.headers);
    try {
      const res = await globalThis.fetch(input, init);
      card.attemptEnd(a, res);
      return res;
    } catch (e) {
      card.attemptFail(a, e, controller.signal.aborted ? "canceled" : init.signal?.aborted ? "timeout" : "network");
      throw e;
    }
  };

  const m = mock;
  const disarms = [];
  let before = null;
  const wallStart = Date.now();
  try {
    if (m) before = await m.ledger().catch(() => null);
    for (const fault of faults) {
      if (!m) throw new Error("The fault panel needs rimp-mock at the API base URL.");
      disarms.push(await m.arm(fault, { method: plan.method, path: plan.path, apiKey: settings.apiKey, settings }));
    }
    const client = new RimpClient({
      baseUrl: settings.baseUrl,
      ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
      dangerouslyAllowBrowser: settings.dangerouslyAllowBrowser,
      timeoutMs: settings.timeoutMs,
      maxRetries: settings.maxRetries,
      retryDelayMs: settings.retryDelayMs,
      maxRetryAfterMs: settings.maxRetryAfterMs,
      fetch: tracedFetch,
      onRetry: (event) => card.retry(event),
      // One rate limit for every tab of the page (the default in browsers), except for a fault
      // that would otherwise hold every later call for an hour.
      ...(faults.some((f) => f.shareRateLimit === false) ? { shareRateLimit: false } : {}),
    });
    const hooks = {
      phase: (name, label) => card.phase(name, label),
      progress: (job) => card.progress(job),
      created: (res) => {
        const { data, meta } = splitResponse(res);
        createdMeta = meta;
        if (data?.id) { linkCard(card, data.id); rememberId(data.id); }
      },
    };
    const opts = { signal: controller.signal, ...(extra.idempotencyKey ? { idempotencyKey: extra.idempotencyKey } : {}) };
    const value = await plan.run(client, opts, hooks);
    const { data, meta } = splitResponse(value);
    if (data?.id) { rememberId(data.id); if (!card.jobId) linkCard(card, data.id); }
    if (endpoint === "models" && Array.isArray(data?.data)) updateModels(data.data);
    card.succeed(data, meta, createdMeta);
  } catch (e) {
    card.fail(e, { isPost });
    if (!isRimpError(e) && !(e instanceof DOMException)) card.note("This error did not come from rimp-client.");
  } finally {
    for (const disarm of disarms) {
      try { await disarm(); } catch (e) { card.note(`Could not undo the fault: ${e.message}`); }
    }
    if (m && before) {
      const [after, log] = await Promise.all([m.ledger().catch(() => null), m.requests().catch(() => null)]);
      card.server({
        ledger: after && {
          generations: after.generations_created - before.generations_created,
          children: (after.comparison_children_created ?? 0) - (before.comparison_children_created ?? 0),
          chats: (after.chat_completions_created ?? 0) - (before.chat_completions_created ?? 0),
          credits: after.credits_charged - before.credits_charged,
        },
        requests: Array.isArray(log) ? log.filter((e) => e.wall_ms >= wallStart - 50 && !e.preflight && e.path.startsWith("/v1/")) : null,
      });
    }
    card.el.dataset.settled = "true";
  }
}

function updateModels(list) {
  const by = { image: [], video: [], chat: [] };
  for (const m of list) if (by[m.modality] && m.id) by[m.modality].push(m.id);
  fillDatalists({
    image: by.image.length ? by.image : DEFAULT_MODELS.image,
    video: by.video.length ? by.video : DEFAULT_MODELS.video,
    chat: by.chat.length ? by.chat : DEFAULT_MODELS.chat,
  });
}

// ---- wiring --------------------------------------------------------------------------------

function initForms() {
  const novalidate = $("#novalidate");
  for (const form of $$(".endpoint-form")) {
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const endpoint = form.dataset.endpoint;
      const skip = novalidate.checked;
      let params;
      let control;
      try {
        ({ params, control } = readForm(form, skip));
      } catch (err) {
        const bad = $("[data-type=json]", form);
        bad?.setCustomValidity("Not valid JSON.");
        bad?.reportValidity();
        return;
      }
      if (endpoint === "chat") {
        params.messages = $$("#message-list li").map((li) => ({ role: li.querySelector("select").value, content: li.querySelector("input").value }));
      }
      if (endpoint === "comparison") params.models = $$("#comparison-models input:checked").map((i) => i.value);
      if (endpoint === "generation") {
        control.op = e.submitter?.value ?? "get";
        params = { id: params.id ?? "" };
      }
      runCall(endpoint, params, control);
    });
  }
  novalidate.addEventListener("change", () => {
    for (const form of $$(".endpoint-form")) form.noValidate = novalidate.checked;
  });
  const temp = $("#chat-temperature");
  temp.addEventListener("input", () => { $("#form-chat").elements.temperatureOut.value = temp.value; });
  $("#add-message").addEventListener("click", () => addMessage().querySelector("input").focus());
  addMessage("user", "Write a haiku about retries.");
  $("#comparison-models").addEventListener("change", validateModelCount);
  $$("[data-type=json]").forEach(initJsonField);
  $("#clear-calls").addEventListener("click", () => {
    $$(".call[data-settled]", calls).forEach((c) => c.remove());
    syncEmpty();
  });
}

function initSharedLimit() {
  const link = $("#second-tab");
  const update = () => { link.href = location.href; };
  update();
  link.addEventListener("click", update);
}

function initSettings() {
  loadSettings();
  let t = null;
  settingsForm.addEventListener("input", () => {
    saveSettings();
    clearTimeout(t);
    t = setTimeout(() => detectMock().then(() => webhooks?.refresh()), 400);
  });
  settingsForm.addEventListener("submit", (e) => e.preventDefault());
}

initTheme();
initSettings();
initTabs();
renderFaults();
fillDatalists(DEFAULT_MODELS);
initForms();
initWebhooks();
initSharedLimit();
syncEmpty();
await detectMock();
document.body.dataset.ready = "true";
// The package on `window.rimp`, to try things by hand in the console.
globalThis.rimp = rimp;
