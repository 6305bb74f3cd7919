// rimp-client, default entry (browsers, workers, bundlers, Node, Deno, Bun). Edge runtimes that
// forbid compiling WebAssembly from bytes (Cloudflare Workers, Vercel Edge) use rimp-client/manual
// with `initSync({ module })` and the .wasm imported as a module instead.
// The WebAssembly is embedded (wasm-inline.js, bundled in), so there is no second file for a bundler to lose, no fetch
// of our own (a wrapped `window.fetch` never sees it) and no top-level await: the module is
// decoded and instantiated synchronously on the first `new RimpClient()`.
import { WASM_BASE64 } from "./wasm-inline.js";
import { setSource, startWith, isReady } from "./runtime.js";

// Plain base64, decoded natively. Deflating the wasm before base64 (and inflating it here with
// tiny-inflate) made this file 14 KB smaller gzipped, but cold import → first response in
// Chromium went from 0.92× ky's to 2.55× (inflating in a cold JIT): measured, and reverted.
function wasmBytes() {
  return decodeBase64(WASM_BASE64);
}

setSource(wasmBytes);

function decodeBase64(text) {
  if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(text);
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** The wasm is embedded: this starts it now instead of at the first `new RimpClient()` (any input is ignored). */
export function initSync() {
  if (!isReady()) startWith(wasmBytes());
}

/** As `initSync`; for code written for rimp-client/manual. */
export async function init() {
  initSync();
}

export default init;
export { RimpClient } from "./runtime.js";
export * from "./errors.js";
