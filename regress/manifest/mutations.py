"""The manifest's `mutations:` section: deliberate bugs (patch files) its suites must catch."""

from __future__ import annotations

import re
from pathlib import Path

from regress.manifest.model import Mutation, Suite
from regress.manifest.yaml_source import Node, Reader

MUTATION_KEYS = ("requirements", "patch", "suites")
NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")  # a folder name in the reports
BASELINE = "baseline"  # the folder of `regress mutate`'s run on unmutated HEAD: not a mutation


def parse_mutations(
    reader: Reader, section: Node | None, folder: Path, suites: dict[str, Suite]
) -> tuple[Mutation, ...]:
    """The checked mutations; patch paths are relative to folder (the manifest's folder)."""
    if section is None:
        return ()
    if not isinstance(section.value, dict) or not section.value:
        raise reader.fail(
            section, "mutations", "expected a mapping of name -> {requirements, patch, suites}"
        )
    return tuple(
        _mutation(reader, name, node, folder, suites) for name, node in section.value.items()
    )


def _mutation(
    reader: Reader, name: str, node: Node, folder: Path, suites: dict[str, Suite]
) -> Mutation:
    where = f"mutation '{name}'"
    if not NAME_RE.match(name) or ".." in name:
        raise reader.fail(
            node, f"mutations.{name}", "names use letters, digits, '_', '-', '.' (no '..', no '/')"
        )
    if name == BASELINE:
        raise reader.fail(
            node,
            f"mutations.{name}",
            f"'{BASELINE}' names the unmutated run's reports folder; name the mutation otherwise",
        )
    fields = reader.mapping(node, where, MUTATION_KEYS)
    requirements_node = reader.required(fields, "requirements", where, node)
    requirements = reader.texts(requirements_node, f"{where}.requirements")
    known = sorted({suite.requirement for suite in suites.values()})
    for requirement in requirements:
        if requirement not in known:
            raise reader.fail(
                requirements_node,
                f"{where}.requirements",
                f"no suite verifies '{requirement}' (requirements: {', '.join(known)})",
            )
    patch_node = reader.required(fields, "patch", where, node)
    patch = (folder / reader.text(patch_node, f"{where}.patch")).resolve()
    if not patch.is_file():
        raise reader.fail(
            patch_node,
            f"{where}.patch",
            f"patch file {patch} not found; give a unified diff's path relative to {folder}",
        )
    if "suites" in fields:
        names = reader.texts(fields["suites"], f"{where}.suites")
        for suite_name in names:
            if suite_name not in suites:
                raise reader.fail(
                    fields["suites"],
                    f"{where}.suites",
                    f"no suite named '{suite_name}' (defined: {', '.join(suites)})",
                )
    else:
        names = tuple(s.name for s in suites.values() if s.requirement in requirements)
    return Mutation(name=name, requirements=requirements, patch=patch, suites=names)
