// Helpers for the resource-method tests (tests/common/resources.rs), in Node and Chromium:
// calling `client.<namespace>.<method>(...)` exactly as a JS caller does, recording onProgress,
// and talking to rimp-mock's control API (CORS-enabled).

/** `core.call(index, ...args)`: one method of the table, as the package's namespaces call it. */
export function callMethod(client, index, args) {
  return client.call(index, args[0], args[1], args[2]);
}

/** Values no JSON literal can express, for the params checks. */
export function oddValue(kind) {
  switch (kind) {
    case "map": return new Map([["model", "m"]]);
    case "instance": return new (class Params { constructor() { this.model = "m"; this.prompt = "p"; } })();
    case "bigint": return { model: "m", prompt: "p", seed: 10n };
    case "date": return new Date(0);
    case "function": return () => ({ model: "m" });
    case "nullproto": return Object.assign(Object.create(null), { model: "m", prompt: "p" });
    case "undefined": return undefined;
    default: throw new Error(`unknown odd value ${kind}`);
  }
}

/** Records onProgress calls: the time and the object's status, plus the object as JSON. */
export function progressRecorder() {
  const events = [];
  return {
    events,
    onProgress: (current) => events.push({ at: Date.now(), status: current?.status ?? null, json: JSON.stringify(current) }),
  };
}

export function progressJson(rec) {
  return JSON.stringify(rec.events);
}

/** `{ ...json, onProgress, signal }` wait options. */
export function waitOptions(json, rec, signal) {
  const o = { ...JSON.parse(json) };
  if (rec) o.onProgress = rec.onProgress;
  if (signal) o.signal = signal;
  return o;
}

export function toJson(value) {
  return JSON.stringify(value);
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A fresh lower-case alphanumeric tag, so every run uses its own rimp-mock orgs and keys. */
export function uniqueTag() {
  return Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
}

/** A control-API call; resolves to the response text, rejects on a non-2xx. */
export async function mockControl(base, method, path, bodyJson) {
  const init = { method };
  if (bodyJson) {
    init.body = bodyJson;
    init.headers = { "content-type": "application/json" };
  }
  const r = await fetch(base + path, init);
  const text = await r.text();
  if (!r.ok) throw new Error(`rimp-mock ${method} ${path} → ${r.status}: ${text}`);
  return text;
}

/** The request log entries sent with `Authorization: <authorization>`, preflights excluded. */
export async function mockLog(base, authorization) {
  const log = JSON.parse(await mockControl(base, "GET", "/__mock/requests"));
  const mine = log.filter((e) => !e.preflight && e.headers?.authorization === authorization);
  return JSON.stringify(mine.map((e) => ({
    method: e.method, path: e.path, query: e.query, body: e.body, headers: e.headers, status: e.status,
  })));
}
