"""Find skip/xfail markers and calls in suite files, by AST, so a green run cannot hide them."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

from regress.judging.results import IntegrityFinding

MARKERS = {"skip": "skip marker", "skipif": "skipif marker", "xfail": "xfail marker"}
CALLS = {
    "skip": "pytest.skip call",
    "xfail": "pytest.xfail call",
    "importorskip": "importorskip call",
}


def scan_targets(root: Path, targets: Iterable[str]) -> tuple[IntegrityFinding, ...]:
    """Scan the Python files under the given targets (files, directories or node ids)."""
    files: list[Path] = []
    for target in targets:
        path = root / target.split("::", 1)[0]
        candidates = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        files += [f for f in candidates if f.suffix == ".py" and f.is_file() and f not in files]
    return tuple(finding for path in files for finding in scan_file(path, root))


def scan_file(path: Path, root: Path) -> tuple[IntegrityFinding, ...]:
    """Findings in one file, in line order; an unparsable file is itself a finding."""
    relative = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    try:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source, filename=str(path))
    except (OSError, UnicodeDecodeError, SyntaxError) as exc:
        return (IntegrityFinding(relative, getattr(exc, "lineno", 0) or 0, "unparsable", str(exc)),)
    lines = source.splitlines()
    findings = []
    for node in ast.walk(tree):
        kind = _classify(node)
        if kind is not None:
            line = getattr(node, "lineno", 0)
            text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
            findings.append(IntegrityFinding(relative, line, kind, text[:160]))
    return tuple(sorted(findings, key=lambda f: (f.line, f.kind)))


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _classify(node: ast.AST) -> str | None:
    """pytest.mark.skip / .skipif / .xfail (bare or called) and pytest.skip/xfail calls."""
    if isinstance(node, ast.Attribute):
        name = _dotted(node)
        for marker, kind in MARKERS.items():
            if name in (f"pytest.mark.{marker}", f"mark.{marker}"):
                return kind
    if isinstance(node, ast.Call):
        name = _dotted(node.func)
        for call, kind in CALLS.items():
            if name == f"pytest.{call}":
                return kind
    return None
