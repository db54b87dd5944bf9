# Sourced by the ensure-*.sh scripts: apt_install PACKAGE installs a Debian package when apt-get
# is there and we are root or may sudo without a password; its status says whether it ran.
apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else return 1; fi
  fi
  echo "Installing Debian's $1 for the tests (one time)..."
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$1" >/dev/null
}
