// The consumer matrix: the packed package installed into one small app per environment, built
// the way its users build it, making a real call to rimp-mock (in Node directly, in headless
// Chromium for browser apps, served from a tiny static server on 127.0.0.1).
//
//   RIMP_TGZ=/path/to/rimp-client-0.1.0.tgz [RIMP_MOCK_URL=http://127.0.0.1:PORT] \
//     node --test tests/consumers/run.mjs
//
// RIMP_TGZ (required): the tarball of `npm pack` in pkg/. RIMP_MOCK_URL: a running rimp-mock;
// unset, the runner starts one with scripts/start-mock.sh (target/release/rimp-mock must exist).
// RIMP_CONSUMERS_ONLY=node,vite,…: run only these apps (the others are reported as skipped).
// RIMP_CONSUMERS_KEEP=1: keep the work directory (printed) with the installed apps.
// Each app is copied to a temporary directory and installed there with
// `npm ci --prefer-offline` + `npm install --no-save <tarball>`; nothing is written here.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const started = Date.now();

const TGZ = process.env.RIMP_TGZ ? resolve(process.env.RIMP_TGZ) : "";
if (!TGZ || !existsSync(TGZ)) {
  throw new Error(
    `RIMP_TGZ must name the packed rimp-client tarball (got ${JSON.stringify(process.env.RIMP_TGZ ?? "")}).\n` +
      "Build and pack it first, e.g.: make build && (cd pkg && npm pack --pack-destination /tmp), then\n" +
      "RIMP_TGZ=/tmp/rimp-client-0.1.0.tgz node --test tests/consumers/run.mjs",
  );
}
const ONLY = process.env.RIMP_CONSUMERS_ONLY ? new Set(process.env.RIMP_CONSUMERS_ONLY.split(",").map((s) => s.trim())) : null;
const work = mkdtempSync(join(tmpdir(), "rimp-consumers-"));
const KEY = "sk_test_consumers";
let MOCK = process.env.RIMP_MOCK_URL ?? "";
let mockPid = 0;

const baseEnv = {
  ...process.env, CI: "1", NO_COLOR: "1", FORCE_COLOR: "0", BROWSER: "none",
  NEXT_TELEMETRY_DISABLED: "1", npm_config_update_notifier: "false",
};
const children = new Set();
const servers = new Set();

/** Runs a command to completion; rejects with its exit status and the tail of its output. */
function sh(cmd, args, { cwd, env = {}, timeout = 300_000 } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...baseEnv, RIMP_MOCK_URL: MOCK, ...env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let out = "";
    child.stdout.on("data", (d) => { out += d; });
    child.stderr.on("data", (d) => { out += d; });
    const timer = setTimeout(() => { out += `\n[killed after ${timeout} ms]`; killGroup(child); }, timeout);
    child.on("error", (e) => { clearTimeout(timer); children.delete(child); reject(e); });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (code === 0) resolvePromise(out);
      else reject(new Error(`\`${cmd} ${args.join(" ")}\` (in ${cwd}) exited with ${code ?? signal}:\n${tail(out)}`));
    });
  });
}

const tail = (s, n = 6000) => (s.length > n ? `…${s.slice(-n)}` : s).trim();

function killGroup(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try { process.kill(-child.pid, "SIGTERM"); } catch { /* already gone */ }
}

