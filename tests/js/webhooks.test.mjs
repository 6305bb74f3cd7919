// `client.webhooks.unwrap` against the BUILT package (RIMP_PKG, default pkg/): signatures
// computed independently with node:crypto, every refusal code, every payload and headers form,
// the secret kept out of every error; then end to end with a real rimp-mock delivering signed
// webhooks to a node:http receiver (including its bad_signature and old_timestamp faults).
//   RIMP_PKG=target/pkg-wh node --test tests/js/webhooks.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const root = new URL("../..", import.meta.url).pathname;
const pkgDir = resolve(root, process.env.RIMP_PKG ?? "pkg");
const SECRET = "whsec_Ab3dEfGh1jKlMn0pQrStUvWx";
const OTHER = "whsec_ZZZotherSecretZZZ999";

let pkg;
before(async () => {
  pkg = await import(pathToFileURL(resolve(pkgDir, "index.js")).href);
});

const nowSec = () => Math.floor(Date.now() / 1000);
const hmac = (secret, t, body) => createHmac("sha256", secret).update(`${t}.`).update(body).digest("hex");
const EVENT = { created: 1779208200, created_at: "2026-05-19T16:30:00.412Z",
  data: { generation_id: "gen_1", id: "gen_1", status: "succeeded", modality: "image" }, id: "evt_1", type: "generation.completed" };
const BODY = JSON.stringify(EVENT);
/** Headers for `body` signed at `t` with each of `secrets`. */
const signed = (body, { t = nowSec(), secrets = [SECRET], delivery = "whd_1" } = {}) => {
  const h = { "x-rimp-signature": `t=${t},` + secrets.map((s) => `v1=${hmac(s, t, body)}`).join(",") };
  if (delivery !== null) h["x-rimp-delivery"] = delivery;
  return h;
};
const reject = async (p) => {
  try {
    await p;
  } catch (e) {
    return e;
  }
  assert.fail("expected a rejection");
};
/** Waits until early in a second, so that a timestamp computed now is still "now" in the call. */
const startOfSecond = async () => {
  if (Date.now() % 1000 > 700) await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
};
const errors = [];
const expectCode = async (p, code) => {
  const e = await reject(p);
  errors.push(e);
  assert.ok(e instanceof pkg.WebhookVerificationError, `${e?.name}: ${e?.message}`);
  assert.ok(e instanceof pkg.RimpError);
  assert.equal(e.name, "WebhookVerificationError");
  assert.equal(e.code, code, e.message);
  assert.equal(e.retryable, false);
  return e;
};
const expectOption = async (p, param) => {
  const e = await reject(p);
  errors.push(e);
  assert.ok(e instanceof pkg.InvalidRequestError, `${e?.name}: ${e?.message}`);
  assert.equal(e.code, "invalid_option");
  assert.equal(e.param, param);
  return e;
};

test("a valid delivery resolves to the event plus deliveryId", async () => {
  const c = new pkg.RimpClient({ webhookSecret: SECRET });
  const ev = await c.webhooks.unwrap(BODY, signed(BODY));
  assert.deepEqual(ev, { ...EVENT, deliveryId: "whd_1" });
  const noDelivery = await c.webhooks.unwrap(BODY, signed(BODY, { delivery: null }));
  assert.equal(noDelivery.deliveryId, null);
  // The call's secret wins over the client's; a client without one uses the call's.
  await c.webhooks.unwrap(BODY, signed(BODY, { secrets: [OTHER] }), { secret: OTHER });
  const bare = new pkg.RimpClient();
  assert.equal((await bare.webhooks.unwrap(BODY, signed(BODY), { secret: SECRET })).id, "evt_1");
});

test("secret rotation: any v1 may match", async () => {
  const c = new pkg.RimpClient({ webhookSecret: SECRET });
  assert.equal((await c.webhooks.unwrap(BODY, signed(BODY, { secrets: [OTHER, SECRET] }))).id, "evt_1");
  assert.equal((await c.webhooks.unwrap(BODY, signed(BODY, { secrets: [SECRET, OTHER] }))).id, "evt_1");
  // Unknown fields (a future scheme) are ignored.
  const t = nowSec();
  const h = { "x-rimp-signature": `v0=abc, t=${t}, v2=zzz, v1=${hmac(SECRET, t, BODY)}` };
  assert.equal((await c.webhooks.unwrap(BODY, h)).id, "evt_1");
});

