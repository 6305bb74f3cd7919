// The package as its users get it: `npm pack` the built pkg/, install the tarball into a fresh
// app, then import it (Node, no init call), type-check a consumer with tsc --strict, check the
// tarball's file list, and check that `instanceof` survives two copies of the package.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, cpSync, rmSync, readdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const root = new URL("../..", import.meta.url).pathname;
let app;
let tarball;

before(() => {
  app = mkdtempSync(join(tmpdir(), "rimp-app-"));
  const out = execFileSync("npm", ["pack", join(root, "pkg"), "--pack-destination", app, "--json", "--loglevel=error"], { encoding: "utf8" });
  const info = JSON.parse(out)[0];
  tarball = { file: join(app, info.filename), files: info.files.map((f) => f.path) };
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "fresh-app", private: true, type: "module" }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball.file], { cwd: app, stdio: "pipe" });
});

after(() => rmSync(app, { recursive: true, force: true }));

test("the tarball holds every file the package needs, and nothing else", () => {
  const files = tarball.files.sort();
  assert.deepEqual(files, ["LICENSE", "README.md", "index.cjs", "index.d.cts", "index.d.ts", "index.js", "manual.cjs",
    "manual.d.cts", "manual.d.ts", "manual.js", "package.json", "rimp_client_bg.wasm"]);
  // The entries are self-contained: no top-level await, and the default entry names no file
  // for a bundler to find (the wasm is embedded).
  const installed0 = join(app, "node_modules", "rimp-client");
  for (const f of ["index.js", "index.cjs"]) {
    const text = readFileSync(join(installed0, f), "utf8");
    assert.ok(!/import\.meta\.url|rimp_client_bg\.wasm/.test(text), `${f} names no file`);
    assert.ok(!/^await /m.test(text), `${f} has no top-level await`);
  }
  // Every relative import of every shipped JS file resolves inside the tarball.
  const installed = join(app, "node_modules", "rimp-client");
  for (const f of files.filter((f) => f.endsWith(".js"))) {
    const text = readFileSync(join(installed, f), "utf8");
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*["'](\.[^"']+)["']/g)) {
      const target = join(installed, f, "..", m[1]);
      assert.ok(existsSync(target), `${f} imports ${m[1]}, which is not in the tarball`);
    }
  }
});

// A regression bar, not a goal: the wasm is embedded as base64 so that no bundler can lose it.
test("what the default entry loads (one file, wasm embedded), gzip -9, is within the 90 KB bar", () => {
  const installed = join(app, "node_modules", "rimp-client");
  const size = (f) => gzipSync(readFileSync(join(installed, f)), { level: 9 }).length;
  const embedded = size("index.js");
  const manual = size("manual.js") + size("rimp_client_bg.wasm");
  console.log(`# default entry (index.js, wasm embedded), gzip -9: ${embedded} bytes; manual entry + .wasm file: ${manual} bytes`);
  assert.ok(embedded <= 90 * 1024, `${embedded} bytes`);
});

test("Node imports it with no init call and it works", () => {
  const script = `
    import { RimpClient, RimpError, RateLimitError, isRimpError } from "rimp-client";
    const fetch = async () => new Response('{"error":{"type":"rate_limited","code":"rate_limited","message":"slow"}}',
      { status: 429, headers: { "retry-after": "120", "x-request-id": "req_1" } });
    const c = new RimpClient({ apiKey: "sk_test_secret_123", baseUrl: "https://x.test", fetch });
    try { await c.request("GET", "/v1/models"); process.exit(2); } catch (e) {
      console.log(JSON.stringify({ name: e.name, rl: e instanceof RateLimitError, base: e instanceof RimpError,
        guard: isRimpError(e), wait: e.retryAfterMs, id: e.requestId, str: String(c), json: JSON.stringify(c) }));
    }`;
  const out = JSON.parse(execFileSync("node", ["--input-type=module", "-e", script], { cwd: app, encoding: "utf8" }));
  assert.deepEqual(
    { ...out, str: undefined, json: undefined },
    { name: "RateLimitError", rl: true, base: true, guard: true, wait: 120000, id: "req_1", str: undefined, json: undefined },
  );
  assert.ok(!out.str.includes("sk_test_secret_123") && !out.json.includes("sk_test_secret_123"), "key never printed");
});

