"""Rewrite one suite's `expected:` in suites.yaml in place: comments, order and layout of the
rest of the file stay as the user wrote them; the result is validated before it replaces the
file (atomically)."""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

from regress.errors import RegressError
from regress.manifest.load import parse_manifest

PLAIN_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")


def yaml_item(text: str) -> str:
    """A test id as YAML: plain when it is a bare name, else double-quoted (brackets, colons)."""
    return text if PLAIN_RE.match(text) else json.dumps(text)


def expected_block(ids: Sequence[str], indent: int) -> str:
    """`expected:` followed by one id per line."""
    pad = " " * (indent + 2)
    return "expected:" + "".join(f"\n{pad}- {yaml_item(test)}" for test in ids)


def replace_expected(path: Path, text: str, expected: Mapping[str, Sequence[str]]) -> str:
    """text with each named suite's `expected:` replaced by the given ids."""
    root = yaml.compose(text)
    suites = _value(root, "suites")
    if not isinstance(suites, yaml.MappingNode):
        raise RegressError(f"{path}: no 'suites:' mapping to write into")
    spans = []
    for name, ids in expected.items():
        suite = _value(suites, name)
        if not isinstance(suite, yaml.MappingNode):
            raise RegressError(f"{path}: no suite '{name}' to write into")
        for key, value in suite.value:
            if key.value == "expected":
                end = None
                if _is_block_list(value):  # a comment on its last item goes with the item
                    end = value.value[-1].end_mark.index
                    line_end = text.find("\n", end)
                    line_end = len(text) if line_end < 0 else line_end
                    if text[end:line_end].strip().startswith("#"):
                        end = line_end
                spans.append(
                    (
                        key.start_mark.index,
                        end if end is not None else value.end_mark.index,
                        expected_block(ids, key.start_mark.column),
                    )
                )
                break
        else:
            raise RegressError(f"{path}: suite '{name}' has no 'expected:' to replace")
    for start, end, block in sorted(spans, reverse=True):
        text = text[:start] + block + text[end:]
    return text


def write_expected(path: Path, expected: Mapping[str, Sequence[str]]) -> None:
    """Replace the suites' expected lists in the manifest file, if the result still loads."""
    old = path.read_text(encoding="utf-8")
    new = replace_expected(path, old, expected)
    parse_manifest(path, new)  # a manifest regress would refuse is never written
    write_text(path, new)


def write_text(path: Path, text: str) -> None:
    """Write the file atomically (a temporary file beside it, then rename)."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _value(mapping: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(mapping, yaml.MappingNode):
        return None
    return next((v for k, v in mapping.value if k.value == key), None)


def _is_block_list(node: yaml.Node) -> bool:
    return isinstance(node, yaml.SequenceNode) and not node.flow_style and bool(node.value)
