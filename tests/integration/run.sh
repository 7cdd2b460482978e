#!/usr/bin/env bash
# Integration tests of crm_import against its own throwaway PostgreSQL 15 cluster (not
# pg_virtualenv's shared 15/regress): cancel and statement_timeout during an upload and a
# run, kill -9 of a running import and crash recovery, pg_dump / pg_restore, upgrade versus
# fresh install. Builds and installs the extension, starts the cluster on a random free port
# with its socket in a private directory, runs every tests/integration/t_*.sh (or the ones
# named as arguments), removes the cluster, and ends with the line "N passed, M failed".
#   tests/integration/run.sh [t_cancel_upload.sh ...]
# Env: IT_SKIP_BUILD=1 skips make/make install; IT_TEST_TIMEOUT (seconds per test, 200).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo" || exit 1
# IT_PGBIN: another PostgreSQL 15 installation (a private copy, so parallel work trees do not share one).
PGBIN=${IT_PGBIN:-/usr/lib/postgresql/15/bin}
export PATH="$PGBIN:$PATH"
started=$(date +%s)

if [ "${IT_SKIP_BUILD:-0}" != 1 ]; then
	./scripts/build.sh || { echo "integration: build failed"; echo "0 passed, 1 failed"; exit 1; }
fi

# Server processes must not run as root: run them as postgres when we are root.
if [ "$(id -u)" -eq 0 ]; then
	AS_PG=(runuser -u postgres --)
else
	AS_PG=()
fi

tmp=$(mktemp -d /tmp/crm_it.XXXXXX)
chmod 755 "$tmp"
mkdir -p "$tmp/data" "$tmp/sock"
[ "$(id -u)" -eq 0 ] && chown postgres: "$tmp/data" "$tmp/sock"
cleanup() {
	if [ -f "$tmp/data/postmaster.pid" ]; then
		"${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$tmp/data" -m immediate -w stop >/dev/null 2>&1
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail_setup() {
	echo "integration: $1"
	[ -f "$tmp/server.log" ] && tail -n 30 "$tmp/server.log" | sed 's/^/# /'
	echo "0 passed, 1 failed"
	exit 1
}

"${AS_PG[@]}" "$PGBIN/initdb" -D "$tmp/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 ||
	fail_setup "initdb failed: $(tail -n 5 "$tmp/initdb.log")"
[ "$(id -u)" -eq 0 ] && chown postgres: "$tmp"
# A random free port: try a few.
port=""
for _ in 1 2 3 4 5 6 7 8 9 10; do
	p=$((54000 + RANDOM % 1000))
	if ! pg_isready -q -h "$tmp/sock" -p "$p" 2>/dev/null && ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null &&
		[ ! -e "/tmp/.s.PGSQL.$p" ] && [ ! -e "/var/run/postgresql/.s.PGSQL.$p" ]; then
		"${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 \
			-o "-p $p -k $tmp/sock -c listen_addresses='' -c fsync=off -c max_connections=40 -c restart_after_crash=on" \
			start >/dev/null 2>&1 && { port=$p; break; }
	fi
done
[ -n "$port" ] || fail_setup "could not start the cluster"
export PGHOST="$tmp/sock" PGPORT="$port" PGUSER=postgres PGDATABASE=postgres
echo "# cluster: $PGBIN on port $port, socket $tmp/sock"

# The 300,000-row file used by the cancel and crash tests, readable by the server.
GEN=${GEN:-$repo/../shared/bench/gen_contacts.py}
[ -f "$GEN" ] || GEN=/work/shared/bench/gen_contacts.py
stats=$(python3 "$GEN" --rows 300000 --seed 3 --out "$tmp/contacts_300k.csv" --stats 2>&1 >/dev/null) ||
	fail_setup "gen_contacts.py failed: $stats"
chmod 644 "$tmp/contacts_300k.csv"
export IT_TMP="$tmp" IT_BIN="$PGBIN" IT_REPO="$repo" IT_CSV300K="$tmp/contacts_300k.csv" IT_GEN="$GEN"
IT_DISTINCT=$(sed -n 's/.*distinct_persons=\([0-9]*\).*/\1/p' <<<"$stats")
IT_DUPS=$(sed -n 's/.*dup_rows=\([0-9]*\).*/\1/p' <<<"$stats")
export IT_DISTINCT IT_DUPS
export IT_AS_PG="${AS_PG[*]}"

tests=()
if [ $# -gt 0 ]; then
	for t in "$@"; do tests+=("$here/$(basename "$t")"); done
else
	for t in "$here"/t_*.sh; do tests+=("$t"); done
fi

passed=0
failed=0
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	echo "# $name"
	t0=$(date +%s)
	out="$tmp/$name.out"
	# Every test stops by itself; the timeout (which signals the whole process group) is a
	# last resort against a hang.
	timeout -k 5 "${IT_TEST_TIMEOUT:-200}" bash "$t" >"$out" 2>&1
	rc=$?
	sed 's/^/  /' "$out"
	p=$(grep -c '^ok ' "$out")
	f=$(grep -c '^not ok ' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		[ "$rc" -eq 124 ] && why="timed out after ${IT_TEST_TIMEOUT:-200}s" || why="exited with status $rc"
		echo "  not ok - $name $why"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	echo "# $name: $p passed, $f failed ($(($(date +%s) - t0))s)"
	# A test that crashed the server must leave it up for the next one.
	if ! pg_isready -q; then
		sleep 5
		pg_isready -q || { echo "# the cluster is down after $name"; tail -n 20 "$tmp/server.log" | sed 's/^/# /'; }
	fi
done
echo "# integration: $(($(date +%s) - started))s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
