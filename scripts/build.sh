#!/usr/bin/env bash
# Builds the npm package into pkg/: cargo (wasm32, release) → wasm-bindgen (--target web) →
# wasm-opt -Oz (npm binaryen, never Debian's: see toolchain notes) → pkg-template/ laid over it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

cargo build --quiet --target wasm32-unknown-unknown --release -p rimp-client
rm -rf pkg
wasm-bindgen --target web --out-dir pkg --remove-name-section --remove-producers-section \
  target/wasm32-unknown-unknown/release/rimp_client.wasm
if [ -x node_modules/.bin/wasm-opt ]; then
  node_modules/.bin/wasm-opt pkg/rimp_client_bg.wasm -Oz --enable-reference-types \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-multivalue -o pkg/rimp_client_bg.wasm
else
  echo "note: node_modules/.bin/wasm-opt missing (run npm ci); shipping the wasm unoptimised" >&2
fi
node scripts/assemble-pkg.mjs
