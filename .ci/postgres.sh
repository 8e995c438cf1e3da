#!/usr/bin/env bash
# Install PostgreSQL from Debian's packages, start it on loopback, and run the verify gate's
# check stage against it: every starter must fail its declared checks by assertion and every
# solution must pass. A server that cannot start fails CI; nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | grep -q "^$version main"; then
  pg_createcluster "$version" main >/dev/null
fi
pg_ctlcluster "$version" main start 2>/dev/null || true
for _ in $(seq 1 30); do
  pg_isready -h 127.0.0.1 -q && break
  sleep 1
done
if ! pg_isready -h 127.0.0.1 -q; then
  echo "PostgreSQL $version could not start on 127.0.0.1:5432; its log:" >&2
  tail -n 30 "/var/log/postgresql/postgresql-$version-main.log" >&2 || true
  exit 1
fi
su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\""

.venv/bin/pip install -q -e ".[postgres]"
.venv/bin/fastlings dev verify --no-lint --no-notebooks \
  --db-server "postgresql+asyncpg://postgres:postgres@127.0.0.1:5432/postgres"
