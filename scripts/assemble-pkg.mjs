// Lays pkg-template/ over the wasm-bindgen output in pkg/: the npm manifest (version checked
// against Cargo.toml), the entry files (with the snippet folder's hashed name filled in), the
// README and the licence. Run by `make build` after wasm-bindgen.
import { readFileSync, writeFileSync, readdirSync, copyFileSync, existsSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const pkg = join(root, "pkg");
const tpl = join(root, "pkg-template");

const snippets = readdirSync(join(pkg, "snippets")).filter((d) => existsSync(join(pkg, "snippets", d, "js", "errors.js")));
if (snippets.length !== 1) throw new Error(`expected one snippet folder with js/errors.js, found ${snippets.length}`);
const snippetDir = `snippets/${snippets[0]}`;

const cargoVersion = /^version\s*=\s*"([^"]+)"/m.exec(readFileSync(join(root, "Cargo.toml"), "utf8"))?.[1];
const manifest = JSON.parse(readFileSync(join(tpl, "package.json"), "utf8"));
if (manifest.version !== cargoVersion) {
  throw new Error(`pkg-template/package.json version ${manifest.version} != Cargo.toml ${cargoVersion}`);
}
writeFileSync(join(pkg, "package.json"), JSON.stringify(manifest, null, 2) + "\n");

for (const f of ["index.js", "node.js", "manual.js", "index.d.ts", "manual.d.ts"]) {
  const text = readFileSync(join(tpl, f), "utf8").replaceAll("__SNIPPET_DIR__", snippetDir);
  writeFileSync(join(pkg, f), text);
}
// wasm-bindgen declares `[Symbol.dispose]()` on exported classes, which only type-checks with
// lib "esnext.disposable"; users on es2022 libs without skipLibCheck would get an error in our
// file. The method still exists at run time (`using client = …` works where supported).
const dtsPath = join(pkg, "rimp_client.d.ts");
let dts = readFileSync(dtsPath, "utf8").replace(/^\s*\[Symbol\.dispose\]\(\): void;\n/gm, "");
// `InitOutput` lists the raw wasm exports that `init()`/`initSync()` return, typed `any` by
// wasm-bindgen; nothing there is for callers to use, so type it `unknown` instead.
dts = dts.replace(/(export interface InitOutput \{[\s\S]*?\n\})/, (block) => block.replace(/\bany\b/g, "unknown"));
writeFileSync(dtsPath, dts);
copyFileSync(join(root, "README.md"), join(pkg, "README.md"));
copyFileSync(join(root, "LICENSE"), join(pkg, "LICENSE"));
// wasm-bindgen writes no .gitignore, but wasm-pack does; never ship one.
rmSync(join(pkg, ".gitignore"), { force: true });

for (const f of manifest.files) {
  if (!existsSync(join(pkg, f))) throw new Error(`package.json lists ${f}, which the build did not produce`);
}
console.log(`pkg/ assembled (rimp-client ${manifest.version}, ${snippetDir})`);
