#!/usr/bin/env bash
# The hostile-input suite on its own (the tests marked `hostile`: bad, huge and malicious
# input, faults injected at every write, fsync and rename, kills), timed.
#
#   bash scripts/hostile.sh          # after scripts/test.sh has set up .venv
#
# It also runs, like every test, in the full test command (scripts/test.sh). The time is
# reported against its budget of two minutes; a slower run says so in a warning line
# rather than failing, as the time depends on the machine's load.
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET=120
started=$(date +%s)
# Only the files that mark tests hostile are collected: importing every test module
# (Playwright, matplotlib, geopandas) to deselect most of them costs 20 s on a loaded machine.
mapfile -t files < <(grep -l "mark.hostile" tests/test_*.py)
.venv/bin/python -m pytest -m hostile -q -p no:cacheprovider "${files[@]}" "$@"
seconds=$(( $(date +%s) - started ))
echo "hostile-input suite: ${seconds} s (budget ${BUDGET} s)"
if [ "$seconds" -ge "$BUDGET" ]; then
  echo "warning: the hostile-input suite took ${seconds} s, over its ${BUDGET} s budget" >&2
fi
