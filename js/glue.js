// Small helpers for the wasm glue (src/wasm/): each replaces many boundary crossings (one per
// property name and value) with one call, and keeps bulky values (request and response bodies)
// on the JS side. No decisions are made here. Every function here is imported with `catch` in
// Rust, so whatever a caller's value does (throwing getters, revoked Proxies), no exception
// unwinds through wasm.

// The headers the client reads, in the order of `ResponseHeaders::NAMES` in src/headers.rs.
const READ = ["x-request-id", "retry-after", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset",
  "idempotent-replayed", "ratelimit", "ratelimit-policy"];

// What of a non-2xx body may cross into wasm memory (which never shrinks). The core reads the
// envelope's fields out of the object JSON.parse makes of this text (src/wasm/fields.rs), and
// copies the text itself only when it is not an envelope (for `rawBody`). A body over
// ERROR_TEXT_LIMIT characters is first reduced here: a JSON body to its structure with every
// string cut at FIELD_LIMIT characters, any other body to its first RAW_LIMIT characters.
const ERROR_TEXT_LIMIT = 64 * 1024;
const FIELD_LIMIT = 4096;
const RAW_LIMIT = 2048;

// What `send` resolves to when the attempt did not get an answer: the first element of the
// result is the status line, these two are never one.
const TIMED_OUT = "-1";
const ABORTED = "-2";
const NOT_A_RESPONSE = "-3";

/**
 * One attempt: `fetch(url, init)` (called with `this = globalThis`, so a bare `window.fetch`
 * works) with a fresh `AbortController`'s signal, then the headers the client reads and the
 * body text (bounded when not 2xx). The attempt's timeout and the caller's `signal` are watched
 * here, in JS, so an attempt creates no Rust closure.
 *
 * `headerLines` is "name\nvalue\n" pairs (names and values hold no newline); `fetchOptions`
 * are merged under the client's own fields.
 *
 * Resolves to `[statusAndHeaderLines, bodyText, parsedBody (2xx only)]`, or to `[TIMED_OUT]` /
 * `[ABORTED]` as soon as the timer fires or `signal` aborts (the request is aborted too, and
 * the promise settles even if `fetch` ignores its signal), or to `[NOT_A_RESPONSE, what]` when
 * `fetch` resolved to something without `text()`. Rejects as `fetch` or `text()` do.
 * `cancel(promise)` ends it the same way when the call is dropped mid-attempt.
 */
export function send(fetchFn, url, method, headerLines, body, fetchOptions, timeoutMs, signal) {
  const headers = {};
  const parts = headerLines.split("\n");
  for (let i = 0; i + 1 < parts.length; i += 2) headers[parts[i]] = parts[i + 1];
  const init = fetchOptions === undefined ? {} : { ...fetchOptions };
  init.method = method;
  init.headers = headers;
  if (body !== undefined) init.body = body;
  else delete init.body;
  const controller = new AbortController();
  init.signal = controller.signal;
  let end = null;
  const promise = new Promise((resolve, reject) => {
    const deadline = { at: Date.now() + timeoutMs, fire: null };
    const onAbort = () => {
      finish(resolve, [ABORTED]);
      controller.abort(signal.reason);
    };
    const finish = (settle, value) => {
      if (end === null) return;
      end = null;
      unwatch(deadline);
      if (signal !== undefined) unlisten(signal, onAbort);
      settle(value);
    };
    end = () => {
      finish(resolve, [ABORTED]);
      controller.abort();
    };
    deadline.fire = () => {
      finish(resolve, [TIMED_OUT]);
      controller.abort();
    };
    watch(deadline);
    if (signal !== undefined) {
      // A signal that is not an EventTarget cannot be listened to; the loop still checks
      // `aborted` before each attempt and wait.
      try {
        signal.addEventListener("abort", onAbort);
      } catch {}
    }
    exchange(fetchFn, url, init).then(
      (v) => finish(resolve, v),
      (e) => finish(reject, e),
    );
  });
  promise.end = () => end !== null && end();
  return promise;
}

