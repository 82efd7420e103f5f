#!/usr/bin/env bash
# Attendance benchmark (issue 15): 1,000 learners entering an attendance code within one
# minute (p50/p95/max, nothing lost or doubled) and importing a 3,000-row Zoom participant
# report (preview and write times), on SQLite and on a throwaway PostgreSQL cluster with
# fsync on. Runs server/benches/attendance.rs; stops the cluster after.
# Run by hand (not in CI): bash bench/attendance.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/lib.sh

install_build_tools
PG_DURABLE=1 start_postgres
trap stop_postgres EXIT
say "running the attendance benchmark (about two minutes per database)"
cargo bench -p server --bench attendance
