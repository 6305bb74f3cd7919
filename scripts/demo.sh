#!/usr/bin/env bash
# Builds the package, starts rimp-mock and serves www/ on another port (so CORS is real),
# prints the URL and runs until Ctrl-C, then stops both servers.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
MOCK_PORT=${MOCK_PORT:-8787}
WWW_PORT=${WWW_PORT:-8788}

scripts/setup.sh
scripts/build.sh
cargo build --quiet --release -p rimp-mock

target/release/rimp-mock --host 127.0.0.1 --port "$MOCK_PORT" &
mock=$!
node scripts/serve.mjs --port "$WWW_PORT" &
www=$!
trap 'kill $mock $www 2>/dev/null || true; wait 2>/dev/null || true' EXIT INT TERM
sleep 1
echo
echo "  rimp-client demo: http://127.0.0.1:$WWW_PORT/www/?api=http://127.0.0.1:$MOCK_PORT"
echo "  (rimp-mock on http://127.0.0.1:$MOCK_PORT; Ctrl-C stops both)"
echo
wait
