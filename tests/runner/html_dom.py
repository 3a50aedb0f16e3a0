"""A small DOM of an HTML document (stdlib html.parser) for asserting on the report's content."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"meta", "link", "img", "br", "input", "hr", "col", "source", "wbr", "area", "base"}
SVG_EMPTY = {"rect", "line", "circle", "path"}  # written as <rect .../>: self-closing


@dataclass
class Node:
    """An element: tag, attributes, children (elements and text)."""

    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)
    parent: Node | None = None

    def iter(self) -> Iterator[Node]:
        """This element and every element below it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str, **attrs: str) -> list[Node]:
        """Elements below (and including) this one with the tag; `class_` matches one class."""
        found = []
        for node in self.iter():
            if node.tag != tag:
                continue
            wanted = dict(attrs)
            css = wanted.pop("class_", None)
            if css is not None and css not in node.attrs.get("class", "").split():
                continue
            if all(node.attrs.get(k.replace("_", "-")) == v for k, v in wanted.items()):
                found.append(node)
        return found

    def find(self, tag: str, **attrs: str) -> Node:
        """The first such element (AssertionError when there is none)."""
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag} {attrs}> in <{self.tag} {self.attrs}>"
        return found[0]

    def by_id(self, ident: str) -> Node:
        """The element with that id."""
        found = [node for node in self.iter() if node.attrs.get("id") == ident]
        assert len(found) == 1, f"{len(found)} elements with id {ident!r}"
        return found[0]

    @property
    def text(self) -> str:
        """All text below, whitespace collapsed."""
        parts: list[str] = []

        def walk(node: Node) -> None:
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                else:
                    walk(child)

        walk(self)
        return " ".join("".join(parts).split())


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Node(tag, {k: v or "" for k, v in attrs}, parent=self.current))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        assert node is not None and node.parent is not None, f"stray </{tag}>"
        assert node is self.current, f"</{tag}> closes <{self.current.tag}> too: unbalanced HTML"
        self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(text: str) -> Node:
    """The document's root; the HTML must be balanced (every element closed in order)."""
    builder = _Builder()
    builder.feed(text)
    builder.close()
    assert builder.current is builder.root, f"<{builder.current.tag}> never closed"
    return builder.root
