#!/usr/bin/env bash
# Backend memory stays bounded while a large object of ~0.5 GB streams through the upload:
# the uploading backend's anonymous memory (RssAnon: its private heap, not shared buffers)
# is sampled during crm_import_upload_lo and must not grow with the file. A leak of the
# per-batch heap_multi_insert arrays once kept ~10% of the file in memory. The same for a
# UTF-16 file of ~0.5 GB, converted to UTF-8 by ICU while it streams.
. "$(dirname "$0")/lib.sh"

db=it_upload_memory
newdb "$db" || { not_ok "create database"; finish; }
q "$db" -c "SELECT crm_import_create_list('big')" >/dev/null

big="$IT_TMP/big.csv"
{ head -1 "$IT_CSV300K"; for _ in $(seq 1 16); do tail -n +2 "$IT_CSV300K"; done; } > "$big"
size_mb=$(( $(stat -c %s "$big") / 1048576 ))
note "file: ${size_mb} MB, $((16 * 300000)) data rows"

# measure LO LABEL [SQL args]: uploads large object LO with crm_import_upload_lo, sampling the
# uploading backend's RssAnon, and checks that it does not grow with the file.
measure() {
	local lo=$1 label=$2 args=${3:-} out="$IT_TMP/upload_memory.out" client pid="" first=0 peak=0 samples=0 a growth_mb
	PGAPPNAME=it_upload_memory psql -X -q -At -d "$db" -c "SELECT pg_sleep(0.5)" \
		-c "SELECT crm_import_upload_lo('big', $lo$args)" > "$out" 2>&1 &
	client=$!
	for _ in $(seq 1 50); do
		pid=$(q "$db" -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'it_upload_memory'")
		[ -n "$pid" ] && break
		sleep 0.1
	done
	while kill -0 "$client" 2>/dev/null; do
		a=$(awk '/^RssAnon/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
		if [ -n "$a" ]; then
			[ "$first" -eq 0 ] && first=$a
			[ "$a" -gt "$peak" ] && peak=$a
			samples=$((samples + 1))
		fi
		sleep 0.2
	done
	wait "$client"
	note "$label: RssAnon of the uploading backend: first sample ${first} kB, peak ${peak} kB over $samples samples"
	check "$label: the upload completed" grep -q '^[0-9][0-9]*$' "$out"
	check "$label: memory was sampled during the upload" [ "$samples" -ge 3 ]
	growth_mb=$(( (peak - first) / 1024 ))
	IT_DIAG="grew by ${growth_mb} MB (limit 32 MB)"
	check "$label: backend memory does not grow with the file (grew ${growth_mb} MB)" [ "$growth_mb" -lt 32 ]
	UPLOADED=$(tail -1 "$out")
}

lo=$(q "$db" -c "\\lo_import '$big'" -c "SELECT max(oid) FROM pg_largeobject_metadata" | tail -1)
rm -f "$big"
measure "$lo" "UTF-8, ${size_mb} MB"
q "$db" -c "SELECT lo_unlink($lo)" >/dev/null
q "$db" -c "SELECT crm_import_discard(max(id)) FROM crm_imports" >/dev/null

# The same rows (8 copies) as UTF-16LE with a byte-order mark: converted by ICU while they
# stream, 1 MiB at a time, with no encoding argument.
big16="$IT_TMP/big16.csv"
{ printf '\xff\xfe'; { head -1 "$IT_CSV300K"; for _ in $(seq 1 8); do tail -n +2 "$IT_CSV300K"; done; } | iconv -f UTF-8 -t UTF-16LE; } > "$big16"
size16_mb=$(( $(stat -c %s "$big16") / 1048576 ))
lo=$(q "$db" -c "\\lo_import '$big16'" -c "SELECT max(oid) FROM pg_largeobject_metadata" | tail -1)
rm -f "$big16"
measure "$lo" "UTF-16LE (byte-order mark), ${size16_mb} MB"
eq "UTF-16LE: every row staged, the encoding recorded" "$((8 * 300000 + 1)) UTF-16LE" \
	"$(q "$db" -c "SELECT record_count || ' ' || source_encoding FROM crm_imports WHERE id = ${UPLOADED:-0}")"
q "$db" -c "SELECT lo_unlink($lo)" >/dev/null
psql -X -q -d postgres -c "DROP DATABASE $db" >/dev/null
finish
