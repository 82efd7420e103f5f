# Shared by .ci/serve, .ci/test and the benchmarks: installs what building and testing
# Grand Rounds needs, skipping whatever is already there. Source it; do not run it.
# Versions: ../shared/TOOLCHAIN.md explains each pin.

CARGO_LEPTOS_VERSION=0.3.10
BINARYEN_VERSION=132.0.0
TOOLS_DIR="${GRANDROUNDS_TOOLS:-$HOME/.cache/grandrounds-tools}"
export PATH="$HOME/.cargo/bin:$TOOLS_DIR/node_modules/.bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "error: '$*' needs root and there is no sudo" >&2; return 1; fi
}

install_build_tools() {
  command -v cargo >/dev/null || { echo "error: cargo is missing: install Rust with rustup first (https://rustup.rs)" >&2; return 1; }
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q " $CARGO_LEPTOS_VERSION"; then
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 12 minutes on 2 cores, once)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
  fi
  # wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock exactly.
  local wb
  wb=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $wb"; then
    say "installing wasm-bindgen-cli $wb (about 4 minutes, once)"
    # Not --locked: a locked dependency of it is missing from the registry.
    cargo install wasm-bindgen-cli --version "$wb"
  fi
}

# wasm-opt for release builds: binaryen from npm (Debian's older one breaks hydration).
install_wasm_opt() {
  if ! "$TOOLS_DIR/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; then
    say "installing binaryen $BINARYEN_VERSION (wasm-opt) into $TOOLS_DIR"
    mkdir -p "$TOOLS_DIR"
    npm install --prefix "$TOOLS_DIR" --no-audit --no-fund --loglevel=error "binaryen@$BINARYEN_VERSION"
  fi
}

# Debian's Chromium, a Java runtime, and the end-to-end test's npm packages (Playwright,
# the Nu HTML checker, axe-core).
install_browser() {
  if [ ! -x /usr/bin/chromium ]; then
    say "installing Chromium from Debian's packages"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  # The Nu HTML checker (vnu-jar) runs on Java.
  if ! command -v java >/dev/null 2>&1; then
    say "installing a Java runtime from Debian's packages (for the Nu HTML checker)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null
  fi
  if [ ! -d end2end/node_modules/playwright-core ] || [ ! -d end2end/node_modules/vnu-jar ] \
    || [ ! -d end2end/node_modules/axe-core ]; then
    say "installing the browser test's npm packages"
    (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# Waits until URL answers 200, or fails after ~60 s.
wait_for() {
  local url=$1
  for _ in $(seq 1 120); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.5
  done
  echo "error: $url did not come up" >&2
  return 1
}
