#!/usr/bin/env bash
# CI: make Debian's `chromium` available for the headless report test (tests/report/).
# Idempotent and quiet: does nothing when a chromium binary is already on PATH; otherwise installs the
# Debian package with apt-get, as root or through sudo. Prints one line with the binary found.
set -euo pipefail

find_chromium() {
    command -v chromium || command -v chromium-browser || true
}

if [ -z "$(find_chromium)" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        SUDO=()
    elif command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo -n)
    else
        echo ".ci/chromium.sh: chromium is missing and neither root nor sudo is available to install it" >&2
        exit 1
    fi
    LOG="$(mktemp)"
    trap 'rm -f "$LOG"' EXIT
    # The package lists may be absent in a fresh container: update them only when the package is unknown.
    if ! apt-cache show chromium >/dev/null 2>&1; then
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$LOG" 2>&1 || { cat "$LOG" >&2; exit 1; }
    fi
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium \
        >"$LOG" 2>&1 || { cat "$LOG" >&2; exit 1; }
fi

BIN="$(find_chromium)"
if [ -z "$BIN" ]; then
    echo ".ci/chromium.sh: apt-get finished but no chromium binary is on PATH" >&2
    exit 1
fi
echo "chromium: $BIN ($("$BIN" --version 2>/dev/null | head -n 1))"
