// The hostile-values property (tests/support/hostile.js) inside headless Chromium, against the
// BUILT package (RIMP_PKG, default pkg/): a node:http static server on 127.0.0.1 serves the repo
// root, fast-check and the property are bundled for the page by esbuild, and the page imports
// the package's index.js as a module. Every request that is not to 127.0.0.1 is aborted, and the
// page's fetch is a stub. 10,000 runs and 100,000 cheap values by default (RIMP_BROWSER_FUZZ_RUNS,
// RIMP_BROWSER_FUZZ_CHEAP change them).
//   RIMP_PKG=target/pkg-hostile node --test tests/js/browser-hostile.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { resolve, relative, extname, sep } from "node:path";
import { build } from "esbuild";
import { chromium } from "playwright-core";

const root = resolve(new URL("../..", import.meta.url).pathname);
const pkgDir = resolve(root, process.env.RIMP_PKG ?? "pkg");
const RUNS = Number(process.env.RIMP_BROWSER_FUZZ_RUNS ?? 10000);
const SEED = Number(process.env.RIMP_FUZZ_SEED ?? 20261202);
const CHEAP = Number(process.env.RIMP_BROWSER_FUZZ_CHEAP ?? 100000);
// The package's URL on the page: its path under the repo root, or a mount when it lives elsewhere.
const rel = relative(root, pkgDir);
const pkgUrl = rel.startsWith("..") || rel.startsWith(sep) ? "/__pkg" : "/" + rel.split(sep).join("/");

const TYPES = { ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".html": "text/html", ".json": "application/json" };
let server;
let origin;
let browser;
let bundle;

const PAGE = `<!doctype html><meta charset="utf-8"><title>rimp-client hostile values</title>
<script type="module">
  import * as pkg from "${pkgUrl}/index.js";
  import { fc, runHostileProperty, runCheapLoop, okFetch } from "/__bundle.js";
  const escaped = [];
  addEventListener("error", (e) => escaped.push("error: " + e.message));
  addEventListener("unhandledrejection", (e) => { e.preventDefault(); escaped.push("unhandledrejection: " + safe(e.reason)); });
  function safe(v) { try { return String(v?.stack ?? v); } catch { return "an unprintable value"; } }
  // A client whose fetch option is unset uses window.fetch: a stub here, too.
  window.fetch = okFetch;
  window.__run = async (runs, seed, cheap) => {
    const property = await runHostileProperty({ fc, pkg, runs, seed });
    const loop = await runCheapLoop({ pkg, count: cheap });
    await new Promise((r) => setTimeout(r, 50));
    const diag = pkg.RimpClient[Symbol.for("rimp-client.diagnostics")]();
    // A normal call still works; an apiKey without dangerouslyAllowBrowser is still refused.
    const c = new pkg.RimpClient({ apiKey: "sk_test_page", baseUrl: "http://127.0.0.1:1", dangerouslyAllowBrowser: true });
    const res = await c.request("GET", "/v1/models");
    let refused = null;
    try { new pkg.RimpClient({ apiKey: "sk_test_page" }); } catch (e) { refused = e.name + "/" + e.code; }
    return { property, loop, diag, escaped, normal: res.status, refused,
      diagAfter: pkg.RimpClient[Symbol.for("rimp-client.diagnostics")]() };
  };
  window.__ready = true;
</script>`;

async function serve(req, res) {
  const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
  try {
    if (path === "/" || path === "/index.html") return send(res, 200, ".html", PAGE);
    if (path === "/__bundle.js") return send(res, 200, ".js", bundle);
    const file = path.startsWith("/__pkg/") ? resolve(pkgDir, "." + path.slice(6)) : resolve(root, "." + path);
    if (!file.startsWith(root) && !file.startsWith(pkgDir)) return send(res, 403, ".txt", "");
    return send(res, 200, extname(file), await readFile(file));
  } catch {
    return send(res, 404, ".txt", "");
  }
}

function send(res, status, ext, body) {
  res.writeHead(status, { "content-type": TYPES[ext] ?? "application/octet-stream", "cache-control": "no-store" });
  res.end(body);
}

before(async () => {
  const out = await build({
    stdin: {
      contents: `export { default as fc } from "fast-check";
        export { runHostileProperty, runCheapLoop, okFetch } from "./tests/support/hostile.js";`,
      resolveDir: root,
      loader: "js",
    },
    bundle: true, format: "esm", platform: "browser", write: false, logLevel: "silent",
  });
  bundle = out.outputFiles[0].text;
  server = createServer(serve);
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  server?.closeAllConnections?.();
  await new Promise((r) => (server ? server.close(r) : r()));
});

test(`hostile values in Chromium: ${RUNS} fast-check runs (seed ${SEED}) + ${CHEAP} cheap values`, async () => {
  const page = await browser.newPage();
  const pageErrors = [];
  const offHost = [];
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  // Nothing leaves the machine: any request not to 127.0.0.1 is aborted (and recorded).
  await page.route((url) => url.hostname !== "127.0.0.1", (route) => {
    offHost.push(route.request().url());
    return route.abort();
  });
  const t0 = performance.now();
  await page.goto(origin + "/");
  await page.waitForFunction(() => window.__ready === true, null, { timeout: 20000 });
  const r = await page.evaluate(([runs, seed, cheap]) => window.__run(runs, seed, cheap), [RUNS, SEED, CHEAP]);
  const ms = Math.round(performance.now() - t0);
  await page.close();
  const p = r.property;
  console.log(`# hostile (chromium): runs ${p.runs}, constructor calls ${p.runs} (${p.constructed} clients, ${p.constructorErrors} documented throws), method calls ${p.calls} (${p.resolved} resolved, ${p.rejected} rejected with RimpError), ${p.ms} ms`);
  console.log(`# hostile (chromium): rejection codes ${JSON.stringify(p.codes)}; constructor errors ${JSON.stringify(p.constructorCodes)}`);
  console.log(`# cheap loop (chromium): hostile values ${r.loop.values}, calls ${r.loop.calls} (${r.loop.resolved} resolved, ${r.loop.rejected} rejected)`);
  console.log(`# chromium: generation ${r.diagAfter.generation}, pending ${r.diagAfter.pending}, wasm memory ${r.diagAfter.memoryBytes} bytes, page errors ${pageErrors.length + r.escaped.length}, off-host requests ${offHost.length}, ${ms} ms in all`);
  assert.equal(p.error, null, `${p.error}\n${p.failures.join("\n")}`);
  assert.deepEqual(p.failures, []);
  assert.ok(p.runs >= RUNS);
  assert.deepEqual(r.loop.failures, []);
  assert.deepEqual([...r.escaped, ...pageErrors], []);
  assert.deepEqual(offHost, []);
  assert.equal(r.diag.generation, 1, "the instance never restarted");
  assert.equal(r.diagAfter.generation, 1);
  assert.equal(r.diagAfter.pending, 0);
  assert.equal(r.normal, 200);
  assert.equal(r.refused, "RimpError/browser_api_key");
});