test("a tampered body or a wrong secret is signature_mismatch", async () => {
  const c = new pkg.RimpClient({ webhookSecret: SECRET });
  await expectCode(c.webhooks.unwrap(BODY.replace("gen_1", "gen_2"), signed(BODY)), "signature_mismatch");
  await expectCode(c.webhooks.unwrap(BODY + " ", signed(BODY)), "signature_mismatch");
  await expectCode(c.webhooks.unwrap(BODY, signed(BODY, { secrets: [OTHER] })), "signature_mismatch");
  await expectCode(c.webhooks.unwrap(BODY, signed(BODY), { secret: OTHER }), "signature_mismatch");
  // Parsed and re-serialised JSON is not the raw body.
  const pretty = JSON.stringify(EVENT, null, 2);
  await expectCode(c.webhooks.unwrap(pretty, signed(BODY)), "signature_mismatch");
});

test("the timestamp tolerance: too old, too far ahead, exactly at the boundary, custom", async () => {
  const c = new pkg.RimpClient({ webhookSecret: SECRET });
  await startOfSecond();
  let now = nowSec();
  await expectCode(c.webhooks.unwrap(BODY, signed(BODY, { t: now - 301 })), "timestamp_out_of_tolerance");
  await expectCode(c.webhooks.unwrap(BODY, signed(BODY, { t: now + 301 })), "timestamp_out_of_tolerance");
  await expectCode(c.webhooks.unwrap(BODY, signed(BODY, { t: now - 3600 })), "timestamp_out_of_tolerance");
  await startOfSecond();
  now = nowSec();
  assert.equal((await c.webhooks.unwrap(BODY, signed(BODY, { t: now - 300 }))).id, "evt_1");
  assert.equal((await c.webhooks.unwrap(BODY, signed(BODY, { t: now + 300 }))).id, "evt_1");
  await startOfSecond();
  now = nowSec();
  assert.equal((await c.webhooks.unwrap(BODY, signed(BODY, { t: now - 1000 }), { toleranceSec: 1000 })).id, "evt_1");
  await expectCode(c.webhooks.unwrap(BODY, signed(BODY, { t: now - 61 }), { toleranceSec: 60 }), "timestamp_out_of_tolerance");
  assert.equal((await c.webhooks.unwrap(BODY, signed(BODY, { t: now - 5 }), { toleranceSec: 10 })).id, "evt_1");
  // The tolerance is checked before the signature: an old, badly signed delivery says "old".
  await expectCode(c.webhooks.unwrap(BODY, signed(BODY, { t: now - 999, secrets: [OTHER] })), "timestamp_out_of_tolerance");
});

test("a missing or malformed X-Rimp-Signature", async () => {
  const c = new pkg.RimpClient({ webhookSecret: SECRET });
  const t = nowSec();
  const v1 = hmac(SECRET, t, BODY);
  await expectCode(c.webhooks.unwrap(BODY, {}), "missing_signature");
  await expectCode(c.webhooks.unwrap(BODY, { "x-rimp-signature": "" }), "missing_signature");
  await expectCode(c.webhooks.unwrap(BODY, new Headers()), "missing_signature");
  for (const bad of [
    `v1=${v1}`, // no t
    `t=soon,v1=${v1}`, // t not a number
    `t=${t}.5,v1=${v1}`,
    `t=-${t},v1=${v1}`,
    `t=${t}`, // no v1
    `t=${t},v1=`,
    `t=${t},v1=${"g".repeat(64)}`, // not hex
    `t=${t},v1=${v1.slice(2)}`, // too short
    `t=${t},t=${t + 1},v1=${v1}`, // two different t
    `t=${t},v1=${v1},` + "x=".padEnd(9 * 1024, "y"), // 9 KiB
    `t${t}v1${v1}`,
  ]) {
    await expectCode(c.webhooks.unwrap(BODY, { "x-rimp-signature": bad }), "malformed_signature");
  }
  // 8 KiB of header is still read.
  const fits = `t=${t},v1=${v1},x=`;
  assert.equal((await c.webhooks.unwrap(BODY, { "x-rimp-signature": fits.padEnd(8192, "y") })).id, "evt_1");
});

