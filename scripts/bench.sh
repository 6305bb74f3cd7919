#!/usr/bin/env bash
# Builds the package and rimp-mock, then runs bench/run.mjs (results in bench/results/).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --browser
scripts/build.sh
cargo build --quiet --release -p rimp-mock
node bench/run.mjs
