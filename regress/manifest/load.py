"""Load and validate suites.yaml into frozen dataclasses; every error names file, line and key."""

from __future__ import annotations

import os
import re
import shutil
import string
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from regress.errors import RegressError
from regress.manifest.model import Manifest, Plan, ReadyCheck, ReadyKind, ServerSpec, Suite
from regress.manifest.mutations import parse_mutations
from regress.manifest.suite_load import check_ports, load_suite
from regress.manifest.yaml_source import Node, Reader, compose

TOP_KEYS = ("version", "root", "parity", "keep", "servers", "plans", "suites", "mutations")
PARITY_KEYS = ("exclude",)
SERVER_KEYS = ("command", "port", "ready", "env", "cwd", "grace")
READY_KEYS = ("http", "tcp", "timeout")
PLAN_KEYS = ("phase", "plan", "title", "subsystem", "tags", "requirements", "suites")
PLACEHOLDERS = ("python", "port", "host", "data_dir", "suite_dir")
URL_PLACEHOLDERS = ("host", "port")
# Folders and files of a pass (combined/<suite>/ sits beside them) and of the reports folder.
RESERVED_NAMES = frozenset(
    {
        "pytest.log",
        "junit.xml",
        "context.json",
        "events.jsonl",
        "playwright",
        "browsers",
        "xvfb.log",
        "latest",
        "LATEST",
    }
)
PLAN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
PHASE_RE = re.compile(r"^\d+[A-Za-z0-9_.-]*$")
T = TypeVar("T")


