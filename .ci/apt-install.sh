# Sourced by the .ci/*-deps.sh checks: install_or_explain WHAT PACKAGES...
# As root with apt-get the packages are installed; otherwise it says exactly what to install.
# Exits the calling script: 0 when installed, 1 otherwise.
install_or_explain() {
  local what=$1; shift
  local pkgs="$*"
  echo "$what"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing them with apt-get..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends ${APT_EXTRA:-} $pkgs >/dev/null \
      && exit 0
    echo "apt-get failed; install these packages yourself: $pkgs" >&2
    exit 1
  fi
  echo "install them, e.g. on Debian/Ubuntu: sudo apt-get install $pkgs" >&2
  exit 1
}
