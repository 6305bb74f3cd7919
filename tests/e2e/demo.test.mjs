// End-to-end test of the demo page (issue #6): starts the demo exactly as `make demo` does
// (scripts/demo.sh, on free ports), drives www/ in headless Chromium through Playwright and
// asserts what the timeline and the result show. Screenshots go to test-output/ (git-ignored).
//
//   node --test tests/e2e/                      run it (part of `make test`)
//   UPDATE_DOCS_SCREENSHOT=1 node --test tests/e2e/   also rewrite docs/demo.png (the README's)
//
// Console policy: any console error, page error, failed request or HTTP error of the page's own
// origin fails the test. The one exception is Chromium's own network log line ("Failed to load
// resource: the server responded with a status of 502") for an API response that a scenario
// provoked on purpose through the fault panel: each scenario lists exactly which it expects.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer, connect } from "node:net";
import { mkdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const OUT = `${ROOT}test-output`;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let demo;          // the scripts/demo.sh process (leader of its own process group)
let demoLog = "";
let pageUrl;       // http://127.0.0.1:<www>/www/?api=http://127.0.0.1:<mock>
let mockUrl;
let wwwOrigin;
let browser;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

function portOpen(port) {
  return new Promise((resolve) => {
    const c = connect(port, "127.0.0.1");
    c.once("connect", () => { c.destroy(); resolve(true); });
    c.once("error", () => resolve(false));
  });
}

async function control(method, path, body) {
  const res = await fetch(`${mockUrl}/__mock${path}`, {
    method, headers: body ? { "content-type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined,
  });
  assert.ok(res.ok, `control ${method} ${path}: HTTP ${res.status}`);
  return res.json();
}

before(async () => {
  mkdirSync(OUT, { recursive: true });
  // Free ports and a 10× faster mock clock; for the README screenshot, `make demo`'s own
  // defaults (8787, 8788, real time) when they are free, so the picture shows what a user sees.
  const docsMode = Boolean(process.env.UPDATE_DOCS_SCREENSHOT) && !(await portOpen(8787)) && !(await portOpen(8788));
  const [mockPort, wwwPort] = docsMode ? [8787, 8788] : [await freePort(), await freePort()];
  demo = spawn("scripts/demo.sh", [], {
    cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, MOCK_PORT: String(mockPort), WWW_PORT: String(wwwPort), MOCK_ARGS: docsMode ? "" : "--time-scale 0.1" },
  });
  const killGroup = () => { try { process.kill(-demo.pid, "SIGKILL"); } catch { /* gone */ } };
  process.once("exit", killGroup);
  pageUrl = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not print its URL within 10 min:\n${demoLog}`)), 600_000);
    const onData = (chunk) => {
      demoLog += chunk;
      const m = /rimp-client demo: (http:\/\/\S+)/.exec(demoLog);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    };
    demo.stdout.on("data", onData);
    demo.stderr.on("data", onData);
    demo.once("exit", (code) => { clearTimeout(timer); reject(new Error(`demo exited (${code}) before printing its URL:\n${demoLog}`)); });
  });
  const u = new URL(pageUrl);
  mockUrl = u.searchParams.get("api");
  wwwOrigin = u.origin;
  assert.notEqual(new URL(mockUrl).origin, wwwOrigin, "the page and the mock must be on different origins (real CORS)");
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
});

after(async () => {
  await browser?.close();
  if (demo && demo.exitCode === null && demo.signalCode === null) {
    const exited = new Promise((resolve) => demo.once("exit", resolve));
    process.kill(-demo.pid, "SIGTERM");          // what Ctrl-C does to the foreground group
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  }
});

// ---- page helpers ------------------------------------------------------------------------------

/**
 * Opens the page in a fresh context (or as another tab of `context`) and records every
 * console/network problem.
 */
async function openPage({ viewport = { width: 1440, height: 900 }, colorScheme = "light", isMobile = false, context: shared } = {}) {
  const context = shared ?? await browser.newContext({ viewport, colorScheme, isMobile, hasTouch: isMobile, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push({ kind: "console", text: m.text(), url: m.location().url });
    else if (m.type() === "warning") console.log(`[console.warning] ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push({ kind: "pageerror", text: String(e?.stack ?? e) }));
  page.on("requestfailed", (r) => {
    if (r.url().startsWith(wwwOrigin)) problems.push({ kind: "requestfailed", text: `${r.url()} ${r.failure()?.errorText}` });
  });
  page.on("response", (r) => {
    if (r.url().startsWith(wwwOrigin) && r.status() >= 400) problems.push({ kind: "http", text: `${r.status()} ${r.url()}` });
  });
  await page.goto(pageUrl);
  await page.waitForSelector("body[data-ready]");
  assert.match(await page.textContent("#mock-status"), /rimp-mock/);
  // Short backoff steps keep the test quick; the settings bar is part of what is tested.
  await page.fill('#settings input[name="retryDelayMs"]', "200");
  return { context, page, problems };
}

/**
 * Fails on any recorded problem except the browser's log lines for the API statuses the scenario
 * provoked (`expected`: e.g. [502, 502]); those must all be there.
 */
function checkConsole(problems, expected = [], label = "", maxNetErrors = 0) {
  const apiLine = /^Failed to load resource: the server responded with a status of (\d{3})\b/;
  const netLine = /^Failed to load resource: net::ERR_EMPTY_RESPONSE/;
  const seen = [];
  const unexpected = [];
  let netErrors = 0;
  for (const p of problems.splice(0)) {
    const api = p.kind === "console" && p.url.startsWith(`${mockUrl}/v1/`);
    const m = api ? apiLine.exec(p.text) : null;
    if (m) seen.push(Number(m[1]));
    else if (api && netLine.test(p.text) && netErrors < maxNetErrors) netErrors++;
    else unexpected.push(p);
  }
  assert.deepEqual(unexpected, [], `${label}: unexpected console errors / failed requests`);
  assert.deepEqual(seen.sort(), [...expected].sort(), `${label}: the browser's log lines for provoked API errors`);
}

/** Arms a fault (optional), presses the form's submit button, returns the new call card's number. */
async function send(page, { tab = "image", fault, hideHeaders = false, button, reset = true } = {}) {
  if (reset) await control("POST", "/reset");
  await page.click(`#tab-${tab}`);
  if (fault) await page.click(`#faults label[data-fault="${fault}"]`);
  if (hideHeaders) await page.check("#hide-headers");
  const before = await page.locator(".call").count();
  await page.click(button ?? `#form-${tab} button[type="submit"]`);
  await page.waitForFunction((n) => document.querySelectorAll(".call").length > n, before);
  return Number(await page.locator(".call").first().getAttribute("data-n"));
}

async function settled(page, n, timeout = 20_000) {
  await page.waitForSelector(`.call[data-n="${n}"][data-settled]`, { timeout });
  return readCard(page, n);
}

/** Everything a call card shows, as plain data. */
function readCard(page, n) {
  return page.$eval(`.call[data-n="${n}"]`, (card) => {
    const text = (sel) => card.querySelector(sel)?.textContent.trim() ?? null;
    const fields = {};
    for (const d of card.querySelectorAll(".error-fields > div")) fields[d.dataset.field] = d.querySelector("dd").textContent.trim();
    return {
      state: card.dataset.state,
      badge: text("[data-role=state]"),
      faults: [...card.querySelectorAll("[data-role=fault]")].map((f) => f.dataset.fault),
      attemptsShown: text('[data-field="attempts"]'),
      key: text('[data-field="idempotency-key"] .key-full'),
      sameKey: text('[data-role="same-key"]'),
      requestId: text('[data-field="request-id"]'),
      replayed: text('[data-field="replayed"]'),
      rateLimit: text('[data-field="rate-limit"]'),
      server: text('[data-field="ledger"]'),
      serverRequests: card.dataset.serverRequests === undefined ? null : Number(card.dataset.serverRequests),
      browserResends: card.dataset.browserResends === undefined ? null : Number(card.dataset.browserResends),
      generationsCreated: card.dataset.generationsCreated === undefined ? null : Number(card.dataset.generationsCreated),
      attempts: [...card.querySelectorAll(".ev-attempt")].map((a) => ({
        outcome: a.dataset.outcome,
        status: a.querySelector(".status")?.textContent.trim(),
        key: a.querySelector("[data-key]")?.dataset.key ?? null,
        errorName: a.querySelector(".err-name")?.textContent.trim() ?? null,
        requestId: a.querySelector(".rid")?.textContent.replace(/^request id\s*/, "").trim() ?? null,
      })),
      waits: [...card.querySelectorAll(".ev-wait")].map((w) => ({ source: w.dataset.source, delayMs: Number(w.dataset.delay), state: w.dataset.state })),
      resendNote: Boolean(card.querySelector('[data-role="browser-resend"]')),
      webhooks: [...card.querySelectorAll('[data-role="webhook"]')].map((w) => ({
        outcome: w.dataset.outcome, type: w.dataset.type, code: w.dataset.code ?? null,
        text: w.querySelector('[data-role="webhook-text"]').textContent.trim(),
      })),
      progress: card.querySelector("[data-role=progress]")?.dataset.status ?? null,
      polls: card.querySelectorAll(".polls .poll:not(.poll-wait)").length,
      jobStatus: text("[data-role=job-status]"),
      images: [...card.querySelectorAll(".outputs img")].map((i) => ({ src: i.currentSrc || i.src, loaded: i.complete && i.naturalWidth > 0 })),
      errorClass: text("[data-role=error-class]"),
      errorFields: fields,
      advice: text(".advice"),
      elapsedMs: Number(card.querySelector(".elapsed")?.textContent.replace(/[^\d.]/g, "")) * (/ ms$/.test(card.querySelector(".elapsed")?.textContent ?? "") ? 1 : 1000),
    };
  });
}

async function imagesLoaded(page, n) {
  await page.waitForFunction((k) => [...document.querySelectorAll(`.call[data-n="${k}"] .outputs img`)]
    .every((i) => i.complete && i.naturalWidth > 0), n, { timeout: 10_000 });
}

/** Turns the Webhooks switch on (again: a mock reset drops the registration), waits until registered. */
async function enableWebhooks(page) {
  if (await page.isChecked("#webhooks-on")) {
    await page.uncheck("#webhooks-on");
    await page.waitForSelector('#webhooks-status[data-state="idle"]');
  }
  await page.check("#webhooks-on");
  await page.waitForSelector('#webhooks-status[data-state="ok"]', { timeout: 10_000 });
}

/** Waits until call `n` shows webhook deliveries matching `sel` (e.g. `[data-outcome=accepted]`). */
async function webhookShown(page, n, sel = "", timeout = 15_000) {
  await page.waitForSelector(`.call[data-n="${n}"] [data-role="webhook"]${sel}`, { timeout, state: "attached" });
}

/** The demo server's delivery log (scripts/serve.mjs). */
async function serverLog() {
  const res = await fetch(`${wwwOrigin}/webhooks/log`);
  assert.equal(res.status, 200);
  return res.json();
}

function assertSameKey(card, count) {
  assert.equal(card.attempts.length, count, "attempt rows");
  assert.match(card.key ?? "", UUID, "a UUID v4 Idempotency-Key");
  for (const a of card.attempts) assert.equal(a.key, card.key, "the same Idempotency-Key on every attempt");
  if (count > 1) assert.equal(card.sameKey, `same on all ${count} attempts`);
}

// ---- scenarios ---------------------------------------------------------------------------------

test("demo page: every scenario through the UI, at desktop width", { timeout: 300_000 }, async (t) => {
  const { context, page, problems } = await openPage();
  try {
    checkConsole(problems, [], "page load");

    await t.test("success: images.generate", async () => {
      const n = await send(page);
      await imagesLoaded(page, n);
      const c = await settled(page, n);
      assert.equal(c.state, "succeeded");
      assert.equal(c.attemptsShown, "1");
      assertSameKey(c, 1);
      assert.equal(c.attempts[0].outcome, "ok");
      assert.match(c.attempts[0].status, /^200\b/);
      assert.match(c.requestId, /^req_[0-9a-f]+$/);
      assert.equal(c.replayed, "no");
      assert.match(c.rateLimit, /^\d+ \/ 300 left · resets/);
      assert.equal(c.waits.length, 0);
      assert.equal(c.jobStatus, "succeeded");
      assert.equal(c.images.length, 1);
      assert.ok(c.images[0].loaded && c.images[0].src.startsWith(`${mockUrl}/files/`), "the output is shown as a loaded <img>");
      assert.equal(c.serverRequests, 1);
      assert.equal(c.generationsCreated, 1);
      checkConsole(problems, [], "success");
    });

    await t.test("502 twice, then success: 3 attempts, one key, backoff waits", async () => {
      const n = await send(page, { fault: "502x2" });
      const c = await settled(page, n);
      assert.equal(c.state, "succeeded");
      assert.deepEqual(c.faults, ["502x2"]);
      assert.equal(c.attemptsShown, "3");
      assertSameKey(c, 3);
      assert.deepEqual(c.attempts.map((a) => a.outcome), ["error", "error", "ok"]);
      assert.deepEqual(c.attempts.map((a) => a.status.slice(0, 3)), ["502", "502", "200"]);
      assert.deepEqual(c.attempts.map((a) => a.errorName), ["ProviderUnavailableError", "ProviderUnavailableError", null]);
      assert.deepEqual(c.waits.map((w) => w.source), ["backoff", "backoff"]);
      // retryDelayMs 200: 200·2^i + U[0, 100)
      assert.ok(c.waits[0].delayMs >= 200 && c.waits[0].delayMs < 300, `first backoff ${c.waits[0].delayMs}`);
      assert.ok(c.waits[1].delayMs >= 400 && c.waits[1].delayMs < 500, `second backoff ${c.waits[1].delayMs}`);
      assert.equal(new Set(c.attempts.map((a) => a.requestId)).size, 3, "a request id per attempt");
      assert.equal(c.serverRequests, 3);
      assert.equal(c.generationsCreated, 1, "one generation for three attempts");
      assert.equal(c.images.length, 1);
      checkConsole(problems, [502, 502], "502x2");
    });

    await t.test("429 with Retry-After: 3600 fails fast with RateLimitError", async () => {
      const n = await send(page, { fault: "429-long" });
      const c = await settled(page, n);
      assert.equal(c.state, "failed");
      assert.equal(c.errorClass, "RateLimitError");
      assert.equal(c.attemptsShown, "1");
      assertSameKey(c, 1);
      assert.equal(c.waits.length, 0, "no wait: 1 h is above maxRetryAfterMs");
      assert.ok(c.elapsedMs < 3000, `failed fast (${c.elapsedMs} ms)`);
      assert.equal(c.errorFields.retryAfterMs, "3,600,000 ms (1 h)");
      assert.equal(c.errorFields.status, "429");
      assert.equal(c.errorFields.type, "rate_limited");
      assert.equal(c.errorFields.code, "rate_limited");
      assert.equal(c.errorFields.idempotencyKey, c.key);
      assert.match(c.errorFields.requestId, /^req_/);
      assert.match(c.advice, /longer than maxRetryAfterMs/);
      assert.equal(c.generationsCreated, 0);
      checkConsole(problems, [429], "429-long");
    });

    await t.test("429 with Retry-After: 2 is waited exactly, then retried", async () => {
      const n = await send(page, { fault: "429-short" });
      const c = await settled(page, n);
      assert.equal(c.state, "succeeded");
      assertSameKey(c, 2);
      assert.deepEqual(c.waits.map((w) => [w.source, w.delayMs]), [["retry-after", 2000]]);
      assert.equal(c.attempts[0].errorName, "RateLimitError");
      checkConsole(problems, [429], "429-short");
    });

    await t.test("connection dropped after the work: same key, stored answer replayed, one charge", async (st) => {
      const n = await send(page, { fault: "drop-after" });
      await imagesLoaded(page, n);
      const c = await settled(page, n);
      assert.equal(c.state, "succeeded");
      assert.match(c.replayed, /^yes/);
      assert.equal(c.jobStatus, "succeeded");
      assert.equal(c.images.length, 1);
      // The request that was dropped was re-sent either by the client (a failed attempt in the
      // timeline) or by Chromium itself (it re-sends on a reused keep-alive socket, unseen by
      // fetch): the page shows whichever happened. Both carry the same key.
      st.diagnostic(`the dropped POST was re-sent by ${c.browserResends ? "Chromium itself (reused keep-alive socket)" : "the client (a failed attempt, then a retry)"}`);
      assert.equal(c.serverRequests, 2, "rimp-mock received the POST twice");
      assert.equal(c.attempts.length + c.browserResends, 2);
      assertSameKey(c, c.attempts.length);
      assert.equal(c.resendNote, c.browserResends > 0);
      assert.equal(c.attempts.at(-1).outcome, "ok");
      assert.equal(c.generationsCreated, 1, "exactly one generation");
      const log = (await control("GET", "/requests")).filter((e) => e.method === "POST" && e.path === "/v1/images");
      assert.deepEqual(log.map((e) => [e.outcome, e.replayed]), [["dropped_after", false], ["answered", true]]);
      assert.deepEqual(log.map((e) => e.headers["idempotency-key"]), [c.key, c.key], "the key the page shows is the one the server got, twice");
      const ledger = await control("GET", "/ledger");
      assert.equal(ledger.generations_created, 1);
      assert.equal(ledger.credits_charged, 10);
      // A drop the client sees is a network failure (at most one log line, not an HTTP status).
      checkConsole(problems, [], "drop-after", c.attempts.length - 1);
    });

    await t.test("abort during the backoff wait: AbortError at once", async () => {
      await page.fill('#settings input[name="retryDelayMs"]', "10000");
      const n = await send(page, { fault: "502x2" });
      await page.waitForSelector(`.call[data-n="${n}"] .ev-wait`);
      await page.click(`.call[data-n="${n}"] [data-role=cancel]`);
      const c = await settled(page, n);
      await page.fill('#settings input[name="retryDelayMs"]', "200");
      assert.equal(c.state, "aborted");
      assert.equal(c.errorClass, "AbortError");
      assert.equal(c.attemptsShown, "1");
      assertSameKey(c, 1);
      assert.equal(c.waits.length, 1);
      assert.equal(c.waits[0].state, "interrupted");
      assert.ok(c.waits[0].delayMs >= 10_000);
      assert.ok(c.elapsedMs < 5000, `the 10 s wait was cut short (${c.elapsedMs} ms)`);
      assert.match(c.errorFields.cause, /Canceled from the demo page/);
      assert.equal(c.errorFields.idempotencyKey, c.key);
      assert.equal(c.generationsCreated, 0);
      checkConsole(problems, [502], "abort");
    });

    await t.test("video: create, then waitFor with progress", async () => {
      const n = await send(page, { tab: "video" });
      const c = await settled(page, n);
      assert.equal(c.state, "succeeded");
      assertSameKey(c, 1);
      assert.match(c.attempts[0].status, /^202\b/);
      assert.equal(c.progress, "succeeded");
      assert.ok(c.polls >= 1, "at least one poll");
      assert.equal(c.jobStatus, "succeeded");
      checkConsole(problems, [], "video");
    });

    await t.test("abort while waitFor waits between polls", async () => {
      await page.fill('#form-video input[name="intervalMs"]', "20000");
      const n = await send(page, { tab: "video" });
      await page.waitForSelector(`.call[data-n="${n}"] .polls .poll[data-outcome="ok"]`, { state: "attached" });   // the first poll answered
      await page.click(`.call[data-n="${n}"] [data-role=cancel]`);
      const c = await settled(page, n);
      await page.fill('#form-video input[name="intervalMs"]', "500");
      assert.equal(c.state, "aborted");
      assert.equal(c.errorClass, "AbortError");
      assert.ok(c.elapsedMs < 10_000, `aborted mid-wait (${c.elapsedMs} ms)`);
      checkConsole(problems, [], "abort waitFor");
    });

    await t.test("hidden CORS headers read as null: shown as hidden", async () => {
      const n = await send(page, { hideHeaders: true });
      const c = await settled(page, n);
      assert.equal(c.state, "succeeded");
      assert.deepEqual(c.faults, ["hidden-cors"]);
      assert.equal(c.requestId, "hidden by CORS");
      assert.equal(c.rateLimit, "hidden by CORS");
      assert.equal(c.attempts[0].requestId, "hidden by CORS");
      const cfg = await control("GET", "/config");
      assert.equal(cfg.expose_headers, true, "the page put the mock back after the call");
      checkConsole(problems, [], "hidden-cors");
    });

    await t.test("org faults: anomaly_paused, quota_exceeded, insufficient credits", async () => {
      for (const [fault, cls, code, status] of [
        ["anomaly", "RateLimitError", "anomaly_paused", 429],
        ["quota", "QuotaExceededError", "quota_exceeded", 429],
        ["credits", "InsufficientCreditsError", "insufficient_credits", 402],
      ]) {
        const n = await send(page, { fault });
        const c = await settled(page, n);
        assert.equal(c.state, "failed", fault);
        assert.equal(c.errorClass, cls, fault);
        assert.equal(c.errorFields.code, code, fault);
        assert.equal(c.errorFields.status, String(status), fault);
        assert.equal(c.attemptsShown, "1", `${fault}: not retried`);
        checkConsole(problems, [status], fault);
      }
      const org = (await control("GET", "/config?org=demo")).org;
      assert.equal(org.anomaly_paused_until_ms, null, "pause lifted after the call");
      assert.equal(org.monthly_quota_remaining, null, "quota restored after the call");
      assert.ok(org.balance > 0, "balance restored after the call");
    });

    await t.test("dangerouslyAllowBrowser unticked: the constructor refuses the key, nothing is sent", async () => {
      await page.uncheck('input[name="dangerouslyAllowBrowser"]');
      const n = await send(page);
      const c = await settled(page, n);
      await page.check('input[name="dangerouslyAllowBrowser"]');
      assert.equal(c.state, "failed");
      assert.equal(c.errorClass, "RimpError");
      assert.equal(c.errorFields.code, "browser_api_key");
      assert.equal(c.attempts.length, 0);
      assert.doesNotMatch(c.errorFields.message, /sk_test_demo_key/, "the key is not in the message");
      assert.equal(c.serverRequests, 0);
      checkConsole(problems, [], "browser key");
    });

    // Screenshots: the whole page after all of the above, light and dark.
    await page.screenshot({ path: `${OUT}/demo-desktop.png`, fullPage: true });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: `${OUT}/demo-desktop-dark.png`, fullPage: true });
    checkConsole(problems, [], "end");
  } finally {
    await context.close();
  }
});

