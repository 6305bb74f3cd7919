#!/usr/bin/env bash
# Installs everything the build and the tests need on a fresh Debian machine, and nothing that
# is already there: the wasm32 target, wasm-bindgen-cli at the version in Cargo.lock, the dev
# tools from package-lock.json, and with --browser Chromium and ChromeDriver from apt.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

want=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2 || true)
if [ "$have" != "$want" ]; then
  echo "installing wasm-bindgen-cli $want (have: ${have:-none}); this takes ~2 minutes" >&2
  # --locked fails for some versions on this registry (a locked dependency is missing); fall back.
  cargo install --quiet wasm-bindgen-cli --version "$want" --locked \
    || cargo install --quiet wasm-bindgen-cli --version "$want"
fi

if [ "${1:-}" = "--browser" ] && { ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; }; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