test("no secret anywhere is missing_secret; bad arguments are invalid_option", async () => {
  const bare = new pkg.RimpClient();
  await expectCode(bare.webhooks.unwrap(BODY, signed(BODY)), "missing_secret");
  const c = new pkg.RimpClient({ webhookSecret: SECRET });
  await expectOption(c.webhooks.unwrap(42, signed(BODY)), "payload");
  await expectOption(c.webhooks.unwrap(JSON.parse(BODY), signed(BODY)), "payload");
  await expectOption(c.webhooks.unwrap(new Uint16Array(4), signed(BODY)), "payload");
  await expectOption(c.webhooks.unwrap(undefined, signed(BODY)), "payload");
  await expectOption(c.webhooks.unwrap(BODY, null), "headers");
  await expectOption(c.webhooks.unwrap(BODY, "t=1,v1=00"), "headers");
  await expectOption(c.webhooks.unwrap(BODY, { get "X-Rimp-Signature"() { throw new Error("boom"); } }), "headers");
  await expectOption(c.webhooks.unwrap(BODY, { get() { throw new Error("boom"); } }), "headers");
  await expectOption(c.webhooks.unwrap(BODY, signed(BODY), { toleranceSec: -1 }), "toleranceSec");
  await expectOption(c.webhooks.unwrap(BODY, signed(BODY), { toleranceSec: 1.5 }), "toleranceSec");
  await expectOption(c.webhooks.unwrap(BODY, signed(BODY), { toleranceSec: "300" }), "toleranceSec");
  await expectOption(c.webhooks.unwrap(BODY, signed(BODY), { secret: 7 }), "secret");
  await expectOption(c.webhooks.unwrap(BODY, signed(BODY), { secret: "" }), "secret");
  await expectOption(c.webhooks.unwrap(BODY, signed(BODY), "opts"), "options");
  for (const bad of ["", 5, "whsec_\u0000x"]) {
    assert.throws(() => new pkg.RimpClient({ webhookSecret: bad }), (e) => e.code === "invalid_option" && e.param === "webhookSecret");
  }
});

test("a body that verifies but is not an event is invalid_payload", async () => {
  const c = new pkg.RimpClient({ webhookSecret: SECRET });
  for (const body of ["not json", "", "[1,2]", "null", "42", '"generation.completed"', '{"id":"evt_1"}', '{"type":5}', '{"type":null}']) {
    await expectCode(c.webhooks.unwrap(body, signed(body)), "invalid_payload");
  }
  const badUtf8 = Uint8Array.from([0x7b, 0x22, 0x74, 0x79, 0x70, 0x65, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]);
  await expectCode(c.webhooks.unwrap(badUtf8, signed(Buffer.from(badUtf8))), "invalid_payload");
  // An open event type is accepted.
  const other = '{"id":"evt_9","type":"something.new","data":{"x":1}}';
  assert.deepEqual(await c.webhooks.unwrap(other, signed(other)), { ...JSON.parse(other), deliveryId: "whd_1" });
});

test("the payload as string, Uint8Array, Buffer or ArrayBuffer gives the same event", async () => {
  const c = new pkg.RimpClient({ webhookSecret: SECRET });
  const body = JSON.stringify({ ...EVENT, data: { ...EVENT.data, prompt: "ein Fuchs über der Brücke — 狐" } });
  const h = signed(body);
  const bytes = new TextEncoder().encode(body);
  const forms = [body, bytes, Buffer.from(body), bytes.buffer.slice(0), new Uint8Array(Buffer.from(`xx${body}`).buffer, Buffer.from(`xx${body}`).byteOffset + 2, bytes.length)];
  const results = [];
  for (const f of forms) results.push(await c.webhooks.unwrap(f, h));
  for (const r of results) assert.deepEqual(r, results[0]);
  assert.equal(results[0].data.prompt, "ein Fuchs über der Brücke — 狐");
  // The caller's bytes are left as they were.
  assert.equal(new TextDecoder().decode(bytes), body);
});

