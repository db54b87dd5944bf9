#!/usr/bin/env bash
# The journal's tests run against a throwaway PostgreSQL server as well as SQLite (tests start it
# in a temporary folder with PostgreSQL's own binaries). Install Debian's postgresql when pg_ctl is
# missing and we can; otherwise say what to do.
set -u
. "$(dirname "$0")/apt-install.sh"
found() { ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || command -v pg_ctl >/dev/null 2>&1; }
if [ -n "${PG_CTL:-}" ] && [ -x "$PG_CTL" ]; then exit 0; fi
found && exit 0
# The tests start their own servers; the package's own cluster is not needed.
apt_install postgresql && found && exit 0
cat >&2 <<MSG
PostgreSQL's binaries (pg_ctl) were not found and could not be installed automatically.
The tests that run the journal on PostgreSQL will be skipped.
To run them: install PostgreSQL (Debian/Ubuntu: 'sudo apt-get install postgresql'),
or point PG_CTL at an existing pg_ctl, then run 'make test' again.
MSG
exit 0
