#!/usr/bin/env bash
# Zonemaster conformance: serve Zonemaster's scenario data with the lab nameserver inside a
# private network namespace (loopback only) and score the DNS health engine against it.
# Usage: scripts/conformance.sh [--case basic02] [--scenario GOOD-1] [--verbose]
# DNSCERT_LAB_LOG=FILE keeps the lab server's log; DNSCERT_LAB_LOG_LEVEL=DEBUG logs queries.
# Data folder: $DNSCERT_CONFORMANCE_DIR, default ../shared/conformance/zonemaster.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${DNSCERT_PYTHON:-$repo/.venv/bin/python}"
data="${DNSCERT_CONFORMANCE_DIR:-$repo/../shared/conformance/zonemaster}"

if [[ ! -f "$data/scenarios.json" ]]; then
    echo "SKIP: no Zonemaster conformance data at $data (set DNSCERT_CONFORMANCE_DIR)"
    exit 0
fi
data="$(cd "$data" && pwd)"

if [[ "${DNSCERT_IN_NETNS:-}" != "1" ]]; then
    exec env DNSCERT_IN_NETNS=1 DNSCERT_CONFORMANCE_DIR="$data" unshare -rn "$0" "$@"
fi

# Inside the namespace: loopback up, the scenario IPv6 addresses on lo, the lab on port 53.
workdir="$(mktemp -d)"
server_pid=""
cleanup() {
    if [[ -n "${DNSCERT_LAB_LOG:-}" && -f "$workdir/lab.log" ]]; then cp "$workdir/lab.log" "$DNSCERT_LAB_LOG"; fi
    if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$workdir"
}
trap cleanup EXIT

ip link set lo up
"$python" -m dnscert.dnshealth.conformance --data "$data" --ipv6-batch > "$workdir/ipv6.batch"
ip -6 -force -batch "$workdir/ipv6.batch"

cd "$repo"
"$python" -m dnscert.cli lab serve "$data/test-zone-data/main.cfg" --port 53 \
    --log-level "${DNSCERT_LAB_LOG_LEVEL:-ERROR}" > "$workdir/lab.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
    if grep -q "lab server ready" "$workdir/lab.log"; then break; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "the lab server failed to start:" >&2; cat "$workdir/lab.log" >&2; exit 1
    fi
    sleep 0.1
done
grep -q "lab server ready" "$workdir/lab.log" || { echo "the lab server did not start" >&2; exit 1; }

"$python" -m dnscert.dnshealth.conformance --data "$data" "$@"
