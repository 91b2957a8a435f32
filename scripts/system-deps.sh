#!/usr/bin/env bash
# Install the Debian packages named as arguments, but only those that are missing.
#
# A package counts as present when its main command is on PATH or dpkg knows it, so a
# machine set up another way is left alone. apt-get runs only when something is missing.
# "python3-venv" checks that python3 can create virtual environments (ensurepip).
set -euo pipefail

present() {
    local pkg=$1
    case "$pkg" in
        gettext) command -v msgfmt >/dev/null 2>&1 && return 0 ;;
        gnupg) command -v gpg >/dev/null 2>&1 && return 0 ;;
        nsd) command -v nsd >/dev/null 2>&1 && return 0 ;;
        redis-server) command -v redis-server >/dev/null 2>&1 && return 0 ;;
        chromium) command -v chromium >/dev/null 2>&1 && return 0 ;;
        iproute2) command -v ip >/dev/null 2>&1 && return 0 ;;
        postgresql) compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && return 0 ;;
        python3-venv) python3 -c "import ensurepip, venv" >/dev/null 2>&1 && return 0 ;;
    esac
    dpkg -s "$pkg" >/dev/null 2>&1
}

missing=()
for pkg in "$@"; do
    present "$pkg" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing missing Debian packages: ${missing[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: apt-get not found; install these packages by hand: ${missing[*]}" >&2
    exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "error: run as root (or install sudo) to install: ${missing[*]}" >&2
        exit 1
    fi
    sudo=(sudo)
fi

# Keep the packages' own services (redis, postgresql, nsd) from starting: the platform and the
# tests start their own instances on free loopback ports. Only when no policy exists already.
policy=/usr/sbin/policy-rc.d
added_policy=""
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    added_policy=yes
fi
remove_policy() { [ -n "$added_policy" ] && "${sudo[@]}" rm -f "$policy"; return 0; }
trap remove_policy EXIT

export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update
"${sudo[@]}" apt-get install -y "${missing[@]}"