test("demo page: webhooks verified by the demo server, and one rate limit for two tabs", { timeout: 180_000 }, async (t) => {
  const { context, page, problems } = await openPage();
  try {
    checkConsole(problems, [], "page load");

    await t.test("a video job ends by waitFor and by webhook (accepted)", async () => {
      const since = Date.now();
      await control("POST", "/reset");
      await enableWebhooks(page);
      const registered = await control("GET", "/webhooks");
      assert.equal(registered.length, 1, "one registration of the demo endpoint");
      assert.equal(registered[0].url, `${wwwOrigin}/webhooks/rimp`);
      assert.equal(registered[0].org, "demo");
      const n = await send(page, { tab: "video", reset: false });
      const settledCard = await settled(page, n);
      assert.equal(settledCard.state, "succeeded", "waitFor ended the job");
      assert.equal(settledCard.progress, "succeeded");
      assert.ok(settledCard.polls >= 1, "at least one poll");
      await webhookShown(page, n, '[data-outcome="accepted"]');
      const c = await readCard(page, n);
      assert.deepEqual(c.webhooks, [{ outcome: "accepted", type: "generation.completed", code: null, text: "webhook: generation.completed (accepted)" }]);
      const gen = (await control("GET", "/ledger")).generations[0];
      const mine = (await serverLog()).filter((e) => e.subjectId === gen.id && Date.parse(e.receivedAt) >= since);
      assert.deepEqual(mine.map((e) => [e.outcome, e.type, e.status]), [["accepted", "generation.completed", 200]]);
      assert.match(mine[0].deliveryId, /^whd_/);
      const deliveries = await control("GET", "/webhooks/deliveries");
      assert.deepEqual(deliveries.map((d) => [d.type, d.status]), [["generation.completed", "succeeded"]], "the mock saw a 2xx");
      checkConsole(problems, [], "video + webhook");
    });

    await t.test("next webhook: bad signature → rejected (signature_mismatch), then the retry is accepted", async () => {
      await control("POST", "/reset");
      await enableWebhooks(page);
      const n = await send(page, { fault: "webhook-bad-signature", reset: false });
      const first = await settled(page, n);
      assert.equal(first.state, "succeeded");
      assert.deepEqual(first.faults, ["webhook-bad-signature"]);
      await webhookShown(page, n, '[data-outcome="accepted"]');
      const c = await readCard(page, n);
      assert.deepEqual(c.webhooks.map((w) => [w.outcome, w.code, w.text]), [
        ["rejected", "signature_mismatch", "webhook rejected: signature_mismatch"],
        ["accepted", null, "webhook: generation.completed (accepted)"],
      ]);
      const d = await control("GET", "/webhooks/deliveries");
      assert.equal(d.length, 1);
      assert.deepEqual(d[0].attempts.map((a) => [a.fault_type, a.status]), [["bad_signature", 400], [null, 200]], "400 for the bad one, 2xx for the retry");
      checkConsole(problems, [], "bad signature");
    });

    await t.test("next webhook: old timestamp → rejected (timestamp_out_of_tolerance)", async () => {
      await control("POST", "/reset");
      await enableWebhooks(page);
      const n = await send(page, { fault: "webhook-old-timestamp", reset: false });
      await settled(page, n);
      await webhookShown(page, n, '[data-outcome="accepted"]');
      const c = await readCard(page, n);
      assert.deepEqual(c.webhooks.map((w) => w.text), ["webhook rejected: timestamp_out_of_tolerance", "webhook: generation.completed (accepted)"]);
      await page.uncheck("#webhooks-on");
      await page.waitForSelector('#webhooks-status[data-state="idle"]');
      assert.deepEqual(await control("GET", "/webhooks"), [], "switching off deletes the registration");
      checkConsole(problems, [], "old timestamp");
    });

    await t.test("two tabs: a 429 in tab A holds a call in tab B (shared-rate-limit)", async () => {
      const b = await openPage({ context });
      try {
        checkConsole(b.problems, [], "tab B load");
        const na = await send(page, { fault: "429-5" });
        await page.waitForSelector(`.call[data-n="${na}"] .ev-wait`);   // A got its 429 (and told B)
        const nb = await send(b.page, { reset: false });
        const cb = await settled(b.page, nb);
        const ca = await settled(page, na);
        assert.equal(ca.state, "succeeded");
        assert.deepEqual(ca.waits.map((w) => [w.source, w.delayMs]), [["retry-after", 5000]]);
        assert.equal(cb.state, "succeeded");
        assert.equal(cb.waits.length, 1, "B held once");
        assert.equal(cb.waits[0].source, "shared-rate-limit");
        assert.ok(cb.waits[0].delayMs > 2000 && cb.waits[0].delayMs <= 5000, `B's hold ${cb.waits[0].delayMs} ms`);
        assert.equal(cb.attempts.length, 1, "B sent one request, after the hold");
        assert.match(cb.attempts[0].status, /^200\b/);
        const shown = await b.page.textContent(`.call[data-n="${nb}"] .ev-wait .source`);
        assert.match(shown, /^shared rate limit/);
        const log = (await control("GET", "/requests")).filter((e) => e.method === "POST" && e.path === "/v1/images");
        assert.deepEqual(log.map((e) => e.status), [429, 200, 200], "no 429 for B");
        checkConsole(problems, [429], "tab A");
        checkConsole(b.problems, [], "tab B");
        await b.page.screenshot({ path: `${OUT}/demo-shared-limit-tab-b.png`, fullPage: true });
      } finally {
        await b.page.close();
      }
    });

    await page.screenshot({ path: `${OUT}/demo-webhooks.png`, fullPage: true });
    checkConsole(problems, [], "end");
  } finally {
    await context.close();
  }
});