// The attempts' timeouts share one timer, armed for the earliest deadline. A `setTimeout` and
// `clearTimeout` per attempt were the largest single cost of a call in Chromium (about 4 µs of
// a 55 µs call with a stubbed fetch, 7 % of the profile); with one shared timer, a call whose
// deadline is later than the armed one only joins a Set.
//
// The timer is left armed when the last attempt ends (it then fires once for nothing) where
// that is harmless: in pages and workers, and in Node or Bun, whose timers are `unref()`ed
// while no attempt is in flight so they never keep the process alive. Elsewhere (a runtime
// whose timer ids are plain numbers, such as Deno) it is cleared, as a per-attempt timer
// would be. A `setTimeout` replaced since the timer was armed (fake timers in a test) re-arms
// it with the new one.
const deadlines = new Set();
let armed = null; // { at, id, with: the setTimeout that armed it, clear: the clearTimeout of that time }

function watch(deadline) {
  deadlines.add(deadline);
  if (armed === null || deadline.at < armed.at) {
    arm(deadline.at);
  } else if (armed.with !== globalThis.setTimeout) {
    arm(armed.at);
  } else if (deadlines.size === 1 && typeof armed.id?.ref === "function") {
    armed.id.ref();
  }
}

function unwatch(deadline) {
  if (!deadlines.delete(deadline) || deadlines.size > 0 || armed === null) return;
  if (typeof armed.id?.unref === "function") armed.id.unref();
  else if (!isBrowserLike()) disarm();
}

function arm(at) {
  disarm();
  const set = globalThis.setTimeout;
  try {
    armed = { at, id: set.call(globalThis, sweep, Math.max(0, at - Date.now())), with: set, clear: globalThis.clearTimeout };
  } catch {
    // A page may have replaced setTimeout with one that throws: then no timeout fires.
    armed = null;
  }
}

function disarm() {
  if (armed === null) return;
  try {
    // The clearTimeout that goes with the setTimeout that armed it (fake timers may have been
    // installed or removed since).
    armed.clear.call(globalThis, armed.id);
  } catch {}
  armed = null;
}

function sweep() {
  armed = null;
  const now = Date.now();
  let next = Infinity;
  for (const d of [...deadlines]) {
    if (d.at <= now) {
      deadlines.delete(d);
      try {
        d.fire();
      } catch {}
    } else if (d.at < next) {
      next = d.at;
    }
  }
  // A timer may fire a little early (Node's, by a millisecond): the rest is re-armed.
  if (next !== Infinity) arm(next);
}

/** Ends an attempt of `send` whose call was dropped: aborts its request, settles its promise. */
export function cancel(promise) {
  promise.end();
}

function unlisten(signal, listener) {
  try {
    signal.removeEventListener("abort", listener);
  } catch {}
}

async function exchange(fetchFn, url, init) {
  const response = await fetchFn.call(globalThis, url, init);
  if (response === null || typeof response !== "object" || typeof response.text !== "function") {
    return [NOT_A_RESPONSE, kindOf(response)];
  }
  const status = response.status;
  let head = readHeaders(response);
  const text = await response.text();
  // A success is parsed here, in the same promise (one crossing less per call). Its first
  // RAW_LIMIT characters stay too, for the rare 2xx that is not what the API documents (an
  // HTML page from a proxy), which the core reports with that text as `rawBody`.
  head = status + "\n" + head;
  return status >= 200 && status < 300
    ? [head, typeof text === "string" && text.length > RAW_LIMIT ? text.slice(0, RAW_LIMIT) : text, parseBody(text)]
    : [head, boundErrorText(text)];
}

/** A few words on what a value is ("undefined", "a string", "an object without text()"). */
function kindOf(v) {
  if (v === null || v === undefined) return String(v);
  if (typeof v === "object") return "an object without text()";
  return "a " + typeof v;
}

/** The headers the client reads, one per line in READ's order; "\0" marks an absent (or CORS-hidden) one. */
function readHeaders(response) {
  const h = response.headers;
  let out = "";
  for (const name of READ) {
    const v = h ? h.get(name) : null;
    out += (v === null || v === undefined ? "\0" : String(v).replace(/[\n\0]/g, " ")) + "\n";
  }
  return out;
}

/**
 * A non-2xx body as it may cross into wasm: whole when short; else, when it is JSON, the same
 * structure with every string cut to FIELD_LIMIT characters and at most ERROR_TEXT_LIMIT
 * characters of strings in all (so any envelope shape keeps its fields: `{error: {…}}`, a flat
 * `{type, code, message}`, `{error: "text"}`, a nested `request_id`); else its first RAW_LIMIT
 * characters.
 */
function boundErrorText(text) {
  if (typeof text !== "string") return "";
  if (text.length <= ERROR_TEXT_LIMIT) return text;
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text.slice(0, RAW_LIMIT);
  }
  if (parsed === null || typeof parsed !== "object") return text.slice(0, RAW_LIMIT);
  const budget = { left: ERROR_TEXT_LIMIT };
  return JSON.stringify(shrink(parsed, budget, 0));
}

