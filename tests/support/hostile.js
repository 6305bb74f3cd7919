// Hostile caller values and the "nothing escapes" property, shared by tests/js/hostile.test.mjs
// (Node) and tests/js/browser-hostile.test.mjs (bundled with fast-check by esbuild and run in
// headless Chromium). No Node-only API here: it must run in a page as is.
//
// The property: whatever value a caller passes, as client options, call options, params or ids,
// - the constructor returns a client or throws synchronously one of the documented errors
//   (`InvalidRequestError` `invalid_option`/`insecure_base_url` with a `param`, or `RimpError`
//   `browser_api_key` where a document exists);
// - every call returns a promise (never throws synchronously) that settles, within a guard,
//   with a success or a `RimpError` (and never `internal_error` / `instance_restarted`, which
//   would mean a caller's exception got past the boundary).

/** The options every client and call reads (plus a few it does not). */
export const CLIENT_KEYS = ["apiKey", "baseUrl", "maxRetries", "retryDelayMs", "maxRetryDelayMs", "maxRetryAfterMs",
  "timeoutMs", "headers", "fetch", "onRetry", "retryBudget", "fetchOptions", "allowInsecureHttp",
  "dangerouslyAllowBrowser", "logger", "logLevel", "then", "toJSON", "__proto__", "constructor"];
export const CALL_KEYS = ["signal", "headers", "idempotencyKey", "query", "body", "timeoutMs", "maxRetries",
  "withResponse", "onProgress", "intervalMs", "maxIntervalMs", "then", "toJSON", "valueOf"];
export const PARAM_KEYS = ["model", "prompt", "name", "url", "events", "models", "scopes", "input", "messages",
  "image", "from", "to", "period", "limit", "cursor", "status", "toJSON", "then"];

/** What the stub fetch answers: a terminal status, so `waitFor` resolves too (and calls onProgress). */
export const OK_BODY = '{"ok":true,"status":"succeeded","id":"gen_1"}';

export function okFetch() {
  return Promise.resolve(new Response(OK_BODY, { status: 200, headers: { "content-type": "application/json" } }));
}

const HUGE = "x".repeat(1 << 20) + "\u00e9";
const HUGE_KEY = "k".repeat(1 << 20);

function boom() {
  throw new Error("hostile");
}

function handled(p) {
  p.catch(() => {});
  return p;
}

