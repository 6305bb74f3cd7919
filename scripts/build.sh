#!/usr/bin/env bash
# Builds the npm package into pkg/: cargo (wasm32, release) → wasm-bindgen (--target web) →
# wasm-opt -Oz (npm binaryen, never Debian's: it writes modules that fail to load) → the
# package assembled and bundled by scripts/assemble-pkg.mjs.
#   RIMP_FEATURES=trap-probe OUT=target/trap-pkg scripts/build.sh   builds the test-only package
#   whose wasm can be made to trap on demand (tests/js/restart.test.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
OUT=${OUT:-pkg}
FEATURES=${RIMP_FEATURES:-}
RAW=target/wasm-bindgen-out-$(basename "$OUT")

# A feature build gets its own target dir, so it never overwrites the release wasm.
TARGET_DIR=${CARGO_TARGET_DIR:-target}${FEATURES:+/features-$FEATURES}
cargo build --quiet --target wasm32-unknown-unknown --release -p rimp-client --target-dir "$TARGET_DIR" \
  ${FEATURES:+--features "$FEATURES"}
wasm=$TARGET_DIR/wasm32-unknown-unknown/release/rimp_client.wasm
rm -rf "$RAW"
wasm-bindgen --target web --out-dir "$RAW" --remove-name-section --remove-producers-section \
  --experimental-reset-state-function "$wasm"
if [ -x node_modules/.bin/wasm-opt ]; then
  node_modules/.bin/wasm-opt "$RAW/rimp_client_bg.wasm" -Oz --enable-reference-types \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-multivalue -o "$RAW/rimp_client_bg.wasm"
else
  echo "note: node_modules/.bin/wasm-opt missing (run npm ci); shipping the wasm unoptimised" >&2
fi
node scripts/assemble-pkg.mjs "$RAW" "$OUT"