def load_manifest(path: Path) -> Manifest:
    """Read, parse and validate a manifest file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RegressError(
            f"{path}: manifest not found; run from the project root or pass --manifest PATH"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RegressError(f"{path}: cannot read manifest: {exc}") from exc
    return parse_manifest(path, text)


def parse_manifest(path: Path, text: str) -> Manifest:
    """Validate manifest text; path is used for messages and to resolve relative paths."""
    reader = Reader(path)
    root_node = compose(path, text)
    top = reader.mapping(root_node, "top level", TOP_KEYS)
    if "version" in top and top["version"].value != 1:
        raise reader.fail(top["version"], "version", "only version 1 is supported")
    root = path.parent.resolve()
    if "root" in top:
        root = (root / reader.text(top["root"], "root")).resolve()
        if not root.is_dir():
            raise reader.fail(top["root"], "root", f"directory {root} does not exist")

    exclude: tuple[str, ...] = ()
    if "parity" in top:
        parity = reader.mapping(top["parity"], "parity", PARITY_KEYS)
        if "exclude" in parity:
            exclude = reader.texts(parity["exclude"], "parity.exclude", allow_empty=True)

    keep = None
    if "keep" in top:  # `regress prune` and every finished `regress run` keep the newest N runs
        keep = int(reader.number(top["keep"], "keep", integer=True))

    servers = (
        _named(reader, top, "servers", root_node, lambda n, v: _server(reader, root, n, v))
        if "servers" in top  # optional: suites may use only their tests' own servers ('ports')
        else {}
    )
    suites = _named(
        reader, top, "suites", root_node, lambda n, v: load_suite(reader, root, n, v, servers)
    )
    plans = _plans(reader, top, root_node, suites)
    check_ports(reader, suites)
    built = {name: suite for name, (suite, _) in suites.items()}
    mutations = parse_mutations(reader, top.get("mutations"), path.parent.resolve(), built)
    return Manifest(
        path=path,
        root=root,
        servers=tuple(spec for spec, _ in servers.values()),
        plans=plans,
        suites=tuple(suite for suite, _ in suites.values()),
        parity_exclude=exclude,
        keep=keep,
        mutations=mutations,
    )


def _named(
    reader: Reader,
    top: dict[str, Node],
    key: str,
    root_node: Node,
    build: Callable[[str, Node], T],
) -> dict[str, tuple[T, Node]]:
    section = reader.required(top, key, "top level", root_node)
    if not isinstance(section.value, dict) or not section.value:
        raise reader.fail(section, key, "expected a mapping of name -> definition")
    built = {}
    for name, node in section.value.items():
        if not NAME_RE.match(name) or ".." in name:
            raise reader.fail(
                node, f"{key}.{name}", "names use letters, digits, '_', '-', '.' (no '..', no '/')"
            )
        if name in RESERVED_NAMES:
            raise reader.fail(
                node,
                f"{key}.{name}",
                f"'{name}' is the name of a file regress writes in the run folder; rename it",
            )
        built[name] = (build(name, node), node)
    return built


def _server(reader: Reader, root: Path, name: str, node: Node) -> ServerSpec:
    where = f"server '{name}'"
    fields = reader.mapping(node, where, SERVER_KEYS)
    command = reader.texts(reader.required(fields, "command", where, node), f"{where}.command")
    for arg in command:
        _check_template(reader, fields["command"], f"{where}.command", arg, PLACEHOLDERS)
    ready_node = reader.required(fields, "ready", where, node)
    ready_fields = reader.mapping(ready_node, f"{where}.ready", READY_KEYS)
    timeout = 30.0
    if "timeout" in ready_fields:
        timeout = reader.number(ready_fields["timeout"], f"{where}.ready.timeout")
    if ("http" in ready_fields) == ("tcp" in ready_fields):
        raise reader.fail(
            ready_node, f"{where}.ready", "give exactly one of 'http: URL' or 'tcp: true'"
        )
    if "http" in ready_fields:
        url_node = ready_fields["http"]
        url = reader.text(url_node, f"{where}.ready.http")
        _check_template(reader, url_node, f"{where}.ready.http", url, URL_PLACEHOLDERS)
        if not url.startswith("http://"):
            raise reader.fail(
                url_node,
                f"{where}.ready.http",
                f"'{url}': readiness is probed over plain HTTP on the server's own address; "
                "write an http://127.0.0.1:{port}/... URL",
            )
        ready = ReadyCheck(ReadyKind.HTTP, url, timeout)
    else:
        if ready_fields["tcp"].value is not True:
            raise reader.fail(ready_fields["tcp"], f"{where}.ready.tcp", "write 'tcp: true'")
        ready = ReadyCheck(ReadyKind.TCP, "", timeout)
    cwd = root
    if "cwd" in fields:
        cwd = (root / reader.text(fields["cwd"], f"{where}.cwd")).resolve()
        if not cwd.is_dir():
            raise reader.fail(fields["cwd"], f"{where}.cwd", f"directory {cwd} does not exist")
    _check_program(reader, fields["command"], f"{where}.command", command[0], cwd)
    return ServerSpec(
        name=name,
        command=command,
        port=reader.port(fields["port"], f"{where}.port") if "port" in fields else 0,
        ready=ready,
        env=reader.scalars(fields["env"], f"{where}.env") if "env" in fields else (),
        cwd=cwd,
        grace=reader.number(fields["grace"], f"{where}.grace") if "grace" in fields else 5.0,
    )


def _check_template(
    reader: Reader, node: Node, where: str, text: str, allowed: tuple[str, ...]
) -> None:
    """Every {placeholder} is one of allowed, with no format spec; braces are balanced."""
    hint = f"use {', '.join('{' + name + '}' for name in allowed)}; write {{{{ and }}}} for braces"
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in string.Formatter().parse(text)
            if name is not None
        ]
    except ValueError as exc:
        raise reader.fail(node, where, f"'{text}': {exc} ({hint})") from None
    for name, spec, conversion in fields:
        if name not in allowed or spec or conversion:
            raise reader.fail(node, where, f"unknown placeholder '{{{name}}}' in '{text}' ({hint})")


def _check_program(reader: Reader, node: Node, where: str, program: str, cwd: Path) -> None:
    """The command's program exists: {python}, a path (relative to the server's cwd), or a
    name on PATH (with this interpreter's bin/ first, as servers get it)."""
    if "{" in program:
        return  # filled in per suite; {python} is this interpreter
    if "/" in program:
        found = (cwd / program).exists()
    else:
        search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
        found = shutil.which(program, path=search) is not None
    if not found:
        raise reader.fail(
            node,
            where,
            f"program '{program}' not found (looked in {cwd if '/' in program else 'PATH'}); "
            "install it, give its path, or use {python}",
        )


def _plans(
    reader: Reader, top: dict[str, Node], root_node: Node, suites: dict[str, tuple[Suite, Node]]
) -> tuple[Plan, ...]:
    section = reader.required(top, "plans", "top level", root_node)
    if not isinstance(section.value, list) or not section.value:
        raise reader.fail(section, "plans", "expected a list of plans")
    plans: list[Plan] = []
    seen: dict[str, int] = {}
    for index, node in enumerate(section.value):
        where = f"plans[{index}]"
        fields = reader.mapping(node, where, PLAN_KEYS)
        phase_node = reader.required(fields, "phase", where, node)
        phase = reader.text(phase_node, f"{where}.phase", PHASE_RE)
        if ".." in phase:
            raise reader.fail(phase_node, f"{where}.phase", f"'{phase}' may not contain '..'")
        number = reader.required(fields, "plan", where, node)
        plan_text = reader.text(number, f"{where}.plan", PLAN_RE)
        if ".." in plan_text:
            raise reader.fail(number, f"{where}.plan", f"'{plan_text}' may not contain '..'")
        plan_text = plan_text.zfill(2) if plan_text.isdigit() else plan_text
        key = f"{phase}/{plan_text}"
        if key in seen:
            raise reader.fail(
                node, where, f"plan {key} is defined twice (first on line {seen[key]})"
            )
        seen[key] = node.line
        suite_node = reader.required(fields, "suites", where, node)
        names = reader.texts(suite_node, f"{where}.suites")
        for name in names:
            if name not in suites:
                raise reader.fail(
                    suite_node,
                    f"{where}.suites",
                    f"no suite named '{name}' (defined: {', '.join(suites)})",
                )
        requirements = reader.texts(
            reader.required(fields, "requirements", where, node), f"{where}.requirements"
        )
        covered = {suites[name][0].requirement for name in names}
        for requirement in requirements:
            if requirement not in covered:
                raise reader.fail(
                    fields["requirements"],
                    f"{where}.requirements",
                    f"no suite of this plan verifies {requirement}",
                )
        plans.append(
            Plan(
                phase=phase,
                plan=plan_text,
                title=reader.text(reader.required(fields, "title", where, node), f"{where}.title"),
                requirements=requirements,
                suites=names,
                subsystem=reader.text(fields["subsystem"], f"{where}.subsystem")
                if "subsystem" in fields
                else "testing",
                tags=reader.texts(fields["tags"], f"{where}.tags", allow_empty=True)
                if "tags" in fields
                else (),
            )
        )
    listed = {name for plan in plans for name in plan.suites}
    for name, (_, node) in suites.items():
        if name not in listed:
            raise reader.fail(
                node, f"suite '{name}'", "is not listed by any plan; add it to a plan's suites"
            )
    return tuple(plans)
