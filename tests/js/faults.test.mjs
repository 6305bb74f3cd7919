// Faults against the BUILT package (RIMP_PKG, default pkg/): a bad neighbour call, bounded wasm
// memory (200 MB error bodies, a 10 MB request body, 10,000 attempts that never settle, 10,000
// successes), the API key kept out of errors, repeated headers read as the docs mean them, and
// the retry budget under an outage and a blip. Nothing here leaves 127.0.0.1.
//   RIMP_PKG=target/pkg-hostile node --test tests/js/faults.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const root = new URL("../..", import.meta.url).pathname;
const pkgDir = resolve(root, process.env.RIMP_PKG ?? "pkg");
const DIAG = Symbol.for("rimp-client.diagnostics");
const MiB = 1024 * 1024;
const KEY = "sk_test_abcdefgh12345";

let pkg;
let server;
let base;
const escaped = [];
const onUncaught = (e) => escaped.push(["uncaughtException", e]);
const onUnhandled = (e) => escaped.push(["unhandledRejection", e]);
const realFetch = globalThis.fetch;

const diag = () => pkg.RimpClient[DIAG]();
const ok = () => Promise.resolve(new Response('{"ok":true}', { status: 200 }));
const settle = (p) => p.then((v) => ({ ok: true, v }), (e) => ({ ok: false, e }));

let slowHits = 0;

/** A tiny server: echoes the key it receives into error bodies, and sends repeated headers. */
function handler(req, res) {
  const key = (req.headers.authorization ?? "").replace(/^Bearer /, "");
  const url = new URL(req.url, "http://x");
  if (url.pathname === "/echo-json") {
    res.writeHead(400, { "content-type": "application/json", "x-request-id": "req_echo" });
    res.end(JSON.stringify({ error: { type: "invalid_request", code: "bad_key", param: `key ${key}`,
      message: `your key ${key} is not valid (${key})` }, request_id: "req_echo" }));
  } else if (url.pathname === "/echo-text") {
    res.writeHead(502, { "content-type": "text/html" });
    res.end(`<html><body>upstream rejected Authorization: Bearer ${key} ${"pad ".repeat(20)}</body></html>`);
  } else if (url.pathname === "/echo-retry") {
    res.writeHead(503, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { type: "provider_unavailable", code: "down", message: `down for ${key}` } }));
  } else if (url.pathname === "/slow-429") {
    slowHits += 1;
    if (slowHits === 1) {
      res.setHeader("retry-after", ["1", "1"]);
      res.writeHead(429, { "content-type": "application/json" });
      res.end('{"error":{"type":"rate_limited","code":"rate_limited","message":"slow down"}}');
    } else {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"ok":true}');
    }
  } else if (url.pathname === "/replayed") {
    res.setHeader("idempotent-replayed", ["true", "true"]);
    res.writeHead(200, { "content-type": "application/json", "x-request-id": "req_rep" });
    res.end('{"id":"gen_1"}');
  } else {
    res.writeHead(404);
    res.end();
  }
}

