"""The store's contract: what other packages read, they read through `Store` methods.

Each method is checked on SQLite and PostgreSQL against what the store itself says
(`versions()`, `iter_entities()`, `diff()`), and a scan of the package fails when
code outside `sanctions/store` reads the store's tables.
"""

from __future__ import annotations

import ast
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sanctions.model import Entity
from sanctions.store import Store
from sanctions.store.contract import EntitySource

PACKAGE = Path(__file__).resolve().parents[2] / "sanctions"


def _ftm(fixtures: Path, name: str) -> Path:
    return fixtures / "ftm" / name


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        opened = Store.open(tmp_path / "store.db")
    else:
        from tests.store.test_store import postgres_url
        from tests.watch.test_postgres import empty_lists_and_watch

        opened = Store.open(postgres_url())
        with opened.begin() as conn:
            empty_lists_and_watch(conn)
    yield opened
    opened.close()


@pytest.fixture()
def two_versions(store: Store, fixtures: Path) -> tuple[int, int]:
    first = store.load(_ftm(fixtures, "v1.jsonl"), dataset="fixture")
    second = store.load(_ftm(fixtures, "v2.jsonl"), dataset="fixture")
    assert first.version_id is not None and second.version_id is not None
    return first.version_id, second.version_id


def test_entity_hashes_are_each_versions_entities_with_their_content_hash(
    store: Store, two_versions: tuple[int, int]
) -> None:
    v1, v2 = two_versions
    refs = store.entity_hashes([v2, v1])
    assert [(v, e) for v, e, _ in refs] == [
        (v1, "fx-1"),
        (v1, "fx-2"),
        (v1, "fx-3"),
        (v2, "fx-1"),
        (v2, "fx-3"),
        (v2, "fx-4"),
    ]
    hashes = {(v, e): h for v, e, h in refs}
    assert hashes[(v1, "fx-3")] == hashes[(v2, "fx-3")]  # unchanged: stored once
    assert hashes[(v1, "fx-1")] != hashes[(v2, "fx-1")]  # alias added in v2
    assert store.entity_hashes([]) == []
    with store.connect() as conn:  # inside a caller's connection: the same answer
        assert store.entity_hashes([v1, v2], conn=conn) == refs


def test_entities_by_hash_give_the_content_each_version_held(
    store: Store, two_versions: tuple[int, int]
) -> None:
    v1, v2 = two_versions
    hashes = {(v, e): h for v, e, h in store.entity_hashes([v1, v2])}
    found = store.entities_by_hash([hashes[(v1, "fx-1")], hashes[(v2, "fx-1")], "0" * 64])
    assert set(found) == {hashes[(v1, "fx-1")], hashes[(v2, "fx-1")]}  # unknown left out
    old, new = found[hashes[(v1, "fx-1")]], found[hashes[(v2, "fx-1")]]
    assert old.get("alias") == ["Ivan Petrovskiy"]
    assert sorted(new.get("alias")) == ["Ivan Petrovskiy", "Ivan Petrowski"]
    pieces = list(store.iter_entity_json(sorted(found), size=1))
    assert [len(p) for p in pieces] == [1, 1]
    as_text = dict(row for piece in pieces for row in piece)
    for blob, entity in found.items():
        assert Entity.from_dict(json.loads(as_text[blob])).to_ftm() == entity.to_ftm()


def test_versions_by_id_records_and_current_ids_agree_with_versions(
    store: Store, two_versions: tuple[int, int]
) -> None:
    v1, v2 = two_versions
    assert store.current_version_ids() == {"fixture": v2}
    by_id = store.version_by_id(v1)
    assert by_id is not None and (by_id.dataset, by_id.seq, by_id.current) == ("fixture", 1, False)
    assert store.version_by_id(v2).current  # type: ignore[union-attr]
    assert store.version_by_id(v2 + 1000) is None
    records = store.version_records()
    assert [(r["id"], r["seq"], r["entity_count"]) for r in records] == [(v1, 1, 3), (v2, 2, 3)]
    assert records[1]["content_hash"] == store.versions("fixture")[1].content_hash
    assert store.table_counts() == {"datasets": 1, "versions": 2, "blobs": 5}
    assert store.check() == []