test("instanceof works across two copies of the package", () => {
  const copy = join(app, "node_modules", "rimp-client-copy");
  cpSync(join(app, "node_modules", "rimp-client"), copy, { recursive: true });
  const script = `
    import * as A from "rimp-client";
    import * as B from "./node_modules/rimp-client-copy/index.js";
    const fetch = async () => new Response("", { status: 503 });
    const c = new B.RimpClient({ baseUrl: "http://x", fetch, maxRetries: 0 });
    const e = await c.request("GET", "/v1/models").catch((e) => e);
    const other = new A.QuotaExceededError("cap", { status: 429 });
    console.log(JSON.stringify({
      distinct: A.RimpError !== B.RimpError,
      aSees: [e instanceof A.ProviderUnavailableError, e instanceof A.APIError, e instanceof A.RimpError, A.isRimpError(e)],
      aRejects: [e instanceof A.RateLimitError, e instanceof A.ConnectionError],
      bSees: [other instanceof B.QuotaExceededError, other instanceof B.RimpError],
      plain: [new Error("x") instanceof A.RimpError, ({ name: "RimpError" }) instanceof A.RimpError, null instanceof A.RimpError],
      subclass: (() => {
        class MyRateLimit extends A.RateLimitError {}
        class Unrelated extends A.RimpError {}
        const m = new MyRateLimit("mine", { status: 429 });
        return [m instanceof MyRateLimit, m instanceof A.RateLimitError, m instanceof B.RateLimitError,
          m instanceof A.RimpError, m instanceof Unrelated, e instanceof MyRateLimit, m.name];
      })(),
    }));`;
  const out = JSON.parse(execFileSync("node", ["--input-type=module", "-e", script], { cwd: app, encoding: "utf8" }));
  assert.deepEqual(out, {
    distinct: true,
    aSees: [true, true, true, true],
    aRejects: [false, false],
    bSees: [true, true],
    plain: [false, false, false],
    subclass: [true, true, true, true, false, false, "RateLimitError"],
  });
});

test("TypeScript consumers type-check under --strict, and misuse is caught", () => {
  const typesDir = join(root, "tests", "types");
  for (const f of readdirSync(typesDir).filter((f) => f.endsWith(".ts"))) cpSync(join(typesDir, f), join(app, f));
  writeFileSync(join(app, "tsconfig.json"), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: "es2022", module: "nodenext", moduleResolution: "nodenext",
      lib: ["es2022", "dom"], types: [], skipLibCheck: false, noUnusedLocals: false },
    include: ["*.ts"],
  }));
  const tsc = join(root, "node_modules", ".bin", "tsc");
  try {
    execFileSync(tsc, ["-p", app], { encoding: "utf8", stdio: "pipe" });
  } catch (e) {
    assert.fail(`tsc --strict failed:\n${e.stdout}${e.stderr}`);
  }
  // The same declarations under exactOptionalPropertyTypes: `undefined` passed explicitly.
  writeFileSync(join(app, "tsconfig.exact.json"), JSON.stringify({
    compilerOptions: { strict: true, exactOptionalPropertyTypes: true, noEmit: true, target: "es2022", module: "nodenext",
      moduleResolution: "nodenext", lib: ["es2022", "dom"], types: [], skipLibCheck: false },
    files: ["exact-optional.ts"],
  }));
  try {
    execFileSync(tsc, ["-p", join(app, "tsconfig.exact.json")], { encoding: "utf8", stdio: "pipe" });
  } catch (e) {
    assert.fail(`tsc --exactOptionalPropertyTypes failed:\n${e.stdout}${e.stderr}`);
  }
  // The package's declarations use no `any` in public signatures.
  const dts = readFileSync(join(app, "node_modules", "rimp-client", "index.d.ts"), "utf8");
  const code = dts.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
  const anys = code.split("\n").filter((l) => /\bany\b/.test(l));
  assert.deepEqual(anys, [], "no `any` in public declarations");
});

test("TypeScript without DOM types (a Node-only project, skipLibCheck off) accepts the declarations", () => {
  const dir = join(app, "ts-node-only");
  cpSync(join(root, "tests", "types", "consumer.ts"), join(dir, "consumer.ts"));
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: "es2023", module: "nodenext", moduleResolution: "nodenext",
      lib: ["es2023"], types: [], skipLibCheck: false, typeRoots: [] },
    include: ["*.ts"],
  }));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  cpSync(join(app, "node_modules", "rimp-client"), join(dir, "node_modules", "rimp-client"), { recursive: true });
  const tsc = join(root, "node_modules", ".bin", "tsc");
  try {
    execFileSync(tsc, ["-p", dir], { encoding: "utf8", stdio: "pipe" });
  } catch (e) {
    const out = `${e.stdout}${e.stderr}`;
    // The consumer file itself uses globals (Response, AbortController) a no-DOM, no-@types
    // project lacks; only errors inside the package's declarations count here.
    const ours = out.split("\n").filter((l) => l.includes("node_modules/rimp-client"));
    assert.deepEqual(ours, [], out);
  }
});

