#!/usr/bin/env bash
# One-command setup for regress on Debian: system browser + Xvfb, then the package in
# editable mode with its dev tools. Safe to run again: each step is skipped when done.
#
# Environment:
#   PYTHON        interpreter to install into (default: python, else python3)
#   REGRESS_SETUP_FORCE=1   reinstall the Python package even if the stamp says it is current
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PYTHON="${PYTHON:-$(command -v python || command -v python3 || true)}"
STAMP_DIR="$ROOT/build/setup"          # build/ is git-ignored
STAMP="$STAMP_DIR/pip-install.stamp"

say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

# --- system packages ---------------------------------------------------------------------
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@" || die "sudo failed; run as root or install: ${missing[*]}"
    else
        die "not root and no sudo; ask an administrator to install: ${missing[*]}"
    fi
}

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v Xvfb >/dev/null 2>&1 || missing+=(xvfb)
command -v node >/dev/null 2>&1 || missing+=(nodejs)   # `make test` runs the engine's node tests
command -v npm >/dev/null 2>&1 || missing+=(npm)         # Debian's nodejs comes without npm

if [ "${#missing[@]}" -gt 0 ]; then
    say "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q "${missing[@]}"
else
    say "system packages present: chromium, Xvfb, node, npm"
fi

# --- Python package ----------------------------------------------------------------------
[ -n "$PYTHON" ] || die "no python on PATH; install Python 3.11 or set PYTHON=/path/to/python"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || die "$PYTHON is older than Python 3.11"

# The stamp is keyed on pyproject.toml and the interpreter: either changing reinstalls.
key="$( { sha256sum pyproject.toml | cut -d' ' -f1; "$PYTHON" -c 'import sys; print(sys.executable, sys.version)'; } | sha256sum | cut -d' ' -f1)"

installed_here() {
    # The editable install points at this checkout, and the dev tools are importable.
    # Run from / so the checkout itself is not on sys.path: only an installed regress imports.
    (cd / && "$PYTHON" - "$ROOT" <<'EOF' 2>/dev/null
import importlib.util, pathlib, sys
import regress
root = pathlib.Path(sys.argv[1]).resolve()
ok = pathlib.Path(regress.__file__).resolve().is_relative_to(root)
ok = ok and all(importlib.util.find_spec(m) for m in ("mypy", "ruff", "pytest_playwright"))
sys.exit(0 if ok else 1)
EOF
    )
}

if [ "${REGRESS_SETUP_FORCE:-0}" != 1 ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$key" ] \
    && installed_here; then
    say "python package up to date (pyproject.toml unchanged); skipping pip install"
else
    say "pip install -e '.[dev]' into $("$PYTHON" -c 'import sys; print(sys.executable)')"
    PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore \
        "$PYTHON" -m pip install -q -e '.[dev]'
    # pyenv shims only learn about new console scripts (regress, ruff, mypy) on rehash.
    if command -v pyenv >/dev/null 2>&1; then pyenv rehash || true; fi
    mkdir -p "$STAMP_DIR"
    printf '%s\n' "$key" >"$STAMP"
fi

# --- GSD's own tool, for the tests of the SUMMARY files ----------------------------------
bash "$ROOT/scripts/gsd-tools.sh" >/dev/null

# --- verification ------------------------------------------------------------------------
# (Debian's chromium wrapper may print a harmless shell warning on stderr; it is shown only
# on failure.)
if ! chromium_version="$(chromium --version 2>/dev/null)"; then
    chromium --version >&2 || true
    die "chromium is installed but 'chromium --version' fails"
fi
say "chromium: $chromium_version"
say "node: $(node --version)"
say "Xvfb: $(command -v Xvfb)"
say "ready"