// Scalars first (the envelope's short fields), then nested values, while the budget lasts.
function shrink(v, budget, depth) {
  if (typeof v === "string") {
    const s = v.slice(0, Math.min(FIELD_LIMIT, Math.max(budget.left, 0)));
    budget.left -= s.length + 8;
    return s;
  }
  if (v === null || typeof v !== "object") {
    budget.left -= 8;
    return v;
  }
  if (depth >= 6) return null;
  const entries = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
  entries.sort(([, a], [, b]) => (typeof a === "object" && a !== null ? 1 : 0) - (typeof b === "object" && b !== null ? 1 : 0));
  const out = Array.isArray(v) ? [] : {};
  for (const [k, x] of entries) {
    if (budget.left <= 0) break;
    budget.left -= String(k).length + 8;
    out[k] = shrink(x, budget, depth + 1);
  }
  return out;
}

/**
 * The own enumerable names of an options object, newline-separated, for the core to check
 * against the options it knows: at most the first 64, each cut to 256 characters, so what
 * crosses into wasm memory stays bounded whatever the object.
 */
export function optionNames(o) {
  const names = Object.keys(o);
  return (names.length > 64 ? names.slice(0, 64) : names).map((n) => (n.length > 256 ? n.slice(0, 256) : n)).join("\n");
}

/** The body as JS: parsed JSON, null when empty, the text itself when it is not JSON. */
export function parseBody(text) {
  if (typeof text !== "string" || text.trim() === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A short description of a thrown value (its `message` when it has one), at most 500 characters. */
export function errorMessage(e) {
  let m = "";
  try {
    m = e !== null && typeof e === "object" && typeof e.message === "string" ? e.message : String(e);
  } catch {
    m = "";
  }
  return m.slice(0, 500);
}

/** `Array.isArray`, which throws for a revoked Proxy (the import is `catch`). */
export function isArray(v) {
  return Array.isArray(v);
}

/** A plain copy of a record option's own enumerable properties (getters run once, here). */
export function copyRecord(v) {
  return { ...v };
}

/** A `RimpResponse`. */
export function makeResponse(data, status, requestId, idempotencyKey, replayed, limit, remaining, resetAt, attempts) {
  const rateLimit = limit === undefined && remaining === undefined && resetAt === undefined
    ? null : { limit: limit ?? null, remaining: remaining ?? null, resetAt: resetAt ?? null };
  return { data, status, requestId: requestId ?? null, idempotencyKey: idempotencyKey ?? null, replayed, rateLimit, attempts };
}

/**
 * Calls a user callback (`onRetry`, `onProgress`) with `arg`. Its failure is the caller's
 * business, not the call's: a throw is ignored (the import is `catch`), and a rejected promise
 * from an async callback is caught here so it does not surface as an unhandled rejection.
 */
export function callUser(f, arg) {
  const r = f(arg);
  if (r !== null && (typeof r === "object" || typeof r === "function") && typeof r.then === "function") {
    r.then(undefined, () => {});
  }
}

/** `logger[level](message)`, when the logger has that method. */
export function log(logger, level, message) {
  const f = logger[level];
  if (typeof f === "function") f.call(logger, message);
}

// ---- webhooks.unwrap: the body stays here (Web Crypto hashes it, JSON.parse reads it); only
// the signature header and the computed hex cross into wasm. ----

const tag = (v) => Object.prototype.toString.call(v);

/**
 * The raw body as `{ bytes, text }` (`text` only when it was given as a string), or null when
 * `payload` is not a string, Uint8Array (a Node Buffer is one) or ArrayBuffer.
 */
export function webhookBody(payload) {
  if (typeof payload === "string") return { bytes: new TextEncoder().encode(payload), text: payload };
  if (ArrayBuffer.isView(payload) && tag(payload) === "[object Uint8Array]") return { bytes: payload, text: undefined };
  if (tag(payload) === "[object ArrayBuffer]") return { bytes: new Uint8Array(payload), text: undefined };
  return null;
}

/** One header value as a string, or null when absent. */
function headerText(v) {
  if (v === undefined || v === null) return null;
  if (Array.isArray(v)) {
    const parts = v.filter((x) => x !== undefined && x !== null).map(String);
    return parts.length === 0 ? null : parts.join(",");
  }
  return String(v);
}

/**
 * Header `name` (lower case) of `headers`: a `Headers` (or anything with `get`), else a plain
 * record in any case (Node's `IncomingHttpHeaders`), array values and keys that differ only in
 * case joined with ",". Null when absent. May throw (a throwing getter or `get`): the import
 * is `catch`.
 */
export function webhookHeader(headers, name) {
  if (typeof headers.get === "function") return headerText(headers.get(name));
  const found = [];
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === name) {
      const v = headerText(headers[key]);
      if (v !== null) found.push(v);
    }
  }
  return found.length === 0 ? null : found.join(",");
}