test("headers as Headers, as a record in odd case, with array values", async () => {
  const c = new pkg.RimpClient({ webhookSecret: SECRET });
  const h = signed(BODY);
  const viaHeaders = await c.webhooks.unwrap(BODY, new Headers(h));
  assert.equal(viaHeaders.deliveryId, "whd_1");
  const odd = { "X-RIMP-Signature": h["x-rimp-signature"], "X-Rimp-DELIVERY": "whd_odd", "Content-Type": "application/json" };
  assert.equal((await c.webhooks.unwrap(BODY, odd)).deliveryId, "whd_odd");
  const t = nowSec();
  // Every element's v1 values count.
  const arrays = { "x-rimp-signature": [`t=${t},v1=${hmac(OTHER, t, BODY)}`, `t=${t},v1=${hmac(SECRET, t, BODY)}`], "x-rimp-delivery": ["whd_arr"] };
  assert.equal((await c.webhooks.unwrap(BODY, arrays)).deliveryId, "whd_arr");
  const arraysWrong = { "x-rimp-signature": [`t=${t},v1=${hmac(OTHER, t, BODY)}`, `t=${t},v1=${hmac(OTHER, t, "x")}`] };
  await expectCode(c.webhooks.unwrap(BODY, arraysWrong), "signature_mismatch");
  // A Headers with the header appended twice (get() joins them with ", ").
  const twice = new Headers();
  twice.append("X-Rimp-Signature", `t=${t},v1=${hmac(OTHER, t, BODY)}`);
  twice.append("X-Rimp-Signature", `t=${t},v1=${hmac(SECRET, t, BODY)}`);
  assert.equal((await c.webhooks.unwrap(BODY, twice)).id, "evt_1");
  // Anything with get(name).
  const map = new Map(Object.entries(h));
  assert.equal((await c.webhooks.unwrap(BODY, map)).id, "evt_1");
  assert.equal((await c.webhooks.unwrap(BODY, { ...h, "x-rimp-delivery": undefined })).deliveryId, null);
});

test("without Web Crypto the rejection is crypto_unavailable", async (t) => {
  const desc = Object.getOwnPropertyDescriptor(globalThis, "crypto");
  if (!desc?.configurable) {
    t.skip("globalThis.crypto is not configurable here");
    return;
  }
  const real = globalThis.crypto;
  Object.defineProperty(globalThis, "crypto", { value: { getRandomValues: (b) => real.getRandomValues(b) }, configurable: true, writable: true });
  try {
    const c = new pkg.RimpClient({ webhookSecret: SECRET });
    const e = await expectCode(c.webhooks.unwrap(BODY, signed(BODY)), "crypto_unavailable");
    assert.match(e.message, /secure context/);
  } finally {
    Object.defineProperty(globalThis, "crypto", desc);
  }
  const c = new pkg.RimpClient({ webhookSecret: SECRET });
  assert.equal((await c.webhooks.unwrap(BODY, signed(BODY))).id, "evt_1");
});

test("the secret never appears in an error, String(error), JSON or the client", async () => {
  const c = new pkg.RimpClient({ webhookSecret: SECRET });
  // Failures whose text could echo a secret: a bad call secret, a header that holds the secret.
  await expectOption(c.webhooks.unwrap(BODY, signed(BODY), { secret: OTHER + "\n" }), "secret");
  await expectCode(c.webhooks.unwrap(BODY, { "x-rimp-signature": `t=1,v1=${SECRET}` }), "malformed_signature");
  await expectCode(c.webhooks.unwrap(SECRET, { "x-rimp-signature": `t=${nowSec()},v1=${hmac(SECRET, nowSec(), SECRET)}` }), "invalid_payload");
  assert.ok(errors.length > 40, `${errors.length} errors collected`);
  for (const e of errors) {
    const views = [e.message, String(e), JSON.stringify(e), JSON.stringify({ ...e }), e.stack ?? "", String(e.rawBody), String(e.param)];
    for (const v of views) {
      assert.ok(!v.includes(SECRET) && !v.includes(OTHER), `${e.code}: ${v}`);
    }
  }
  for (const v of [JSON.stringify(c), String(c), JSON.stringify(c.toJSON())]) {
    assert.ok(!v.includes(SECRET), v);
  }
});

// ---- End to end with rimp-mock ----

