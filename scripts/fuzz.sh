#!/usr/bin/env bash
# Fuzzing and sanitizers for the C++ core (src/core), no PostgreSQL needed:
#  1. builds the libFuzzer targets tests/fuzz/*_fuzz.cpp with clang++ (-DCRM_FUZZ=ON, ASan +
#     UBSan + coverage) into build/fuzz and runs each over its seed corpus
#     tests/fuzz/corpus/<name>/ for FUZZ_SECONDS (default 30) seconds, the targets in parallel;
#  2. builds the GoogleTest suite with -DCRM_SANITIZE=ON (ASan + UBSan) into build/sanitize and
#     runs it with ctest.
# Exits non-zero on any crash, sanitizer report, invariant failure or failing test. A crashing
# input is kept under build/fuzz/artifacts/ and the command that replays it is printed.
#   scripts/fuzz.sh                 FUZZ_SECONDS=300 FUZZ_SEED=$RANDOM scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
JOBS=$(nproc)
status=0

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# 1. libFuzzer targets.
targets=()
for src in tests/fuzz/*_fuzz.cpp; do
	[ -e "$src" ] || continue
	targets+=("$(basename "$src" .cpp)")
done
if [ ${#targets[@]} -eq 0 ]; then
	echo "fuzz: no tests/fuzz/*_fuzz.cpp target" >&2
	exit 1
fi
echo "fuzz: building ${targets[*]} (clang++, libFuzzer, ASan+UBSan) in build/fuzz"
cmake -S . -B build/fuzz -DCRM_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/fuzz -j"$JOBS" --target "${targets[@]}" >/dev/null

# The seed corpus of csv_reader_fuzz is corpus/csv_reader/ or, failing that, corpus/csv/.
corpus_of() {
	local name=${1%_fuzz}
	if [ -d "tests/fuzz/corpus/$name" ]; then echo "tests/fuzz/corpus/$name"; return; fi
	if [ -d "tests/fuzz/corpus/${name%%_*}" ]; then echo "tests/fuzz/corpus/${name%%_*}"; return; fi
	echo ""
}

rm -rf build/fuzz/artifacts build/fuzz/logs
mkdir -p build/fuzz/artifacts build/fuzz/logs
run_target() {
	local t=$1 seeds work rc=0
	seeds=$(corpus_of "$t")
	# New inputs go to a scratch corpus under build/, never into the committed seeds.
	work=build/fuzz/corpus/$t
	mkdir -p "$work"
	# A fixed seed (FUZZ_SEED) so a CI run explores the same way each time; a finding of a
	# longer or differently seeded run goes into the committed corpus with its fix.
	local args=(-seed="${FUZZ_SEED:-20261206}" -max_total_time="$FUZZ_SECONDS" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1
		-artifact_prefix="build/fuzz/artifacts/$t-" "$work")
	[ -n "$seeds" ] && args+=("$seeds")
	# A hard stop in case the target hangs outside libFuzzer's own timers.
	timeout -k 10 $((FUZZ_SECONDS + 120)) "build/fuzz/$t" "${args[@]}" >"build/fuzz/logs/$t.log" 2>&1 || rc=$?
	echo "$rc" >"build/fuzz/logs/$t.rc"
}
running=0
for t in "${targets[@]}"; do
	seeds=$(corpus_of "$t")
	[ -n "$seeds" ] || echo "fuzz: $t has no seed corpus under tests/fuzz/corpus/, starting empty"
	echo "fuzz: running $t for ${FUZZ_SECONDS}s over ${seeds:-(empty corpus)}"
	run_target "$t" &
	running=$((running + 1))
	# As many targets at once as there are cores.
	if [ "$running" -ge "$JOBS" ]; then wait -n || true; running=$((running - 1)); fi
done
wait
for t in "${targets[@]}"; do
	log=build/fuzz/logs/$t.log
	rc=$(cat "build/fuzz/logs/$t.rc" 2>/dev/null || echo missing)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	if [ "$rc" = 0 ] && grep -q '^Done [0-9]* runs' "$log"; then
		echo "fuzz: $t ok (${runs:-?} inputs in ${FUZZ_SECONDS}s, no crash)"
	else
		echo "fuzz: $t FAILED (exit status $rc; log build/fuzz/logs/$t.log):"
		grep -E 'ERROR|SUMMARY|runtime error|deadly signal|invariant failed|libFuzzer:|Test unit written' "$log" | head -20 | sed 's/^/  /' || true
		tail -n 40 "$log" | sed 's/^/  | /'
		for a in build/fuzz/artifacts/"$t"-*; do
			if [ -e "$a" ]; then echo "  replay: build/fuzz/$t $a"; fi
		done
		status=1
	fi
done

# 2. GoogleTest suite under ASan + UBSan.
echo "sanitize: building the GoogleTest suite with -DCRM_SANITIZE=ON in build/sanitize"
cmake -S . -B build/sanitize -DCRM_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/sanitize -j"$JOBS" >/dev/null
if ctest --test-dir build/sanitize --output-on-failure -j"$JOBS" >build/sanitize/ctest.log 2>&1; then
	echo "sanitize: $(grep -E 'tests passed' build/sanitize/ctest.log | tail -1)"
else
	echo "sanitize: FAILED"
	grep -vE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed' build/sanitize/ctest.log | tail -n 80 | sed 's/^/  /'
	status=1
fi
exit $status