before(async () => {
  pkg = await import(pathToFileURL(resolve(pkgDir, "index.js")).href);
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onUnhandled);
  globalThis.fetch = () => Promise.reject(new TypeError("the tests never use the global fetch"));
  server = createServer(handler);
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${server.address().port}`;
  // Warm-up: every kind of call the memory tests make, so first-use allocations are behind us.
  const c = new pkg.RimpClient({ baseUrl: "http://127.0.0.1:2", fetch: ok, maxRetries: 0 });
  for (let i = 0; i < 200; i++) await c.request("GET", "/v1/models");
});

after(async () => {
  process.off("uncaughtException", onUncaught);
  process.off("unhandledRejection", onUnhandled);
  globalThis.fetch = realFetch;
  server.closeAllConnections?.();
  await new Promise((r) => server.close(r));
  assert.equal(escaped.length, 0, escaped.map(([k, e]) => `${k}: ${e?.stack ?? e}`).join("\n"));
  assert.equal(diag().generation, 1, "the instance never restarted");
});

test("neighbours: 50 calls with a revoked Proxy as options do not delay a good call in the same tick", async () => {
  const c = new pkg.RimpClient({ baseUrl: "http://127.0.0.1:3", fetch: ok });
  const bad = [];
  const t0 = performance.now();
  for (let i = 0; i < 50; i++) {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    bad.push(settle(i % 2 ? c.request("GET", "/v1/models", proxy) : c.generations.get("gen_1", proxy)));
  }
  const good = c.request("GET", "/v1/models").then(() => performance.now() - t0);
  const ms = await good;
  const results = await Promise.all(bad);
  console.log(`# neighbours: 50 revoked-Proxy calls + 1 good call in one tick; the good call resolved in ${ms.toFixed(1)} ms`);
  assert.ok(ms < 100, `${ms} ms`);
  for (const r of results) {
    assert.equal(r.ok, false);
    assert.ok(r.e instanceof pkg.InvalidRequestError);
    assert.equal(r.e.code, "invalid_option");
    assert.equal(r.e.param, "options");
  }
});

test("bounded memory: a 200 MB non-JSON error body", async () => {
  const before = diag().memoryBytes;
  const c = new pkg.RimpClient({ baseUrl: "http://127.0.0.1:4", maxRetries: 0,
    fetch: async () => new Response("x".repeat(200 * MiB), { status: 502 }) });
  const r = await settle(c.request("GET", "/v1/models"));
  const grew = diag().memoryBytes - before;
  console.log(`# 200 MB non-JSON 502 body: wasm memory grew ${grew} bytes; rawBody ${r.e?.rawBody?.length} chars`);
  assert.equal(r.ok, false);
  assert.ok(r.e instanceof pkg.ProviderUnavailableError, r.e?.name);
  assert.equal(r.e.status, 502);
  assert.ok(typeof r.e.rawBody === "string" && r.e.rawBody.length <= 2048 && r.e.rawBody.length > 0);
  assert.ok(grew <= MiB, `${grew} bytes`);
});

test("bounded memory: a 200 MB JSON error envelope with a huge message", async () => {
  const before = diag().memoryBytes;
  const body = '{"error":{"type":"provider_unavailable","code":"upstream_overloaded","message":"'
    + "m".repeat(200 * MiB) + '"},"request_id":"req_huge"}';
  const c = new pkg.RimpClient({ baseUrl: "http://127.0.0.1:5", maxRetries: 0,
    fetch: async () => new Response(body, { status: 503, headers: { "content-type": "application/json" } }) });
  const r = await settle(c.request("GET", "/v1/models"));
  const grew = diag().memoryBytes - before;
  console.log(`# 200 MB JSON 503 envelope: wasm memory grew ${grew} bytes; message ${r.e?.message?.length} chars, rawBody ${r.e?.rawBody}`);
  assert.equal(r.ok, false);
  assert.ok(r.e instanceof pkg.ProviderUnavailableError, r.e?.name);
  assert.equal(r.e.type, "provider_unavailable");
  assert.equal(r.e.code, "upstream_overloaded");
  assert.equal(r.e.requestId, "req_huge");
  assert.equal(r.e.message, "m".repeat(4096));
  assert.equal(r.e.rawBody, null);
  assert.ok(grew <= MiB, `${grew} bytes`);
});

test("bounded memory: a 10 MB request body stays in JS", async () => {
  let sent = 0;
  const c = new pkg.RimpClient({ baseUrl: "http://127.0.0.1:6", maxRetries: 0,
    fetch: (url, init) => { sent += init.body.length; return ok(); } });
  const long = "p".repeat(10 * MiB);
  await c.images.generate({ model: "m", prompt: "short" });
  const before = diag().memoryBytes;
  await c.images.generate({ model: "m", prompt: long });
  await c.request("POST", "/v1/images", { body: { model: "m", prompt: long } });
  const grew = diag().memoryBytes - before;
  console.log(`# 2 × 10 MB request bodies (params and request body): wasm memory grew ${grew} bytes; ${sent} body chars handed to fetch`);
  assert.ok(sent > 20 * MiB);
  assert.ok(grew <= MiB, `${grew} bytes`);
});

