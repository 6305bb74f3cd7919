// A page with a Content-Security-Policy, in headless Chromium, against the BUILT package
// (RIMP_PKG, default pkg/): without 'wasm-unsafe-eval' the first `new RimpClient()` fails with a
// RimpError `init_failed` whose message names the policy (the browser's error is its cause);
// with it, the client works. `init()` of rimp-client/manual says the same. Nothing leaves
// 127.0.0.1.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { resolve, relative, extname, sep } from "node:path";
import { chromium } from "playwright-core";

const root = resolve(new URL("../..", import.meta.url).pathname);
const pkgDir = resolve(root, process.env.RIMP_PKG ?? "pkg");
const TYPES = { ".js": "text/javascript", ".html": "text/html", ".wasm": "application/wasm" };

// The page's script (a file: the policy allows no inline script).
const SCRIPT = `
import { RimpClient } from "/__pkg/index.js";
let result;
try {
  const c = new RimpClient({ baseUrl: "http://127.0.0.1:1",
    fetch: async () => new Response('{"data":[]}', { status: 200, headers: { "content-type": "application/json" } }) });
  result = { ok: true, data: await c.models.list() };
} catch (e) {
  result = { ok: false, name: e?.name, code: e?.code, message: e?.message, cause: String(e?.cause?.message ?? e?.cause) };
}
window.__result = result;
`;

// The same with rimp-client/manual: `init()` fetches the .wasm next to the module.
const MANUAL_SCRIPT = `
import { init } from "/__pkg/manual.js";
let result;
try {
  await init();
  result = { ok: true };
} catch (e) {
  result = { ok: false, name: e?.name, code: e?.code, message: e?.message, cause: String(e?.cause?.message ?? e?.cause) };
}
window.__result = result;
`;

let server;
let origin;
let browser;

before(async () => {
  server = createServer(async (req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    const page = (csp) => {
      res.writeHead(200, { "content-type": "text/html", "content-security-policy": csp });
      res.end(`<!doctype html><meta charset="utf-8"><script type="module" src="${path.includes("manual") ? "/__manual.js" : "/__page.js"}"></script>`);
    };
    if (path === "/strict.html" || path === "/strict-manual.html") return page("script-src 'self'");
    if (path === "/allowed.html") return page("script-src 'self' 'wasm-unsafe-eval'");
    if (path === "/__page.js" || path === "/__manual.js") {
      res.writeHead(200, { "content-type": "text/javascript" });
      return res.end(path === "/__page.js" ? SCRIPT : MANUAL_SCRIPT);
    }
    if (path.startsWith("/__pkg/")) {
      const file = resolve(pkgDir, path.slice("/__pkg/".length));
      if (relative(pkgDir, file).startsWith("..") || relative(pkgDir, file).includes(`..${sep}`)) return res.writeHead(403).end();
      try {
        const body = await readFile(file);
        res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
        return res.end(body);
      } catch {
        return res.writeHead(404).end();
      }
    }
    res.writeHead(404).end();
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", headless: true, args: ["--no-sandbox"] });
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function load(path) {
  const page = await browser.newPage();
  try {
    await page.route((url) => !url.href.startsWith(origin), (route) => route.abort());
    await page.goto(origin + path);
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 30_000 });
    return await page.evaluate(() => window.__result);
  } finally {
    await page.close();
  }
}

test("without 'wasm-unsafe-eval' the first new RimpClient() names the policy", async () => {
  const r = await load("/strict.html");
  assert.equal(r.ok, false, JSON.stringify(r));
  assert.equal(r.name, "RimpError");
  assert.equal(r.code, "init_failed");
  assert.match(r.message, /Content-Security-Policy/);
  assert.match(r.message, /'wasm-unsafe-eval'/);
  assert.match(r.cause, /Content Security Policy|unsafe-eval/i);
});

test("rimp-client/manual: init() under the same policy names it too", async () => {
  const r = await load("/strict-manual.html");
  assert.equal(r.ok, false, JSON.stringify(r));
  assert.equal(r.code, "init_failed");
  assert.match(r.message, /^init\(\): the page's Content-Security-Policy does not allow WebAssembly/);
  assert.match(r.message, /'wasm-unsafe-eval'/);
});

test("with 'wasm-unsafe-eval' the client works", async () => {
  const r = await load("/allowed.html");
  assert.deepEqual(r, { ok: true, data: { data: [] } });
});
