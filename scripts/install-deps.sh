#!/usr/bin/env bash
# Installs what crm_import needs to build, test and run on Debian 12 (bookworm), from
# Debian's archive only. Idempotent; uses sudo when not run as root.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
PACKAGES=(
	build-essential cmake pkg-config clang libclang-rt-14-dev
	postgresql-15 postgresql-server-dev-15 postgresql-common postgresql-client-15
	libcsv-dev libphonenumber-dev libprotobuf-dev libicu-dev libgtest-dev libssl-dev
	python3 ca-certificates
)
missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
