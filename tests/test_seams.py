"""Contracts of the code's seams: every setting read is documented, every format and
command module is registered (no silent drop of a format or a command)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import sanctions
from sanctions import sources
from sanctions.cli import COMMAND_MODULES

PACKAGE = Path(sanctions.__file__).parent
SETTINGS_DOC = PACKAGE.parent / "docs" / "settings.md"
VARIABLE = re.compile(r"\bSANCTIONS_[A-Z0-9_]*[A-Z0-9]\b")
PATTERN = re.compile(r"`(SANCTIONS_[A-Z0-9_]*)<[A-Z]+>((?:__<[A-Z]+>)?)`")


def _code_variables() -> dict[str, str]:
    """Every ``SANCTIONS_*`` name in the package's code and docstrings -> where."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for name in VARIABLE.findall(line):
                found.setdefault(name, f"{path.relative_to(PACKAGE.parent)}:{number}")
    return found


def test_every_setting_the_code_reads_is_in_the_settings_table() -> None:
    doc = SETTINGS_DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(SANCTIONS_[A-Z0-9_]+)` \|", doc, re.M))
    prefixes = [m.group(1) for m in PATTERN.finditer(doc)]
    assert documented and prefixes
    code = _code_variables()
    missing = {
        name: where
        for name, where in code.items()
        if name not in documented
        and not any(name.startswith(p) for p in prefixes)
        and not any(d.startswith(name + "_") for d in documented)  # a prefix in prose
    }
    assert missing == {}, f"document these in docs/settings.md: {missing}"
    # and the table names nothing the code no longer reads
    assert documented <= set(code), documented - set(code)


def _defines_parse(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(n, ast.FunctionDef) and n.name == "parse" for n in tree.body)


def test_every_source_module_with_a_parser_is_a_registered_format() -> None:
    folder = Path(sources.__file__).parent
    parsers = {p.stem for p in folder.glob("*.py") if _defines_parse(p)}
    assert parsers == set(sources.FORMAT_MODULES)
    assert {f.module.__name__.rsplit(".", 1)[1] for f in sources.list_formats()} == parsers


def test_every_command_module_is_registered() -> None:
    folder = PACKAGE / "cli"
    with_commands = {
        p.stem
        for p in folder.glob("*.py")
        if re.search(r"^@(main|\w+_group|\w+)\.(command|group)\(", p.read_text(), re.M)
        and p.stem != "app"
    }
    assert with_commands <= set(COMMAND_MODULES), with_commands - set(COMMAND_MODULES)


def _imports(path: Path) -> tuple[set[str], list[str]]:
    """(sibling modules imported at the top, imports made inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            top |= {node.module} if node.module else {a.name for a in node.names}
    inner = [
        f"{path.name}:{n.lineno}"
        for f in ast.walk(tree)
        if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
        for n in ast.walk(f)
        if isinstance(n, ast.Import | ast.ImportFrom)
    ]
    return top, inner


def test_watch_modules_import_each_other_one_way_at_the_top() -> None:
    folder = PACKAGE / "watch"
    graph: dict[str, set[str]] = {}
    inner: list[str] = []
    for path in sorted(folder.glob("*.py")):
        graph[path.stem], found = _imports(path)
        inner += found
    assert inner == [], f"imports inside functions (a hidden cycle?): {inner}"

    def cycle_from(node: str, trail: tuple[str, ...]) -> tuple[str, ...] | None:
        for nxt in graph.get(node, ()):
            if nxt in trail:
                return (*trail, nxt)
            if found := cycle_from(nxt, (*trail, nxt)):
                return found
        return None

    cycles = [c for m in graph if (c := cycle_from(m, (m,)))]
    assert cycles == []


def test_chunks_cover_every_item_once_in_order() -> None:
    import pytest

    from sanctions.chunks import chunked

    items = list(range(1001))
    pieces = list(chunked(items, 500))
    assert [len(p) for p in pieces] == [500, 500, 1]
    assert [x for p in pieces for x in p] == items
    assert list(chunked([], 500)) == []
    with pytest.raises(ValueError, match="at least 1"):
        list(chunked(items, 0))


def test_no_hand_written_chunk_loops_in_the_store_watch_and_audit() -> None:
    loop = re.compile(r"for \w+ in range\(0, len\(")
    found = [
        f"{p.relative_to(PACKAGE)}"
        for area in ("store", "watch", "audit")
        for p in (PACKAGE / area).rglob("*.py")
        if loop.search(p.read_text(encoding="utf-8"))
    ]
    assert found == [], "use sanctions.chunks (chunked, insert_chunked)"


def test_one_schema_hierarchy_derives_scope_and_matching() -> None:
    from sanctions.matching import schemata_compatible
    from sanctions.model import SCHEMA_PARENTS, SCHEMATA, can_match, descendants, is_a

    assert set(SCHEMA_PARENTS) == set(SCHEMATA)
    assert is_a("Company", "LegalEntity") and not is_a("LegalEntity", "Company")
    assert descendants("Organization") == {"Organization", "Company", "PublicBody"}
    assert descendants("Thing") == frozenset(SCHEMATA)
    assert not can_match("Person", "Organization") and can_match("LegalEntity", "Person")
    assert not can_match("Company", "PublicBody") and can_match("Vessel", "Thing")
    for one in SCHEMATA:
        for other in SCHEMATA:
            assert schemata_compatible(one, other) == can_match(one, other), (one, other)


def test_every_work_charge_is_awaited() -> None:
    # Guard.charge is a coroutine: a call without await charges nothing (no rate limit)
    missed = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        awaited = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Await)}
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "charge"
                and id(node) not in awaited
            ):
                missed.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert missed == []