test("require() (CommonJS) and rimp-client/manual work in Node", () => {
  const cjs = `
    const { RimpClient, RimpError, isRimpError } = require("rimp-client");
    const c = new RimpClient({ fetch: async () => new Response('{"ok":1}') });
    c.models.list().then((v) => console.log(JSON.stringify({ v, base: typeof RimpError, guard: typeof isRimpError })));`;
  assert.deepEqual(JSON.parse(execFileSync("node", ["-e", cjs], { cwd: app, encoding: "utf8" })),
    { v: { ok: 1 }, base: "function", guard: "function" });
  const manual = `
    import { RimpClient, init } from "rimp-client/manual";
    let before = null;
    try { new RimpClient(); } catch (e) { before = e.code; }
    await init();
    const v = await new RimpClient({ fetch: async () => new Response('{"ok":2}') }).models.list();
    console.log(JSON.stringify({ before, v }));`;
  assert.deepEqual(JSON.parse(execFileSync("node", ["--input-type=module", "-e", manual], { cwd: app, encoding: "utf8" })),
    { before: "not_initialized", v: { ok: 2 } });
  const manualCjs = `
    const { RimpClient, init } = require("rimp-client/manual");
    init().then(() => new RimpClient({ fetch: async () => new Response('{"ok":3}') }).models.list()).then((v) => console.log(JSON.stringify(v)));`;
  assert.deepEqual(JSON.parse(execFileSync("node", ["-e", manualCjs], { cwd: app, encoding: "utf8" })), { ok: 3 });
});

test("the namespaces: every method of the table, the same object each time, one set per client", () => {
  const script = `
    import { RimpClient } from "rimp-client";
    const fetch = async (url, init) => new Response(JSON.stringify({ url, method: init.method }));
    const a = new RimpClient({ fetch, baseUrl: "https://x.test" });
    const b = new RimpClient({ fetch, baseUrl: "https://x.test" });
    const names = {};
    for (const ns of ["images", "videos", "music", "threeD", "upscale", "chat", "generations", "comparisons", "usage", "models", "apiKeys", "webhooks"]) {
      names[ns] = Object.keys(a[ns]).sort();
    }
    const same = a.images === a.images && a.generations === a.generations;
    const shared = a.images === b.images;
    const frozen = Object.isFrozen(a.images);
    const wire = [
      await a.images.generate({ model: "m", prompt: "p" }),
      await a.generations.get("gen_1"),
      await a.apiKeys.update("key_1", { name: "n" }),
      await a.usage.get({ groupBy: "day" }),
      await a.models.list(),
    ];
    console.log(JSON.stringify({ names, same, shared, frozen, wire }));`;
  const out = JSON.parse(execFileSync("node", ["--input-type=module", "-e", script], { cwd: app, encoding: "utf8" }));
  assert.deepEqual(out.names, {
    images: ["generate"], videos: ["create"], music: ["create"], threeD: ["create"], upscale: ["create"], chat: ["create"],
    generations: ["cancel", "get", "waitFor"], comparisons: ["create", "get", "waitFor"], usage: ["get"], models: ["list"],
    apiKeys: ["create", "revoke", "update"], webhooks: ["create", "unwrap"],
  });
  assert.deepEqual([out.same, out.shared, out.frozen], [true, false, true]);
  assert.deepEqual(out.wire, [
    { url: "https://x.test/v1/images", method: "POST" },
    { url: "https://x.test/v1/generations/gen_1", method: "GET" },
    { url: "https://x.test/v1/api-keys/key_1", method: "PATCH" },
    { url: "https://x.test/v1/usage?group_by=day", method: "GET" },
    { url: "https://x.test/v1/models", method: "GET" },
  ]);
});

