#!/usr/bin/env bash
# The newcomer's walkthrough under Xvfb, in the light and the dark theme (scripts/walkthrough.py).
# Installs Xvfb with apt-get when run as root and it is missing; screenshots go to $1
# (default: walkthrough-out/).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-walkthrough-out}"
if ! command -v xvfb-run >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends xvfb xauth >/dev/null
  else
    echo "the walkthrough needs Xvfb: install the 'xvfb' package" >&2
    exit 2
  fi
fi
rm -rf "$out"
for theme in light dark; do
  xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/walkthrough.py first \
    "$out/$theme" "$theme"
  xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/walkthrough.py again \
    "$out/$theme" "$theme"
done
echo "walkthrough passed; screenshots in $out/"