def test_first_listed_and_change_dates_follow_the_stored_diffs(
    store: Store, two_versions: tuple[int, int]
) -> None:
    v1, v2 = two_versions
    first = {e: seq for e, dataset, seq in store.first_listed([v1, v2])}
    assert first == {"fx-1": 1, "fx-2": 1, "fx-3": 1, "fx-4": 2}
    loaded = {v.id: v.loaded_at for v in store.versions("fixture")}
    dates = store.entity_change_dates([v2])
    assert dates["fx-4"] == (loaded[v2], loaded[v2])  # added by v2
    assert dates["fx-1"] == (loaded[v1], loaded[v2])  # added by v1, changed by v2
    assert dates["fx-3"] == (loaded[v1], loaded[v1])  # never changed since
    assert store.entity_change_dates([]) == {}


def test_changed_entity_json_is_what_the_diff_added_and_removed(
    store: Store, two_versions: tuple[int, int]
) -> None:
    _, v2 = two_versions
    diff = store.diff("fixture")

    def ids(change: str) -> list[str]:
        return sorted(json.loads(d)["id"] for d in store.changed_entity_json(v2, change) if d)

    assert ids("added") == [c.entity_id for c in diff.of_kind("added")] == ["fx-4"]
    assert ids("removed") == [c.entity_id for c in diff.of_kind("removed")] == ["fx-2"]
    with pytest.raises(ValueError, match="added"):
        store.changed_entity_json(v2, "changed")


def test_the_store_is_what_the_matcher_asks_for(store: Store) -> None:
    assert isinstance(store, EntitySource)


def test_a_version_listener_hears_loads_where_the_database_announces(
    store: Store, fixtures: Path
) -> None:
    heard = threading.Event()
    payloads: list[dict[str, Any]] = []

    def on_change(payload: dict[str, Any]) -> None:
        payloads.append(payload)
        if payload:
            heard.set()

    listener = store.version_listener(on_change)
    if store.engine.dialect.name == "sqlite":
        assert listener is None  # SQLite cannot announce: callers poll current_version_ids()
        return
    assert listener is not None
    listener.start()
    try:
        assert listener.connected.wait(10)
        store.load(_ftm(fixtures, "v1.jsonl"), dataset="fixture")
        assert heard.wait(10)
    finally:
        listener.stop()
    assert [p for p in payloads if p]


def _store_table_reads(path: Path) -> Iterator[str]:
    """Imports of the store's tables and reads of its private parts, in one module."""
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = {a.name for a in node.names}
            if node.module == "sanctions.store.schema" or (
                node.module == "sanctions.store" and "schema" in names
            ):
                yield f"{path.name}:{node.lineno}: imports the store's tables"
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            owner = node.value
            named = getattr(owner, "attr", None) or getattr(owner, "id", None)
            if named == "store" and not node.attr.startswith("__"):
                yield f"{path.name}:{node.lineno}: reads store.{node.attr}"
        if isinstance(node, ast.Attribute) and node.attr in ("connect", "begin"):
            inner = node.value
            if isinstance(inner, ast.Attribute) and inner.attr == "engine":
                named = getattr(inner.value, "attr", None) or getattr(inner.value, "id", None)
                if named == "store":
                    yield f"{path.name}:{node.lineno}: store.engine.{node.attr}() (use store.{node.attr}())"


def test_no_code_outside_the_store_reads_its_tables() -> None:
    found = [
        f"{path.relative_to(PACKAGE)}: {problem}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if "store" not in path.relative_to(PACKAGE).parts[:1]
        for problem in _store_table_reads(path)
    ]
    assert found == []


def test_the_contract_scan_finds_a_table_read(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from sanctions.store import schema as st\n"
        "def f(store):\n"
        "    with store.engine.connect() as conn:\n"
        "        return store._blobs(conn, [])\n"
    )
    assert len(list(_store_table_reads(bad))) == 3
