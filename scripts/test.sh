#!/usr/bin/env bash
# Runs every test: pg_regress and isolation suites against a throwaway PostgreSQL 15
# cluster (pg_virtualenv), then the GoogleTest suite of the C++ core (ctest), then fuzzing and
# sanitizers (scripts/fuzz.sh), then the integration tests on their own cluster (last: their
# closing "N passed, M failed" line ends the output).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
status=0
pg_virtualenv -v 15 sh -c 'make -s installcheck PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config' || status=1
if [ -f regression.diffs ]; then head -c 20000 regression.diffs; fi
cmake -S . -B build/core -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/core -j"$(nproc)" >/dev/null
ctest --test-dir build/core --output-on-failure -j"$(nproc)" | grep -v '^ *[0-9]*/[0-9]* Test *#' || status=1
./scripts/fuzz.sh || status=1
IT_SKIP_BUILD=1 ./tests/integration/run.sh || status=1
exit $status
