"""An import-linter contract type of our own: some names of a module may be used only by some
packages. Import-linter's contracts work on whole modules; our tables live in one ``models``
module (one place for the schema), so "only the consent package reads consents" is checked name by
name: every module that imports ``tracker.models`` is read, and a ``ConsentGrant`` imported (or used
as ``models.ConsentGrant``) outside the allowed packages breaks the contract.

Used from ``pyproject.toml`` (``contract_types``); run by ``lint-imports`` in ``make test``."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

from importlinter import Contract, ContractCheck, fields, output


class NamesKeptToContract(Contract):
    type_name = "names_kept_to"

    module = fields.StringField()
    names = fields.ListField(subfield=fields.StringField())
    allowed_importers = fields.ListField(subfield=fields.StringField())

    def check(self, graph, verbose: bool) -> ContractCheck:
        names = set(self.names)
        allowed = [str(a) for a in self.allowed_importers]
        broken = []
        for importer in sorted(graph.find_modules_that_directly_import(str(self.module))):
            if any(importer == a or importer.startswith(a + ".") for a in allowed):
                continue
            for line, name in _uses(importer, str(self.module), names):
                broken.append((importer, name, line))
        return ContractCheck(kept=not broken, warnings=None, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, name, line in check.metadata["broken"]:
            output.print_error(f"- {importer} uses {self.module}.{name} (l.{line})", bold=False)
            output.new_line()


def _source_file(module: str) -> Path:
    """The file of a module, found without importing anything (importing would run package
    ``__init__`` files, which a broken tree may not survive)."""
    top, *rest = module.split(".")
    base = Path(importlib.util.find_spec(top).submodule_search_locations[0]).joinpath(*rest)
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def _uses(importer: str, module: str, names: set[str]) -> list[tuple[int, str]]:
    tree = ast.parse(_source_file(importer).read_text(encoding="utf-8"))
    parent, _, leaf = module.rpartition(".")
    aliases, found = set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == module:
            found += [(node.lineno, a.name) for a in node.names if a.name in names or a.name == "*"]
        elif isinstance(node, ast.ImportFrom) and node.module == parent:
            aliases |= {a.asname or a.name for a in node.names if a.name == leaf}
        elif isinstance(node, ast.Import):
            aliases |= {a.asname for a in node.names if a.name == module and a.asname}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in names:
            value = node.value
            dotted = value.id if isinstance(value, ast.Name) else ast.unparse(value)
            if dotted in aliases or dotted == module:
                found.append((node.lineno, node.attr))
    return found
