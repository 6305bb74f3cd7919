#!/usr/bin/env bash
# Every test: lints, native tests (pure core + rimp-mock), the wasm suites in Node and headless
# Chromium (CORS against rimp-mock), the packed-package tests, and the demo end-to-end test.
# Installs what it needs first (scripts/setup.sh --browser), so it runs on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}

step() { printf '\n=== %s ===\n' "$*"; }

step "setup"
scripts/setup.sh --browser

step "format and lints"
cargo fmt --all -- --check
cargo clippy --quiet --workspace --all-targets -- -D warnings
cargo clippy --quiet -p rimp-client --all-targets --target wasm32-unknown-unknown -- -D warnings

step "native tests (pure core, rimp-mock)"
cargo test --workspace

step "build the package, its trap-probe test build, and rimp-mock"
scripts/build.sh
RIMP_FEATURES=trap-probe OUT=target/trap-pkg scripts/build.sh
cargo build --quiet --release -p rimp-mock

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
{ read -r RIMP_MOCK_URL; read -r pid; } < <(scripts/start-mock.sh --time-scale 0.05)
pids+=("$pid")
{ read -r RIMP_MOCK_HIDDEN_URL; read -r pid; } < <(scripts/start-mock.sh --time-scale 0.05 --no-expose-headers)
pids+=("$pid")
export RIMP_MOCK_URL RIMP_MOCK_HIDDEN_URL
echo "rimp-mock at $RIMP_MOCK_URL (headers exposed) and $RIMP_MOCK_HIDDEN_URL (hidden)"

step "wasm tests in Node and headless Chromium"
cargo test -p rimp-client --target wasm32-unknown-unknown

step "packed package: install the tarball into a fresh app; reliability, restart and shared-rate-limit suites"
node --test tests/js/

step "consumer matrix: the packed tarball in Vite, webpack, Parcel, esbuild, Rollup, Next.js, Jest, Vitest, TypeScript, Node, plain pages"
consumers_tgz=$(mktemp -d)
npm pack ./pkg --pack-destination "$consumers_tgz" --loglevel=error >/dev/null
RIMP_TGZ=$(echo "$consumers_tgz"/rimp-client-*.tgz) node --test tests/consumers/run.mjs
rm -rf "$consumers_tgz"

if [ -f tests/e2e/demo.test.mjs ]; then
  step "demo end to end (Playwright + Chromium)"
  node --test tests/e2e/
fi
echo
echo "all tests passed"
