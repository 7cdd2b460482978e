#!/usr/bin/env bash
# The main job, end to end: installs dependencies, builds and installs crm_import, starts a
# throwaway PostgreSQL 15 cluster (pg_virtualenv) and imports data/kontakter.csv (a
# Norwegian Excel "CSV UTF-8" export: BOM, semicolons, CRLF) through every wizard step,
# printing the preview, the summary and the final status.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
# pg_virtualenv creates a cluster, exports PG* for it, runs the command, and drops it.
pg_virtualenv -v 15 sh -c 'psql -X -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE crm_demo" >/dev/null &&
	psql -X -v ON_ERROR_STOP=1 -d crm_demo -f docs/examples/wizard.sql'
