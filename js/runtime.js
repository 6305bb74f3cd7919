// The public `RimpClient`: a thin JS shell over the wasm core (`RimpCore`, exported by
// src/wasm/mod.rs). The shell makes no decisions; it exists so that the page never needs a
// reload:
// - it instantiates the wasm on first use (synchronously, from bytes the entry provides), so an
//   import has no top-level await and `new RimpClient()` still validates synchronously;
// - it keeps each client's options, so that if the instance ever dies (see js/guard.js) the
//   client is rebuilt on a fresh instance at its next call;
// - it settles every call's promise: the calls in flight when an instance dies reject with a
//   `RimpError` (code `instance_restarted`) instead of hanging.
import * as glue from "./rimp_client.js";
import { deathCause, memoryBytes, onDeath } from "./guard.js";
import { RimpError, isRimpError } from "./errors.js";

/** Where the wasm comes from: a function returning bytes or a `WebAssembly.Module`, or null. */
let source = null;
/** Bumped each time an instance starts; a client's core belongs to one generation. */
let generation = 0;
let live = false;
/** The reject functions of the calls in flight on the live instance. */
const pending = new Set();

onDeath((cause) => {
  live = false;
  const calls = [...pending];
  pending.clear();
  for (const reject of calls) reject(restarted(cause));
});

function restarted(cause) {
  return new RimpError(
    "the client's WebAssembly instance failed and was restarted; this call did not complete (a POST may or may not have reached the server: retry it with the same idempotencyKey if you passed one)",
    { code: "instance_restarted", retryable: true },
    { cause },
  );
}

/** Used by the entries: how to get the wasm for a synchronous start. */
export function setSource(load) {
  source = load;
}

/** True once an instance has started (or `init` has run). */
export function isReady() {
  return generation > 0;
}

function initFailed(message, cause) {
  return new RimpError(message, { code: "init_failed" }, cause === undefined ? undefined : { cause });
}

/**
 * Starts the first instance from `module` (bytes or a compiled module). A module that is not
 * this package's (another version's file, say) is refused before anything is instantiated, so
 * a later call with the right one still works.
 */
export function startWith(module) {
  if (generation > 0) return;
  let m = module;
  if (!(m instanceof WebAssembly.Module)) {
    try {
      m = new WebAssembly.Module(m);
    } catch (e) {
      throw initFailed(compileFailure(e), e);
    }
  }
  const exported = new Set(WebAssembly.Module.exports(m).map((e) => e.name));
  if (!exported.has("__wbindgen_start") || !exported.has("rimpcore_new")) {
    throw initFailed("rimp-client: this WebAssembly module is not rimp-client's (a .wasm file from another version of the package?)");
  }
  try {
    glue.initSync({ module: m });
  } catch (e) {
    throw initFailed("rimp-client: the WebAssembly module could not be instantiated (a .wasm file from another version of the package?)", e);
  }
  generation = 1;
  live = true;
}

/** Why compiling the wasm failed, in words a page author can act on (also used by rimp-client/manual). */
export function compileFailure(e) {
  const why = describe(e);
  // Chromium: "Refused to compile or instantiate WebAssembly module because 'unsafe-eval' is
  // not an allowed source of script in the following Content Security Policy directive: …";
  // Firefox and Safari word it differently but name the policy too.
  if (/content.security.policy|unsafe-eval|\bCSP\b/i.test(why)) {
    return "rimp-client: the page's Content-Security-Policy does not allow WebAssembly: add 'wasm-unsafe-eval' to its script-src (" + why + ")";
  }
  return "rimp-client: the WebAssembly module could not be compiled (" + why + "); if you passed the bytes yourself, they are not this package's .wasm file";
}

/** Makes sure a live instance runs: the first one from `source`, later ones fresh after a death. */
function engine() {
  if (live) return;
  if (generation === 0) {
    const module = source === null ? null : source();
    if (module === null) {
      throw new RimpError(
        "rimp-client/manual: call `await init()` (or `initSync(...)`) before `new RimpClient()`",
        { code: "not_initialized" },
      );
    }
    startWith(module);
    return;
  }
  glue.__wbg_reset_state();
  generation += 1;
  live = deathCause() === null;
}