/** Serves `dir` on loopback and loads `page` in headless Chromium until `window.result` is set. */
async function runInChromium(dir, page) {
  const { createServer } = await import("node:http");
  const { chromium } = await import("playwright-core");
  const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };
  const server = createServer((req, res) => {
    const path = join(dir, decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (!path.startsWith(dir) || !existsSync(path)) return res.writeHead(404).end();
    const ext = path.slice(path.lastIndexOf("."));
    res.writeHead(200, { "content-type": types[ext] ?? "application/octet-stream" }).end(readFileSync(path));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium", headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
  try {
    const tab = await browser.newPage();
    const errors = [];
    tab.on("pageerror", (e) => errors.push(e.message));
    tab.on("console", (m) => { if (m.type() === "error" && !m.text().includes("404")) errors.push(m.text()); });
    await tab.goto(`http://127.0.0.1:${server.address().port}/${page}`);
    await tab.waitForFunction(() => window.result !== undefined, null, { timeout: 20000 });
    return { result: await tab.evaluate(() => window.result), errors };
  } finally {
    await browser.close();
    server.close();
  }
}

const PAGE_SCRIPT = (specifier) => `
  const t0 = performance.now();
  const m = await import(${JSON.stringify(specifier)});
  const ready = performance.now() - t0;
  let refused = null;
  try { new m.RimpClient({ apiKey: "sk_test_secret" }); } catch (e) { refused = [e.name, e.code, e instanceof m.RimpError]; }
  const c = new m.RimpClient({ baseUrl: location.origin, maxRetries: 0 });
  const r = await c.request("GET", "/data.json");
  const e = await c.request("GET", "/missing").catch((e) => e);
  window.result = { ready, refused, data: r.data, status: r.status, err: [e.name, e.status, e instanceof m.NotFoundError] };`;

function checkPage({ result, errors }) {
  assert.deepEqual(result.refused, ["RimpError", "browser_api_key", true]);
  assert.deepEqual(result.data, { ok: true });
  assert.equal(result.status, 200);
  assert.deepEqual(result.err, ["NotFoundError", 404, true]);
  assert.deepEqual(errors, []);
}

test("a Vite production build bundles it and runs it with no init call", () => {
  const dir = join(app, "vite-app");
  cpSync(join(app, "node_modules"), join(dir, "node_modules"), { recursive: true });
  writeFileSync(join(dir, "index.html"), `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module" src="./main.js"></script>`);
  // A bare specifier, as an app writes it; Vite resolves it from node_modules.
  writeFileSync(join(dir, "main.js"), PAGE_SCRIPT("rimp-client"));
  execFileSync(join(root, "node_modules", ".bin", "vite"), ["build", "--logLevel", "error"], { cwd: dir, stdio: "pipe" });
  const dist = join(dir, "dist");
  writeFileSync(join(dist, "data.json"), '{"ok":true}');
  const assets = readdirSync(join(dist, "assets"));
  assert.ok(!assets.some((f) => f.endsWith(".wasm")), `the wasm is embedded, not a separate asset: ${assets}`);
  return runInChromium(dist, "index.html").then(checkPage);
});

test("a browser page imports the installed package as an ES module with no init call", async () => {
  writeFileSync(join(app, "index.html"), `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module">${PAGE_SCRIPT("./node_modules/rimp-client/index.js")}</script>`);
  writeFileSync(join(app, "data.json"), '{"ok":true}');
  const page = await runInChromium(app, "index.html");
  console.log(`# browser import → ready (cold browser): ${page.result.ready.toFixed(1)} ms`);
  checkPage(page);
});

test("a module worker uses it too, and may hold an API key (no document there)", async () => {
  const dir = join(app, "worker-app");
  cpSync(join(app, "node_modules"), join(dir, "node_modules"), { recursive: true });
  writeFileSync(join(dir, "data.json"), '{"ok":true}');
  writeFileSync(join(dir, "worker.js"), `
    const m = await import("./node_modules/rimp-client/index.js");
    const seen = [];
    const fetch = (url, init) => { seen.push(init.headers.authorization); return globalThis.fetch(url, init); };
    const c = new m.RimpClient({ apiKey: "sk_test_worker", baseUrl: self.location.origin, maxRetries: 0, fetch });
    const r = await c.request("GET", "/data.json");
    const e = await c.request("GET", "/missing").catch((e) => e);
    postMessage({ data: r.data, auth: seen[0], err: [e.name, e.status, e instanceof m.NotFoundError] });`);
  writeFileSync(join(dir, "index.html"), `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module">
  const w = new Worker("./worker.js", { type: "module" });
  w.onerror = (e) => { window.result = { error: String(e.message) }; };
  w.onmessage = (e) => { window.result = e.data; };
</script>`);
  const { result, errors } = await runInChromium(dir, "index.html");
  assert.deepEqual(result, { data: { ok: true }, auth: "Bearer sk_test_worker", err: ["NotFoundError", 404, true] });
  assert.deepEqual(errors, []);
});
