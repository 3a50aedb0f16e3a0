#!/usr/bin/env bash
# Install GSD's own tool (gsd-tools.cjs from the npm package get-shit-done-cc) at a pinned
# version into build/gsd/ (git-ignored); the tests in tests/runner/gsd/ check every SUMMARY
# shape regress writes with it. Safe to run again: quick when the pinned version is there.
#
# The package's tarball is fetched with `npm pack` and checked against the pinned sha512
# before it is unpacked. It is not `npm install`ed: that also installs the package's
# dependencies (110 packages, about 400 MB, among them an agent SDK), none of which
# gsd-tools.cjs requires. Prints the path of gsd-tools.cjs on its last line.
set -euo pipefail

VERSION=1.42.3
INTEGRITY="sha512-3sQoRYFl7v7dju3LXq7sE3pnufGHF7R6xfDU1DaH2+YYe4V6+dhoaUo4KoBHvjtLQ8UATUX3hWofHg+tAUUALQ=="

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="$ROOT/build/gsd"
PACKAGE="$PREFIX/node_modules/get-shit-done-cc"     # where `npm install --prefix` would put it
TOOL="$PACKAGE/get-shit-done/bin/gsd-tools.cjs"
STAMP="$PREFIX/installed.stamp"

say() { printf '[gsd-tools] %s\n' "$*" >&2; }
die() { printf '[gsd-tools] error: %s\n' "$*" >&2; exit 1; }

command -v node >/dev/null 2>&1 || die "no node on PATH; run scripts/setup.sh (installs nodejs)"
command -v npm >/dev/null 2>&1 || die "no npm on PATH; run scripts/setup.sh (installs npm)"

if [ -f "$TOOL" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$VERSION $INTEGRITY" ]; then
    say "get-shit-done-cc@$VERSION present"
    printf '%s\n' "$TOOL"
    exit 0
fi

say "fetching get-shit-done-cc@$VERSION"
work="$(mktemp -d "${TMPDIR:-/tmp}/gsd-tools.XXXXXX")"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent --no-fund --no-audit "get-shit-done-cc@$VERSION" >/dev/null) \
    || die "npm pack get-shit-done-cc@$VERSION failed (network or registry?)"
tarball="$work/get-shit-done-cc-$VERSION.tgz"
[ -f "$tarball" ] || die "npm pack did not write $tarball"

actual="sha512-$(node -e '
const data = require("fs").readFileSync(process.argv[1]);
process.stdout.write(require("crypto").createHash("sha512").update(data).digest("base64"));
' "$tarball")"
[ "$actual" = "$INTEGRITY" ] \
    || die "get-shit-done-cc@$VERSION tarball is $actual, pinned $INTEGRITY; not installed"

rm -rf "$PACKAGE" "$STAMP"
mkdir -p "$PACKAGE"
tar -xzf "$tarball" -C "$PACKAGE" --strip-components=1 --no-same-owner
[ -f "$TOOL" ] || die "get-shit-done-cc@$VERSION has no get-shit-done/bin/gsd-tools.cjs"
printf '%s %s\n' "$VERSION" "$INTEGRITY" >"$STAMP"
say "installed get-shit-done-cc@$VERSION into ${PREFIX#"$ROOT"/}"
printf '%s\n' "$TOOL"
