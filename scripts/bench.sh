#!/usr/bin/env bash
# Run every benchmark bench/*.py in turn ("make bench"); each ends with a "RESULT NAME ..." line.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
benches=(bench/*.py)
if [ ${#benches[@]} -eq 0 ]; then
    echo "No benchmarks yet: add bench/NAME.py ending with a line 'RESULT NAME key=value ...'."
    exit 0
fi
failed=()
for bench in "${benches[@]}"; do
    echo "== $bench"
    if ! .venv/bin/python "$bench"; then
        failed+=("$bench")
    fi
done
if [ ${#failed[@]} -ne 0 ]; then
    echo "failed benchmarks: ${failed[*]}" >&2
    exit 1
fi