test("bounded memory: 10,000 attempts whose fetch never settles (timeoutMs 1, maxRetries 0)", async () => {
  const c = new pkg.RimpClient({ baseUrl: "http://127.0.0.1:7", maxRetries: 0, timeoutMs: 1,
    fetch: () => new Promise(() => {}) });
  const batch = async (n) => {
    const rs = await Promise.all(Array.from({ length: n }, () => settle(c.request("GET", "/v1/models"))));
    for (const r of rs) assert.ok(!r.ok && r.e instanceof pkg.TimeoutError, r.e?.name);
  };
  await batch(1000); // warm-up
  const before = diag().memoryBytes;
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) await batch(500);
  const ms = performance.now() - t0;
  const d = diag();
  console.log(`# 10,000 never-settling attempts (timeoutMs 1, batches of 500): ${ms.toFixed(0)} ms, wasm memory grew ${d.memoryBytes - before} bytes, pending ${d.pending}`);
  assert.equal(d.memoryBytes - before, 0);
  assert.equal(d.pending, 0);
});

test("bounded memory: 10,000 successful calls", async () => {
  const c = new pkg.RimpClient({ baseUrl: "http://127.0.0.1:8", maxRetries: 0, fetch: ok });
  const batch = (n, f) => Promise.all(Array.from({ length: n }, f));
  await batch(1000, () => c.request("GET", "/v1/models"));
  await batch(200, () => c.images.generate({ model: "m", prompt: "p" }));
  const before = diag().memoryBytes;
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) {
    await batch(250, () => c.request("GET", "/v1/models", { query: { a: i } }));
    await batch(250, () => c.images.generate({ model: "m", prompt: "p" }, { withResponse: true }));
  }
  const ms = performance.now() - t0;
  const d = diag();
  console.log(`# 10,000 successful calls: ${ms.toFixed(0)} ms, wasm memory grew ${d.memoryBytes - before} bytes (at ${d.memoryBytes}), pending ${d.pending}`);
  assert.equal(d.memoryBytes - before, 0);
  assert.equal(d.pending, 0);
});

test("key secrecy: a key over plain http to a remote host is refused; loopback and allowInsecureHttp are accepted", () => {
  assert.throws(() => new pkg.RimpClient({ apiKey: KEY, baseUrl: "http://api.rimp.io" }), (e) =>
    e instanceof pkg.InvalidRequestError && e.code === "insecure_base_url" && e.param === "baseUrl" && !String(e).includes(KEY));
  for (const baseUrl of ["http://localhost:1", "http://127.0.0.9", "http://[::1]:8080", "http://foo.localhost"]) {
    assert.equal(String(new pkg.RimpClient({ apiKey: KEY, baseUrl })), `RimpClient(${baseUrl})`);
  }
  const c = new pkg.RimpClient({ apiKey: KEY, baseUrl: "http://api.rimp.io", allowInsecureHttp: true });
  assert.ok(!String(c).includes(KEY) && !JSON.stringify(c).includes(KEY));
  console.log("# key secrecy: http://api.rimp.io refused (insecure_base_url); 4 loopback forms and allowInsecureHttp accepted");
});