test("end to end: rimp-mock's signed deliveries, and its bad_signature and old_timestamp faults", async (t) => {
  const mock = spawn(`${root}target/release/rimp-mock`, ["--host", "127.0.0.1", "--port", "0", "--time-scale", "0.01"], { stdio: ["ignore", "pipe", "inherit"] });
  t.after(() => mock.kill());
  const [line] = await once(createInterface({ input: mock.stdout }), "line");
  const base = /listening on (http:\S+)/.exec(line)[1];
  const control = (path, body) => fetch(base + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  // The receiver: verifies each delivery with the raw body and Node's req.headers, answers 204
  // or 400 (so the mock retries a refused one), and records each outcome.
  let client;
  let secret;
  const outcomes = [];
  let waiters = [];
  const receiver = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const raw = Buffer.concat(chunks);
      let outcome;
      try {
        outcome = { ok: true, event: await client.webhooks.unwrap(raw, req.headers, { secret }), headers: req.headers };
      } catch (e) {
        outcome = { ok: false, error: e, headers: req.headers };
      }
      res.writeHead(outcome.ok ? 204 : 400).end();
      outcomes.push(outcome);
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    });
  });
  await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
  t.after(() => receiver.close());
  const url = `http://127.0.0.1:${receiver.address().port}/hooks/rimp`;
  const until = async (n) => {
    const deadline = Date.now() + 15_000;
    while (outcomes.length < n) {
      assert.ok(Date.now() < deadline, `only ${outcomes.length} of ${n} deliveries arrived`);
      await new Promise((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
  };

  client = new pkg.RimpClient({ baseUrl: base, apiKey: "sk_test_whe2e", retryDelayMs: 10 });
  const hook = await client.webhooks.create({ url, events: ["generation.completed"] });
  assert.match(hook.secret, /^whsec_/);
  secret = hook.secret;

  // 1. A delivery that verifies.
  const gen = await client.images.generate({ model: "flux-pro", prompt: "a lighthouse" });
  await until(1);
  const first = outcomes[0];
  assert.ok(first.ok, first.error?.message);
  assert.equal(first.event.type, "generation.completed");
  assert.match(first.event.id, /^evt_/);
  assert.match(first.event.deliveryId, /^whd_/);
  assert.equal(first.event.data.id, gen.id);
  assert.equal(first.event.data.generation_id, gen.id);

  // 2. bad_signature: the attempt is refused, its retry (signed correctly) accepted, same ids.
  await control("/__mock/webhooks/faults", { action: { type: "bad_signature" } });
  const gen2 = await client.images.generate({ model: "flux-pro", prompt: "a harbour" });
  await until(3);
  const [bad, retried] = outcomes.slice(1, 3);
  assert.equal(bad.ok, false);
  assert.ok(bad.error instanceof pkg.WebhookVerificationError);
  assert.equal(bad.error.code, "signature_mismatch");
  assert.ok(retried.ok, retried.error?.message);
  assert.equal(retried.event.data.id, gen2.id);
  assert.equal(retried.event.deliveryId, bad.headers["x-rimp-delivery"]);

  // 3. old_timestamp: a correct HMAC for a t ten minutes ago is refused by the tolerance.
  await control("/__mock/webhooks/faults", { event: "generation.completed", action: { type: "old_timestamp", age_s: 600 } });
  const gen3 = await client.images.generate({ model: "flux-pro", prompt: "a pier" });
  await until(5);
  const [old, again] = outcomes.slice(3, 5);
  assert.equal(old.ok, false);
  assert.equal(old.error.code, "timestamp_out_of_tolerance");
  assert.ok(again.ok, again.error?.message);
  assert.equal(again.event.data.id, gen3.id);
  assert.ok(!String(old.error.message).includes(secret));

  // The mock's log agrees: the faulted attempts failed, the retries succeeded.
  // (The mock records an attempt's outcome once our 204 has reached it: poll briefly.)
  let log = [];
  for (let i = 0; i < 50; i++) {
    log = await (await fetch(`${base}/__mock/webhooks/deliveries?org=whe2e`)).json();
    if (log.length === 3 && log.every((d) => d.status === "succeeded")) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(log.map((d) => d.status), ["succeeded", "succeeded", "succeeded"], JSON.stringify(log.map((d) => d.attempts)));
  assert.deepEqual(log.map((d) => d.attempts.map((a) => a.fault_type)), [[null], ["bad_signature", null], ["old_timestamp", null]]);
});
