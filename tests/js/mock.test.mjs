// The built package in Node against a real rimp-mock over HTTP: retries on the wire (from the
// mock's request log), exactly-once creates when connections drop after the work, and the
// long-Retry-After fail-fast.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

const root = new URL("../..", import.meta.url).pathname;
let mock;
let base;
let RC;

before(async () => {
  mock = spawn(`${root}target/release/rimp-mock`, ["--host", "127.0.0.1", "--port", "0", "--time-scale", "0.01"], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: mock.stdout });
  const [line] = await once(lines, "line");
  base = /listening on (http:\S+)/.exec(line)[1];
  RC = await import(`${root}pkg/index.js`);
});
after(() => mock.kill());

const control = (path, body) => fetch(base + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const log = async (key) => (await (await fetch(`${base}/__mock/requests`)).json())
  .filter((e) => !e.preflight && e.headers.authorization === `Bearer ${key}`);

test("502 twice then success: three attempts on the wire, one key, one generation", async () => {
  const key = "sk_test_wire_1";
  await control("/__mock/faults", { method: "POST", path: "/v1/images", count: 2, action: { type: "respond", status: 502,
    body: { error: { type: "provider_unavailable", code: "provider_unavailable", message: "upstream down" } } } });
  const events = [];
  const c = new RC.RimpClient({ baseUrl: base, apiKey: key, retryDelayMs: 10, onRetry: (e) => events.push(e) });
  const r = await c.request("POST", "/v1/images", { body: { model: "flux-pro", prompt: "lighthouse" } });
  assert.equal(r.attempts, 3);
  assert.equal(r.data.status, "succeeded");
  const wire = await log(key);
  assert.equal(wire.length, 3);
  assert.ok(wire.every((e) => e.headers["idempotency-key"] === r.idempotencyKey), "same key on every attempt");
  assert.ok(wire.every((e) => e.body === JSON.stringify({ model: "flux-pro", prompt: "lighthouse" })));
  assert.deepEqual(events.map((e) => [e.attempt, e.delaySource, e.error.name]), [
    [1, "backoff", "ProviderUnavailableError"], [2, "backoff", "ProviderUnavailableError"]]);
  const ledger = await (await fetch(`${base}/__mock/ledger`)).json();
  assert.equal(ledger.orgs.wire.generations, 1);
});

test("exactly once: 40 creates with 30 % of connections dropped after the work", async () => {
  const key = "sk_test_exact_1";
  const c = new RC.RimpClient({ baseUrl: base, apiKey: key, retryDelayMs: 5, maxRetryDelayMs: 20 });
  let dropped = 0, replayed = 0;
  for (let i = 0; i < 40; i++) {
    if (i % 10 < 3) {
      dropped++;
      await control("/__mock/faults", { method: "POST", path: "/v1/images", count: 1, action: { type: "drop_after" } });
    }
    const r = await c.request("POST", "/v1/images", { body: { model: "flux-pro", prompt: `n${i}` } });
    if (r.replayed) replayed++;
  }
  assert.equal(dropped, 12);
  assert.equal(replayed, 12, "every dropped create came back as the stored answer");
  const ledger = await (await fetch(`${base}/__mock/ledger`)).json();
  const mine = ledger.generations.filter((g) => g.org === "exact");
  assert.equal(mine.length, 40, "40 generations, not 52");
  assert.equal(mine.filter((g) => g.charged_credits > 0).length, 40, "40 charges");
});

test("a long Retry-After fails fast with the wait; an unkeyed lost PATCH is not replayed", async () => {
  const key = "sk_test_long_1";
  await control("/__mock/faults", { method: "GET", path: "/v1/models", count: 1, action: { type: "respond", status: 429,
    headers: { "Retry-After": "3600" }, body: { error: { type: "rate_limited", code: "rate_limited", message: "Rate limit exceeded" } } } });
  const c = new RC.RimpClient({ baseUrl: base, apiKey: key });
  const t0 = Date.now();
  const e = await c.request("GET", "/v1/models").catch((e) => e);
  assert.ok(Date.now() - t0 < 1000);
  assert.ok(e instanceof RC.RateLimitError);
  assert.equal(e.retryAfterMs, 3_600_000);
  assert.match(e.requestId, /^req_/);

  await control("/__mock/faults", { method: "PATCH", path: "/v1/api-keys/*", count: 1, action: { type: "drop_before" } });
  const p = await c.request("PATCH", "/v1/api-keys/key_x", { body: { ipAllowlist: [] } }).catch((e) => e);
  assert.ok(p instanceof RC.ConnectionError);
  assert.equal(p.attempts, 1);
});