test("key secrecy: a server that echoes the key never gets it into an error", async () => {
  const events = [];
  const lines = [];
  const logger = Object.fromEntries(["debug", "info", "warn", "error"].map((l) => [l, (m) => lines.push(String(m))]));
  const c = new pkg.RimpClient({ apiKey: KEY, baseUrl: base, fetch: realFetch, retryDelayMs: 1, maxRetryDelayMs: 2, maxRetries: 1,
    onRetry: (ev) => events.push(ev), logger, logLevel: "debug" });
  const errors = [];
  for (const path of ["/echo-json", "/echo-text", "/echo-retry"]) {
    const r = await settle(c.request("GET", path));
    assert.equal(r.ok, false, path);
    errors.push([path, r.e]);
  }
  assert.equal(events.length, 2, "one retry each for /echo-text (502) and /echo-retry (503)");
  for (const ev of events) errors.push(["onRetry", ev.error]);
  const seen = (e) => [e.message, e.rawBody, e.param, e.code, e.stack, String(e), JSON.stringify(e)];
  for (const [where, e] of errors) {
    for (const text of seen(e)) assert.ok(!String(text).includes(KEY), `${where}: ${text}`);
  }
  const [json, text] = [errors[0][1], errors[1][1]];
  assert.ok(json.message.includes("[redacted]"), json.message);
  assert.equal(json.requestId, "req_echo");
  assert.ok(text.rawBody.includes("[redacted]"), text.rawBody);
  assert.ok(errors[2][1].message.includes("[redacted]"));
  assert.ok(lines.length > 0, "the debug logger saw the attempts");
  for (const line of lines) assert.ok(!line.includes(KEY), `log line: ${line}`);
  console.log(`# key secrecy: ${errors.length} errors (3 calls + ${events.length} onRetry events) checked in message, rawBody, param, code, stack, String() and JSON.stringify(), and ${lines.length} debug log lines: no key`);
});

test("repeated headers: Retry-After: 1, 1 on a 429 waits about 1 s", async () => {
  const c = new pkg.RimpClient({ baseUrl: base, fetch: realFetch, maxRetries: 1 });
  const t0 = performance.now();
  const r = await c.request("GET", "/slow-429").catch((e) => e);
  const ms = performance.now() - t0;
  // The second attempt is the same request: the server answers 200 once it has sent one 429.
  console.log(`# Retry-After "1, 1": waited ${ms.toFixed(0)} ms; result ${r?.status ?? r?.name}`);
  assert.equal(slowHits, 2);
  assert.equal(r.status, 200);
  assert.equal(r.attempts, 2);
  assert.ok(ms >= 900, `${ms} ms`);
});

test("repeated headers: Idempotent-Replayed: true, true → replayed", async () => {
  const c = new pkg.RimpClient({ baseUrl: base, fetch: realFetch });
  const r = await c.request("POST", "/replayed", { body: { a: 1 }, idempotencyKey: "k-replayed" });
  assert.equal(r.replayed, true);
  assert.equal(r.requestId, "req_rep");
  assert.equal(r.idempotencyKey, "k-replayed");
  console.log("# Idempotent-Replayed \"true, true\": replayed true");
});

test("retry budget: an outage, a blip and retryBudget: false", async () => {
  const N = 500;
  const warnings = [];
  const logger = { debug() {}, info() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) };
  const opts = { retryDelayMs: 1, maxRetryDelayMs: 5, logger };
  // Outage: every attempt is a 503.
  let attempts = 0;
  const down = () => {
    attempts += 1;
    return Promise.resolve(new Response("", { status: 503 }));
  };
  const c1 = new pkg.RimpClient({ ...opts, baseUrl: "http://127.0.0.1:11", fetch: down });
  const order = [];
  await Promise.all(Array.from({ length: N }, () => c1.request("GET", "/v1/models").catch((e) => { order.push(e); })));
  const perCall = attempts / N;
  const tail = order.slice(-Math.round(N / 10));
  const exhausted = order.filter((e) => e.retryBudgetExhausted).length;
  console.log(`# retry budget, outage: ${N} concurrent calls, ${attempts} attempts = ${perCall.toFixed(2)} per call; ${exhausted} errors with retryBudgetExhausted, ${warnings.length} warn lines logged`);
  assert.equal(order.length, N);
  assert.ok(perCall <= 1.3, `${perCall} attempts per call`);
  assert.ok(tail.every((e) => e instanceof pkg.ProviderUnavailableError && e.retryBudgetExhausted === true));

  // Blip on a fresh base URL: the first attempt of 50 of the 500 calls fails.
  let blipAttempts = 0;
  const failed = new Set();
  const blip = (url) => {
    blipAttempts += 1;
    const i = Number(new URL(url).searchParams.get("i"));
    if (i % 10 === 0 && !failed.has(i)) {
      failed.add(i);
      return Promise.resolve(new Response("", { status: 503 }));
    }
    return ok();
  };
  const c2 = new pkg.RimpClient({ ...opts, baseUrl: "http://127.0.0.1:12", fetch: blip });
  const rs = await Promise.all(Array.from({ length: N }, (_, i) => settle(c2.request("GET", "/v1/models", { query: { i } }))));
  const succeeded = rs.filter((r) => r.ok).length;
  console.log(`# retry budget, 10% blip: ${succeeded}/${N} succeeded, ${blipAttempts} attempts = ${(blipAttempts / N).toFixed(2)} per call`);
  assert.equal(failed.size, 50);
  assert.equal(succeeded, N);

  // No budget: every call makes its 4 attempts.
  attempts = 0;
  const c3 = new pkg.RimpClient({ ...opts, baseUrl: "http://127.0.0.1:13", fetch: down, retryBudget: false });
  const rs3 = await Promise.all(Array.from({ length: N }, () => settle(c3.request("GET", "/v1/models"))));
  console.log(`# retryBudget: false: ${attempts} attempts = ${(attempts / N).toFixed(2)} per call`);
  assert.equal(attempts, 4 * N);
  assert.ok(rs3.every((r) => !r.ok && r.e.attempts === 4 && r.e.retryBudgetExhausted === false));
});

