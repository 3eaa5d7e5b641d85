#!/usr/bin/env bash
# CI: a TeX engine for the compile test of the publication tables (pdflatex with booktabs), from Debian's
# texlive-latex-base and texlive-latex-recommended (about 48 MB download, 40 s). No-op when present.
set -euo pipefail
if command -v pdflatex >/dev/null 2>&1 && kpsewhich booktabs.sty >/dev/null 2>&1; then
    echo ".ci/tex.sh: $(command -v pdflatex)"
    exit 0
fi
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo ".ci/tex.sh: need root or sudo to install TeX" >&2; exit 1; }
    SUDO=(sudo -n)
fi
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
if ! apt-cache show texlive-latex-recommended >/dev/null 2>&1; then
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$LOG" 2>&1 || { cat "$LOG" >&2; exit 1; }
fi
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    texlive-latex-base texlive-latex-recommended >"$LOG" 2>&1 || { cat "$LOG" >&2; exit 1; }
echo ".ci/tex.sh: $(command -v pdflatex)"