test("demo page at phone width (light and dark), keyboard only", { timeout: 120_000 }, async () => {
  const { context, page, problems } = await openPage({ viewport: { width: 390, height: 844 }, isMobile: true });
  try {
    const noHorizontalScroll = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    assert.ok(await noHorizontalScroll(), "no horizontal scrolling at 390 px");
    // Keyboard: arrow keys move between tabs, Space picks a fault, Enter sends the form.
    await page.focus("#tab-image");
    await page.keyboard.press("ArrowRight");
    assert.equal(await page.evaluate(() => document.activeElement.id), "tab-video");
    await page.keyboard.press("ArrowLeft");
    assert.equal(await page.getAttribute("#tab-image", "aria-selected"), "true");
    await control("POST", "/reset");
    await page.focus('#faults input[value="502x2"]');
    await page.keyboard.press("Space");
    await page.focus('#form-image input[name="model"]');
    await page.keyboard.press("Enter");
    await page.waitForSelector(".call");
    const n = Number(await page.locator(".call").first().getAttribute("data-n"));
    const c = await settled(page, n);
    assert.equal(c.state, "succeeded");
    assertSameKey(c, 3);
    await imagesLoaded(page, n);
    assert.ok(await noHorizontalScroll(), "no horizontal scrolling with a call card");
    checkConsole(problems, [502, 502], "phone");
    await page.screenshot({ path: `${OUT}/demo-phone.png`, fullPage: true });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: `${OUT}/demo-phone-dark.png`, fullPage: true });
  } finally {
    await context.close();
  }
});

