#!/usr/bin/env bash
# The browser tests drive the system's Chromium (Debian's `chromium`); nothing ever downloads a
# browser. `npm test` runs this first: with Chromium present it does nothing; without it, as root on
# Debian it installs the package (the one system dependency of the tests), and anywhere else it stops
# with the command to run. CHROMIUM_PATH names another binary.
set -euo pipefail
if [ -n "${CHROMIUM_PATH:-}" ]; then
  [ -x "$CHROMIUM_PATH" ] && exit 0
  echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file." >&2
  exit 2
fi
for candidate in /usr/bin/chromium /usr/bin/chromium-browser; do
  [ -x "$candidate" ] && exit 0
done
if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
  echo "ensure-chromium: installing Debian's chromium for the browser tests (apt-get install -y chromium)…" >&2
  started=$(date +%s)
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null
  echo "ensure-chromium: installed in $(( $(date +%s) - started )) s." >&2
  exit 0
fi
echo "The browser tests need Chromium: sudo apt-get install -y chromium (Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium binary." >&2
exit 2
