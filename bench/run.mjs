// The benchmarks, recorded with date and machine in bench/results/<date>.json and summarised in
// bench/RESULTS.md (bench/report.mjs), before/after against the first recorded run. See
// bench/README.md for what each figure is. Run with `make bench` (builds the package and
// rimp-mock first), or `node bench/run.mjs` when pkg/ and target/release/rimp-mock exist.
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, rmSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { cpus, hostname, totalmem } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { writeReport } from "./report.mjs";

const started = performance.now();
const root = new URL("..", import.meta.url).pathname;
const livePkg = join(root, "pkg");
const build = join(root, "bench/.build");
// Everything is measured on a snapshot of pkg/ in bench/.build/pkg/ (served as
// /bench/.build/pkg/ to the pages), because other work may rebuild pkg/ during a run.
const pkg = join(build, "pkg");
const log = (...a) => console.error(`[bench ${((performance.now() - started) / 1000).toFixed(0)} s]`, ...a);
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const r1 = (x) => Math.round(x * 10) / 10;
const r3 = (x) => Math.round(x * 1000) / 1000;
const pairedRatio = (a, b) => median(a.map((v, i) => v / b[i]));
const gz = (buf) => gzipSync(buf, { level: 9 }).length;

function startMock(args = []) {
  const out = execFileSync(join(root, "scripts/start-mock.sh"), args, { encoding: "utf8" }).trim().split("\n");
  return { url: out[0], pid: Number(out[1]) };
}