test("README screenshot (docs/demo.png) when UPDATE_DOCS_SCREENSHOT=1", { skip: !process.env.UPDATE_DOCS_SCREENSHOT, timeout: 120_000 }, async () => {
  const { context, page, problems } = await openPage({ viewport: { width: 1360, height: 1060 } });
  try {
    const v = await send(page, { tab: "video" });
    await settled(page, v);
    const d = await send(page, { tab: "image", fault: "429-long" });
    await settled(page, d);
    const n = await send(page, { tab: "image", fault: "502x2" });
    await settled(page, n);
    await imagesLoaded(page, n);
    await page.click('#faults label[data-fault="drop-after"]');
    await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
    checkConsole(problems, [429, 502, 502], "docs screenshot");
    mkdirSync(`${ROOT}docs`, { recursive: true });
    await page.screenshot({ path: `${ROOT}docs/demo.png` });
    assert.ok(statSync(`${ROOT}docs/demo.png`).size < 300_000, "docs/demo.png stays under 300 KB");
  } finally {
    await context.close();
  }
});

test("stopping the demo (as Ctrl-C does) stops both servers", { timeout: 30_000 }, async () => {
  const { port: mockPort } = new URL(mockUrl);
  const { port: wwwPort } = new URL(wwwOrigin);
  assert.ok(await portOpen(Number(mockPort)) && await portOpen(Number(wwwPort)), "both servers up before");
  const exited = new Promise((resolve) => demo.once("exit", resolve));
  process.kill(-demo.pid, "SIGINT");
  await exited;
  for (let i = 0; i < 50 && ((await portOpen(Number(mockPort))) || (await portOpen(Number(wwwPort)))); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(await portOpen(Number(mockPort)), false, "rimp-mock stopped");
  assert.equal(await portOpen(Number(wwwPort)), false, "the www server stopped");
});
