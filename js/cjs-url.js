// Injected into the CommonJS build of rimp-client/manual: the module's own URL, which the ESM
// build reads from `import.meta.url` (used to find rimp_client_bg.wasm next to the module).
export const __rimpModuleUrl =
  typeof __filename === "string"
    ? "file://" + encodeURI(__filename.replace(/\\/g, "/").replace(/^(?=[A-Za-z]:)/, "/")).replace(/[?#]/g, encodeURIComponent)
    : undefined;
