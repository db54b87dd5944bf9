#!/usr/bin/env bash
# The journal's tests run against a throwaway PostgreSQL server as well as SQLite (tests start it
# in a temporary folder with PostgreSQL's own binaries). Install Debian's postgresql when pg_ctl is
# missing and we can; otherwise say what to do.
set -u
if [ -n "${PG_CTL:-}" ] && [ -x "$PG_CTL" ]; then exit 0; fi
if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || command -v pg_ctl >/dev/null 2>&1; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO="none"; fi
  fi
  if [ "$SUDO" != "none" ]; then
    echo "Installing Debian's postgresql for the journal's tests (one time)..."
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
    # The tests start their own servers; the package's own cluster is not needed.
    if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then exit 0; fi
  fi
fi
cat >&2 <<MSG
PostgreSQL's binaries (pg_ctl) were not found and could not be installed automatically.
The tests that run the journal on PostgreSQL will be skipped.
To run them: install PostgreSQL (Debian/Ubuntu: 'sudo apt-get install postgresql'),
or point PG_CTL at an existing pg_ctl, then run 'make test' again.
MSG
exit 0
