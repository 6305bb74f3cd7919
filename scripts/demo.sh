#!/usr/bin/env bash
# Builds the package, starts rimp-mock and serves www/ on another port (so CORS is real),
# prints the URL and runs until Ctrl-C, then stops both servers.
#   MOCK_PORT (default 8787), WWW_PORT (default 8788): the two ports.
#   MOCK_ARGS: extra rimp-mock flags, e.g. MOCK_ARGS="--time-scale 0.1" (the e2e test uses it).
#   DEMO_SKIP_BUILD=1: skip the builds when pkg/ and the mock binary exist.
# The www server (scripts/serve.mjs) also hosts the demo's webhook endpoint, POST /webhooks/rimp.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
MOCK_PORT=${MOCK_PORT:-8787}
WWW_PORT=${WWW_PORT:-8788}
MOCK_ARGS=${MOCK_ARGS:-}

# DEMO_SKIP_BUILD=1: use the pkg/ and target/release/rimp-mock already there (when both are;
# e.g. while another build is running). Otherwise build both, as `make demo` does.
if [ -n "${DEMO_SKIP_BUILD:-}" ] && [ -f pkg/index.js ] && [ -x target/release/rimp-mock ]; then
  echo "demo: DEMO_SKIP_BUILD set: using the existing pkg/ and rimp-mock" >&2
else
  scripts/setup.sh
  scripts/build.sh
  cargo build --quiet --release -p rimp-mock
fi

mock=""
www=""
cleanup() {
  trap - EXIT INT TERM
  # shellcheck disable=SC2086  # empty pids are fine
  kill $mock $www 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck disable=SC2086  # MOCK_ARGS is a list of flags
target/release/rimp-mock --host 127.0.0.1 --port "$MOCK_PORT" $MOCK_ARGS &
mock=$!
node scripts/serve.mjs --port "$WWW_PORT" &
www=$!

# Wait until both servers accept connections (or one of them has died, e.g. a port in use).
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 1 100); do
  if ! kill -0 "$mock" 2>/dev/null || ! kill -0 "$www" 2>/dev/null; then
    echo "demo: a server failed to start (port $MOCK_PORT or $WWW_PORT in use? set MOCK_PORT / WWW_PORT)" >&2
    exit 1
  fi
  if listening "$MOCK_PORT" && listening "$WWW_PORT"; then break; fi
  sleep 0.1
done

echo
echo "  rimp-client demo: http://127.0.0.1:$WWW_PORT/www/?api=http://127.0.0.1:$MOCK_PORT"
echo "  (rimp-mock on http://127.0.0.1:$MOCK_PORT; Ctrl-C stops both)"
echo

# Runs until Ctrl-C, or until either server stops (then the other is stopped too).
wait -n "$mock" "$www" || true
echo "demo: a server stopped; stopping the other" >&2
exit 1
