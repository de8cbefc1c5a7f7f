#!/usr/bin/env bash
# The first command: installs TeamChat into a virtual environment and serves a demo
# workspace on the embedded default (SQLite, local search, in-process jobs).
#
#   bash scripts/run.sh                              the sample team on http://127.0.0.1:8000/
#   bash scripts/run.sh --port 8080 --host 0.0.0.0   arguments go to `teamchat demo`
#   bash scripts/run.sh --from ../shared/data/irc/ubuntu
#
# The demo is kept in ./teamchat-demo under the current directory (--data-dir to
# choose another); a second run finds it there and adds nothing, so delete that folder
# to start afresh. Python packages go into .venv in the checkout (or the virtualenv that
# is active). Works on Debian 12 as root or as a user; only as root, and only when
# missing, does it apt-get python3 and python3-venv.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VIRTUAL_ENV:-$ROOT/.venv}"

say() { printf 'run.sh: %s\n' "$*" >&2; }

apt_install() {
    if [ "$(id -u)" -ne 0 ]; then
        say "needs the Debian packages: $* (ask an administrator: apt-get install $*)"
        exit 1
    fi
    say "installing $* ..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "$@" >/dev/null
}

python_ok() {
    command -v python3 >/dev/null 2>&1 &&
        python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null
}

venv_ok() {
    [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -m pip --version >/dev/null 2>&1
}

if ! venv_ok; then
    if [ -n "${VIRTUAL_ENV:-}" ]; then
        say "the active virtualenv $VIRTUAL_ENV has no working python/pip"
        exit 1
    fi
    python_ok || apt_install python3 python3-venv
    python_ok || {
        say "needs Python 3.11 or newer as python3"
        exit 1
    }
    say "creating the virtual environment $VENV ..."
    rm -rf "$VENV"
    # Debian ships venv's pip bootstrap in a separate package.
    if ! python3 -m venv "$VENV" >/dev/null 2>&1 || ! venv_ok; then
        rm -rf "$VENV"
        apt_install python3-venv
        python3 -m venv "$VENV"
    fi
fi

# Reinstall only when pyproject.toml (or the checkout's place) changed.
stamp="$VENV/.teamchat-installed"
key="$(printf '%s\n' "$ROOT" | cat - "$ROOT/pyproject.toml" | sha256sum | cut -c1-32)"
if [ ! -x "$VENV/bin/teamchat" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$key" ]; then
    say "installing TeamChat and its Python packages into $VENV (a minute the first time) ..."
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$ROOT"
    printf '%s\n' "$key" >"$stamp"
fi

exec "$VENV/bin/teamchat" demo "$@"
