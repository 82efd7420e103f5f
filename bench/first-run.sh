#!/usr/bin/env bash
# A newcomer's first run: clones this repository into a temporary folder and times the README's
# serve command (until the site answers /healthz) or its test command, with nothing cached:
# a fresh CARGO_HOME (so every crate is downloaded and compiled, cargo-leptos included where
# a command needs it), a fresh tools folder and npm cache, a fresh target folder.
# Debian's packages that are already installed (Chromium, PostgreSQL) stay installed.
# Run by hand or from bench/run-all (not in CI): bash bench/first-run.sh serve|test
# Targets (issue 31): serve <= 10 minutes, test <= 30 minutes, on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/lib.sh

which=${1:-serve}
case "$which" in serve | test) ;; *) echo "usage: bash bench/first-run.sh serve|test" >&2; exit 2 ;; esac
work=$(mktemp -d /tmp/grandrounds-first-run.XXXXXX)
app=""
cleanup() {
  [ -n "$app" ] && kill "$app" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
git clone -q . "$work/clone"
export CARGO_HOME="$work/cargo-home" GRANDROUNDS_TOOLS="$work/tools" npm_config_cache="$work/npm-cache"
# What a fresh machine has in ~/.cargo/bin: rustup's proxies and cargo-nextest; nothing this
# project installs (cargo-leptos, wasm-bindgen), which would otherwise be found on PATH.
mkdir -p "$CARGO_HOME/bin"
for tool in cargo rustc rustup rustdoc rustfmt cargo-fmt cargo-clippy clippy-driver cargo-nextest; do
  [ -e "$HOME/.cargo/bin/$tool" ] && ln -s "$HOME/.cargo/bin/$tool" "$CARGO_HOME/bin/$tool"
done
PATH="$CARGO_HOME/bin:$(tr ':' '\n' <<<"$PATH" | grep -vxF "$HOME/.cargo/bin" | paste -sd: -)"
export PATH
say "first run of the README's $which command in $work/clone (fresh CARGO_HOME, tools and target)"
start=$(date +%s)
if [ "$which" = serve ]; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  (cd "$work/clone" && exec bash .ci/serve --listen "127.0.0.1:$port") >"$work/serve.log" 2>&1 &
  app=$!
  until curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; do
    kill -0 "$app" 2>/dev/null || { tail -30 "$work/serve.log" >&2; echo "error: the serve command stopped" >&2; exit 1; }
    sleep 2
  done
else
  (cd "$work/clone" && bash .ci/test) >"$work/test.log" 2>&1 || { tail -40 "$work/test.log" >&2; exit 1; }
fi
seconds=$(($(date +%s) - start))
minutes=$(awk -v s="$seconds" 'BEGIN { printf "%.1f", s / 60 }')
printf '\nthe README %s command, first run: %s s (%s minutes) on %s cores\n' "$which" "$seconds" "$minutes" "$(nproc)"
target="<= 10 min"
[ "$which" = test ] && target="<= 30 min"
figure "first run: README $which command, nothing cached" "$minutes min" "$target"
