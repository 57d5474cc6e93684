"""The layers hold: knowledge <- ingest <- bot, through each package's named surface, no cycles.

Every import of every module is read from its source (function-level imports and those made
only for type checking included), so a rule broken anywhere fails here rather than in a review.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGES = ("knowledge", "ingest", "bot")
# What each package may import of the others.
ALLOWED = {"knowledge": set(), "ingest": {"knowledge"}, "bot": {"ingest", "knowledge"}}


@dataclass(frozen=True)
class Import:
    """One imported name (or module) as written in one module."""

    importer: str
    line: int
    module: str
    name: str | None  # None for ``import module``


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = path.relative_to(REPO).with_suffix("").parts
            found[".".join(parts).removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _imports(module: str, path: Path) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, node.lineno, alias.name, None)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".") if is_package else module.split(".")[:-1]
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, base] if base else parts)
            for alias in node.names:
                yield Import(module, node.lineno, base, alias.name)


IMPORTS = [found for module, path in MODULES.items() for found in _imports(module, path)]


def _surface(package: str) -> dict[str, str]:
    """A package's named surface: each name in its ``__all__`` and the module it lives in."""
    module = importlib.import_module(package)
    homes: dict[str, str] = getattr(module, "_HOMES", {})
    return {name: homes.get(name, package) for name in module.__all__}


SURFACES = {package: _surface(package) for package in PACKAGES}


def _top(module: str) -> str:
    return module.split(".")[0]


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_names_what_the_others_may_use_and_every_name_resolves(
    package: str,
) -> None:
    module = importlib.import_module(package)
    source = ast.parse(MODULES[package].read_text(encoding="utf-8"))
    literal = [
        node
        for node in source.body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        and "__all__" in ast.unparse(node.targets[0] if isinstance(node, ast.Assign) else node)
    ]
    assert literal, f"{package}/__init__.py has no __all__"
    for name in module.__all__:
        assert getattr(module, name) is not None, f"{package}.{name}"


@pytest.mark.parametrize("package", PACKAGES)
def test_no_named_name_is_also_a_module_of_the_package(package: str) -> None:
    # Importing that module would set the package's attribute to the module, hiding the name.
    modules = {module.split(".")[1] for module in MODULES if module.startswith(f"{package}.")}
    assert sorted(set(SURFACES[package]) & modules) == []


def test_no_package_imports_a_layer_above_it() -> None:
    wrong = [
        f"{found.importer}:{found.line} imports {found.module}"
        for found in IMPORTS
        if _top(found.module) in PACKAGES
        and _top(found.module) != _top(found.importer)
        and _top(found.module) not in ALLOWED[_top(found.importer)]
    ]
    assert wrong == []


def test_other_packages_are_imported_only_through_their_named_surface() -> None:
    wrong = []
    for found in IMPORTS:
        target = _top(found.module)
        if target not in PACKAGES or target == _top(found.importer):
            continue
        if found.module != target or found.name not in SURFACES[target]:
            what = f"{found.module}.{found.name}" if found.name else found.module
            wrong.append(f"{found.importer}:{found.line} imports {what}")
    assert wrong == []


def test_a_package_does_not_import_its_own_surface() -> None:
    # Its modules import each other directly; through the surface, cycles would hide.
    wrong = [
        f"{found.importer}:{found.line}"
        for found in IMPORTS
        if found.module == _top(found.importer)
        and found.importer != found.module
        and f"{found.module}.{found.name}" not in MODULES  # a module of its own, by name
    ]
    assert wrong == []


def test_no_modules_import_each_other_in_a_cycle() -> None:
    graph: dict[str, set[str]] = {module: set() for module in MODULES}
    for found in IMPORTS:
        target = _resolve(found)
        if target is not None and target != found.importer:
            graph[found.importer].add(target)
    cycles = [sorted(group) for group in _strongly_connected(graph) if len(group) > 1]
    assert cycles == []


def _resolve(found: Import) -> str | None:
    """The module an import makes its importer depend on (None: not one of ours)."""
    if found.name is not None:
        surface = SURFACES.get(found.module)
        if surface is not None and found.name in surface and surface[found.name] != found.module:
            return surface[found.name]
        if f"{found.module}.{found.name}" in MODULES:
            return f"{found.module}.{found.name}"
    module = found.module
    while module and module not in MODULES:
        module = module.rpartition(".")[0]
    return module or None


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively (the graph has hundreds of modules)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                groups.append(group)
    return groups


def test_services_never_change_once_built_and_hold_no_background_work() -> None:
    from bot.services import Services

    fields = {field.name for field in dataclasses.fields(Services)}
    probe = Services.__new__(Services)

    assert fields == {"settings", "engine", "kb", "answerer"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        probe.settings = None  # type: ignore[misc]