function revoked(target = {}) {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

/** A Proxy whose every trap throws (the handler itself is a Proxy that answers every trap name). */
function allTrapsThrow(target = {}) {
  return new Proxy(target, new Proxy({}, { get: () => boom }));
}

function throwingGetters(keys) {
  const o = {};
  for (const k of [...keys, "then", "toJSON", Symbol.toPrimitive, "toString", "valueOf", "length", "aborted",
    "addEventListener", "reason", "status", "headers", "text"]) {
    Object.defineProperty(o, k, { get: boom, enumerable: true, configurable: true });
  }
  return o;
}

function cyclic() {
  const o = { model: "m", prompt: "p" };
  o.self = o;
  o.list = [o];
  return o;
}

class Thing {
  constructor() {
    this.model = "m";
    this.prompt = "p";
  }
}

/** Hostile `fetch` implementations: all settle promptly (never hang), none touches the network. */
const HOSTILE_FETCHES = [
  () => okFetch,
  () => () => undefined,
  () => async () => ({ status: 200 }),
  () => async () => ({ get status() { return boom(); } }),
  () => async () => ({ status: 200, headers: revoked(), text: async () => OK_BODY }),
  () => async () => ({ status: 200, headers: allTrapsThrow(), text: async () => OK_BODY }),
  () => async () => ({ status: 503, headers: new Headers(), text: async () => 42 }),
  () => async () => ({ status: NaN, headers: new Headers(), text: async () => ({ toString: boom }) }),
  () => async () => ({ status: 1e9, headers: { get: () => ({ toString: boom }) }, text: async () => "{" }),
  () => async () => ({ status: { [Symbol.toPrimitive]: boom }, headers: new Headers(), text: async () => "" }),
  () => async () => ({ status: 200, headers: new Headers(), text: boom }),
  () => async () => ({ status: 500, headers: new Headers({ "retry-after": "0" }), text: async () => revoked() }),
  () => () => ({ then: boom }),
  () => () => ({ get then() { return boom(); } }),
  // Rejected promises made by the caller are marked handled here: as `fetch` the client still sees
  // the rejection; as `onRetry`/`onProgress` (whose result the client ignores) an unhandled
  // rejection would be the caller's own (see the todo test in faults.test.mjs).
  () => () => handled(Promise.reject(revoked())),
  () => () => handled(Promise.reject(allTrapsThrow())),
  () => () => handled(Promise.reject(throwingGetters(["message", "name"]))),
  () => () => { throw revoked(); },
  () => () => { throw Symbol("thrown"); },
  () => boom,
  () => class {},
  () => Math.max,
  () => revoked(function () {}),
  () => allTrapsThrow(function () {}),
];

/** Every hostile leaf the brief lists, each a factory (Proxies and cycles are made fresh per run). */
const LEAVES = [
  () => undefined, () => null, () => true, () => false,
  () => 0, () => -0, () => NaN, () => Infinity, () => -Infinity, () => 1, () => -1, () => 1.5, () => 2 ** 53,
  () => Number.MAX_VALUE, () => 5e-324,
  () => 10n, () => -(2n ** 70n), () => Symbol("s"), () => Symbol.for("rimp"), () => Symbol.iterator,
  () => "", () => HUGE, () => "GET", () => "POST", () => "DELETE", () => "/v1/models", () => "v1/../../x",
  () => "https://api.rimp.io", () => "http://api.rimp.io", () => "http://127.0.0.1:1", () => "javascript:alert(1)",
  () => "sk_test_abcdefgh12345", () => "\u0000\n\r\t", () => "\u00e9\u20ac\ud83d\ude00\ud800", () => "x".repeat(300),
  () => "gen_123", () => "a/b?c#d", () => "__proto__",
  () => revoked(), () => revoked([]), () => revoked(function () {}),
  () => allTrapsThrow(), () => allTrapsThrow([]), () => allTrapsThrow(function () {}),
  () => throwingGetters([...CLIENT_KEYS, ...CALL_KEYS, ...PARAM_KEYS]),
  () => ({ then: boom }), () => ({ then: (resolve) => resolve(revoked()) }), () => ({ toJSON: boom }),
  () => ({ [Symbol.toPrimitive]: boom, toString: boom, valueOf: boom }),
  () => ({ toJSON: () => revoked() }), () => ({ toJSON: () => 10n }),
  cyclic, () => { const a = []; a.push(a); return a; },
  () => function () {}, () => async () => {}, () => boom, () => class {}, () => Math.max,
  () => [], () => [1, "a", null], () => [, , 1], () => ["x-a", "1"],
  () => new Map([["model", "m"], ["x-a", "1"]]), () => new Set([1]), () => new Headers({ "x-a": "1" }),
  () => new Date(0), () => new Date(NaN), () => new Thing(), () => new Error("e"), () => /re/g,
  () => Object.create(null), () => Object.assign(Object.create(null), { model: "m", prompt: "p", "x-a": "1" }),
  () => Object.freeze({ model: "m", prompt: "p" }), () => Object.freeze([]), () => Object.seal({ a: 1 }),
  () => ({}), () => ({ model: "m", prompt: "p" }), () => ({ "x-trace": "abc" }), () => ({ a: "b", n: 1, t: true }),
  () => ({ "Idempotency-Key": "k" }), () => ({ "bad header": "v" }), () => ({ "x-a": "\n" }),
  () => ({ [HUGE_KEY]: "v" }), () => ({ "x-huge": HUGE }),
  () => ({ capacity: 1, retryCost: 1 }), () => ({ capacity: -1 }), () => ({ credentials: "include", method: "PUT" }),
  () => new AbortController().signal,
  () => { const c = new AbortController(); c.abort(revoked()); return c.signal; },
  () => { const c = new AbortController(); c.abort(allTrapsThrow()); return c.signal; },
  () => ({ get aborted() { return boom(); }, addEventListener: boom, reason: 1 }),
  () => ({ aborted: true, get reason() { return boom(); }, addEventListener() {} }),
  () => ({ aborted: false, addEventListener: boom, removeEventListener: boom }),
  () => new Proxy({ aborted: false, addEventListener() {} }, { get: (t, k) => (k === "aborted" ? boom() : t[k]) }),
  () => new Uint8Array(4), () => new ArrayBuffer(8), () => new WeakMap(), () => Object(1n), () => Object(Symbol("b")),
  () => new Promise(() => {}), () => Promise.resolve(1),
  ...HOSTILE_FETCHES,
];

/** A valid value for each option key (n picks among several), so that some hostile records get
 * deep: to fetch, retries and onProgress. */
const GOOD = {
  apiKey: () => "sk_test_abcdefgh12345", baseUrl: () => "http://localhost:1", maxRetries: () => 2, retryDelayMs: () => 0,
  maxRetryDelayMs: () => 1, maxRetryAfterMs: () => 5, timeoutMs: () => 50, headers: () => ({ "x-trace": "t" }),
  fetch: (n) => HOSTILE_FETCHES[n % HOSTILE_FETCHES.length](), onRetry: () => boom, onProgress: () => boom,
  retryBudget: () => false, fetchOptions: () => ({ credentials: "include", signal: revoked(), headers: revoked() }),
  allowInsecureHttp: () => true, dangerouslyAllowBrowser: (n) => n % 2 === 0,
  signal: (n) => (n % 2 ? new AbortController().signal : AbortSignal.timeout(1)), idempotencyKey: () => "k-1",
  query: () => ({ a: 1, b: true, c: "x" }), body: () => ({ a: [1, "b"] }), withResponse: () => true,
  intervalMs: () => 1, maxIntervalMs: () => 2,
  logLevel: (n) => ["off", "error", "warn", "info", "debug"][n % 5],
  logger: (n) => [
    { debug: boom, info: boom, warn: boom, error: boom },
    { get debug() { return boom(); }, get warn() { return boom(); } },
    revoked(), allTrapsThrow(), allTrapsThrow(function () {}),
    { debug: () => handled(Promise.reject(revoked())), warn: () => ({ then: boom }) },
    { debug() {}, info() {}, warn() {}, error() {} },
  ][n % 7],
  model: () => "m", prompt: () => "p", name: () => "n", url: () => "https://example.com/hook", events: () => ["generation.succeeded"],
};

/**
 * Builds the arbitraries with the given fast-check module (Node import or the page's bundle).
 * They generate plain *specs* (numbers, strings, arrays): fast-check reads properties of the
 * values it generates (its clone symbol, when printing), which a hostile value would not let it
 * do. `materialize(spec)` makes the hostile value, fresh, inside the property.
 */
export function arbitraries(fc) {
  const leaf = fc.integer({ min: 0, max: LEAVES.length - 1 }).map((i) => ({ leaf: i }));
  const fetchLike = fc.integer({ min: 0, max: HOSTILE_FETCHES.length - 1 }).map((i) => ({ fetch: i }));
  const keyOf = (keys) => fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) });

  // Nested mixes: arrays and records of leaves, records wrapped (frozen, null prototype, getters,
  // Proxies whose traps throw).
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      { weight: 6, arbitrary: leaf },
      { weight: 1, arbitrary: fc.array(tie("value"), { maxLength: 3 }).map((arr) => ({ arr })) },
      { weight: 2, arbitrary: tie("record") },
    ),
    record: fc.record({
      rec: fc.array(fc.tuple(keyOf([...CLIENT_KEYS, ...CALL_KEYS, ...PARAM_KEYS]), tie("value"), fc.nat(9)), { maxLength: 4 }),
      shape: fc.nat(6),
      base: fc.constant(null),
    }),
  }));

  /** Options: a bare hostile value (1 in 4), or a record over `base` with hostile entries for `keys`. */
  function options(keys, base) {
    const entryValue = fc.oneof({ weight: 3, arbitrary: value }, { weight: 1, arbitrary: fetchLike },
      { weight: 3, arbitrary: fc.nat(99).map((good) => ({ good })) });
    return fc.oneof(
      // A bare value; a record among them gets `base` too (so a client keeps the fast retry
      // delays unless a fuzzed key replaces them).
      { weight: 1, arbitrary: value.map((v) => ("rec" in v && v.base === null ? { ...v, base } : v)) },
      {
        weight: 3,
        arbitrary: fc.record({
          rec: fc.array(fc.tuple(keyOf(keys), entryValue, fc.nat(9)), { maxLength: 5, size: "small" }),
          shape: fc.nat(8),
          base: fc.constant(base),
        }),
      },
    );
  }

  const id = fc.oneof({ weight: 3, arbitrary: value }, { weight: 1, arbitrary: fc.constantFrom("gen_1", "cmp_1", "key_1").map((str) => ({ str })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((str) => ({ str })) });
  const str = (arb) => arb.map((s) => ({ str: s }));
  return { value, leaf, options, id, fetchLike, str };
}

