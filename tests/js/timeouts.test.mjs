// Attempt timeouts against the BUILT package (RIMP_PKG, default pkg/). The attempts of every
// client share one timer armed for the earliest deadline (js/glue.js), so these check what a
// per-attempt timer gave for free: each attempt times out at its own deadline whatever the
// order the calls started in, an abort or an answer ends its attempt at once, a `setTimeout`
// replaced by fake timers is used from the next call on, and a Node process is never kept
// alive by the timer once no call is in flight.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const root = new URL("../..", import.meta.url).pathname;
const pkgDir = resolve(root, process.env.RIMP_PKG ?? "pkg");
const entry = pathToFileURL(resolve(pkgDir, "index.js")).href;

let RimpClient;
before(async () => {
  ({ RimpClient } = await import(entry));
});

/** A fetch that never answers (and ignores its signal), counting its calls. */
function hanging() {
  const f = () => {
    f.calls += 1;
    return new Promise(() => {});
  };
  f.calls = 0;
  return f;
}

const client = (fetch, extra = {}) =>
  new RimpClient({ baseUrl: "https://api.test", fetch, maxRetries: 0, retryBudget: false, shareRateLimit: false, ...extra });

const settle = (p) => {
  const t0 = performance.now();
  return p.then(
    (v) => ({ ok: true, v, ms: performance.now() - t0 }),
    (e) => ({ ok: false, e, ms: performance.now() - t0 }),
  );
};

test("each attempt times out at its own deadline, whatever order the calls started in", async () => {
  const f = hanging();
  const c = client(f);
  // The long one arms the shared timer first; the short ones must still end on time.
  const long = settle(c.request("GET", "/v1/models", { timeoutMs: 900 }));
  const short = settle(c.request("GET", "/v1/models", { timeoutMs: 100 }));
  const mid = settle(c.request("GET", "/v1/models", { timeoutMs: 400 }));
  const [s, m, l] = await Promise.all([short, mid, long]);
  for (const [r, ms] of [[s, 100], [m, 400], [l, 900]]) {
    assert.equal(r.ok, false);
    assert.equal(r.e.name, "TimeoutError");
    assert.ok(r.ms >= ms - 5, `timed out after ${r.ms} ms, before its ${ms} ms`);
    assert.ok(r.ms < ms + 400, `timed out after ${r.ms} ms, long after its ${ms} ms`);
  }
  assert.equal(f.calls, 3);
});

test("an answer or an abort ends the attempt at once, and a later short timeout still fires", async () => {
  let answer;
  const c = client((url) => (url.includes("slow") ? new Promise(() => {}) : new Promise((r) => (answer = r))));
  const answered = settle(c.request("GET", "/v1/models", { timeoutMs: 5000 }));
  const ctl = new AbortController();
  const aborted = settle(c.request("GET", "/v1/slow", { timeoutMs: 5000, signal: ctl.signal }));
  await new Promise((r) => setTimeout(r, 20));
  answer(new Response('{"data":[]}', { status: 200, headers: { "content-type": "application/json" } }));
  const why = new Error("user left");
  ctl.abort(why);
  const [a, b] = await Promise.all([answered, aborted]);
  assert.equal(a.ok, true);
  assert.deepEqual(a.v.data, { data: [] });
  assert.ok(a.ms < 1000);
  assert.equal(b.ok, false);
  assert.equal(b.e.name, "AbortError");
  assert.equal(b.e.cause, why);
  assert.ok(b.ms < 1000);
  const late = await settle(c.request("GET", "/v1/slow", { timeoutMs: 50 }));
  assert.equal(late.e?.name, "TimeoutError");
  assert.ok(late.ms < 1000, `took ${late.ms} ms`);
});

test("fake timers installed after a call are the ones the next call's timeout uses", async () => {
  const c = client(hanging());
  // A real timer armed for a far deadline…
  const first = settle(c.request("GET", "/v1/models", { timeoutMs: 60_000 }));
  // …then the test swaps in a fake setTimeout it drives by hand, as fake-timer libraries do.
  const real = globalThis.setTimeout;
  const queued = [];
  globalThis.setTimeout = (fn, ms) => {
    queued.push({ fn, ms });
    return real(() => {}, 0);
  };
  try {
    const second = settle(c.request("GET", "/v1/models", { timeoutMs: 120_000 }));
    await new Promise((r) => real(r, 10));
    assert.ok(queued.length > 0, "the fake setTimeout was not used");
    // "Advance" the fake clock: run the fake timer with Date.now moved past the deadline.
    const realNow = Date.now;
    Date.now = () => realNow() + 121_000;
    try {
      for (const t of queued.splice(0)) t.fn();
    } finally {
      Date.now = realNow;
    }
    const r = await second;
    assert.equal(r.e?.name, "TimeoutError");
  } finally {
    globalThis.setTimeout = real;
  }
  // The fake clock passed the first call's deadline too, and the fake timer ended it.
  assert.equal((await first).e?.name, "TimeoutError");
});

test("a Node script exits as soon as its call ends, though its timeout was an hour", () => {
  const script = `
    const { RimpClient } = await import(${JSON.stringify(entry)});
    const c = new RimpClient({ baseUrl: "https://api.test", timeoutMs: 3600000,
      fetch: async () => new Response('{"ok":true}', { status: 200 }) });
    const r = await c.request("GET", "/v1/models");
    console.log(JSON.stringify(r));`;
  const t0 = performance.now();
  const out = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 30_000 });
  const ms = performance.now() - t0;
  assert.equal(out.status, 0, out.stderr);
  assert.deepEqual(JSON.parse(out.stdout).data, { ok: true });
  assert.ok(ms < 10_000, `the process took ${Math.round(ms)} ms to exit`);
});

test("where timer ids are plain numbers (Deno), the timer is cleared when the last call ends", () => {
  // Timers that return numbers and have no unref(), as in Deno: a pending one would keep the
  // process alive for the call's whole one-hour timeout.
  const script = `
    const realSet = globalThis.setTimeout, realClear = globalThis.clearTimeout;
    const timers = new Map();
    let next = 1;
    globalThis.setTimeout = function (fn, ms) { const id = next++; timers.set(id, realSet(fn, ms)); return id; };
    globalThis.clearTimeout = function (id) { realClear(timers.get(id)); timers.delete(id); };
    const { RimpClient } = await import(${JSON.stringify(entry)});
    const c = new RimpClient({ baseUrl: "https://api.test", timeoutMs: 3600000,
      fetch: async () => new Response('{"ok":true}', { status: 200 }) });
    const r = await c.request("GET", "/v1/models");
    console.log(JSON.stringify({ data: r.data, pending: timers.size }));`;
  const t0 = performance.now();
  const out = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 30_000 });
  const ms = performance.now() - t0;
  assert.equal(out.status, 0, out.stderr);
  assert.deepEqual(JSON.parse(out.stdout), { data: { ok: true }, pending: 0 });
  assert.ok(ms < 10_000, `the process took ${Math.round(ms)} ms to exit`);
});
