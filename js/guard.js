// The fence around the WebAssembly instance. The build rewrites the wasm-bindgen glue so that
// every export it calls goes through `guardExports`: one place that sees every entry into wasm,
// whether from a client call, a timer, an event listener or a promise callback.
//
// Why: if a JS exception ever unwinds through wasm frames, or the instance traps (out of
// memory, a bug), the instance is no longer safe to run: its stack pointer and allocator may be
// mid-update. So the first exception that escapes an export marks the instance dead, nothing
// enters it again, and the listeners (js/runtime.js) reject the calls that were in flight and
// start a fresh instance on the next call. After that, entries into the dead instance return an
// inert value instead of throwing, so an old timer or promise callback firing later cannot throw
// from a microtask (which would crash Node or stall the futures queue).

/** The exception that killed the current instance, or null while it is alive. */
let dead = null;
/** The live instance's linear memory. */
let memory = null;
const listeners = [];

// What a call into a dead instance returns: reads as "no pointer, no error flag" to every
// pattern the glue uses (`ret[0]`, `ret[1]`, `ret >>> 0`).
const INERT = Object.freeze([0, 0, 0, 0]);

/** Called by the rewritten glue with a new instance's exports. */
export function guardExports(exports) {
  dead = null;
  memory = exports.memory ?? null;
  const out = {};
  for (const name of Object.keys(exports)) {
    const value = exports[name];
    out[name] = typeof value === "function" ? guard(value) : value;
  }
  return out;
}

function guard(f) {
  return function guarded(...args) {
    if (dead !== null) return INERT;
    try {
      return f.apply(this, args);
    } catch (e) {
      kill(e);
      return INERT;
    }
  };
}

function kill(e) {
  if (dead !== null) return;
  dead = e === null || e === undefined ? new Error("unknown failure") : e;
  for (const l of listeners) {
    try {
      l(dead);
    } catch {
      // A listener's failure must not stop the others.
    }
  }
}

/** Is the current instance dead? (The exception that killed it, or null.) */
export function deathCause() {
  return dead;
}

/** The size of the live instance's linear memory in bytes (it grows, never shrinks). */
export function memoryBytes() {
  return memory === null ? 0 : memory.buffer.byteLength;
}

/** Runs `listener(cause)` when an instance dies. */
export function onDeath(listener) {
  listeners.push(listener);
}
