#!/usr/bin/env bash
# Backend memory stays bounded while a large object of ~0.5 GB streams through the upload:
# the uploading backend's anonymous memory (RssAnon: its private heap, not shared buffers)
# is sampled during crm_import_upload_lo and must not grow with the file. A leak of the
# per-batch heap_multi_insert arrays once kept ~10% of the file in memory.
. "$(dirname "$0")/lib.sh"

db=it_upload_memory
newdb "$db" || { not_ok "create database"; finish; }
q "$db" -c "SELECT crm_import_create_list('big')" >/dev/null

big="$IT_TMP/big.csv"
{ head -1 "$IT_CSV300K"; for _ in $(seq 1 16); do tail -n +2 "$IT_CSV300K"; done; } > "$big"
size_mb=$(( $(stat -c %s "$big") / 1048576 ))
note "file: ${size_mb} MB, $((16 * 300000)) data rows"

lo=$(q "$db" -c "\\lo_import '$big'" -c "SELECT max(oid) FROM pg_largeobject_metadata" | tail -1)
rm -f "$big"
out="$IT_TMP/upload_memory.out"
PGAPPNAME=it_upload_memory psql -X -q -At -d "$db" -c "SELECT pg_sleep(0.5)" \
	-c "SELECT crm_import_upload_lo('big', $lo)" > "$out" 2>&1 &
client=$!
pid=""
for _ in $(seq 1 50); do
	pid=$(q "$db" -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'it_upload_memory'")
	[ -n "$pid" ] && break
	sleep 0.1
done
first=0
peak=0
samples=0
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
note "RssAnon of the uploading backend: first sample ${first} kB, peak ${peak} kB over $samples samples"
check "the upload of ${size_mb} MB completed" grep -q '^[0-9][0-9]*$' "$out"
check "memory was sampled during the upload" [ "$samples" -ge 3 ]
growth_mb=$(( (peak - first) / 1024 ))
IT_DIAG="grew by ${growth_mb} MB (limit 32 MB)"
check "backend memory does not grow with the file (grew ${growth_mb} MB)" [ "$growth_mb" -lt 32 ]
q "$db" -c "SELECT lo_unlink($lo)" >/dev/null
psql -X -q -d postgres -c "DROP DATABASE $db" >/dev/null
finish
