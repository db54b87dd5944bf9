#!/usr/bin/env bash
# The browser journeys drive Debian's Chromium through Playwright (Playwright's own browser download
# does not work on these machines). Install it when it is missing and we can; otherwise say what to do.
set -u
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO="none"; fi
  fi
  if [ "$SUDO" != "none" ]; then
    echo "Installing Debian's chromium for the browser tests (one time)..."
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
    if [ -x "$CHROMIUM" ]; then exit 0; fi
  fi
fi
cat >&2 <<MSG
Chromium was not found at $CHROMIUM and could not be installed automatically.
The browser journeys (tests marked 'browser') will be skipped.
To run them: install Chromium (Debian/Ubuntu: 'sudo apt-get install chromium'),
or point CHROMIUM_PATH at an existing Chromium/Chrome binary, then run 'make test' again.
MSG
exit 0
