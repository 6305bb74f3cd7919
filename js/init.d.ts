
/** What `init` accepts: nothing (the .wasm file next to the module), a URL (string or `URL`),
 *  a `Response`, the bytes, or a compiled `WebAssembly.Module`. */
export type InitInput = string | ArrayBuffer | ArrayBufferView | object;
/** What `initSync` accepts: the bytes, or a compiled `WebAssembly.Module`. */
export type SyncInitInput = ArrayBuffer | ArrayBufferView | object;
/** The default entry embeds the WebAssembly, so this only starts it now rather than at the
 *  first `new RimpClient()`; kept for code written for `rimp-client/manual`. */
export declare function init(input?: unknown): Promise<void>;
/** As `init`, synchronously. */
export declare function initSync(input?: unknown): void;
export default init;
