// Small helpers for the wasm glue (src/wasm/): each replaces many boundary crossings (one per
// property name and value) with one call. No decisions are made here.

const READ = ["x-request-id", "retry-after", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset",
  "idempotent-replayed"];

/** The `init` for fetch; `headerLines` is "name\nvalue\n" pairs (names and values hold no newline). */
export function fetchInit(method, headerLines, body, signal) {
  const headers = {};
  const parts = headerLines.split("\n");
  for (let i = 0; i + 1 < parts.length; i += 2) headers[parts[i]] = parts[i + 1];
  const init = { method, headers, signal };
  if (body !== undefined) init.body = body;
  return init;
}

/**
 * One attempt's exchange: `fetch` (called with `this = globalThis`, so a bare `window.fetch`
 * works), then the headers the client reads and the body text.
 * Resolves to `[status, headerLines, bodyText]`; rejects as `fetch` or `text()` do.
 */
export async function send(fetchFn, url, init) {
  const response = await fetchFn.call(globalThis, url, init);
  const head = readHeaders(response);
  return [response.status, head, await response.text()];
}

/** The headers the client reads, one per line in READ's order; "\0" marks an absent (or CORS-hidden) one. */
function readHeaders(response) {
  const h = response.headers;
  let out = "";
  for (const name of READ) {
    const v = h ? h.get(name) : null;
    out += (v === null || v === undefined ? "\0" : v) + "\n";
  }
  return out;
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

/** A `RimpResponse`. */
export function makeResponse(data, status, requestId, idempotencyKey, replayed, limit, remaining, resetAt, attempts) {
  const rateLimit = limit === undefined && remaining === undefined && resetAt === undefined
    ? null : { limit: limit ?? null, remaining: remaining ?? null, resetAt: resetAt ?? null };
  return { data, status, requestId: requestId ?? null, idempotencyKey: idempotencyKey ?? null, replayed, rateLimit, attempts };
}
