#!/usr/bin/env bash
# The whole check behind "make test": lint, types, migrations, then pytest on SQLite and on
# PostgreSQL, with a throwaway PostgreSQL and Redis (scripts/testenv.sh) stopped on exit.
#
# Extra arguments go to both pytest runs, e.g. scripts/test.sh tests/core -x
# The PostgreSQL run repeats the tests that touch the database (marked "database" by
# tests/conftest.py), except the browser, conformance and dnsbed ones: they exercise Chromium
# and DNS servers, not database behaviour, and already ran on SQLite. Pure engine and parser
# tests have no database to vary and run once.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin

work=$(mktemp -d /tmp/dnscert-test.XXXXXX)
cleanup() {
    scripts/testenv.sh stop "$work" || true
    rm -rf "$work"
}
trap cleanup EXIT

echo "== starting PostgreSQL and Redis on loopback (in $work)"
scripts/testenv.sh start "$work"
# shellcheck disable=SC1091
source "$work/env"
export DNSCERT_TEST_REDIS_URL
export DNSCERT_VAR_DIR="$work/var"
mkdir -p "$DNSCERT_VAR_DIR/static"  # STATIC_ROOT, so WhiteNoise does not warn
unset DATABASE_URL DNSCERT_BROKER_URL

names=()
results=()
durations=()
failed=0

step() {  # step NAME COMMAND...
    local name=$1 started rc
    shift
    echo
    echo "== $name: $*"
    started=$SECONDS
    set +e
    "$@"
    rc=$?
    set -e
    if [ "$name" != "${name#pytest}" ] && [ $rc -eq 5 ]; then
        rc=0  # pytest found no tests to run: not a failure
    fi
    names+=("$name")
    durations+=("$((SECONDS - started))s")
    if [ $rc -eq 0 ]; then results+=("ok"); else results+=("FAILED ($rc)"); failed=1; fi
}

step "ruff check" "$bin/ruff" check .
step "ruff format" "$bin/ruff" format --check .
step "mypy" "$bin/mypy" src/
step "env documented" "$bin/python" scripts/check_env_documented.py
step "migrations" "$bin/dnscert" makemigrations --check --dry-run
step "pytest sqlite" "$bin/pytest" "$@"
step "pytest postgresql" env DATABASE_URL="$DNSCERT_TEST_DATABASE_URL" "$bin/pytest" \
    -m "database and not browser and not conformance and not dnsbed" "$@"

echo
echo "== summary"
for i in "${!names[@]}"; do
    printf '  %-20s %-12s %s\n' "${names[$i]}" "${results[$i]}" "${durations[$i]}"
done
printf '  %-20s %s\n' "total" "${SECONDS}s"
exit $failed