/** The hostile value a spec describes (made fresh each time). `bases` names the base records. */
export function materialize(spec, bases) {
  if (spec === undefined) return undefined;
  if ("leaf" in spec) return LEAVES[spec.leaf]();
  if ("fetch" in spec) return HOSTILE_FETCHES[spec.fetch]();
  if ("str" in spec) return spec.str;
  if ("arr" in spec) return spec.arr.map((s) => materialize(s, bases));
  const base = spec.base === null ? {} : bases[spec.base]();
  const o = spec.shape === 2 ? Object.assign(Object.create(null), base) : { ...base };
  let trapKey = null;
  for (const [k, vs, how] of spec.rec) {
    const v = "good" in vs ? (Object.hasOwn(GOOD, k) ? GOOD[k](vs.good) : undefined) : materialize(vs, bases);
    if (how === 0) Object.defineProperty(o, k, { get: boom, enumerable: true, configurable: true });
    else if (how === 1) Object.defineProperty(o, k, { get: () => v, enumerable: true, configurable: true });
    else if (how === 2) Object.defineProperty(o, k, { value: v, enumerable: false, configurable: true });
    else if (how === 3) trapKey = k;
    else if (k === "__proto__" && how === 9) {
      // The prototype itself hostile (a revoked Proxy, a class instance, …), when it can be one.
      if (v !== null && (typeof v === "object" || typeof v === "function")) {
        try {
          Object.setPrototypeOf(o, v);
        } catch {
          // A Proxy whose traps throw refuses it: leave the prototype.
        }
      }
    } else Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  }
  switch (spec.shape) {
    case 1: return Object.freeze(o);
    case 3: return new Proxy(o, { get: (t, k, r) => (k === trapKey ? boom() : Reflect.get(t, k, r)) });
    case 4: return new Proxy(o, { ownKeys: boom, getOwnPropertyDescriptor: boom });
    case 5: return new Proxy(o, { getPrototypeOf: boom, has: boom });
    default: return o;
  }
}

