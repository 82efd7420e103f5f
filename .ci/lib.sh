# Shared by .ci/serve, .ci/test and the benchmarks: installs what building and testing
# Grand Rounds needs, skipping whatever is already there. Source it; do not run it.
# Versions: ../shared/TOOLCHAIN.md explains each pin.

CARGO_LEPTOS_VERSION=0.3.10
BINARYEN_VERSION=132.0.0
TOOLS_DIR="${GRANDROUNDS_TOOLS:-$HOME/.cache/grandrounds-tools}"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$TOOLS_DIR/node_modules/.bin:$PATH"

# One benchmark figure for bench/run-all: "name<TAB>value<TAB>target", appended to the file
# $BENCH_FIGURES when it is set (the Rust benchmarks do the same through common::figure).
figure() {
  [ -n "${BENCH_FIGURES:-}" ] && printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$BENCH_FIGURES"
  return 0
}

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "error: '$*' needs root and there is no sudo" >&2; return 1; fi
}

# What `cargo xtask site` needs: Rust and the wasm32 target. The wasm-bindgen generator is
# compiled into xtask; release builds also need wasm-opt (install_wasm_opt).
install_build_tools() {
  command -v cargo >/dev/null || { echo "error: cargo is missing: install Rust with rustup first (https://rustup.rs)" >&2; return 1; }
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

# cargo-leptos (the development tool, `cargo leptos watch`) and the wasm-bindgen CLI it runs,
# which must equal the wasm-bindgen in Cargo.lock exactly. The site is built without them;
# the test command needs them for one check: that `cargo xtask site` and cargo-leptos write
# the same files. About 21 minutes to compile on a fresh 2-core machine, once.
# Runs a `cargo install` with its release profile made a quick one (opt-level 0, no LTO,
# many codegen units): for tools that only the compare check runs, once, on a small site.
unoptimised() {
  CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_LTO=false \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256 "$@"
}

install_cargo_leptos() {
  install_build_tools
  if ! cargo leptos --version 2>/dev/null | grep -q " $CARGO_LEPTOS_VERSION"; then
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION (once)"
    # Unoptimised, without its profile's fat LTO: the one check that needs it builds a
    # small site with it (no JavaScript minifying), and compiling it optimised took about
    # 17 minutes on 2 cores, most of the test command's time on a fresh machine.
    unoptimised cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
  fi
  local wb
  wb=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $wb"; then
    say "installing wasm-bindgen-cli $wb (once)"
    # Not --locked: a locked dependency of it is missing from the registry.
    unoptimised cargo install wasm-bindgen-cli --version "$wb"
  fi
}

# The test command starts this first, in the background and at the lowest priority, so that
# on a fresh machine cargo-leptos compiles while the tests run; wait_for_cargo_leptos waits
# for it before the one check that needs it. Its output is shown only if it fails.
# It runs in a session of its own (setsid), so stop_cargo_leptos_install stops the cargo
# install and every compiler it started, not only the shell around them.
start_cargo_leptos_install() {
  CARGO_LEPTOS_LOG=$(mktemp /tmp/grandrounds-cargo-leptos.XXXXXX)
  setsid nice -n 19 bash -c '. .ci/lib.sh && install_cargo_leptos' >"$CARGO_LEPTOS_LOG" 2>&1 &
  CARGO_LEPTOS_PID=$!
}

wait_for_cargo_leptos() {
  if ! wait "$CARGO_LEPTOS_PID"; then
    cat "$CARGO_LEPTOS_LOG" >&2
    echo "error: installing cargo-leptos $CARGO_LEPTOS_VERSION failed (its output is above)" >&2
    CARGO_LEPTOS_PID=""
    return 1
  fi
  CARGO_LEPTOS_PID=""
  rm -f "$CARGO_LEPTOS_LOG"
}

# For an EXIT trap: stops the install if it still runs, and removes its log.
stop_cargo_leptos_install() {
  if [ -n "${CARGO_LEPTOS_PID:-}" ]; then
    kill -- "-$CARGO_LEPTOS_PID" 2>/dev/null || kill "$CARGO_LEPTOS_PID" 2>/dev/null || true
  fi
  [ -n "${CARGO_LEPTOS_LOG:-}" ] && rm -f "$CARGO_LEPTOS_LOG"
  return 0
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

# The independent calendar parser the tests read every .ics with: Python's icalendar from
# PyPI, in a virtual environment of our own. Exports GRANDROUNDS_ICAL_PYTHON.
ICALENDAR_PY_VERSION=7.3.2
install_ical_parser() {
  local venv="$TOOLS_DIR/ical-venv"
  if ! "$venv/bin/python" -c "import icalendar, sys; sys.exit(icalendar.__version__ != '$ICALENDAR_PY_VERSION')" 2>/dev/null; then
    say "installing Python's icalendar $ICALENDAR_PY_VERSION into $venv (the tests' calendar parser)"
    command -v python3 >/dev/null || { as_root apt-get update -qq; as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null; }
    python3 -m venv "$venv" 2>/dev/null || {
      as_root apt-get update -qq
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
      rm -rf "$venv"; python3 -m venv "$venv"
    }
    "$venv/bin/pip" install -q --disable-pip-version-check "icalendar==$ICALENDAR_PY_VERSION"
  fi
  export GRANDROUNDS_ICAL_PYTHON="$venv/bin/python"
}

# Signs EMAIL in at ORIGIN through the real form (password "river lantern quietly", as the
# benchmarks create their learners), enrols them in COURSE, and prints the session cookie.
sign_in_and_enrol() {
  local origin=$1 email=$2 course=$3 cookie
  cookie=$(curl -fsS -D - -o /dev/null -H "Origin: $origin" --data-urlencode "email=$email" \
    --data-urlencode "password=river lantern quietly" --data "next=" "$origin/account/login" \
    | sed -n 's/^set-cookie: \(gr_session=[^;]*\).*/\1/ip' | tr -d '\r')
  [ -n "$cookie" ] || { echo "error: signing in $email gave no session cookie" >&2; return 1; }
  curl -fsS -o /dev/null -b "$cookie" -H "Origin: $origin" --data "course=$course" "$origin/learning/enroll"
  echo "$cookie"
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

# PostgreSQL's programs: Debian's postgresql package when initdb is missing.
install_postgres() {
  PG_BIN=""
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    PG_BIN=$(dirname "$(readlink -f "$(command -v initdb)")")
  else
    for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/initdb" ] && PG_BIN=$dir; done
  fi
  if [ -z "$PG_BIN" ]; then
    say "installing PostgreSQL from Debian's packages"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/initdb" ] && PG_BIN=$dir; done
  fi
  [ -n "$PG_BIN" ] || { echo "error: PostgreSQL's initdb is missing after installing" >&2; return 1; }
  export PATH="$PG_BIN:$PATH"
}

# Runs a PostgreSQL program as the cluster's owner: PostgreSQL refuses to run as root, so
# root runs it as the postgres user; anyone else as themselves.
as_pg_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- env PATH="$PATH" "$@"; else "$@"; fi
}

# Starts a throwaway PostgreSQL cluster of our own: initdb into a fresh temporary folder,
# a free loopback port, durability off unless PG_DURABLE=1 (it is thrown away). Exports
# GRANDROUNDS_TEST_POSTGRES (the superuser's URL of its "postgres" database) and PG_DIR;
# stop_postgres stops it and removes the folder.
start_postgres() {
  install_postgres
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  fi
  PG_DIR=$(mktemp -d /tmp/grandrounds-pg.XXXXXX)
  chmod 755 "$PG_DIR"
  if [ "$(id -u)" = 0 ]; then chown postgres "$PG_DIR"; fi
  # Tests throw the cluster away: durability off. Benchmarks set PG_DURABLE=1 for fsync'd
  # commits, as SQLite's synchronous = FULL.
  local durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ "${PG_DURABLE:-0}" = 1 ] && durability=""
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  say "starting a throwaway PostgreSQL ($(pg_ctl --version | awk '{print $3}')) on 127.0.0.1:$port"
  as_pg_owner initdb -D "$PG_DIR/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  as_pg_owner pg_ctl -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 60 start \
    -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=500 $durability" >/dev/null \
    || { cat "$PG_DIR/log" >&2; return 1; }
  export PG_DIR
  export GRANDROUNDS_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres"
}

stop_postgres() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    as_pg_owner pg_ctl -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
