#!/usr/bin/env bash
# Runs every test: pg_regress and isolation suites against a throwaway PostgreSQL 15
# cluster (pg_virtualenv), then the GoogleTest suite of the C++ core (ctest), then fuzzing and
# sanitizers (scripts/fuzz.sh), then the Debian package (scripts/package.sh: built, installed,
# the wizard example run with it), then the integration tests on their own cluster (last: their
# closing "N passed, M failed" line ends the output).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
status=0
# The suites have the server read files of this checkout (tests/data, data/). In a checkout
# the postgres user cannot reach (a clone under /root, or in a `mktemp -d` directory), they
# run from a readable copy of the tracked files instead.
regress_dir=.
as_postgres() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$1"; else sudo -u postgres sh -c "$1"; fi; }
if ! as_postgres "test -r '$PWD/tests/data/upload_plain.csv'" 2>/dev/null; then
	regress_dir=$(mktemp -d /tmp/crm_import_regress.XXXXXX)
	chmod 755 "$regress_dir"
	git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$regress_dir"
	chmod -R a+rX "$regress_dir"
	echo "note: the server cannot read $PWD; running pg_regress from a copy in $regress_dir"
fi
(cd "$regress_dir" && pg_virtualenv -v 15 sh -c 'make -s installcheck PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config') || status=1
if [ -f "$regress_dir/regression.diffs" ]; then head -c 20000 "$regress_dir/regression.diffs"; fi
cmake -S . -B build/core -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/core -j"$(nproc)" >/dev/null
ctest --test-dir build/core --output-on-failure -j"$(nproc)" | grep -v '^ *[0-9]*/[0-9]* Test *#' || status=1
./scripts/fuzz.sh || status=1
./scripts/package.sh || status=1
IT_SKIP_BUILD=1 ./tests/integration/run.sh || status=1
exit $status
