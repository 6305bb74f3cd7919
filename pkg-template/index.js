// rimp-client for browsers, workers and bundlers: loads the wasm next to this file
// (`new URL("rimp_client_bg.wasm", import.meta.url)`, which Vite and webpack 5 follow) once,
// at import, so `new RimpClient()` works with no init call.
import init from "./rimp_client.js";

await init();

export * from "./manual.js";
