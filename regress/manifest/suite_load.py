"""One suite of suites.yaml: targets, expected tests (ids, patterns or `all`), server or own
ports, timeouts; and the port rules between suites."""

from __future__ import annotations

from pathlib import Path

from regress.manifest.model import ALL_TESTS, Scope, ServerSpec, Suite, is_pattern
from regress.manifest.yaml_source import Node, Reader

SUITE_KEYS = (
    "requirement",
    "targets",
    "expected",
    "min_tests",
    "server",
    "port",
    "ports",
    "scope",
    "params",
    "timeout",
    "test_timeout",
)
ALL = "all"


def load_suite(
    reader: Reader,
    root: Path,
    name: str,
    node: Node,
    servers: dict[str, tuple[ServerSpec, Node]],
) -> Suite:
    """A suite from its mapping; `server` or `ports` (or both) say which ports it needs."""
    where = f"suite '{name}'"
    fields = reader.mapping(node, where, SUITE_KEYS)
    targets_node = reader.required(fields, "targets", where, node)
    targets = reader.texts(targets_node, f"{where}.targets")
    for target in targets:
        file_part = target.split("::", 1)[0]
        if not (root / file_part).exists():
            raise reader.fail(
                targets_node, f"{where}.targets", f"'{file_part}' does not exist under {root}"
            )
    expected = _expected(reader, fields, where, node, targets)
    min_tests = 0
    if "min_tests" in fields:
        if not any(is_pattern(e) for e in expected):
            raise reader.fail(
                fields["min_tests"],
                f"{where}.min_tests",
                "only with 'expected: all' or patterns (listed ids are each required already)",
            )
        min_tests = int(reader.number(fields["min_tests"], f"{where}.min_tests", integer=True))
    elif expected == (ALL_TESTS,):
        min_tests = 1
    spec, port = _server(reader, fields, where, node, servers)
    own_ports: tuple[int, ...] = ()
    if "ports" in fields:
        ports_node = fields["ports"]
        if not isinstance(ports_node.value, list) or not ports_node.value:
            raise reader.fail(ports_node, f"{where}.ports", "expected a list of ports, e.g. [5702]")
        own_ports = tuple(reader.port(item, f"{where}.ports") for item in ports_node.value)
    scope_text = reader.text(fields["scope"], f"{where}.scope") if "scope" in fields else "suite"
    if scope_text not in ("suite", "test"):
        raise reader.fail(fields["scope"], f"{where}.scope", "expected 'suite' or 'test'")
    if scope_text == "test" and spec is None:
        raise reader.fail(
            fields["scope"],
            f"{where}.scope",
            "'scope: test' starts a regress server per test; it needs 'server: NAME'",
        )
    return Suite(
        name=name,
        requirement=reader.text(
            reader.required(fields, "requirement", where, node), f"{where}.requirement"
        ),
        targets=targets,
        expected=expected,
        server=spec,
        port=port,
        scope=Scope(scope_text),
        params=reader.scalars(fields["params"], f"{where}.params") if "params" in fields else (),
        timeout=_seconds(reader, fields, "timeout", where, 1800.0),
        test_timeout=_seconds(reader, fields, "test_timeout", where, 600.0),
        own_ports=own_ports,
        min_tests=min_tests,
    )


def _seconds(
    reader: Reader, fields: dict[str, Node], key: str, where: str, default: float
) -> float:
    return reader.number(fields[key], f"{where}.{key}") if key in fields else default


def _server(
    reader: Reader,
    fields: dict[str, Node],
    where: str,
    node: Node,
    servers: dict[str, tuple[ServerSpec, Node]],
) -> tuple[ServerSpec | None, int]:
    if "server" not in fields:
        if "port" in fields:
            raise reader.fail(
                fields["port"],
                f"{where}.port",
                "'port' is the port of a regress server; without 'server' write 'ports: [N]'",
            )
        return None, 0
    server_node = fields["server"]
    server_name = reader.text(server_node, f"{where}.server")
    if server_name not in servers:
        raise reader.fail(
            server_node,
            f"{where}.server",
            f"no server named '{server_name}' (defined: {', '.join(servers) or 'none'})",
        )
    spec = servers[server_name][0]
    if "port" in fields:
        return spec, reader.port(fields["port"], f"{where}.port")
    if spec.port:
        return spec, spec.port
    raise reader.fail(node, where, f"missing 'port' (server '{server_name}' has no default port)")


def _expected(
    reader: Reader, fields: dict[str, Node], where: str, node: Node, targets: tuple[str, ...]
) -> tuple[str, ...]:
    """Expected ids and patterns; `all` is the pattern matching every test."""
    expected_node = reader.required(fields, "expected", where, node)
    if expected_node.value == ALL:
        return (ALL_TESTS,)
    items = reader.texts(expected_node, f"{where}.expected")
    if ALL in items:
        raise reader.fail(
            expected_node, f"{where}.expected", "write 'expected: all' alone, not in a list"
        )
    expected = tuple(_expand(reader, expected_node, where, targets, item) for item in items)
    if len(set(expected)) != len(expected):
        duplicate = next(e for e in expected if expected.count(e) > 1)
        raise reader.fail(expected_node, f"{where}.expected", f"'{duplicate}' is listed twice")
    return expected


def _expand(reader: Reader, node: Node, where: str, targets: tuple[str, ...], item: str) -> str:
    """A bare test name (or pattern) is relative to the suite's only target file; a pattern
    with '::' or a '/' matches whole node ids."""
    if "::" in item:
        file_part = item.split("::", 1)[0]
        if not is_pattern(file_part) and not any(
            file_part == t.split("::", 1)[0] or file_part.startswith(t.rstrip("/") + "/")
            for t in targets
        ):
            raise reader.fail(
                node, f"{where}.expected", f"'{item}' is not under the suite's targets"
            )
        return item
    files = {t.split("::", 1)[0] for t in targets}
    single = len(files) == 1 and next(iter(files)).endswith(".py")
    if is_pattern(item) and not single:
        return f"*::{item}"
    if not single:
        raise reader.fail(
            node,
            f"{where}.expected",
            f"'{item}': write the full node id 'path::name' (several targets or a folder)",
        )
    return f"{files.pop()}::{item}"


def check_ports(reader: Reader, suites: dict[str, tuple[Suite, Node]]) -> None:
    """A regress server's port belongs to one suite (all servers are up in the combined pass);
    ports of the tests' own fixtures may be shared (those suites' tests run one at a time)."""
    owner: dict[int, str] = {}
    for name, (suite, node) in suites.items():
        if suite.server is None:
            continue
        if suite.port in owner:
            raise reader.fail(
                node,
                f"suite '{name}'.port",
                f"port {suite.port} is also used by suite '{owner[suite.port]}'; "
                "suites run together in the combined pass, give each its own port",
            )
        owner[suite.port] = name
    for name, (suite, node) in suites.items():
        for port in suite.own_ports:
            if port in owner and owner[port] != name:
                raise reader.fail(
                    node,
                    f"suite '{name}'.ports",
                    f"port {port} is the server port of suite '{owner[port]}'; "
                    "the two would fight over it in the combined pass",
                )
