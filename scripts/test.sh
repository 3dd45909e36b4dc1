#!/usr/bin/env bash
# Set up everything the tests need, then run the linters and the tests.
#
#   bash scripts/test.sh            # from the repository root
#
# Installs Debian's Chromium and CJK fonts (for the browser tests; NanumGothic, TrueType,
# for the Korean print export) and poppler-utils
# (pdffonts, pdfinfo: the tests read the PDF export with them) when missing, and
# axe-core from npm (for the accessibility test) and the base data packages (for
# bordermap new's base and inset), creates .venv with bordermap and its
# test tools, then runs ruff, mypy and pytest.
# With CI=true the browser tests fail, rather than skip, when no browser is found.
set -euo pipefail
cd "$(dirname "$0")/.."

# The font list is read whole first: with pipefail, fc-list cut short by grep -q would fail.
FONTS="$(fc-list : family 2>/dev/null || true)"
if [ ! -x /usr/bin/chromium ] || ! grep -qi "noto sans cjk" <<<"$FONTS" \
    || ! grep -qi "nanumgothic" <<<"$FONTS" || ! command -v pdffonts >/dev/null; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk fonts-nanum \
    fonts-dejavu-core poppler-utils
  # matplotlib lists the fonts once and keeps the list: let it find the new ones.
  rm -f "${MPLCONFIGDIR:-$HOME/.cache/matplotlib}"/fontlist-*.json
fi

# axe-core (npm) for the accessibility test, pinned by tests/axe/package-lock.json.
if ! command -v npm >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends nodejs npm
fi
if [ ! -f tests/axe/node_modules/axe-core/axe.min.js ]; then
  npm ci --prefix tests/axe --no-audit --no-fund --loglevel=error
fi

# The base data packages (OpenStreetMap's country areas, Natural Earth's land), pinned by
# scripts/package-lock.json: the tests make a new map's base and inset from them offline.
if [ ! -f scripts/node_modules/world-atlas/land-10m.json ] \
    || [ ! -f scripts/node_modules/@osm_borders/maritime_10m/borders.geo.json ]; then
  npm ci --prefix scripts --ignore-scripts --no-audit --no-fund --loglevel=error
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"

.venv/bin/ruff check src tests benchmarks scripts docs
.venv/bin/ruff format --check src tests benchmarks scripts
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
