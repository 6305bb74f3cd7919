// rimp-client for Node.js ≥ 20: reads the wasm from disk synchronously at import.
import { readFileSync } from "node:fs";
import { initSync } from "./rimp_client.js";

initSync({ module: readFileSync(new URL("./rimp_client_bg.wasm", import.meta.url)) });

export * from "./manual.js";
