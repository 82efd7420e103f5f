#!/usr/bin/env bash
# Scale-out benchmark (issue 12): quiz submissions and a signed-in lesson page through real
# server processes, on SQLite with one server and on PostgreSQL with one and two servers.
# Builds the release binary, starts a throwaway PostgreSQL cluster with fsync on (durable
# commits, like SQLite's synchronous = FULL), runs server/benches/scale_out.rs, stops it.
# Run by hand (not in CI): bash bench/scale-out.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/lib.sh

install_build_tools
install_wasm_opt
if [ ! -x target/release/grandrounds ] || [ "${BENCH_REBUILD:-1}" = 1 ]; then
  say "building the release site"
  cargo xtask site --release --precompress
fi
PG_DURABLE=1 start_postgres
trap stop_postgres EXIT
say "running the scale-out benchmark (about 2 minutes)"
GRANDROUNDS_BIN="$PWD/target/release/grandrounds" cargo bench -p server --bench scale_out