function serve() {
  return new Promise((resolve) => {
    const p = spawn("node", [join(root, "scripts/serve.mjs"), "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
    p.stdout.on("data", (d) => {
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(String(d));
      if (m) resolve({ url: `http://127.0.0.1:${m[1]}`, proc: p });
    });
  });
}

// Which package was measured: other work may rebuild pkg/ at any time, so hash it at the start
// and at the end and record both the commit and whether it changed during the run.
const pkgHash = (dir) => { const h = createHash("sha256"); for (const f of ["index.js", "manual.js", "rimp_client_bg.wasm"]) h.update(readFileSync(join(dir, f))); return h.digest("hex").slice(0, 16); };
const git = (...a) => { try { return execFileSync("git", a, { cwd: root, encoding: "utf8" }).trim(); } catch { return null; } };
let pkgAtStart, headAtStart, dirtyAtStart;
for (let tries = 0; ; tries++) {
  // a copy taken while a build writes pkg/ would mix files: retry until pkg/ is the same before and after
  const h = pkgHash(livePkg);
  headAtStart = git("rev-parse", "--short", "HEAD");
  dirtyAtStart = (git("status", "--porcelain", "--", "src", "js", "pkg-template", "scripts", "Cargo.toml") ?? "").length > 0;
  rmSync(pkg, { recursive: true, force: true });
  mkdirSync(build, { recursive: true });
  cpSync(livePkg, pkg, { recursive: true });
  if (pkgHash(pkg) === h && pkgHash(livePkg) === h) { pkgAtStart = h; break; }
  if (tries > 20) throw new Error("pkg/ keeps changing; is a build running?");
  await new Promise((r) => setTimeout(r, 3000));
}

// ---- 1. size: what a browser loads ----
log("size: bundling the one-call apps");
mkdirSync(build, { recursive: true });
const apps = ["rimp", "rimp-manual", "fetch", "ky", "p-retry"];
const esbuildVersion = execFileSync(join(root, "node_modules/.bin/esbuild"), ["--version"], { encoding: "utf8" }).trim();
for (const app of apps) {
  execFileSync(join(root, "node_modules/.bin/esbuild"), [`bench/apps/${app}.js`, "--bundle", "--minify", "--format=esm",
    "--alias:rimp-client=./bench/.build/pkg", `--outfile=bench/.build/${app}.js`, "--log-level=warning"], { cwd: root, stdio: "inherit" });
}
// The manual entry's app fetches the wasm next to itself (new URL("./rimp_client_bg.wasm", import.meta.url)).
copyFileSync(join(pkg, "rimp_client_bg.wasm"), join(build, "rimp_client_bg.wasm"));
const fileSize = (path) => { const b = readFileSync(path); return { raw: b.length, gzip: gz(b) }; };
const wasm = fileSize(join(pkg, "rimp_client_bg.wasm"));
const sum = (...parts) => ({ raw: parts.reduce((s, p) => s + p.raw, 0), gzip: parts.reduce((s, p) => s + p.gzip, 0) });
const manualJs = fileSize(join(pkg, "manual.js"));
const appSize = Object.fromEntries(apps.map((a) => [a, fileSize(join(build, `${a}.js`))]));
const versions = (name) => JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")).version;
const size = {
  method: `gzip -9 (zlib level 9) of each file a browser loads (pkg/ as built); one-call apps: esbuild ${esbuildVersion} --bundle --minify --format=esm of bench/apps/<app>.js`,
  entries: {
    "default (index.js, wasm embedded)": { files: { "index.js": fileSize(join(pkg, "index.js")) } },
    "manual (manual.js + rimp_client_bg.wasm)": { files: { "manual.js": manualJs, "rimp_client_bg.wasm": wasm } },
  },
  one_call_apps: {
    "rimp-client (default entry)": { files: { "app.js": appSize.rimp } },
    "rimp-client/manual": { files: { "app.js": appSize["rimp-manual"], "rimp_client_bg.wasm": wasm } },
    "bare fetch": { files: { "app.js": appSize.fetch } },
    [`ky ${versions("ky")}`]: { files: { "app.js": appSize.ky } },
    [`p-retry ${versions("p-retry")} + fetch`]: { files: { "app.js": appSize["p-retry"] } },
  },
};
for (const group of [size.entries, size.one_call_apps]) {
  for (const v of Object.values(group)) v.total = sum(...Object.values(v.files));
}

// ---- browser figures: start-up, constructors, overhead, memory ----
const launchArgs = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"];
// A 100× shorter rate-limit window and the Team plan (1200 requests per window) keep thousands
// of calls a minute under the limit, so every subject measures the same 200 path.
const mock = startMock(["--time-scale", "0.01"]);
await fetch(`${mock.url}/__mock/config`, { method: "POST", headers: { "content-type": "application/json" },
  body: JSON.stringify({ org: "bench", plan: "team" }) });
const www = await serve();
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: launchArgs });
const startupSubjects = ["rimp", "rimp-manual", "ky", "fetch", "p-retry"];
// BENCH_QUICK=1: a smoke run (few rounds, written to /tmp, RESULTS.md untouched).
const quick = !!process.env.BENCH_QUICK;
const startupRuns = quick ? 2 : 11;
const startupSamples = Object.fromEntries(startupSubjects.map((s) => [s, []]));
const ctorSamples = { default: [], manual: [], ky: [] };
let overhead;
async function freshPage(path, done) {
  const ctx = await browser.newContext();
  try {
    const p = await ctx.newPage();
    p.on("pageerror", (e) => console.error("pageerror", path, e.message));
    await p.goto(`${www.url}${path}`);
    await p.waitForFunction(done, null, { timeout: 60_000 });
    return await p.evaluate(done);
  } finally {
    await ctx.close();
  }
}
try {
  log(`start-up: ${startupRuns} rounds of cold loads of each one-call app`);
  // one throw-away round so that the first subject does not pay for Chromium's own warm-up
  for (const app of startupSubjects) await freshPage(`/bench/startup.html?app=${app}&api=${encodeURIComponent(mock.url)}`, () => window.startup);
  for (let i = 0; i < startupRuns; i++) {
    const order = startupSubjects.map((_, j) => startupSubjects[(i + j) % startupSubjects.length]);
    for (const app of order) {
      const s = await freshPage(`/bench/startup.html?app=${app}&api=${encodeURIComponent(mock.url)}`, () => window.startup);
      if (s.error || !s.ok) throw new Error(`start-up ${app}: ${s.error ?? "bad answer"}`);
      startupSamples[app].push(s);
    }
  }
  log("constructors: 7 fresh pages each");
  for (let i = 0; i < (quick ? 2 : 7); i++) {
    for (const entry of ["default", "manual", "ky"]) ctorSamples[entry].push(await freshPage(`/bench/construct.html?entry=${entry}`, () => window.construct));
  }
  log("overhead, own cost and memory (one page, several minutes)");
  const page = await browser.newPage();
  page.on("pageerror", (e) => console.error("pageerror", e.message));
  await page.goto(`${www.url}/bench/overhead.html?api=${encodeURIComponent(mock.url)}${quick ? "&rounds=3&n=20" : ""}`);
  await page.waitForFunction(() => window.benchResult !== undefined, null, { timeout: 900_000, polling: 500 });
  overhead = await page.evaluate(() => window.benchResult);
} finally {
  await browser.close();
  www.proc.kill();
  process.kill(mock.pid);
}