function internal(e) {
  return isRimpError(e)
    ? e
    : new RimpError("rimp-client failed unexpectedly: " + describe(e), { code: "internal_error" }, { cause: e });
}

function describe(e) {
  try {
    return e instanceof Error ? e.message : String(e);
  } catch {
    return "an unprintable value";
  }
}

/**
 * Settles with `p`. A rejection's stack is taken again here: the one it was made with shows
 * only wasm and glue frames, which say nothing to the caller, while one taken in this async
 * function shows the caller's own async frames (`at async loadGallery (app.js:12)`) in V8
 * engines (Chromium, Node, Deno, Edge) as it does with ky. Elsewhere the stack is left alone.
 */
async function settled(p) {
  try {
    return await p;
  } catch (e) {
    if (typeof Error.captureStackTrace === "function" && e instanceof Error) {
      try {
        Error.captureStackTrace(e, settled);
      } catch {
        // A frozen or exotic error keeps its stack.
      }
    }
    throw e;
  }
}

/** Settles with `p`, or rejects with `instance_restarted` if the instance dies first. */
function track(p) {
  return new Promise((resolve, reject) => {
    pending.add(reject);
    p.then(
      (v) => {
        pending.delete(reject);
        resolve(v);
      },
      (e) => {
        pending.delete(reject);
        reject(internal(e));
      },
    );
  });
}

/** The Rimp API client. See the README for every option and method. */
export class RimpClient {
  #options;
  #core = null;
  #gen = 0;

  constructor(options) {
    this.#options = options;
    this.#use();
    RimpClient.#install();
  }

  /** This client's core on the live instance (rebuilt from the options after a restart). */
  #use() {
    engine();
    if (this.#gen !== generation || this.#core === null) {
      let core;
      try {
        core = new glue.RimpCore(this.#options);
      } catch (e) {
        if (!live) throw restarted(deathCause());
        throw internal(e);
      }
      if (!live) throw restarted(deathCause());
      this.#core = core;
      this.#gen = generation;
    }
    return this.#core;
  }

  #run(f) {
    let p;
    try {
      p = f(this.#use());
    } catch (e) {
      return Promise.reject(live ? internal(e) : restarted(deathCause()));
    }
    if (!live) return Promise.reject(restarted(deathCause()));
    return settled(track(p));
  }

  /** Sends one request with the client's retry rules; resolves to a `RimpResponse`. */
  request(method, path, options) {
    return this.#run((core) => core.request(method, path, options));
  }

  /** A JSON view with the key redacted. */
  toJSON() {
    return this.#use().toJSON();
  }

  /** `RimpClient(<baseUrl>)`, never the key. */
  toString() {
    return this.#use().toString();
  }

  /**
   * Diagnostics for tests and bug reports (not a stable API):
   * `RimpClient[Symbol.for("rimp-client.diagnostics")]()` gives the instance generation (1,
   * +1 per restart), the wasm memory size in bytes, and the calls in flight.
   */
  static [Symbol.for("rimp-client.diagnostics")]() {
    return { generation, live, memoryBytes: memoryBytes(), pending: pending.size };
  }

  // `client.images`, `client.generations`, …: plain objects made once per client, on first
  // use, from the core's method table (`surface()`: "images.generate,videos.create,…"; a
  // method's position is its index for `core.call`). Installed on the prototype when the first
  // client is made (the table comes from the wasm).
  static #installed = false;
  static #install() {
    if (RimpClient.#installed) return;
    RimpClient.#installed = true;
    const byNs = new Map();
    glue.surface().split(",").forEach((name, index) => {
      const [ns, method] = name.split(".");
      if (!byNs.has(ns)) byNs.set(ns, []);
      byNs.get(ns).push([method, index]);
    });
    const made = new WeakMap();
    for (const [ns, methods] of byNs) {
      Object.defineProperty(RimpClient.prototype, ns, {
        configurable: true,
        enumerable: false,
        get() {
          let all = made.get(this);
          if (all === undefined) {
            all = {};
            made.set(this, all);
          }
          if (all[ns] === undefined) {
            const obj = {};
            for (const [m, i] of methods) obj[m] = (a, b, c) => this.#run((core) => core.call(i, a, b, c));
            all[ns] = Object.freeze(obj);
          }
          return all[ns];
        },
      });
    }
  }
}


