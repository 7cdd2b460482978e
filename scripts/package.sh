#!/usr/bin/env bash
# Builds the Debian package postgresql-15-crm-import as PostgreSQL extensions are packaged
# (dpkg-buildpackage with pg_buildext, from debian/), from a copy of the tracked files so the
# work tree is left alone; then installs it and runs the README's wizard example
# (docs/examples/wizard.sql) against a clean throwaway cluster with the packaged files.
# The .deb is left in build/package/. Ends with a "N passed, M failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
missing=()
for p in debhelper postgresql-server-dev-all fakeroot dpkg-dev; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

out=$PWD/build/package
rm -rf "$out" && mkdir -p "$out/src"
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$out/src"
chmod -R a+rX "$out"
(cd "$out/src" && dpkg-buildpackage -us -uc -b >"$out/build.log" 2>&1) || { tail -n 40 "$out/build.log"; echo "0 passed, 1 failed"; exit 1; }
deb=$(ls "$out"/postgresql-15-crm-import_*.deb)
echo "package: built $(basename "$deb")"
passed=0
failed=0
check() { if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "package: FAILED: $*"; fi; }
# One version everywhere: Makefile, control file, PGXN META.json, Debian changelog.
version=$(sed -n 's/^EXTVERSION = //p' Makefile)
check test "$(sed -n "s/^default_version = '\(.*\)'/\1/p" crm_import.control)" = "$version"
check test "$(python3 -c 'import json; print(json.load(open("META.json"))["version"])')" = "$version"
check test "$(dpkg-parsechangelog -S Version -l debian/changelog)" = "$version"
check dpkg-deb --contents "$deb" >"$out/contents.txt"
for f in usr/lib/postgresql/15/lib/crm_import.so usr/share/postgresql/15/extension/crm_import.control \
	usr/share/postgresql/15/extension/crm_import--0.2.0.sql usr/share/postgresql/15/extension/crm_import--0.1.0--0.2.0.sql; do
	check grep -q "$f\$" "$out/contents.txt"
done
$SUDO dpkg -i "$deb" >/dev/null 2>&1
check dpkg-query -W postgresql-15-crm-import >/dev/null
# The wizard example from the README, against a clean cluster using the packaged files.
cat >"$out/smoke.sh" <<'SMOKE'
set -e
psql -X -q -v ON_ERROR_STOP=1 -f docs/examples/wizard.sql >/tmp/crm_import_package_smoke.out 2>&1
psql -X -At -c "SELECT state || ' ' || inserted FROM crm_import_status"
SMOKE
chmod 755 "$out/smoke.sh"
if result=$(cd "$out/src" && pg_virtualenv -v 15 sh "$out/smoke.sh" 2>&1); then
	echo "package: wizard example on a clean cluster: $(tail -n 2 <<<"$result" | head -n 1)"
	check grep -q '^completed [1-9]' <<<"$result"
else
	echo "$result" | tail -n 20
	failed=$((failed + 1))
fi
echo "package: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
