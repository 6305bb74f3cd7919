// Benchmarks of design §8, recorded with date and machine in bench/results/:
//   size (packed JS + wasm, gzip -9), overhead vs bare fetch and ky in headless Chromium against
//   rimp-mock, the client's own cost with a stub fetch, start-up, wasm memory growth, and
//   exactly-once creates with 30 % of POSTs dropped after the work.
// Run with `make bench` (builds the package and rimp-mock first).
import { execFileSync, spawn } from "node:child_process";
import { readFileSync, writeFileSync, readdirSync, mkdirSync } from "node:fs";
import { cpus, totalmem, hostname } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";

const root = new URL("..", import.meta.url).pathname;
const pkg = join(root, "pkg");

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

// ---- size ----
const packFiles = ["index.js", "manual.js", "rimp_client.js", "rimp_client_bg.wasm"];
const snippet = readdirSync(join(pkg, "snippets"))[0];
packFiles.push(`snippets/${snippet}/js/errors.js`);
const size = {};
let gz = 0;
for (const f of packFiles) {
  const b = readFileSync(join(pkg, f));
  const g = gzipSync(b, { level: 9 }).length;
  size[f] = { raw: b.length, gzip: g };
  gz += g;
}
size.total_gzip = gz;

const launchArgs = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"];
// A 100× shorter rate-limit window and the Team plan (1200 requests per window) keep thousands
// of calls a minute under the limit, so every subject measures the same 200 path.
const mock = startMock(["--time-scale", "0.01"]);
await fetch(`${mock.url}/__mock/config`, { method: "POST", headers: { "content-type": "application/json" },
  body: JSON.stringify({ org: "bench", plan: "team" }) });
const www = await serve();
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: launchArgs });
let overhead;
const startup = [];
try {
  const page = await browser.newPage();
  page.on("pageerror", (e) => console.error("pageerror", e.message));
  await page.goto(`${www.url}/bench/overhead.html?api=${encodeURIComponent(mock.url)}`);
  await page.waitForFunction(() => window.benchResult !== undefined, null, { timeout: 600_000, polling: 500 });
  overhead = await page.evaluate(() => window.benchResult);
  for (let i = 0; i < 7; i++) {
    const p = await browser.newPage();
    await p.goto(`${www.url}/bench/startup.html`);
    await p.waitForFunction(() => window.startup !== undefined);
    startup.push(await p.evaluate(() => window.startup));
    await p.close();
  }
} finally {
  await browser.close();
  www.proc.kill();
  process.kill(mock.pid);
}

// ---- exactly once: 200 creates, 30 % of POSTs dropped after the work ----
const once = startMock(["--time-scale", "1", "--seed", "7"]);
let exactlyOnce;
try {
  const { RimpClient } = await import(join(pkg, "node.js"));
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
    const r = await (client.images?.generate
      ? client.images.generate({ model: "flux-pro", prompt: `once ${i}` }, { withResponse: true })
      : client.request("POST", "/v1/images", { body: { model: "flux-pro", prompt: `once ${i}` } }));
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

const m = overhead.medians;
const us = (ms) => Math.round(ms * 10000) / 10;
const result = {
  date: new Date().toISOString(),
  machine: { host: hostname(), cpus: cpus().length, cpu: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30),
    chromium: execFileSync("/usr/bin/chromium", ["--version"], { encoding: "utf8" }).trim(), node: process.version },
  size,
  overhead: {
    method: `median of ${overhead.batches} interleaved batches; ${overhead.callsPerBatch} calls per batch (×5 for stubs)`,
    resource_method_used: overhead.hasResource,
    median_us: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, us(v)])),
    ratio_vs_fetch: { "rimp-client": +(m["rimp-client"] / m.fetch).toFixed(3), ky: +(m.ky / m.fetch).toFixed(3) },
    own_cost_us: { "rimp-client": us(m["stub: rimp-client"] - m["stub: fetch"]), ky: us(m["stub: ky"] - m["stub: fetch"]) },
  },
  startup_ms: Object.fromEntries(["total", "modules", "wasm", "construct"].map((k) => {
    const v = startup.map((s) => s[k]).sort((a, b) => a - b);
    return [k, { median: +v[Math.floor(v.length / 2)].toFixed(1), min: +v[0].toFixed(1) }];
  })),
  memory: overhead.memory,
  exactly_once: exactlyOnce,
};
mkdirSync(join(root, "bench/results"), { recursive: true });
const file = join(root, "bench/results", `${result.date.slice(0, 10)}.json`);
writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
console.log(JSON.stringify(result, null, 2));
console.log(`written to ${file}`);