/** Each method as [namespace, method, slots]; each slot says what the argument is. */
export const METHODS = [
  [null, "request", ["method", "path", "request"]],
  ["images", "generate", ["params", "call"]],
  ["videos", "create", ["params", "call"]],
  ["music", "create", ["params", "call"]],
  ["threeD", "create", ["params", "call"]],
  ["upscale", "create", ["params", "call"]],
  ["chat", "create", ["params", "call"]],
  ["generations", "get", ["id", "call"]],
  ["generations", "cancel", ["id", "call"]],
  ["generations", "waitFor", ["id", "wait"]],
  ["comparisons", "create", ["params", "call"]],
  ["comparisons", "get", ["id", "call"]],
  ["comparisons", "waitFor", ["id", "wait"]],
  ["usage", "get", ["params", "call"]],
  ["models", "list", ["call"]],
  ["apiKeys", "create", ["params", "call"]],
  ["apiKeys", "update", ["id", "params", "call"]],
  ["apiKeys", "revoke", ["id", "call"]],
  ["webhooks", "create", ["params", "call"]],
];

/**
 * Runs the property. `pkg` is the package's module namespace. Returns figures; `failures` lists
 * the first few counterexamples in words (empty when the property holds).
 */
export async function runHostileProperty({ fc, pkg, runs, seed, guardMs = 10000, slowLog = false, baseUrl = "http://127.0.0.1:1" }) {
  const { RimpClient, isRimpError, InvalidRequestError, RimpError } = pkg;
  const inPage = typeof document !== "undefined";
  const A = arbitraries(fc);
  const bases = {
    client: () => ({ baseUrl, fetch: okFetch, retryDelayMs: 1, maxRetryDelayMs: 2, maxRetries: 1,
      timeoutMs: 2000, dangerouslyAllowBrowser: true }),
    call: () => ({}),
    params: () => ({ model: "m", prompt: "p" }),
    wait: () => ({ intervalMs: 1 }),
  };
  const good = new RimpClient(bases.client());
  const figures = { slowestMs: 0, runs: 0, constructed: 0, constructorErrors: 0, calls: 0, resolved: 0, rejected: 0, codes: {}, constructorCodes: {} };
  const failures = [];
  const fail = (what) => {
    if (failures.length < 5) failures.push(what);
    return false;
  };

  const slotArb = {
    method: fc.oneof({ weight: 1, arbitrary: A.str(fc.constantFrom("GET", "POST", "PATCH", "DELETE", "HEAD", "PUT")) }, { weight: 2, arbitrary: A.value }),
    path: fc.oneof({ weight: 1, arbitrary: A.str(fc.constantFrom("/v1/models", "/v1/generations/gen_1", "v1/x", "")) }, { weight: 2, arbitrary: A.value }),
    params: fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: A.options(PARAM_KEYS, "params") }),
    id: A.id,
    call: A.options(CALL_KEYS, "call"),
    request: A.options(CALL_KEYS, "call"),
    wait: A.options(CALL_KEYS, "wait"),
  };
  const callArb = fc.integer({ min: 0, max: METHODS.length - 1 }).chain((m) => {
    const [, , slots] = METHODS[m];
    return fc.tuple(fc.constant(m), fc.tuple(...slots.map((s) => slotArb[s])), fc.nat(slots.length));
  });

  const property = fc.asyncProperty(A.options(CLIENT_KEYS, "client"), fc.array(callArb, { minLength: 1, maxLength: 3 }),
    async (clientSpec, calls) => {
      figures.runs += 1;
      const runStart = performance.now();
      const clientOptions = materialize(clientSpec, bases);
      let client = good;
      try {
        client = new RimpClient(clientOptions);
        figures.constructed += 1;
      } catch (e) {
        figures.constructorErrors += 1;
        const code = safely(() => `${e.name}/${e.code}`) || "unreadable";
        figures.constructorCodes[code] = (figures.constructorCodes[code] ?? 0) + 1;
        const documented = safely(() => (e instanceof InvalidRequestError && (e.code === "invalid_option" || e.code === "insecure_base_url")
            && typeof e.param === "string" && e.param !== "")
          || (inPage && e instanceof RimpError && e.code === "browser_api_key"));
        if (!documented) {
          return fail(`constructor threw ${describe(e)}`);
        }
      }
      const settled = [];
      for (const [m, argSpecs, cut] of calls) {
        const [ns, method] = METHODS[m];
        const args = argSpecs.map((spec) => materialize(spec, bases));
        // Sometimes fewer arguments than the method takes (undefined in the tail).
        const given = cut === 0 ? args : args.slice(0, args.length - cut + 1);
        figures.calls += 1;
        let p;
        try {
          p = ns === null ? client.request(...given) : client[ns][method](...given);
        } catch (e) {
          return fail(`${ns ?? "client"}.${method} threw synchronously: ${describe(e)}`);
        }
        if (!(p instanceof Promise)) return fail(`${ns ?? "client"}.${method} returned ${typeof p}, not a promise`);
        settled.push(p.then(
          () => ({ ok: true }),
          (e) => ({ ok: false, e, where: `${ns ?? "client"}.${method}` }),
        ));
      }
      let timer;
      const guard = new Promise((resolve) => {
        timer = setTimeout(() => resolve("timeout"), guardMs);
      });
      const outcome = await Promise.race([Promise.all(settled), guard]);
      clearTimeout(timer);
      const took = performance.now() - runStart;
      if (took > figures.slowestMs) {
        figures.slowestMs = Math.round(took);
        if (slowLog) figures.slowest = JSON.stringify([clientSpec, calls]);
      }
      if (outcome === "timeout") return fail(`a call did not settle within ${guardMs} ms`);
      for (const r of outcome) {
        if (r.ok) {
          figures.resolved += 1;
          continue;
        }
        figures.rejected += 1;
        if (!safely(() => isRimpError(r.e))) return fail(`${r.where} rejected with a non-RimpError: ${describe(r.e)}`);
        const code = `${r.e.name}/${r.e.code}`;
        figures.codes[code] = (figures.codes[code] ?? 0) + 1;
        if (code === "internal_error" || code === "instance_restarted") {
          return fail(`${r.where} rejected with ${code}: ${describe(r.e)}`);
        }
      }
      return true;
    });

  const started = performance.now();
  let error = null;
  try {
    await fc.assert(property, { numRuns: runs, seed });
  } catch (e) {
    error = String(e && e.message ? e.message : e).slice(0, 4000);
  }
  figures.ms = Math.round(performance.now() - started);
  return { ...figures, failures, error };
}

