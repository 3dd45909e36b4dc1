#!/usr/bin/env bash
# CI step, after the test command: the tests left the checkout clean, and the committed
# generated files (geodata/, outputs/) are exactly what the committed code produces.
#
#   bash scripts/check_outputs.sh      # from the repository root, after scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

dirty=$(git status --porcelain --untracked-files=all)
if [ -n "$dirty" ]; then
  echo "check_outputs: the checkout changed while the tests ran (tests must write only to temporary folders):"
  echo "$dirty"
  exit 1
fi

.venv/bin/bordermap build >/dev/null
.venv/bin/bordermap export --embed >/dev/null
stale=$(git status --porcelain --untracked-files=all -- geodata outputs)
if [ -n "$stale" ]; then
  echo "check_outputs: committed geodata/ or outputs/ differ from what the code produces:"
  echo "$stale"
  git --no-pager diff --stat -- geodata outputs
  echo "run 'bordermap build' and 'bordermap export --embed', then commit the files"
  exit 1
fi
echo "check_outputs: the checkout is clean and geodata/ and outputs/ are current"
