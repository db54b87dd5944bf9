#!/usr/bin/env bash
# tests/test_load_balancer.py runs deploy/nginx.conf in a real nginx (started by the test in a
# temporary folder). Install Debian's nginx-light when nginx is missing and we can; otherwise say
# what to do.
set -u
. "$(dirname "$0")/apt-install.sh"
found() { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; }
found && exit 0
if apt_install nginx-light && found; then
  # The package starts a server of its own on port 80; the tests need only the binary.
  (service nginx stop || /usr/sbin/nginx -s quit) >/dev/null 2>&1
  exit 0
fi
cat >&2 <<MSG
nginx was not found and could not be installed automatically: the load balancer's test will be
skipped. To run it: install nginx (Debian/Ubuntu: 'sudo apt-get install nginx-light'), then run
'make test' again.
MSG
exit 0