test("an async onProgress/onRetry callback that rejects leaves an unhandled rejection", {

}, async () => {
  const seen = [];
  const listener = (e) => seen.push(e);
  process.off("unhandledRejection", onUnhandled);
  process.on("unhandledRejection", listener);
  try {
    const c = new pkg.RimpClient({ baseUrl: "http://127.0.0.1:14",
      fetch: () => Promise.resolve(new Response('{"id":"gen_1","status":"succeeded"}', { status: 200 })) });
    await c.generations.waitFor("gen_1", { onProgress: async () => { throw new Error("async onProgress failed"); } });
    await new Promise((r) => setTimeout(r, 20));
  } finally {
    process.off("unhandledRejection", listener);
    process.on("unhandledRejection", onUnhandled);
  }
  assert.equal(seen.length, 0, `unhandled: ${seen.map(String).join(", ")}`);
});

test("an error body over 64 KiB is read like a short one (nested request_id, other envelope shapes)", {

}, async () => {
  const pad = "p".repeat(70 * 1024);
  const read = (body) => new pkg.RimpClient({ baseUrl: "http://127.0.0.1:15", maxRetries: 0,
    fetch: async () => new Response(body, { status: 429 }) }).request("GET", "/v1/models").catch((e) => e);
  const shapes = [
    ['{"error":{"type":"rate_limited","code":"c","message":"m', '","request_id":"req_in"}}'],
    ['{"error":"plain text', '"}'],
    ['{"type":"rate_limited","code":"c","message":"m', '"}'],
    ['{"title":"Too many","detail":"slow', '","status":429}'],
  ];
  for (const [head, tail] of shapes) {
    const [small, big] = [await read(head + tail), await read(head + pad + tail)];
    assert.deepEqual([big.type, big.code, big.requestId, big.rawBody === null], [small.type, small.code, small.requestId, true], head);
    assert.ok(big.message.startsWith(small.message), `${head}: ${big.message.slice(0, 60)}`);
  }
});

test("clients made with 1 MB option strings do not pile up in wasm memory", {

}, () => {
  const huge = "x".repeat(1 << 20);
  const before = diag().memoryBytes;
  for (let i = 0; i < 40; i++) {
    try {
      new pkg.RimpClient({ apiKey: huge, baseUrl: "http://127.0.0.1:16" });
    } catch (e) {
      assert.ok(e instanceof pkg.InvalidRequestError && e.param === "apiKey");
    }
  }
  const grew = diag().memoryBytes - before;
  console.log(`# 40 clients with a 1 MB apiKey: wasm memory grew ${grew} bytes`);
  assert.ok(grew <= 8 * MiB, `${grew} bytes`);
});
