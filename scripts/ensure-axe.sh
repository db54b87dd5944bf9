#!/usr/bin/env bash
# The browser journeys inject axe-core (the accessibility checker, from the npm registry) into the
# pages they visit. Install the version package-lock.json pins when it is missing and npm is here;
# otherwise say what to do (the accessibility checks are then skipped, unless REQUIRE_BROWSER is set).
set -u
cd "$(dirname "$0")/.."
AXE=node_modules/axe-core/axe.min.js
if command -v npm >/dev/null 2>&1; then
  echo "Installing axe-core for the accessibility checks (npm ci)..."
  if npm ci --no-audit --no-fund --loglevel=error && [ -f "$AXE" ]; then
    touch "$AXE"  # npm keeps the package's own dates: make would think it is always out of date
    exit 0
  fi
fi
cat >&2 <<MSG
axe-core could not be installed at $AXE (npm is missing or failed).
The accessibility checks of the browser journeys will be skipped.
To run them: install Node.js with npm (Debian/Ubuntu: 'sudo apt-get install npm'),
then run 'make test' again (it runs 'npm ci' in the project folder).
MSG
exit 0
