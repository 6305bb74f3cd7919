// rimp-client/manual: the same API, with the WebAssembly as a separate file
// (rimp-client/rimp_client_bg.wasm) that you load once with `await init()` (or `initSync`)
// before `new RimpClient()`. For apps that want the wasm cached apart from their JS.
import { setSource, startWith, isReady, compileFailure } from "./runtime.js";
import { RimpError } from "./errors.js";

setSource(() => null);

const WASM_FILE = "rimp_client_bg.wasm";

function fail(message, cause) {
  return new RimpError(message, { code: "init_failed" }, cause === undefined ? undefined : { cause });
}

/** The bytes of a `file:` URL, read with Node's fs (no import statement, so bundlers see none). */
function readFileUrl(url) {
  const fs = globalThis.process?.getBuiltinModule?.("fs");
  if (!fs) {
    throw fail(`init(): cannot read ${url.href} here (no process.getBuiltinModule; Node >= 20.16 has it): pass the bytes, e.g. init({ module_or_path: fs.readFileSync(path) })`);
  }
  try {
    return fs.readFileSync(url);
  } catch (e) {
    throw fail(`init(): cannot read ${WASM_FILE} at ${url.href}: ${e && e.message}`, e);
  }
}

function defaultUrl() {
  try {
    // A literal path: bundlers (Vite, webpack) follow `new URL("./file", import.meta.url)`, but
    // Vite reads a template literal there as a glob and pulls in the whole folder.
    return new URL("./rimp_client_bg.wasm", import.meta.url);
  } catch (e) {
    throw fail(`init(): cannot locate ${WASM_FILE} next to this module: pass init({ module_or_path: url | bytes | WebAssembly.Module })`, e);
  }
}

/**
 * Loads the wasm. `input`: nothing (the file next to this module), `{ module_or_path }`, or
 * directly a URL or string, a `Response`, bytes, or a `WebAssembly.Module`. Resolves once the
 * client can be constructed; calling it again does nothing.
 */
export async function init(input) {
  if (isReady()) return;
  let src = input !== null && typeof input === "object" && "module_or_path" in input ? input.module_or_path : input;
  src = await src;
  if (src === undefined || src === null) src = defaultUrl();
  if (typeof src === "string") src = new URL(src, typeof location === "object" && location ? location.href : defaultUrl());
  if (src instanceof URL && src.protocol === "file:") src = readFileUrl(src);
  else if (src instanceof URL || (typeof Request === "function" && src instanceof Request)) {
    let res;
    try {
      res = await fetch(src);
    } catch (e) {
      throw fail(`init(): could not fetch ${WASM_FILE} from ${src.url ?? src.href}: ${e && e.message}`, e);
    }
    src = res;
  }
  if (typeof Response === "function" && src instanceof Response) {
    if (!src.ok) throw fail(`init(): ${src.url || WASM_FILE} answered ${src.status}: is ${WASM_FILE} served next to the module?`);
    src = await src.arrayBuffer();
  }
  if (!(src instanceof WebAssembly.Module)) {
    try {
      src = await WebAssembly.compile(src);
    } catch (e) {
      throw fail(compileFailure(e).replace(/^rimp-client: /, "init(): "), e);
    }
  }
  // Refuses a module that is not this package's (code init_failed); a later init() can retry.
  if (!isReady()) startWith(src);
}

/** Loads the wasm synchronously from bytes or a `WebAssembly.Module` (`{ module }` or directly). */
export function initSync(input) {
  if (isReady()) return;
  const src = input !== null && typeof input === "object" && "module" in input ? input.module : input;
  if (src === undefined || src === null) throw fail("initSync(): pass the wasm bytes or a WebAssembly.Module");
  startWith(src); // throws RimpError init_failed for bytes that are not this package's wasm
}

export default init;
export { RimpClient } from "./runtime.js";
export * from "./errors.js";
