// Turns the wasm-bindgen output into the npm package:
//   node scripts/assemble-pkg.mjs <wasm-bindgen out dir> <package dir>
// 1. Rewrites the generated glue so every wasm export goes through js/guard.js, and a callback
//    of a dead instance returns instead of throwing (see js/guard.js for why).
// 2. Stages it with js/runtime.js, js/guard.js, the entries in pkg-template/ and the wasm as
//    base64 (wasm-inline.js), then bundles each entry with esbuild into one self-contained file
//    per format: index.js / index.cjs (wasm embedded), manual.js / manual.cjs (wasm as a file).
// 3. Writes the declarations (js/*.d.ts), package.json (version checked against Cargo.toml),
//    the README and the licence, and checks that every file package.json lists exists.
import { readFileSync, writeFileSync, readdirSync, copyFileSync, existsSync, rmSync, mkdirSync, cpSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";

const root = new URL("..", import.meta.url).pathname;
const raw = resolve(root, process.argv[2] ?? "target/wasm-bindgen-out");
const pkg = resolve(root, process.argv[3] ?? "pkg");
const tpl = join(root, "pkg-template");
const stage = join(root, "target", "pkg-stage-" + pkg.split("/").pop());

function rewrite(text, from, to) {
  if (!text.includes(from)) throw new Error(`assemble-pkg: the wasm-bindgen glue has no ${JSON.stringify(from)}; update scripts/assemble-pkg.mjs for this wasm-bindgen version`);
  return text.replaceAll(from, to);
}

rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
cpSync(raw, stage, { recursive: true });
const snippets = readdirSync(join(stage, "snippets")).filter((d) => existsSync(join(stage, "snippets", d, "js", "errors.js")));
if (snippets.length !== 1) throw new Error(`expected one snippet folder with js/errors.js, found ${snippets.length}`);
const snippetDir = `./snippets/${snippets[0]}`;

let glue = readFileSync(join(stage, "rimp_client.js"), "utf8");
glue = rewrite(glue, "wasm = instance.exports;", "wasm = __rimpGuard(instance.exports);");
glue = rewrite(glue, "wasm = wasmInstance.exports;", "wasm = __rimpGuard(wasmInstance.exports);");
glue = rewrite(glue, "throw new Error('Cannot invoke closure from previous WASM instance');", "return;");
glue = `import { guardExports as __rimpGuard } from "./guard.js";\n` + glue;
writeFileSync(join(stage, "rimp_client.js"), glue);

for (const f of ["runtime.js", "guard.js"]) copyFileSync(join(root, "js", f), join(stage, f));
for (const f of ["index.js", "manual.js"]) copyFileSync(join(tpl, f), join(stage, "entry-" + f));
const PUBLIC_ERRORS = ["RimpError", "APIError", "InvalidRequestError", "AuthenticationError", "AuthorizationError",
  "NotFoundError", "ConflictError", "InsufficientCreditsError", "RateLimitError", "QuotaExceededError",
  "ContentPolicyError", "ProviderUnavailableError", "InternalServerError", "ConnectionError", "TimeoutError",
  "AbortError", "WebhookVerificationError", "isRimpError"];
writeFileSync(join(stage, "errors.js"), `export { ${PUBLIC_ERRORS.join(", ")} } from "${snippetDir}/js/errors.js";\n`);
// The default entry embeds the wasm as base64 (see pkg-template/index.js for why not deflated).
const wasmBytes = readFileSync(join(stage, "rimp_client_bg.wasm"));
writeFileSync(join(stage, "wasm-inline.js"), `export const WASM_BASE64 = "${wasmBytes.toString("base64")}";\n`);

rmSync(pkg, { recursive: true, force: true });
mkdirSync(pkg, { recursive: true });
// `//# allFunctionsCalledOnLoad` (first line) is V8's explicit compile hint: it compiles the
// file's functions while it parses, instead of each on its first call. Measured in Chromium 156,
// cold page: the first `new RimpClient()` 9.0 → 5.7 ms and the first call 7.4 → 5.5 ms, for
// 3 ms more at import (−2.6 ms to the first response). Other engines ignore the comment.
const banner = { js: "//# allFunctionsCalledOnLoad\n// rimp-client: the Rimp API client (Rust + WebAssembly). MIT licence. Source and docs: README.md" };
for (const entry of ["index", "manual"]) {
  for (const format of ["esm", "cjs"]) {
    await build({
      entryPoints: [join(stage, `entry-${entry}.js`)],
      // Paths in the bundle's module comments are relative to this: no build folder leaks.
      absWorkingDir: stage,
      outfile: join(pkg, `${entry}.${format === "esm" ? "js" : "cjs"}`),
      bundle: true,
      format,
      platform: "neutral",
      target: "es2022",
      banner,
      logLevel: "error",
      // The embedded entry never loads a file: keep `new URL(…, import.meta.url)` out of it so
      // bundlers don't copy the wasm file for nothing. The manual entry's CommonJS build finds
      // its wasm file from `__filename`.
      define: entry === "index"
        ? { "import.meta.url": "undefined" }
        : format === "cjs" ? { "import.meta.url": "__rimpModuleUrl" } : {},
      inject: entry === "manual" && format === "cjs" ? [join(root, "js", "cjs-url.js")] : [],
    });
  }
}
copyFileSync(join(stage, "rimp_client_bg.wasm"), join(pkg, "rimp_client_bg.wasm"));

const dts = ["client-header.d.ts", "types.d.ts", "resources.d.ts", "init.d.ts"]
  .map((f) => readFileSync(join(root, "js", f), "utf8")).join("\n");
writeFileSync(join(pkg, "index.d.ts"), dts);
writeFileSync(join(pkg, "index.d.cts"), dts);
const manualDts = (ext) => `export * from "./index.${ext}";
import type { InitInput, SyncInitInput } from "./index.${ext}";
/** Loads rimp-client's WebAssembly (once); resolves when \`new RimpClient()\` can be called. */
export declare function init(input?: InitInput | { module_or_path: InitInput | Promise<InitInput> } | Promise<InitInput>): Promise<void>;
/** Loads the WebAssembly synchronously from bytes or a compiled \`WebAssembly.Module\`. */
export declare function initSync(input: SyncInitInput | { module: SyncInitInput }): void;
export default init;
`;
writeFileSync(join(pkg, "manual.d.ts"), manualDts("js"));
writeFileSync(join(pkg, "manual.d.cts"), manualDts("cjs"));

const cargoVersion = /^version\s*=\s*"([^"]+)"/m.exec(readFileSync(join(root, "Cargo.toml"), "utf8"))?.[1];
const manifest = JSON.parse(readFileSync(join(tpl, "package.json"), "utf8"));
if (manifest.version !== cargoVersion) {
  throw new Error(`pkg-template/package.json version ${manifest.version} != Cargo.toml ${cargoVersion}`);
}
writeFileSync(join(pkg, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
// The README's links to other files of the repository would be dead on npm: name the file
// instead ("CONTRIBUTING.md in the repository"); in-page anchors and absolute links stay.
const readme = readFileSync(join(root, "README.md"), "utf8").replace(
  /\[([^\]]+)\]\((?!https?:|#)([^)\s]+)\)/g,
  (_, text, target) => (text === target || text === `\`${target}\`` ? `${text} (in the repository)` : `${text} (${target} in the repository)`),
);
writeFileSync(join(pkg, "README.md"), readme);
copyFileSync(join(root, "LICENSE"), join(pkg, "LICENSE"));
for (const f of manifest.files) {
  if (!existsSync(join(pkg, f))) throw new Error(`package.json lists ${f}, which the build did not produce`);
}
console.log(`${pkg.replace(root, "")}/ assembled (rimp-client ${manifest.version})`);