/**
 * A promise of the lowercase hex HMAC-SHA-256, keyed with `secret`'s UTF-8 bytes, of
 * `"<t>.<body bytes>"`; null when Web Crypto is not available (an insecure browser context).
 */
export function webhookHmac(secret, t, body) {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined || subtle === null || typeof subtle.importKey !== "function") return null;
  const enc = new TextEncoder();
  const prefix = enc.encode(t + ".");
  const message = new Uint8Array(prefix.length + body.bytes.length);
  message.set(prefix);
  message.set(body.bytes, prefix.length);
  return subtle
    .importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
    .then((key) => subtle.sign("HMAC", key, message))
    .then((mac) => {
      let hex = "";
      for (const b of new Uint8Array(mac)) hex += b.toString(16).padStart(2, "0");
      return hex;
    });
}

/** The body parsed as JSON (throws for invalid UTF-8 or JSON: the import is `catch`). */
export function webhookParse(body) {
  const text = body.text ?? new TextDecoder("utf-8", { fatal: true }).decode(body.bytes);
  return JSON.parse(text);
}

// ---- One rate limit shared by every client of a key (tabs, workers) ----
// The core decides (src/shared_limit.rs); this carries one number, "limited until" (epoch ms),
// between clients of the same name: a BroadcastChannel for the clients alive now, and
// localStorage (where there is one) for a client created later. One handle per name per realm.

const shares = new Map();

function store(name, until) {
  try {
    globalThis.localStorage?.setItem(name, String(until));
  } catch {
    // No storage (a worker, a sandboxed frame), storage full or disabled.
  }
}

/** The handle of channel `name` (opened once per realm). */
export function shareOpen(name) {
  let h = shares.get(name);
  if (h !== undefined) return h;
  h = { name, until: 0, channel: null };
  shares.set(name, h);
  try {
    const stored = Number(globalThis.localStorage?.getItem(name));
    if (stored > Date.now()) h.until = stored;
  } catch {
    // No storage (a worker, a sandboxed frame, storage disabled): the channel still works.
  }
  if (typeof BroadcastChannel === "function") {
    try {
      const ch = new BroadcastChannel(name);
      ch.onmessage = (ev) => {
        const d = ev.data;
        if (d !== null && typeof d === "object" && typeof d.until === "number") {
          if (d.until > h.until) {
            h.until = d.until;
            // A worker has no storage: a page that hears it keeps it for clients created later.
            store(name, d.until);
          }
        } else if (d !== null && typeof d === "object" && d.ask === true && h.until > Date.now()) {
          ch.postMessage({ until: h.until });
        }
      };
      // A client created later (in a worker, with no storage) asks those alive what they know.
      ch.postMessage({ ask: true });
      // The channel must not keep Node's event loop alive.
      if (typeof ch.unref === "function") ch.unref();
      h.channel = ch;
    } catch {
      // No channel: this client still learns from its own answers.
    }
  }
  return h;
}

/** Until when (epoch ms) the key is limited, as far as this realm knows (0: not limited). */
export function shareUntil(h) {
  return h.until;
}

/** Tells every client of the key that it is limited until `until` (epoch ms). */
export function sharePublish(h, until) {
  if (!(until > h.until)) return;
  h.until = until;
  try {
    h.channel?.postMessage({ until });
  } catch {
    // A closed channel: nothing to tell.
  }
  store(h.name, until);
}

/** Is this a browser page or a worker (where sharing the rate limit is on by default)? */
export function isBrowserLike() {
  return typeof document === "object" || typeof WorkerGlobalScope === "function";
}

/** `JSON.parse(text)`, or `undefined` when the text is not JSON. */
export function parseJson(text) {
  try {
    return typeof text === "string" ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** A JSON string as is, a number as JS writes it; `undefined` otherwise. */
export function jsonText(v) {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}