/** Starts a long-running server command and resolves once `url` answers (any status). */
async function startServer(cmd, args, { cwd, env = {}, url, timeout = 90_000 }) {
  const child = spawn(cmd, args, { cwd, env: { ...baseEnv, RIMP_MOCK_URL: MOCK, ...env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let out = "";
  child.stdout.on("data", (d) => { out += d; });
  child.stderr.on("data", (d) => { out += d; });
  child.on("close", () => children.delete(child));
  const deadline = Date.now() + timeout;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`\`${cmd} ${args.join(" ")}\` exited with ${child.exitCode}:\n${tail(out)}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(5000) });
      break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) { killGroup(child); throw new Error(`${url} did not answer within ${timeout} ms:\n${tail(out)}`); }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { stop: () => killGroup(child), log: () => out };
}

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript", ".cjs": "text/javascript",
  ".css": "text/css", ".json": "application/json", ".wasm": "application/wasm", ".map": "application/json",
  ".svg": "image/svg+xml", ".txt": "text/plain", ".ts": "text/plain",
};

/** A static file server for `dir` on 127.0.0.1 (with CORS for the "CDN" origin); resolves to its origin. */
async function serveStatic(dir, { cors = false, rewrite = {} } = {}) {
  const server = createServer((req, res) => {
    const headers = { "cache-control": "no-store", ...(cors && { "access-control-allow-origin": "*" }) };
    let path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (rewrite[path] !== undefined) {
      return res.writeHead(200, { ...headers, "content-type": TYPES[".html"] }).end(rewrite[path]);
    }
    let file = join(dir, path);
    if (file !== dir && !file.startsWith(dir + sep)) return res.writeHead(403, headers).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    if (!existsSync(file)) return res.writeHead(404, headers).end("not found");
    res.writeHead(200, { ...headers, "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  servers.add(server);
  return `http://127.0.0.1:${server.address().port}`;
}

// ---- installs: one per app, at most two at a time, started early so builds overlap downloads ----

const installs = new Map();
let running = 0;
const queue = [];
function pooled(fn) {
  return new Promise((res, rej) => {
    const go = async () => {
      running++;
      try { res(await fn()); } catch (e) { rej(e); } finally { running--; queue.shift()?.(); }
    };
    if (running < 2) go(); else queue.push(go);
  });
}

/** Copies tests/consumers/<app> to the work directory and installs it: `npm ci`, then the tarball. */
function install(app) {
  if (!installs.has(app)) {
    const p = pooled(async () => {
      const dir = join(work, app);
      cpSync(join(here, app), dir, {
        recursive: true,
        filter: (src) => !/[\\/](node_modules|dist|\.next[^\\/]*|\.parcel-cache)$/.test(src),
      });
      const flags = ["--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"];
      await sh("npm", ["ci", ...flags], { cwd: dir });
      await sh("npm", ["install", "--no-save", ...flags, TGZ], { cwd: dir });
      return dir;
    });
    p.catch(() => {}); // awaited (and reported) by the test that needs it
    installs.set(app, p);
  }
  return installs.get(app);
}

// ---- the browser ----

let browserPromise;
function browser() {
  browserPromise ??= import("playwright-core").then(({ chromium }) =>
    chromium.launch({
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      headless: true,
      args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    }));
  return browserPromise;
}

/** Loads `url`, waits for #out to be filled; returns its text and every console error, page error, failed or 4xx/5xx request. */
async function loadPage(url, { timeout = 30_000 } = {}) {
  const context = await (await browser()).newContext();
  const page = await context.newPage();
  const problems = [];
  // Chromium asks for /favicon.ico by itself when a page names no icon (Next.js pages here): not the package's doing
  const favicon = (url) => new URL(url || "x:/").pathname === "/favicon.ico";
  page.on("console", (m) => {
    if (m.type() === "error" && !favicon(m.location()?.url)) problems.push(`console.error: ${m.text()} (${m.location()?.url ?? "?"})`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on("response", (r) => {
    if (r.status() >= 400 && !favicon(r.url())) problems.push(`HTTP ${r.status()} for ${r.url()}`);
  });
  const wasmRequests = [];
  page.on("request", (r) => { if (/\.wasm([?#]|$)/.test(r.url())) wasmRequests.push(r.url()); });
  page.on("worker", (w) => w.on("console", (m) => { if (m.type() === "error") problems.push(`worker console.error: ${m.text()}`); }));
  let text;
  try {
    await page.goto(url, { waitUntil: "load", timeout });
    for (let attempt = 0; ; attempt++) {
      try {
        // stop waiting 3 s after the first error: a page that threw will not fill #out
        let check, giveUp;
        try {
          await Promise.race([
            page.waitForFunction(() => document.getElementById("out")?.textContent, null, { timeout }),
            new Promise((_, reject) => {
              check = setInterval(() => {
                if (!problems.length) return;
                clearInterval(check);
                giveUp = setTimeout(() => reject(new Error("gave up 3 s after the first error")), 3000);
              }, 200);
            }),
          ]);
        } finally {
          clearInterval(check);
          clearTimeout(giveUp);
        }
        break;
      } catch (e) {
        // a dev server may reload the page once (dependency optimisation); wait again then
        if (attempt > 0 || !/context was destroyed|navigation/i.test(e.message)) throw e;
      }
    }
    text = (await page.textContent("#out")).trim();
  } catch (e) {
    text = `(the page showed no result: ${e.message.split("\n")[0]})`;
  } finally {
    await context.close();
  }
  return { text, problems, wasmRequests };
}

/** `manual`: the page uses rimp-client/manual, which may fetch the wasm; the default entry embeds it and must not. */
function assertPage({ text, problems, wasmRequests }, what = "page", { manual = false } = {}) {
  const detail = `\n  ${what} shows: ${text}\n  problems:\n    ${problems.join("\n    ") || "(none)"}`;
  assert.match(text, /^ok models=[1-9]\d* first=\S+/, `the call did not succeed.${detail}`);
  assert.deepEqual(problems, [], `console errors or failed requests.${detail}`);
  if (!manual) assert.deepEqual(wasmRequests, [], `the default entry fetched a .wasm file (it should embed the wasm).${detail}`);
  if (/exports=/.test(text)) assert.match(text, /exports=true/, `RimpError/isRimpError not exported as expected.${detail}`);
}

const apiQuery = () => `?api=${encodeURIComponent(MOCK)}`;
const bin = (dir, name) => join(dir, "node_modules", ".bin", name);

// ---- setup / teardown ----

const APPS = ["node", "plain", "ts", "esbuild", "rollup", "webpack", "vite", "jest", "vitest", "parcel", "next"];
const enabled = (app) => !ONLY || ONLY.has(app);

before(() => {
  if (!MOCK) {
    const out = execFileSync(join(root, "scripts", "start-mock.sh"), ["--time-scale", "0.05"], { encoding: "utf8" });
    [MOCK, mockPid] = out.trim().split("\n");
    mockPid = Number(mockPid);
  }
  console.log(`# package: ${TGZ}\n# rimp-mock: ${MOCK}\n# work directory: ${work}`);
  for (const app of APPS) if (enabled(app)) install(app);
});

after(async () => {
  for (const s of servers) s.close();
  if (browserPromise) await (await browserPromise).close().catch(() => {});
  for (const c of children) killGroup(c);
  if (mockPid) try { process.kill(mockPid, "SIGTERM"); } catch { /* gone */ }
  if (process.env.RIMP_CONSUMERS_KEEP !== "1") rmSync(work, { recursive: true, force: true, maxRetries: 3 });
  console.log(`# consumer matrix runtime: ${((Date.now() - started) / 1000).toFixed(0)} s`);
});

/** One top-level test per app; skipped (with the reason) when RIMP_CONSUMERS_ONLY leaves it out. */
function appTest(app, name, fn, timeout = 600_000) {
  test(name, { timeout, skip: enabled(app) ? false : `not in RIMP_CONSUMERS_ONLY` }, async (t) => fn(t, await install(app)));
}

// ---- the environments ----

appTest("node", "8. Node.js ≥ 20: import, require, rimp-client/manual + await init()", async (t, dir) => {
  for (const [name, file] of [["ESM import", "esm.mjs"], ["CommonJS require", "cjs.cjs"], ["rimp-client/manual + await init() (ESM)", "manual.mjs"], ["rimp-client/manual + init() (CommonJS)", "manual.cjs"],
    ["import and require in one process: instanceof across both builds", "dual.mjs"]]) {
    await t.test(name, async () => {
      const out = await sh(process.execPath, [file], { cwd: dir, timeout: 60_000 });
      const result = JSON.parse(out.trim().split("\n").at(-1));
      assert.ok(result.models > 0, out);
      assert.equal(result.exports, true, out);
      // require() must get the CommonJS build, not Node's require(esm) of the ES module
      if (result.resolved) assert.match(result.resolved, /index\.cjs$/, out);
      if (result.crossInstanceof) assert.deepEqual(result.crossInstanceof, result.crossInstanceof.map(() => true), out);
    });
  }
});

appTest("plain", "7. <script type=module> importing the package from a second (CDN) origin", async (t, dir) => {
  const cdn = await serveStatic(join(dir, "node_modules", "rimp-client"), { cors: true });
  const html = readFileSync(join(dir, "cdn.html"), "utf8").replaceAll("__CDN__", cdn);
  const site = await serveStatic(dir, { rewrite: { "/cdn.html": html } });
  assertPage(await loadPage(`${site}/cdn.html${apiQuery()}`));
});

appTest("plain", "9a. rimp-client/manual in a plain module page (import map), await init()", async (t, dir) => {
  const site = await serveStatic(dir);
  for (const [name, mode] of [["init() (fetches the wasm next to the module)", "default"], ["init({ module_or_path: URL })", "url"],
    ["init({ module_or_path: bytes })", "bytes"], ["init({ module_or_path: WebAssembly.Module })", "module"]]) {
    await t.test(name, async () => assertPage(await loadPage(`${site}/manual.html${apiQuery()}&init=${mode}`), "page", { manual: true }));
  }
});

appTest("esbuild", "9b. rimp-client/manual bundled by esbuild --format=esm, await init({ module_or_path })", async (t, dir) => {
  await sh("npm", ["run", "build:manual"], { cwd: dir });
  const site = await serveStatic(dir);
  assertPage(await loadPage(`${site}/manual.html${apiQuery()}`), "page", { manual: true });
});

appTest("ts", "12. TypeScript: tsc --noEmit of a consumer, per compiler and module resolution", async (t, dir) => {
  const version = (p) => JSON.parse(readFileSync(join(dir, "node_modules", p, "package.json"), "utf8")).version;
  const compilers = [
    [`TypeScript ${version("typescript")} tsc`, join(dir, "node_modules", "typescript", "bin", "tsc")],
    [`TypeScript ${version("typescript7")} tsc`, join(dir, "node_modules", "typescript7", "bin", "tsc")],
    [`@typescript/native-preview ${version("@typescript/native-preview")} tsgo`, join(dir, "node_modules", "@typescript", "native-preview", "bin", "tsgo")],
  ];
  for (const [compiler, path] of compilers) {
    await t.test(compiler, async (t2) => {
      for (const config of ["bundler", "node16", "nodenext", "node10", "node-only"]) {
        await t2.test(`${config}${config === "node-only" ? " (lib es2023, types node, no DOM, skipLibCheck false)" : ""}`, async (t3) => {
          try {
            await sh(process.execPath, [path, "--noEmit", "-p", `tsconfig.${config}.json`], { cwd: dir, timeout: 120_000 });
          } catch (e) {
            // TypeScript 7 removed moduleResolution node10: not the package's doing, so say so and skip,
            // but only when that is the one and only error.
            const errors = e.message.split("\n").filter((l) => /error TS\d+/.test(l));
            if (config === "node10" && errors.length === 1 && /TS5108: Option 'moduleResolution=node10' has been removed/.test(errors[0])) {
              t3.skip(`${compiler} no longer has moduleResolution node10 (${errors[0].trim()})`);
              return;
            }
            throw e;
          }
        });
      }
    });
  }
});

appTest("esbuild", "4. esbuild --bundle: default (iife) and --format=esm", async (t, dir) => {
  for (const [name, script, page] of [["--bundle (default iife)", "build:iife", "iife.html"], ["--bundle --format=esm", "build:esm", "esm.html"]]) {
    await t.test(name, async () => {
      await sh("npm", ["run", script], { cwd: dir });
      const site = await serveStatic(dir);
      assertPage(await loadPage(`${site}/${page}${apiQuery()}`));
    });
  }
});

appTest("rollup", "5. Rollup + @rollup/plugin-node-resolve", async (t, dir) => {
  await sh("npm", ["run", "build"], { cwd: dir });
  const site = await serveStatic(dir);
  assertPage(await loadPage(`${site}/index.html${apiQuery()}`));
});

appTest("webpack", "2. webpack 5 production build", async (t, dir) => {
  await sh("npm", ["run", "build"], { cwd: dir });
  const site = await serveStatic(dir);
  assertPage(await loadPage(`${site}/index.html${apiQuery()}`));
});

appTest("vite", "1. Vite 8: build + preview, dev server, module worker", async (t, dir) => {
  await t.test("vite build + vite preview", async () => {
    await sh("npm", ["run", "build:page"], { cwd: dir });
    const port = await freePort();
    const server = await startServer(bin(dir, "vite"), ["preview", "page", "--host", "127.0.0.1", "--port", String(port), "--strictPort"],
      { cwd: dir, url: `http://127.0.0.1:${port}/` });
    try { assertPage(await loadPage(`http://127.0.0.1:${port}/${apiQuery()}`)); } finally { server.stop(); }
  });
  await t.test("vite dev server", async () => {
    const port = await freePort();
    const server = await startServer(bin(dir, "vite"), ["dev", "page", "--host", "127.0.0.1", "--port", String(port), "--strictPort"],
      { cwd: dir, url: `http://127.0.0.1:${port}/` });
    try { assertPage(await loadPage(`http://127.0.0.1:${port}/${apiQuery()}`, { timeout: 60_000 })); } finally { server.stop(); }
  });
  await t.test("rimp-client/manual with init(): vite dev server", async () => {
    const port = await freePort();
    const server = await startServer(bin(dir, "vite"), ["dev", "manual", "--host", "127.0.0.1", "--port", String(port), "--strictPort"],
      { cwd: dir, url: `http://127.0.0.1:${port}/` });
    try { assertPage(await loadPage(`http://127.0.0.1:${port}/${apiQuery()}`, { timeout: 60_000 }), "manual, vite dev", { manual: true }); } finally { server.stop(); }
  });
  await t.test("rimp-client/manual with init(): vite build emits only the .wasm next to the bundle", async () => {
    await sh("npm", ["run", "build:manual"], { cwd: dir });
    const assets = readdirSync(join(dir, "manual", "dist", "assets"));
    assert.deepEqual(assets.filter((f) => !/\.(js|wasm)$/.test(f)), [], `unexpected assets: ${assets}`);
    assert.equal(assets.filter((f) => f.endsWith(".wasm")).length, 1, `one .wasm: ${assets}`);
    const site = await serveStatic(join(dir, "manual", "dist"));
    assertPage(await loadPage(`${site}/index.html${apiQuery()}`), "manual, vite build", { manual: true });
  });
  await t.test("module worker (new Worker(new URL(…), { type: 'module' })), vite build", async () => {
    await sh("npm", ["run", "build:worker"], { cwd: dir });
    const site = await serveStatic(join(dir, "worker", "dist"));
    assertPage(await loadPage(`${site}/index.html${apiQuery()}`), "worker page");
  });
});

appTest("jest", "10. Jest 30, default config (CommonJS require)", async (t, dir) => {
  await sh("npm", ["test"], { cwd: dir, timeout: 120_000 });
});

appTest("vitest", "11. Vitest: environments node, jsdom, happy-dom", async (t, dir) => {
  for (const env of ["node", "jsdom", "happy-dom"]) {
    await t.test(`--environment ${env}`, async () => {
      await sh(bin(dir, "vitest"), ["run", "--environment", env], { cwd: dir, timeout: 120_000 });
    });
  }
});

appTest("parcel", "3. Parcel 2 build", async (t, dir) => {
  await sh("npm", ["run", "build"], { cwd: dir });
  const site = await serveStatic(join(dir, "dist"));
  assertPage(await loadPage(`${site}/index.html${apiQuery()}`));
});

appTest("next", "6. Next.js 16 app router: client component + route handler, next build + next start", async (t, dir) => {
  for (const [name, script] of [["Turbopack (default)", "build"], ["--webpack", "build:webpack"]]) {
    await t.test(name, async (t2) => {
      const env = { NEXT_DIST_DIR: `.next-${script.replace(":", "-")}` };
      await sh("npm", ["run", script], { cwd: dir, env, timeout: 400_000 });
      const port = await freePort();
      const origin = `http://127.0.0.1:${port}`;
      const server = await startServer(bin(dir, "next"), ["start", "-H", "127.0.0.1", "-p", String(port)], { cwd: dir, env, url: `${origin}/` });
      try {
        await t2.test("route handler app/api/generate/route.ts (server-side call)", async () => {
          const res = await fetch(`${origin}/api/generate`);
          const body = await res.text();
          assert.equal(res.status, 200, `${body}\n${tail(server.log(), 3000)}`);
          const json = JSON.parse(body);
          assert.equal(json.ok, true, body);
          assert.match(json.id, /^gen_/, body);
        });
        await t2.test("client component page (browser call)", async () => {
          assertPage(await loadPage(`${origin}/${apiQuery()}`), `page (server log: ${tail(server.log(), 1500)})`);
        });
      } finally {
        server.stop();
      }
    });
  }
}, 900_000);
