// Scripted `fetch` stubs and helpers for the wasm-bindgen-test suites (Node and Chromium).

/**
 * A fetch that answers from `script` (a JSON array of steps, used in order; the last step
 * repeats): {status, headers, body} answers; {reject: "message"} rejects with a TypeError like a
 * network failure; {hang: true} never settles (it does watch init.signal, like real fetch, unless
 * {hang: "deaf"}).
 */
export function scriptedFetch(scriptJson) {
  const script = JSON.parse(scriptJson);
  const calls = [];
  const fetch = (url, init) => {
    const step = script[Math.min(calls.length, script.length - 1)];
    calls.push({ url, method: init.method, headers: { ...init.headers }, body: init.body ?? null, at: Date.now() });
    if (step.reject) return Promise.reject(new TypeError(step.reject));
    if (step.hang) {
      return new Promise((_, reject) => {
        if (step.hang !== "deaf" && init.signal) {
          init.signal.addEventListener("abort", () => reject(init.signal.reason ?? new DOMException("aborted", "AbortError")));
        }
      });
    }
    const body = step.body === undefined ? "" : typeof step.body === "string" ? step.body : JSON.stringify(step.body);
    return Promise.resolve(new Response(step.status === 204 ? null : body, { status: step.status, headers: step.headers ?? {} }));
  };
  return { fetch, calls };
}

export function callsJson(stub) {
  return JSON.stringify(stub.calls);
}

export function callCount(stub) {
  return stub.calls.length;
}

/** Records onRetry events as plain data. */
export function retryRecorder() {
  const events = [];
  const onRetry = (e) => events.push({
    attempt: e.attempt, delayMs: e.delayMs, delaySource: e.delaySource,
    errorName: e.error?.name, idempotencyKey: e.idempotencyKey,
  });
  return { onRetry, events };
}

export function eventsJson(rec) {
  return JSON.stringify(rec.events);
}

/** Builds `{ fetch, onRetry, ...extra }` client options. */
export function clientOptions(stub, rec, extraJson) {
  return { shareRateLimit: false, ...JSON.parse(extraJson), fetch: stub.fetch, onRetry: rec.onRetry };
}

export function describeError(e, classes) {
  const out = {
    name: e?.name, message: e?.message, isError: e instanceof Error, stack: typeof e?.stack === "string",
    status: e?.status ?? null, type: e?.type ?? null, code: e?.code ?? null, param: e?.param ?? null,
    requestId: e?.requestId ?? null, idempotencyKey: e?.idempotencyKey ?? null, attempts: e?.attempts,
    retryable: e?.retryable, retryAfterMs: e?.retryAfterMs ?? null, rawBody: e?.rawBody ?? null,
    rateLimit: e?.rateLimit ?? null, causeMessage: e?.cause?.message ?? null, causeName: e?.cause?.name ?? null,
    instanceOf: Object.keys(classes).filter((k) => e instanceof classes[k]),
  };
  return JSON.stringify(out);
}

export function abortAfter(ms, message) {
  const ac = new AbortController();
  setTimeout(() => ac.abort(new Error(message)), ms);
  return ac.signal;
}

export function abortedSignal(message) {
  const ac = new AbortController();
  ac.abort(new Error(message));
  return ac.signal;
}

export function now() {
  return Date.now();
}

export function withSignal(json, signal) {
  return { ...JSON.parse(json), signal };
}

/** POSTs `bodyJson` to rimp-mock's control API (`/__mock/...`); resolves to the response text. */
export async function mockControl(base, path, bodyJson) {
  const r = await fetch(base + path, { method: bodyJson === "" ? "DELETE" : "POST", body: bodyJson || undefined,
    headers: bodyJson ? { "content-type": "application/json" } : {} });
  if (!r.ok) throw new Error(`mock control ${path}: ${r.status} ${await r.text()}`);
  return r.text();
}

/** GETs a control resource as text. */
export async function mockGet(base, path) {
  const r = await fetch(base + path);
  return r.text();
}

/** Client options for a real server: the global fetch, a recorder for onRetry. */
export function liveOptions(rec, extraJson) {
  return { ...JSON.parse(extraJson), onRetry: rec.onRetry };
}

/** Call options whose `headers` a careless or hostile caller could pass. */
export function hostileOptions(kind) {
  switch (kind) {
    case "throwing-getter":
      return { headers: { get "x-a"() { throw new Error("boom"); } } };
    case "proxy":
      return { headers: new Proxy({}, { ownKeys() { throw new Error("trap"); } }) };
    case "headers-instance":
      return { headers: new Headers({ Authorization: "Bearer x" }) };
    default:
      return { headers: new Map([["x-a", "1"]]) };
  }
}
