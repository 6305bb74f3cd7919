// A page never needs a reload: when the WebAssembly instance traps, the calls that were in
// flight reject with a typed error and every later call, on old clients and new ones, runs on a
// fresh instance. Proved with real traps: the test build (`--features trap-probe`, built by
// scripts/test.sh into target/trap-pkg) aborts inside wasm on `request("TRAP_NOW", …)`
// (synchronously, in the export) or `request("TRAP_LATER", …)` (after an await, inside a
// futures-queue microtask, the hardest place: nothing of ours is on the stack there).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";

const root = new URL("../..", import.meta.url).pathname;
const pkgDir = process.env.RIMP_TRAP_PKG ?? `${root}target/trap-pkg`;
const DIAG = Symbol.for("rimp-client.diagnostics");
let m;
const escaped = [];
const onEscape = (e) => escaped.push(e);

before(async () => {
  assert.ok(existsSync(`${pkgDir}/index.js`), `build the trap package first: RIMP_FEATURES=trap-probe OUT=target/trap-pkg scripts/build.sh`);
  m = await import(`${pkgDir}/index.js`);
  process.on("uncaughtException", onEscape);
  process.on("unhandledRejection", onEscape);
});

after(() => {
  process.off("uncaughtException", onEscape);
  process.off("unhandledRejection", onEscape);
});

const ok = () => Promise.resolve(new Response('{"ok":true}', { status: 200 }));
const settle = (p) => p.then((v) => ({ v }), (e) => ({ e }));
const tick = (ms) => new Promise((r) => setTimeout(r, ms));

test("a synchronous trap rejects that call; the same client and new ones keep working", async () => {
  const { RimpClient, RimpError } = m;
  const client = new RimpClient({ fetch: ok });
  assert.deepEqual(await client.models.list(), { ok: true });
  const gen = RimpClient[DIAG]().generation;

  const r = await settle(client.request("TRAP_NOW", "/v1/models"));
  assert.ok(r.e instanceof RimpError, `rejected with ${r.e}`);
  assert.equal(r.e.code, "instance_restarted");
  assert.equal(r.e.retryable, true);
  assert.ok(r.e.cause instanceof WebAssembly.RuntimeError, "the cause is the trap");

  assert.deepEqual(await client.models.list(), { ok: true }, "the old client runs on the new instance");
  assert.deepEqual(await new RimpClient({ fetch: ok }).models.list(), { ok: true }, "a new client works");
  assert.equal(RimpClient[DIAG]().generation, gen + 1);
  assert.equal(RimpClient[DIAG]().pending, 0);
});

test("a trap inside the futures queue settles every call in flight, and later calls run", async () => {
  const { RimpClient } = m;
  // Calls parked in flight: one in a fetch that never answers, one in a 2 s backoff wait. (The
  // dead instance's timers stay scheduled until they fire, into the fence: harmless.)
  const hanging = new RimpClient({ fetch: () => new Promise(() => {}), timeoutMs: 2000 });
  const backoff = new RimpClient({
    fetch: () => Promise.resolve(new Response("", { status: 503 })),
    retryDelayMs: 2000, maxRetryDelayMs: 2000, retryBudget: false,
  });
  const parked = [settle(hanging.models.list()), settle(backoff.models.list())];
  await tick(20);
  const gen = RimpClient[DIAG]().generation;
  assert.equal(RimpClient[DIAG]().pending, 2);

  const trapping = new RimpClient({ fetch: ok });
  const r = await settle(trapping.request("TRAP_LATER", "/v1/models"));
  assert.equal(r.e?.code, "instance_restarted", `the trapping call: ${r.e ?? "resolved"}`);
  for (const p of parked) {
    const s = await p;
    assert.equal(s.e?.code, "instance_restarted", `a parked call: ${s.e ?? "resolved"}`);
  }
  assert.equal(RimpClient[DIAG]().pending, 0);

  assert.deepEqual(await trapping.models.list(), { ok: true });
  assert.deepEqual(await new RimpClient({ fetch: ok }).models.list(), { ok: true });
  assert.equal(RimpClient[DIAG]().generation, gen + 1);
});

test("callbacks of a dead instance that fire later (timers, fetch answers) do nothing", async () => {
  const { RimpClient } = m;
  let answer;
  const late = new RimpClient({ fetch: () => new Promise((res) => { answer = res; }), timeoutMs: 150 });
  const parked = settle(late.models.list());
  await tick(10);
  await settle(new RimpClient({ fetch: ok }).request("TRAP_NOW", "/v1/models"));
  assert.equal((await parked).e?.code, "instance_restarted");
  // The dead instance's attempt timeout (150 ms) fires now, and its fetch answers late.
  answer(new Response('{"late":true}'));
  await tick(250);
  assert.deepEqual(escaped, [], "nothing escaped to the host");
  // The same client, on the new instance, still gets its answers.
  const again = settle(late.models.list());
  await tick(10);
  answer(new Response('{"again":true}'));
  assert.deepEqual((await again).v, { again: true });
});

test("twenty traps in a row: each is contained, memory does not pile up, and calls keep working", async () => {
  const { RimpClient } = m;
  const client = new RimpClient({ fetch: ok });
  const gen = RimpClient[DIAG]().generation;
  for (let i = 0; i < 20; i++) {
    const r = await settle(client.request(i % 2 ? "TRAP_NOW" : "TRAP_LATER", "/v1/models"));
    assert.equal(r.e?.code, "instance_restarted");
    assert.deepEqual(await client.models.list(), { ok: true });
  }
  const d = RimpClient[DIAG]();
  assert.equal(d.generation, gen + 20);
  assert.ok(d.memoryBytes <= 2 * 1024 * 1024, `a fresh instance's memory: ${d.memoryBytes} bytes`);
  console.log(`# 20 forced traps (10 synchronous, 10 in the futures queue): 20 restarts, every later call succeeded; wasm memory of the live instance ${d.memoryBytes} bytes`);
  assert.deepEqual(escaped, []);
});
