#!/usr/bin/env bash
# Starts rimp-mock in the background on a free port and prints its URL (first line) and PID
# (second line). Extra arguments go to rimp-mock. The release binary must be built already.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp /tmp/rimp-mock.XXXXXX.log)
target/release/rimp-mock --host 127.0.0.1 --port 0 "$@" >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  url=$(sed -n 's/^rimp-mock listening on \(http[^ ]*\).*$/\1/p' "$log" | head -1)
  if [ -n "$url" ]; then echo "$url"; echo "$pid"; exit 0; fi
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
echo "rimp-mock did not start; log: $log" >&2
kill "$pid" 2>/dev/null || true
exit 1
