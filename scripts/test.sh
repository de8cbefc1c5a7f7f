#!/usr/bin/env bash
# The test command: installs what the suite needs, starts the test services,
# lints, runs pytest (extra arguments go to pytest), stops what it started.
#
#   bash scripts/test.sh                 whole suite
#   bash scripts/test.sh -k search -x    arguments are passed to pytest
#
# Needs root on Debian 12. Re-runs are fast: apt-get runs only when a package
# is missing, pip only when pyproject.toml, the Python or the checkout changed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

STATE_DIR="${TEAMCHAT_SERVICES_STATE:-/var/lib/teamchat-ci}"
CACHE_DIR="${TEAMCHAT_SERVICES_CACHE:-/var/cache/teamchat-ci}"
# A hang guard, not a budget: the whole run should stay well under 20 minutes.
PYTEST_TIMEOUT="${TEAMCHAT_PYTEST_TIMEOUT:-1500}"
# A test still running after this many seconds gets every thread's stack dumped.
HANG_DUMP="${TEAMCHAT_PYTEST_HANG_DUMP:-300}"
# The emoji font: browser tests and their screenshots show emoji as people see them.
PACKAGES=(mariadb-server mariadb-client redis-server redis-tools chromium fonts-dejavu-core
    fonts-noto-color-emoji curl unzip ca-certificates)

T_START=$SECONDS
PHASES=()
phase_begin() {
    PHASE_NAME="$1"
    PHASE_T0=$SECONDS
    printf '\n==> %s\n' "$1"
}
phase_end() {
    local d=$((SECONDS - PHASE_T0))
    PHASES+=("$(printf '%-22s %4ds' "$PHASE_NAME" "$d")")
    printf '<== %s: %ds\n' "$PHASE_NAME" "$d"
}

STARTED_FILE=""
# shellcheck disable=SC2317  # called through the EXIT trap
cleanup() {
    local rc=$?
    local ours=()
    if [ -n "$STARTED_FILE" ] && [ -f "$STARTED_FILE" ]; then
        mapfile -t ours < <(grep -E '^(mariadb|redis|es)$' "$STARTED_FILE" || true)
    fi
    # Only the services that this run started; never the ones it found up.
    if [ ${#ours[@]} -gt 0 ]; then
        phase_begin "stop services"
        # Another test run that is still going holds the shared lock: leave
        # the services to it. Otherwise stop what this run started.
        if flock -x -n 8; then
            bash "$ROOT/scripts/services.sh" stop "${ours[@]}" || true
        else
            echo "another test run is using the services; leaving running: ${ours[*]}"
        fi
        phase_end
    fi
    [ -n "$STARTED_FILE" ] && rm -f "$STARTED_FILE"
    if [ ${#PHASES[@]} -gt 0 ]; then
        printf '\n==> timings\n'
        printf '  %s\n' "${PHASES[@]}"
        printf '  %-22s %4ds\n' total "$((SECONDS - T_START))"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ "$(id -u)" -eq 0 ] || {
    echo "scripts/test.sh: run as root (it installs Debian packages and starts services)" >&2
    exit 1
}

# ---------------------------------------------------------------- packages
phase_begin "system packages"
missing=()
for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
        missing+=("$pkg")
done
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "all present"
fi
phase_end

# ---------------------------------------------------------------- python
phase_begin "python packages"
PY="$(command -v python || command -v python3)"
mkdir -p "$CACHE_DIR/pip-stamps"
stamp_key="$(printf '%s\n%s\n%s\n' "$ROOT" "$PY" "$("$PY" -VV)" | cat - pyproject.toml |
    sha256sum | cut -c1-32)"
stamp="$CACHE_DIR/pip-stamps/$stamp_key"
installed_at="$("$PY" -c 'import os, teamchat; print(os.path.dirname(os.path.dirname(teamchat.__file__)))' 2>/dev/null || true)"
if [ -f "$stamp" ] && [ "$installed_at" = "$ROOT" ] && "$PY" -m pytest --version >/dev/null 2>&1 &&
    "$PY" -m ruff --version >/dev/null 2>&1; then
    echo "up to date (pyproject.toml unchanged)"
else
    "$PY" -m pip install -q --disable-pip-version-check --root-user-action=ignore -e '.[test]'
    touch "$stamp"
fi
phase_end

# ---------------------------------------------------------------- services
phase_begin "services"
mkdir -p "$STATE_DIR/locks"
# Held (shared) for the whole run, so that a concurrent run never stops the
# services under our feet, and we never stop them under its.
exec 8>"$STATE_DIR/locks/users.lock"
flock -s 8
STARTED_FILE="$(mktemp)"
bash "$ROOT/scripts/services.sh" start --started-file "$STARTED_FILE"
eval "$(bash "$ROOT/scripts/services.sh" env)"
if command -v chromium >/dev/null 2>&1; then
    export TEAMCHAT_TEST_CHROMIUM="${TEAMCHAT_TEST_CHROMIUM:-$(command -v chromium)}"
fi
phase_end

# ---------------------------------------------------------------- lint
phase_begin "ruff"
lint_rc=0
"$PY" -m ruff check . || lint_rc=1
"$PY" -m ruff format --check . || lint_rc=1
phase_end

# ---------------------------------------------------------------- tests
phase_begin "pytest"
test_rc=0
# SIGINT first: pytest then reports where it was stuck and what ran.
timeout --foreground --signal=INT --kill-after=60 "$PYTEST_TIMEOUT" \
    "$PY" -m pytest -q -o faulthandler_timeout="$HANG_DUMP" "$@" </dev/null || test_rc=$?
phase_end

if [ "$test_rc" -eq 124 ]; then
    echo "FAILED: pytest did not finish within ${PYTEST_TIMEOUT}s (TEAMCHAT_PYTEST_TIMEOUT)" >&2
elif [ "$test_rc" -eq 5 ]; then
    echo "FAILED: pytest collected no tests (exit 5); the suite always has tests" >&2
elif [ "$test_rc" -ne 0 ]; then
    echo "FAILED: pytest exited with $test_rc" >&2
fi
if [ "$lint_rc" -ne 0 ]; then
    echo "FAILED: ruff found problems (run 'ruff check --fix . && ruff format .')" >&2
    [ "$test_rc" -ne 0 ] || test_rc=1
fi
exit "$test_rc"
