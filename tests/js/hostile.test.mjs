// Hostile caller values against the BUILT package (RIMP_PKG, default pkg/): fast-check with a fixed
// seed (10,000 runs by default, RIMP_FUZZ_RUNS raises it) over client options, call options,
// params and ids of every method, then a 100,000-call loop of cheap hostile values. Afterwards
// the wasm instance never trapped (generation 1), nothing reached uncaughtException or
// unhandledRejection, and a normal call still works. The property itself is in
// tests/support/hostile.js (shared with the Chromium run in browser-hostile.test.mjs).
//   RIMP_PKG=target/pkg-hostile node --test tests/js/hostile.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { runHostileProperty, runCheapLoop, okFetch, OK_BODY } from "../support/hostile.js";

const root = new URL("../..", import.meta.url).pathname;
const pkgDir = resolve(root, process.env.RIMP_PKG ?? "pkg");
const RUNS = Number(process.env.RIMP_FUZZ_RUNS ?? 10000);
const CHEAP = Math.max(100000, Number(process.env.RIMP_FUZZ_CHEAP ?? 100000));
const SEED = Number(process.env.RIMP_FUZZ_SEED ?? 20261202);
const DIAG = Symbol.for("rimp-client.diagnostics");

let pkg;
const escaped = [];
const onUncaught = (e) => escaped.push(["uncaughtException", e]);
const onUnhandled = (e) => escaped.push(["unhandledRejection", e]);
const realFetch = globalThis.fetch;

// `logLevel` is fuzzed too, and a client without a `logger` logs to `console`: count those lines
// instead of printing them (they would look like this suite's "# " figures).
const consoleLines = { n: 0 };
const realConsole = {};

before(async () => {
  for (const level of ["debug", "info", "warn", "error", "log"]) {
    realConsole[level] = console[level];
    if (level !== "log") console[level] = () => { consoleLines.n += 1; };
  }
  pkg = await import(pathToFileURL(resolve(pkgDir, "index.js")).href);
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onUnhandled);
  // A client whose `fetch` option is unset uses globalThis.fetch: make sure that never leaves
  // the machine either.
  globalThis.fetch = okFetch;
});

after(() => {
  Object.assign(console, realConsole);
  process.off("uncaughtException", onUncaught);
  process.off("unhandledRejection", onUnhandled);
  globalThis.fetch = realFetch;
});

function escapedText() {
  return escaped.map(([k, e]) => `${k}: ${e?.stack ?? String(e)}`).join("\n");
}

test(`hostile values: ${RUNS} fast-check runs (seed ${SEED}) over every option, param and id`, async () => {
  const before = pkg.RimpClient[DIAG]();
  const r = await runHostileProperty({ fc, pkg, runs: RUNS, seed: SEED });
  const d = pkg.RimpClient[DIAG]();
  console.log(`# hostile (node): runs ${r.runs}, constructor calls ${r.runs} (${r.constructed} clients, ${r.constructorErrors} documented throws), method calls ${r.calls} (${r.resolved} resolved, ${r.rejected} rejected with RimpError), ${r.ms} ms`);
  console.log(`# hostile (node): rejection codes ${JSON.stringify(r.codes)}; constructor errors ${JSON.stringify(r.constructorCodes)}`);
  console.log(`# hostile (node): wasm memory ${before.memoryBytes} → ${d.memoryBytes} bytes (1 MB strings cross as options), generation ${d.generation}, pending ${d.pending}; ${consoleLines.n} lines logged to console`);
  assert.equal(r.error, null, `${r.error}\n${r.failures.join("\n")}`);
  assert.deepEqual(r.failures, []);
  assert.ok(r.runs >= RUNS);
  assert.equal(escaped.length, 0, escapedText());
  assert.equal(d.generation, 1, "the instance never restarted");
  assert.equal(d.live, true);
});

test(`cheap hostile values: ${CHEAP} values in a plain loop`, async () => {
  const t0 = performance.now();
  const r = await runCheapLoop({ pkg, count: CHEAP });
  const ms = Math.round(performance.now() - t0);
  const d = pkg.RimpClient[DIAG]();
  console.log(`# cheap loop (node): hostile values ${r.values}, calls ${r.calls} (${r.resolved} resolved, ${r.rejected} rejected with RimpError), constructions ${r.constructions}, ${ms} ms, wasm memory ${d.memoryBytes} bytes, generation ${d.generation}`);
  assert.deepEqual(r.failures, []);
  assert.ok(r.values >= CHEAP);
  assert.equal(r.resolved + r.rejected, r.calls);
  assert.equal(escaped.length, 0, escapedText());
  assert.equal(d.generation, 1);
});

test("after all that: a normal call works, nothing escaped, the instance is the first one", async () => {
  // Let any late timer or promise callback run first.
  await new Promise((r) => setTimeout(r, 50));
  const seen = [];
  const c = new pkg.RimpClient({ apiKey: "sk_test_after", baseUrl: "http://127.0.0.1:9",
    fetch: (url, init) => { seen.push([url, init.method, init.headers.authorization ?? init.headers.Authorization]); return okFetch(); } });
  const res = await c.request("GET", "/v1/models", { query: { a: 1 } });
  assert.deepEqual(res.data, JSON.parse(OK_BODY));
  assert.equal(res.status, 200);
  const img = await c.images.generate({ model: "m", prompt: "p" }, { withResponse: true });
  assert.equal(img.status, 200);
  assert.deepEqual(seen[0], ["http://127.0.0.1:9/v1/models?a=1", "GET", "Bearer sk_test_after"]);
  const d = pkg.RimpClient[DIAG]();
  console.log(`# after the hostile runs: generation ${d.generation}, live ${d.live}, pending ${d.pending}, wasm memory ${d.memoryBytes} bytes`);
  assert.equal(d.generation, 1);
  assert.equal(d.pending, 0);
  assert.equal(escaped.length, 0, escapedText());
});