// ---- 4. retry budget in an outage (Node) ----
const { RimpClient } = await import(join(pkg, "index.js"));
// A local server that answers 503 to every request, or only to the first attempt of chosen
// calls (told apart by an x-bench-call header); it counts every request it receives.
function outageServer(failFirstOf) {
  return new Promise((resolve) => {
    const seen = new Set();
    const state = { requests: 0 };
    const server = createServer((req, res) => {
      state.requests++;
      const call = req.headers["x-bench-call"];
      let fail = true;
      if (failFirstOf) fail = failFirstOf(Number(call)) && !seen.has(call);
      seen.add(call);
      if (fail) {
        res.writeHead(503, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { type: "server_error", code: "service_unavailable", message: "down" } }));
      } else {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ object: "list", data: [{ id: "flux-pro", object: "model" }] }));
      }
    });
    server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${server.address().port}`, state, server }));
  });
}
async function outage(name, clientOptions, failFirstOf) {
  const s = await outageServer(failFirstOf);
  try {
    const client = new RimpClient({ baseUrl: s.url, apiKey: "sk_test_outage", retryDelayMs: 10, maxRetryDelayMs: 50, logLevel: "off", ...clientOptions });
    const t = performance.now();
    const settled = await Promise.allSettled(Array.from({ length: 500 }, (_, i) => client.models.list({ headers: { "x-bench-call": String(i) } })));
    const ms = performance.now() - t;
    const failed = settled.filter((r) => r.status === "rejected");
    log(`retry budget, ${name}: ${s.state.requests} requests`);
    return { calls: 500, requests: s.state.requests, attempts_per_call: r3(s.state.requests / 500), succeeded: 500 - failed.length,
      failed: failed.length, refused_by_budget: failed.filter((r) => r.reason?.retryBudgetExhausted).length, wall_ms: Math.round(ms) };
  } finally {
    s.server.close();
    s.server.closeAllConnections();
  }
}
const retryBudget = {
  method: "Node: 500 concurrent client.models.list() against a local node:http server; retryDelayMs 10, maxRetryDelayMs 50, maxRetries 3; a fresh server port (so a fresh budget) per scenario",
  outage_default_budget: await outage("outage, default budget", {}),
  outage_no_budget: await outage("outage, retryBudget: false", { retryBudget: false }),
  blip_10pct_default_budget: await outage("10 % blip, default budget", {}, (i) => i % 10 === 0),
};

// ---- 5b. exactly once: 200 creates, 30 % of POSTs dropped after the work ----
log("exactly once: 200 creates against rimp-mock");
const once = startMock(["--time-scale", "1", "--seed", "7"]);
let exactlyOnce;
try {
  const key = "sk_test_once_1";
  const client = new RimpClient({ baseUrl: once.url, apiKey: key, retryDelayMs: 10, maxRetryDelayMs: 100 });
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  let dropped = 0, replayed = 0, attempts = 0;
  for (let i = 0; i < 200; i++) {
    if (rand() < 0.3) {
      dropped++;
      await fetch(`${once.url}/__mock/faults`, { method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ method: "POST", path: "/v1/images", count: 1, action: { type: "drop_after" } }) });
    }
    const r = await client.images.generate({ model: "flux-pro", prompt: `once ${i}` }, { withResponse: true });
    attempts += r.attempts;
    if (r.replayed) replayed++;
  }
  const ledger = await (await fetch(`${once.url}/__mock/ledger`)).json();
  exactlyOnce = { creates: 200, dropped_after_work: dropped, replayed, attempts,
    generations_created: ledger.generations_created,
    charges: ledger.generations.filter((g) => g.org === "once" && g.charged_credits > 0).length,
    distinct_keys: new Set(ledger.generations.map((g) => g.idempotency_key)).size,
    credits_charged: ledger.credits_charged };
} finally {
  process.kill(once.pid);
}

// ---- assemble ----
const m = overhead.medians;
const us = (ms) => r1(ms * 1000);
const stat = (values) => ({ median: r1(median(values)), min: r1(Math.min(...values)), max: r1(Math.max(...values)) });
const startupMs = Object.fromEntries(startupSubjects.map((s) => [s, stat(startupSamples[s].map((x) => x.ms))]));
const bundleLoadedMs = Object.fromEntries(startupSubjects.map((s) => [s, r1(median(startupSamples[s].map((x) => x.bundleLoadedMs ?? NaN)))]));
const ctor = (k, f) => ctorSamples[k].map(f);
const result = {
  date: new Date().toISOString(),
  machine: { host: hostname(), cpus: cpus().length, cpu: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30),
    chromium: execFileSync("/usr/bin/chromium", ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim(), node: process.version },
  package: { head: headAtStart, dirty_sources: dirtyAtStart, sha256_16_of_index_manual_wasm: pkgAtStart,
    measured: "a snapshot of pkg/ taken at the start", pkg_rebuilt_during_run: pkgHash(livePkg) !== pkgAtStart },
  versions: { ky: versions("ky"), "p-retry": versions("p-retry"), esbuild: esbuildVersion },
  size,
  startup: {
    method: `headless Chromium, a fresh browser context per load, ${startupRuns} rounds, each loading every subject once in rotating order (after one discarded round): dynamic import() of the one-call app bundle from a local static server (no-store) → one GET /v1/models against rimp-mock → parsed answer; ratios are medians of per-round ratios`,
    cold_import_to_first_response_ms: startupMs,
    bundle_loaded_ms_median: bundleLoadedMs,
    // median over rounds of (rimp-client / ky in the same round)
    ratio_rimp_vs_ky: r3(pairedRatio(startupSamples.rimp.map((x) => x.ms), startupSamples.ky.map((x) => x.ms))),
    ratio_of_medians_rimp_vs_ky: r3(startupMs.rimp.median / startupMs.ky.median),
    ratio_rimp_manual_vs_ky: r3(pairedRatio(startupSamples["rimp-manual"].map((x) => x.ms), startupSamples.ky.map((x) => x.ms))),
    ratio_rimp_vs_fetch: r3(pairedRatio(startupSamples.rimp.map((x) => x.ms), startupSamples.fetch.map((x) => x.ms))),
  },
  constructors: {
    method: "headless Chromium, 7 fresh pages per subject; first = the first construction in the page (single timing, 0.1 ms clock); later = median of 15 batch means of 200 constructions",
    "default entry: first new RimpClient() ms (unpack + compile + instantiate the embedded wasm)": { median: r1(median(ctor("default", (c) => c.first))), min: r1(Math.min(...ctor("default", (c) => c.first))) },
    "default entry: later new RimpClient() µs": r1(median(ctor("default", (c) => c.later)) * 1000),
    "manual entry: init() ms (fetch + compile + instantiate)": { median: r1(median(ctor("manual", (c) => c.init))), min: r1(Math.min(...ctor("manual", (c) => c.init))) },
    "manual entry: first new RimpClient() after init() ms": r1(median(ctor("manual", (c) => c.first))),
    "manual entry: later new RimpClient() µs": r1(median(ctor("manual", (c) => c.later)) * 1000),
    "ky.create(): first ms": r1(median(ctor("ky", (c) => c.first))),
    "ky.create(): later µs": r1(median(ctor("ky", (c) => c.later)) * 1000),
  },
  overhead: {
    method: `headless Chromium, one page, GET /v1/generations/{id} against rimp-mock on loopback; median of ${overhead.batches} rounds, each subject once per round in rotating order; a sample is the mean of ${overhead.callsPerBatch} sequential calls (×5 for stubs); ratios are medians of per-round ratios to bare fetch`,
    median_us: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, us(v)])),
    // median over rounds of (subject batch mean / bare fetch batch mean in the same round)
    loopback_ratio_vs_fetch: Object.fromEntries(["rimp-client", "ky", "p-retry"].map((k) => [k, r3(pairedRatio(overhead.samples[k], overhead.samples.fetch))])),
    stub_ratio_vs_fetch: Object.fromEntries(["rimp-client", "ky", "p-retry"].map((k) => [k, r3(pairedRatio(overhead.samples[`stub: ${k}`], overhead.samples["stub: fetch"]))])),
    ratio_of_medians_vs_fetch: Object.fromEntries(["rimp-client", "ky", "p-retry"].map((k) => [k, r3(m[k] / m.fetch)])),
    own_cost_us: Object.fromEntries(["rimp-client", "ky", "p-retry"].map((k) => [k, us(m[`stub: ${k}`] - m["stub: fetch"])])),
  },
  retry_budget: retryBudget,
  memory: overhead.memory,
  exactly_once: exactlyOnce,
  runtime_s: 0,
};
result.runtime_s = Math.round((performance.now() - started) / 1000);
if (result.package.pkg_rebuilt_during_run) console.error("note: pkg/ was rebuilt during the run; the figures are of the snapshot taken at the start");
// A new file per run: <date>.json, or <date>-2.json, -3, … when that day already has one.
let file = quick ? "/tmp/rimp-bench-quick.json" : join(root, "bench/results", `${result.date.slice(0, 10)}.json`);
for (let n = 2; !quick && existsSync(file); n++) file = join(root, "bench/results", `${result.date.slice(0, 10)}-${n}.json`);
mkdirSync(join(root, "bench/results"), { recursive: true });
writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
if (!quick) writeReport(root);

// ---- summary ----
const kb = (b) => `${(b / 1000).toFixed(1)} KB`;
const o = result.overhead, rb = retryBudget, c = result.constructors;
console.log(`
rimp-client bench, ${result.date.slice(0, 10)}, ${result.machine.cpus}× ${result.machine.cpu}, ${result.machine.chromium.split(" built")[0]}, Node ${process.version}
size gzip -9   default entry ${kb(size.entries["default (index.js, wasm embedded)"].total.gzip)} | manual entry ${kb(size.entries["manual (manual.js + rimp_client_bg.wasm)"].total.gzip)}
one-call app   ${Object.entries(size.one_call_apps).map(([k, v]) => `${k} ${kb(v.total.gzip)}`).join(" | ")}
start-up       cold import → first response, median: ${Object.entries(startupMs).map(([k, v]) => `${k} ${v.median} ms`).join(", ")}; rimp/ky ${result.startup.ratio_rimp_vs_ky}×
constructor    first ${Object.entries(c).find(([k]) => k.startsWith("default entry: first"))[1].median} ms, later ${c["default entry: later new RimpClient() µs"]} µs; ky.create() first ${c["ky.create(): first ms"]} ms, later ${c["ky.create(): later µs"]} µs
loopback       vs bare fetch: ${Object.entries(o.loopback_ratio_vs_fetch).map(([k, v]) => `${k} ${v}×`).join(", ")}
own cost       stub vs stub fetch: ${Object.entries(o.stub_ratio_vs_fetch).map(([k, v]) => `${k} ${v}×`).join(", ")}; own cost ${Object.entries(o.own_cost_us).map(([k, v]) => `${k} ${v} µs`).join(", ")}
outage         attempts/call: default budget ${rb.outage_default_budget.attempts_per_call}, retryBudget:false ${rb.outage_no_budget.attempts_per_call}; 10 % blip: ${rb.blip_10pct_default_budget.succeeded}/500 ok, ${rb.blip_10pct_default_budget.requests} attempts
memory         wasm growth over 10 000 calls: ${result.memory.growth} bytes (${result.memory.after} bytes)
exactly once   ${exactlyOnce.creates} creates, ${exactlyOnce.dropped_after_work} dropped after the work: ${exactlyOnce.generations_created} generations, ${exactlyOnce.charges} charges, ${exactlyOnce.distinct_keys} keys
runtime        ${result.runtime_s} s
written to ${file}${quick ? "" : " and bench/RESULTS.md"}`);
