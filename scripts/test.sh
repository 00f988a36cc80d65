#!/usr/bin/env bash
# The whole test suite: install the venv, make sure PostgreSQL answers, run pytest on every core.
# Extra arguments go to pytest, e.g. scripts/test.sh tests/unit -x
#   scripts/test.sh -m "not slow"    the fast tier: no broker, no subprocess runs, no large data
#   PYTEST_WORKERS=0 scripts/test.sh  one process (pytest-xdist off), e.g. to use -s or --pdb
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PG_HOST=127.0.0.1
PG_PORT=5432
PG_WAIT_SECONDS=${PG_WAIT_SECONDS:-30}

log() { echo "test.sh: $*" >&2; }

ensure_venv() {
    if command -v make >/dev/null 2>&1; then
        # `make -q` only asks whether the stamp is current, so a ready venv prints nothing.
        make -s -q install 2>/dev/null || make --no-print-directory install
    elif [ ! -f .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
        [ -x .venv/bin/python ] || python3 -m venv .venv
        .venv/bin/python -m pip install --upgrade --progress-bar off pip
        .venv/bin/python -m pip install --progress-bar off -e '.[dev]'
        touch .venv/.installed
    fi
}

pg_answers() {
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -h "$PG_HOST" -p "$PG_PORT"
    else
        .venv/bin/python - "$PG_HOST" "$PG_PORT" <<'PY'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()
except OSError:
    sys.exit(1)
PY
    fi
}

# The tests look for PostgreSQL themselves (EMITTER_TEST_PG_DSN, 127.0.0.1:5432,
# testcontainers) and skip with a reason if none is there, so a failure here only warns.
ensure_postgres() {
    if [ -n "${EMITTER_TEST_PG_DSN:-}" ]; then
        log "PostgreSQL: using EMITTER_TEST_PG_DSN"
        return 0
    fi
    if pg_answers; then
        log "PostgreSQL answers on $PG_HOST:$PG_PORT"
        return 0
    fi
    if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ ! -d /etc/postgresql ]; then
        log "PostgreSQL is not answering on $PG_HOST:$PG_PORT and pg_ctlcluster is absent; PostgreSQL tests may skip"
        return 0
    fi
    local version
    version=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
    log "PostgreSQL is not answering; starting cluster $version/main"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start \
        || log "pg_ctlcluster failed to start $version/main"
    local waited=0
    until pg_answers; do
        if [ "$waited" -ge "$PG_WAIT_SECONDS" ]; then
            log "PostgreSQL still not answering after ${PG_WAIT_SECONDS}s; PostgreSQL tests may skip"
            return 0
        fi
        sleep 1
        waited=$((waited + 1))
    done
    log "PostgreSQL answers on $PG_HOST:$PG_PORT after ${waited}s"
}

ensure_venv
ensure_postgres

# pytest-xdist: "auto" is one worker per core; each worker starts its own broker (a session fixture).
# worksteal keeps the cores busy when a few tests take far longer than the rest.
workers=${PYTEST_WORKERS:-auto}
log "running: .venv/bin/python -m pytest -q -n $workers --dist worksteal $*"
rc=0
.venv/bin/python -m pytest -q -n "$workers" --dist worksteal "$@" || rc=$?
if [ "$rc" -eq 5 ]; then
    log "pytest collected no tests (exit 5); treating that as a failure"
    exit 1
fi
exit "$rc"
