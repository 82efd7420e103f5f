#!/usr/bin/env bash
# Webinar registration benchmark (issue 14): 1,000 registrations arriving within 10 s for a
# 300-seat webinar, on SQLite and on a throwaway PostgreSQL cluster with fsync on (durable
# commits, like SQLite's synchronous = FULL); prints p50/p95/max and checks that nothing was
# lost or doubled. Runs server/benches/webinar_registrations.rs; stops the cluster after.
# Run by hand (not in CI): bash bench/webinar-registrations.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/lib.sh

install_build_tools
PG_DURABLE=1 start_postgres
trap stop_postgres EXIT
say "running the webinar registration benchmark (about a minute per database)"
cargo bench -p server --bench webinar_registrations
