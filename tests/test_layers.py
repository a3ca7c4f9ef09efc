"""The package's layers (docs/architecture.md), enforced over the source with ``ast``:
no module imports a layer above its own, the packages import each other one way (no
cycle, even inside a layer), and no package imports another package's private module or
name (``_name``)."""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import sanctions

PACKAGE = Path(sanctions.__file__).parent

# Bottom to top: a unit (a top-level module or package of ``sanctions``) may import its own
# layer and the layers below. The order of docs/architecture.md; a new unit must be placed.
LAYERS: list[tuple[str, set[str]]] = [
    ("base", {"", "errors", "config", "redact", "csvsafe", "chunks", "cache"}),
    ("vocabulary", {"model", "countries", "audit"}),
    ("sources", {"sources", "download"}),
    ("store", {"store", "demo"}),
    ("matching", {"matching"}),
    ("screening", {"screening"}),
    ("services", {"watch", "coordination", "payments", "spark", "update", "doctor"}),
    ("entry points", {"api", "web", "cli"}),
]
RANK = {unit: rank for rank, (_, units) in enumerate(LAYERS) for unit in units}
LAYER_NAME = {unit: name for name, units in LAYERS for unit in units}

# Today's exceptions, each a finding to fix in its own change (empty when there is none):
# (importing module, imported module).
KNOWN_UPWARD: set[tuple[str, str]] = set()
KNOWN_PRIVATE: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, e.g. "sanctions.watch.service"
    target: str  # the imported module or name, e.g. "sanctions.coordination.subjects"
    line: int

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.target}"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def unit_of(module: str) -> str:
    """``sanctions.watch.service`` -> ``watch``; ``sanctions`` itself -> ``""``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    if node.level > 1:
        base = base[: -(node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


@cache
def package_imports() -> list[Import]:
    """Every import of a ``sanctions`` module (or of a name in one) by the package, at any
    depth (inside functions too: a lazy import still ties the layers)."""
    found: list[Import] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(node, module, path.name == "__init__.py")
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            found += [
                Import(module, t, node.lineno)
                for t in targets
                if t == "sanctions" or t.startswith("sanctions.")
            ]
    return found


def upward_imports(imports: list[Import]) -> list[str]:
    return [
        f"{i} ({LAYER_NAME[unit_of(i.module)]} -> {LAYER_NAME[unit_of(i.target)]})"
        for i in imports
        if unit_of(i.target) in RANK
        and RANK[unit_of(i.target)] > RANK[unit_of(i.module)]
        and (i.module, i.target) not in KNOWN_UPWARD
    ]


def private_reaches(imports: list[Import]) -> list[str]:
    """Imports of another package's private module or name (``_name``, not ``__dunder__``)."""
    return [
        str(i)
        for i in imports
        if unit_of(i.target) != unit_of(i.module)
        and any(p.startswith("_") and not p.startswith("__") for p in i.target.split("."))
        and (i.module, i.target) not in KNOWN_PRIVATE
    ]


def test_the_import_scan_sees_the_package() -> None:
    """The scan finds known imports (a broken scan would pass every rule below)."""
    seen = {(i.module, i.target) for i in package_imports()}
    assert ("sanctions.watch.service", "sanctions.coordination.Resolver") in seen
    assert ("sanctions.sources.ofac_csv", "sanctions.sources.ofac_common") in seen  # relative
    assert ("sanctions.cli.app", "sanctions.__version__") in seen
    assert len({i.module for i in package_imports()}) > 100


def test_every_unit_of_the_package_has_a_layer() -> None:
    units = {unit_of(module_name(p)) for p in PACKAGE.rglob("*.py")}
    assert units - set(RANK) == set(), "place new modules in LAYERS and docs/architecture.md"


def test_no_module_imports_a_layer_above_its_own() -> None:
    assert upward_imports(package_imports()) == []


def test_the_packages_import_each_other_one_way() -> None:
    """Within a layer too (payments -> screening, watch -> coordination, api -> web)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for i in package_imports():
        a, b = unit_of(i.module), unit_of(i.target)
        if a != b and b in RANK:
            graph[a].add(b)

    def cycle_from(node: str, trail: tuple[str, ...]) -> tuple[str, ...] | None:
        for nxt in sorted(graph.get(node, ())):
            if nxt == trail[0]:
                return (*trail, nxt)
            if nxt not in trail and (found := cycle_from(nxt, (*trail, nxt))):
                return found
        return None

    cycles = [" -> ".join(c) for unit in sorted(graph) if (c := cycle_from(unit, (unit,)))]
    assert cycles == []


def test_no_package_imports_another_packages_private_module_or_name() -> None:
    assert private_reaches(package_imports()) == []


def test_the_rules_flag_what_they_name() -> None:
    fake = [
        Import("sanctions.matching.score", "sanctions.store.Store", 1),  # downward: allowed
        Import("sanctions.store.store", "sanctions.screening.Screener", 2),
        Import("sanctions.api.app", "sanctions.watch._private", 3),
        Import("sanctions.api.app", "sanctions.watch.records._existing", 4),
        Import("sanctions.watch.importer", "sanctions.watch.records._existing", 5),  # own
        Import("sanctions.cli.app", "sanctions.__version__", 6),
    ]
    assert upward_imports(fake) == [
        "sanctions.store.store:2 imports sanctions.screening.Screener (store -> screening)"
    ]
    assert private_reaches(fake) == [str(fake[2]), str(fake[3])]
