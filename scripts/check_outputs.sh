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

# Every other map's base (and the synthetic test map's) is what the recipe for any region
# makes of the pinned data packages (scripts/node_modules, installed by scripts/test.sh).
for map in maps/*/ tests/maps/synthetic/; do
  .venv/bin/python scripts/make_base.py --map "${map%/}" --packages scripts/node_modules >/dev/null
done
# Every shipped map (geodata/ and maps/*/), their thumbnails and outputs/index.html.
.venv/bin/bordermap build --all >/dev/null
.venv/bin/bordermap export --embed >/dev/null
for map in maps/*/; do
  .venv/bin/bordermap export --geodata "$map" --format png >/dev/null
done
# Every shipped map passes its checks.
for map in geodata maps/*/; do
  .venv/bin/bordermap validate --geodata "$map" >/dev/null
done
stale=$(git status --porcelain --untracked-files=all -- geodata maps outputs tests/maps)
if [ -n "$stale" ]; then
  echo "check_outputs: committed geodata/, maps/, tests/maps/ or outputs/ differ from what the code produces:"
  echo "$stale"
  git --no-pager diff --stat -- geodata maps outputs tests/maps
  echo "run 'python scripts/make_base.py --map DIR' for maps/*/ and tests/maps/synthetic,"
  echo "'bordermap build --all', 'bordermap export --embed' and, for each map,"
  echo "'bordermap export --geodata maps/<id> --format png', then commit the files"
  exit 1
fi
echo "check_outputs: the checkout is clean, every map validates, and geodata/, maps/ and outputs/ are current"
