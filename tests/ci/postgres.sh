#!/usr/bin/env bash
# Make a PostgreSQL server answer on localhost for the store tests: install Debian's
# postgresql when missing, start a cluster when none runs, and create the test role and
# database. Prints the SQLAlchemy URL for LEDOKOL_TEST_DATABASE_URL.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    (apt-get update -qq && apt-get install -y -qq postgresql) >&2
fi
if ! pg_isready -h 127.0.0.1 -q 2>/dev/null; then
    cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2}')
    if [ -z "$cluster" ]; then
        version=$(ls /usr/lib/postgresql | sort -n | tail -1)
        pg_createcluster "$version" main >&2
        cluster="$version main"
    fi
    pg_ctlcluster $cluster start >&2
    for _ in $(seq 50); do pg_isready -h 127.0.0.1 -q && break; sleep 0.2; done
fi
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "$1"; else sudo -u postgres sh -c "$1"; fi; }
as_postgres "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='ledokol'\"" | grep -q 1 \
    || as_postgres "psql -qc \"CREATE ROLE ledokol LOGIN PASSWORD 'ledokol'\"" >&2
as_postgres "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='ledokol_test'\"" | grep -q 1 \
    || as_postgres "createdb -O ledokol ledokol_test" >&2
port=$(pg_lsclusters -h | awk '$4 == "online" {print $3; exit}')
echo "postgresql+psycopg://ledokol:ledokol@127.0.0.1:${port:-5432}/ledokol_test"
