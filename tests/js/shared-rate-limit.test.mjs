// One rate limit shared by every tab, in headless Chromium against rimp-mock: when one tab is
// told "429, Retry-After: 3", another tab, a worker and a client created afterwards hold their
// requests until then instead of earning their own 429s; another key is not held.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

const root = new URL("../..", import.meta.url).pathname;
let mock, api, www, site, browser;

async function startLine(cmd, args, pattern) {
  const p = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: p.stdout });
  for await (const line of lines) {
    const m = pattern.exec(line);
    if (m) return { proc: p, url: m[1] };
  }
  throw new Error(`${cmd} did not start`);
}

before(async () => {
  ({ proc: mock, url: api } = await startLine(`${root}target/release/rimp-mock`, ["--host", "127.0.0.1", "--port", "0"], /listening on (http:\S+)/));
  ({ proc: www, url: site } = await startLine("node", [`${root}scripts/serve.mjs`, "--port", "0"], /(http:\/\/127\.0\.0\.1:\d+)/));
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium", headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
});
after(async () => {
  await browser?.close();
  mock?.kill();
  www?.kill();
});

const control = (path, body, method = "POST") => fetch(api + path, { method, headers: { "content-type": "application/json" }, body: body && JSON.stringify(body) });
const requests = async (key) => (await (await fetch(`${api}/__mock/requests`)).json())
  .filter((r) => !r.preflight && r.path === "/v1/models" && r.headers.authorization === `Bearer ${key}`);

/** The next GET /v1/models answers 429 with Retry-After: 3 (once). */
const limitOnce = () => control("/__mock/faults", { method: "GET", path: "/v1/models", count: 1, action: { type: "respond", status: 429,
  headers: { "Retry-After": "3" }, body: { error: { type: "rate_limited", code: "rate_limited", message: "Rate limit exceeded" } } } });

async function tab(context, key) {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${site}/tests/support/shared-page.html?api=${encodeURIComponent(api)}&key=${encodeURIComponent(key)}`);
  await page.waitForFunction(() => window.ready === true);
  return {
    page, errors,
    call: (o) => page.evaluate((o) => window.call(o), o),
    startWorker: () => page.evaluate(() => window.startWorker()),
    worker: (o) => page.evaluate((o) => window.callInWorker(o), o),
  };
}

test("a 429 in one tab holds the other tab, a worker, and a client created later; another key goes at once", async () => {
  const context = await browser.newContext();
  const key = "sk_test_shared_1";
  const other = "sk_test_shared_2";
  await limitOnce();
  const a = await tab(context, key);
  const b = await tab(context, key);
  assert.equal(await b.startWorker(), true);

  const ra = await a.call({ apiKey: key, maxRetries: 0 });
  assert.equal(ra.ok, false);
  assert.equal(ra.name, "RateLimitError");
  // Right after: the second tab, a worker of the second tab, a new tab, and another key.
  const [rb, rw, rc, rd] = await Promise.all([
    b.call({ apiKey: key }),
    b.worker({ apiKey: key }),
    tab(context, key).then((c) => c.call({ apiKey: key })),
    b.call({ apiKey: other }),
  ]);
  for (const [who, r] of [["tab B", rb], ["worker", rw], ["later tab", rc], ["other key", rd]]) assert.equal(r.ok, true, `${who}: ${JSON.stringify(r)}`);
  for (const [who, r] of [["tab B", rb], ["worker", rw], ["later tab", rc]]) {
    assert.equal(r.events[0]?.source, "shared-rate-limit", `${who} held: ${JSON.stringify(r.events)}`);
    assert.equal(r.events[0]?.attempt, 0);
  }
  assert.equal(rd.events.length, 0, "another key is never held");

  const log = await requests(key);
  const first429 = log.find((r) => r.status === 429);
  assert.equal(log.filter((r) => r.status === 429).length, 1, "the server saw one 429 in all");
  const after429 = log.filter((r) => r !== first429);
  assert.equal(after429.length, 3, "tab B, the worker and the later tab each sent one request");
  const earliest = Math.min(...after429.map((r) => r.wall_ms));
  console.log(`# shared rate limit: 429 at +0 ms; tab B, worker and a later tab sent their requests from +${earliest - first429.wall_ms} ms (Retry-After 3 s); one 429 in all; another key not held (+${(await requests(other))[0].wall_ms - first429.wall_ms} ms)`);
  assert.ok(earliest - first429.wall_ms >= 2950, `held until the limit ended: +${earliest - first429.wall_ms} ms`);
  assert.ok((await requests(other))[0].wall_ms - first429.wall_ms < 2500, "the other key went at once");
  assert.deepEqual([...a.errors, ...b.errors], []);
  await context.close();
});

test("a shared limit longer than maxRetryAfterMs fails at once with nothing sent", async () => {
  const context = await browser.newContext();
  const key = "sk_test_shared_3";
  await control("/__mock/faults", { method: "GET", path: "/v1/models", count: 1, action: { type: "respond", status: 429,
    headers: { "Retry-After": "30" }, body: { error: { type: "rate_limited", code: "rate_limited", message: "slow down" } } } });
  const a = await tab(context, key);
  const b = await tab(context, key);
  assert.equal((await a.call({ apiKey: key, maxRetries: 0 })).name, "RateLimitError");
  const rb = await b.call({ apiKey: key, maxRetryAfterMs: 5000 });
  assert.deepEqual([rb.ok, rb.name, rb.code, rb.attempts, rb.status], [false, "RateLimitError", "rate_limited", 0, 429]);
  assert.ok(rb.retryAfterMs > 25_000 && rb.retryAfterMs <= 30_000, `retryAfterMs ${rb.retryAfterMs}`);
  assert.ok(rb.ended - rb.started < 500, "at once");
  assert.equal((await requests(key)).length, 1, "only tab A's request reached the server");
  await context.close();
});

test("shareRateLimit: false opts out", async () => {
  const context = await browser.newContext();
  const key = "sk_test_shared_4";
  await limitOnce();
  const a = await tab(context, key);
  const b = await tab(context, key);
  assert.equal((await a.call({ apiKey: key, maxRetries: 0 })).name, "RateLimitError");
  const rb = await b.call({ apiKey: key, shareRateLimit: false });
  assert.equal(rb.ok, true);
  assert.deepEqual(rb.events, []);
  await context.close();
});

test("a 429 in a worker holds a page of the same origin", async () => {
  const context = await browser.newContext();
  const key = "sk_test_shared_5";
  await limitOnce();
  const a = await tab(context, key);
  assert.equal(await a.startWorker(), true);
  const b = await tab(context, key);
  const rw = await a.worker({ apiKey: key, maxRetries: 0 });
  assert.equal(rw.name, "RateLimitError");
  const rb = await b.call({ apiKey: key });
  assert.equal(rb.ok, true);
  assert.equal(rb.events[0]?.source, "shared-rate-limit");
  const log = await requests(key);
  assert.equal(log.length, 2);
  assert.ok(log[1].wall_ms - log[0].wall_ms >= 2950, `+${log[1].wall_ms - log[0].wall_ms} ms`);
  console.log(`# shared rate limit, worker → page: the page's request went +${log[1].wall_ms - log[0].wall_ms} ms after the worker's 429 (Retry-After 3 s)`);
  await context.close();
});
