"""YAML read with the line of every value, and checked into plain values with errors that
name file, line and key (the manifest's reader)."""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from regress.errors import RegressError


@dataclass(frozen=True)
class Node:
    """A YAML value with the line it starts on (1-based)."""

    value: Any  # dict[str, Node] | list[Node] | scalar
    line: int


class Reader:
    """Turns a composed YAML tree into checked values, raising errors with file:line."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, node: Node | None, where: str, problem: str) -> RegressError:
        line = f":{node.line}" if node is not None else ""
        return RegressError(f"{self.path}{line}: {where}: {problem}")

    def mapping(self, node: Node, where: str, allowed: tuple[str, ...]) -> dict[str, Node]:
        if not isinstance(node.value, dict):
            raise self.fail(node, where, f"expected a mapping, got {_kind(node.value)}")
        for key, child in node.value.items():
            if key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1)
                suggestion = (
                    f"did you mean '{hint[0]}'?" if hint else f"allowed: {', '.join(allowed)}"
                )
                raise self.fail(child, where, f"unknown key '{key}' ({suggestion})")
        return dict(node.value)

    def required(self, fields: dict[str, Node], key: str, where: str, node: Node) -> Node:
        if key not in fields:
            raise self.fail(node, where, f"missing required key '{key}'")
        return fields[key]

    def text(self, node: Node, where: str, pattern: re.Pattern[str] | None = None) -> str:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, str | int | float) or value == "":
            raise self.fail(node, where, f"expected a non-empty string, got {_kind(value)}")
        text = str(value)
        if pattern is not None and not pattern.match(text):
            raise self.fail(node, where, f"'{text}' does not match {pattern.pattern}")
        return text

    def number(self, node: Node, where: str, *, integer: bool = False, low: float = 0) -> float:
        value = node.value
        kinds = int if integer else int | float
        if isinstance(value, bool) or not isinstance(value, kinds):
            wanted = "an integer" if integer else "a number"
            raise self.fail(node, where, f"expected {wanted}, got {_kind(value)}")
        if not math.isfinite(value):
            shown = ".nan" if math.isnan(value) else ("-.inf" if value < 0 else ".inf")
            raise self.fail(node, where, f"must be a finite number, got {shown}")
        if value <= low:
            raise self.fail(node, where, f"must be greater than {low:g}, got {value}")
        return float(value)

    def port(self, node: Node, where: str) -> int:
        port = int(self.number(node, where, integer=True))
        if port > 65535:
            raise self.fail(node, where, f"port {port} is out of range (1-65535)")
        return port

    def texts(self, node: Node, where: str, *, allow_empty: bool = False) -> tuple[str, ...]:
        if isinstance(node.value, str):
            items = [node]
        elif isinstance(node.value, list):
            items = node.value
        else:
            raise self.fail(node, where, f"expected a list of strings, got {_kind(node.value)}")
        if not items and not allow_empty:
            raise self.fail(node, where, "expected at least one entry")
        return tuple(self.text(item, where) for item in items)

    def scalars(self, node: Node, where: str) -> tuple[tuple[str, str], ...]:
        fields = self.mapping(
            node, where, tuple(node.value) if isinstance(node.value, dict) else ()
        )
        pairs = []
        for key, child in fields.items():
            if not isinstance(child.value, str | int | float) or isinstance(child.value, bool):
                raise self.fail(
                    child, f"{where}.{key}", f"expected a scalar, got {_kind(child.value)}"
                )
            pairs.append((key, str(child.value)))
        return tuple(pairs)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", bool: "a boolean", str: "a string"}.get(
        type(value), f"a {type(value).__name__}"
    )


MAX_DEPTH = 100  # nesting levels a manifest may use (real ones use fewer than 10)
MAX_ALIAS_EXPANSION = 100_000  # values aliases may add by repeating what they name
_STANDARD_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("map", "seq", "str", "int", "float", "bool", "null", "timestamp", "binary")
)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built in: 70x faster


def compose(path: Path, text: str) -> Node:
    """Parse YAML text into Nodes; every problem is one RegressError naming file and line.

    Anchors and aliases are allowed, but what aliases add by repetition is bounded
    (MAX_ALIAS_EXPANSION), a recursive alias is refused, and so are tags other than YAML's
    standard ones and nesting deeper than MAX_DEPTH; loading stays linear in the file size.
    """
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise RegressError(f"{path}{line}: YAML syntax error: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise RegressError(f"{path}: YAML error: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise RegressError(
            f"{path}: YAML nested deeper than Python can read; a manifest needs a few levels"
        ) from None
    if root is None:
        raise RegressError(f"{path}: the manifest is empty; see the README for an example")
    _check_shape(path, root)
    return _Converter(path).convert(root)


def _check_shape(path: Path, root: yaml.Node) -> None:
    """Depth, tags, recursive aliases and alias expansion, in one pass over the shared graph."""
    sizes: dict[int, int] = {}  # expanded size of each node, once known

    def size(node: yaml.Node, depth: int, path_ids: set[int]) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        line = node.start_mark.line + 1
        if key in path_ids:
            raise RegressError(f"{path}:{line}: recursive YAML alias: a value contains itself")
        if depth > MAX_DEPTH:
            raise RegressError(
                f"{path}:{line}: YAML nested more than {MAX_DEPTH} levels deep; "
                "a manifest needs a few levels"
            )
        if node.tag not in _STANDARD_TAGS:
            raise RegressError(
                f"{path}:{line}: unknown YAML tag '{node.tag}': regress reads plain YAML; "
                "remove the tag"
            )
        total = 1
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            path_ids.add(key)
            children = (
                [item for pair in node.value for item in pair]
                if isinstance(node, yaml.MappingNode)
                else node.value
            )
            total += sum(size(child, depth + 1, path_ids) for child in children)
            path_ids.discard(key)
        sizes[key] = total
        return total

    expanded = size(root, 0, set())
    if expanded - len(sizes) > MAX_ALIAS_EXPANSION:
        raise RegressError(
            f"{path}: YAML aliases repeat values {expanded - len(sizes):,} times, more than the "
            f"{MAX_ALIAS_EXPANSION:,} allowed; write the values out or use fewer aliases"
        )


class _Converter:
    """yaml nodes -> Nodes, with one constructor for every scalar."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.constructor = yaml.constructor.SafeConstructor()

    def convert(self, node: yaml.Node) -> Node:
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            children: dict[str, Node] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in children:
                    raise RegressError(
                        f"{self.path}:{key_node.start_mark.line + 1}: duplicate key '{key}' "
                        f"(first on line {children[key].line}); names must be unique"
                    )
                children[key] = self.convert(value_node)
            return Node(children, line)
        if isinstance(node, yaml.SequenceNode):
            return Node([self.convert(item) for item in node.value], line)
        if node.tag == "tag:yaml.org,2002:str":
            return Node(node.value, line)
        try:
            value = self.constructor.construct_object(node)  # ints, floats, bools, null, ...
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or " ".join(str(exc).split())
            raise RegressError(f"{self.path}:{line}: YAML value not readable: {problem}") from None
        return Node(value, line)