/** `f()`, or false when it throws (a hostile value escaping as a rejection would throw in `instanceof`). */
function safely(f) {
  try {
    return f();
  } catch {
    return false;
  }
}

function describe(e) {
  try {
    if (e === null || (typeof e !== "object" && typeof e !== "function")) return String(typeof e === "symbol" ? e.description : e);
    return `${e.name}(code ${e.code}, param ${e.param}): ${String(e.message).slice(0, 300)}`;
  } catch {
    return "an unprintable value";
  }
}

/**
 * The cheap run: `count` calls (and constructions) with values from a small fixed pool, in a
 * plain loop, awaited in batches. Returns figures and the first few failures.
 */
export async function runCheapLoop({ pkg, count, baseUrl = "http://127.0.0.1:1", batch = 2000 }) {
  const { RimpClient, isRimpError, InvalidRequestError } = pkg;
  const client = new RimpClient({ baseUrl, fetch: okFetch, maxRetries: 0, dangerouslyAllowBrowser: true });
  const pool = [() => revoked(), () => allTrapsThrow(), () => Symbol("s"), () => 1n, () => NaN, () => -0, () => Infinity,
    () => ({ get signal() { return boom(); } }), () => ({ headers: revoked() }), () => ({ body: 1n }), () => ({ query: { a: NaN } }),
    () => ({ signal: { aborted: 1, addEventListener: 1 } }), () => [], () => new Map(), () => boom, () => cyclic(),
    () => ({ then: boom }), () => ({ timeoutMs: -1 }), () => Object.create(null), () => "x"];
  const figures = { values: 0, calls: 0, constructions: 0, resolved: 0, rejected: 0 };
  const failures = [];
  let pending = [];
  const flush = async () => {
    for (const r of await Promise.all(pending)) {
      if (r === true) figures.resolved += 1;
      else if (safely(() => isRimpError(r)) && r.code !== "internal_error" && r.code !== "instance_restarted") figures.rejected += 1;
      else if (failures.length < 5) failures.push(describe(r));
    }
    pending = [];
  };
  // Each iteration passes two fresh hostile values (`count` is the number of values).
  for (let i = 0; figures.values < count; i++) {
    const v = pool[i % pool.length]();
    const w = pool[(i * 7 + 3) % pool.length]();
    figures.values += 2;
    try {
      let p;
      switch (i % 5) {
        case 0: p = client.request("GET", "/v1/models", v); break;
        case 1: p = client.images.generate(v, w); break;
        case 2: p = client.generations.get(v, w); break;
        case 3: p = client.request(v, w, v); break;
        default:
          try {
            new RimpClient(v);
          } catch (e) {
            if (!(e instanceof InvalidRequestError) && failures.length < 5) failures.push("constructor: " + describe(e));
          }
          figures.constructions += 1;
          p = client.usage.get(w, v);
      }
      figures.calls += 1;
      pending.push(p.then(() => true, (e) => e));
    } catch (e) {
      if (failures.length < 5) failures.push("threw synchronously: " + describe(e));
    }
    if (pending.length >= batch) await flush();
  }
  await flush();
  return { ...figures, failures };
}
