"""The versioned store: versions, no-op reloads, diffs, and that failures keep the last good version."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import event, text

from sanctions.errors import FormatError, StoreError
from sanctions.store import Store


def _ftm(fixtures: Path, name: str) -> Path:
    return fixtures / "ftm" / name


def test_loading_makes_versions_and_identical_content_is_a_noop(
    store: Store, fixtures: Path
) -> None:
    first = store.load(_ftm(fixtures, "v1.jsonl"), dataset="fixture")
    assert (first.status, first.seq, first.entity_count, first.added) == ("loaded", 1, 3, 3)
    again = store.load(_ftm(fixtures, "v1.jsonl"), dataset="fixture")
    assert again.status == "unchanged"
    assert again.version_id == first.version_id
    assert len(store.versions("fixture")) == 1


def test_diff_names_added_removed_and_changed_properties(store: Store, fixtures: Path) -> None:
    store.load(_ftm(fixtures, "v1.jsonl"), dataset="fixture")
    result = store.load(_ftm(fixtures, "v2.jsonl"), dataset="fixture")
    assert (result.added, result.removed, result.changed) == (1, 1, 1)
    diff = store.diff("fixture")
    assert [c.entity_id for c in diff.of_kind("added")] == ["fx-4"]
    assert [c.caption for c in diff.of_kind("removed")] == ["FICTIONAL NORTHWIND TRADING LLC"]
    (changed,) = diff.of_kind("changed")
    assert changed.properties == ["alias"]
    # An explicit range gives the same answer as the stored diff.
    computed = store.diff("fixture", "v1", "v2")
    assert computed.to_dict()["changed"] == diff.to_dict()["changed"]


def test_entities_keep_ids_and_unchanged_entities_are_stored_once(
    store: Store, fixtures: Path
) -> None:
    store.load(_ftm(fixtures, "v1.jsonl"), dataset="fixture")
    store.load(_ftm(fixtures, "v2.jsonl"), dataset="fixture")
    ids = sorted(e.id for e in store.iter_entities(["fixture"]))
    assert ids == ["fx-1", "fx-3", "fx-4"]
    with store.engine.connect() as conn:
        blobs = conn.execute(text("select count(*) from blobs")).scalar()
    assert blobs == 5  # fx-1 (two contents), fx-2, fx-3 (once), fx-4
    vessel = store.get_entity("fx-3")
    assert vessel is not None and vessel.first("imoNumber") == "9187629"
    assert vessel.listing.dataset_version.startswith("fixture@v2:")
    old = store.get_entity("fx-2", version_id=store.versions("fixture")[0].id)
    assert old is not None and old.caption == "FICTIONAL NORTHWIND TRADING LLC"
    assert [h["change"] for h in store.entity_history("fx-1")] == ["added", "changed"]


def test_failed_parse_keeps_previous_version(store: Store, fixtures: Path) -> None:
    good = store.load(_ftm(fixtures, "v1.jsonl"), dataset="fixture")
    with pytest.raises(FormatError) as err:
        store.load(_ftm(fixtures, "broken.jsonl"), dataset="fixture")
    assert "broken.jsonl" in str(err.value) and "line 2" in str(err.value)
    current = store.current_version("fixture")
    assert current is not None and current.id == good.version_id
    assert len(list(store.iter_entities(["fixture"]))) == 3


def test_disk_full_mid_load_keeps_previous_version(tmp_path: Path, fixtures: Path) -> None:
    store = Store.open(tmp_path / "full.db")
    good = store.load(_ftm(fixtures, "v1.jsonl"), dataset="fixture")
    with store.engine.connect() as conn:
        pages = conn.execute(text("PRAGMA page_count")).scalar()

    # SQLite's max_page_count makes the database "full": writes fail with SQLITE_FULL.
    @event.listens_for(store.engine, "connect")
    def _limit(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.execute(f"PRAGMA max_page_count={pages}")

    store.engine.dispose()
    big = tmp_path / "big.jsonl"
    with open(big, "w") as fh:
        for i in range(3000):
            record = {
                "id": f"big-{i}",
                "schema": "Person",
                "properties": {"name": [f"FICTIONAL PERSON {i}"], "notes": ["x" * 200]},
            }
            fh.write(json.dumps(record) + "\n")
    with pytest.raises(StoreError, match="full"):
        store.load(big, dataset="fixture")
    event.remove(store.engine, "connect", _limit)
    store.engine.dispose()
    current = store.current_version("fixture")
    assert current is not None and current.id == good.version_id
    assert len(store.versions("fixture")) == 1
    assert store.load(big, dataset="fixture").status == "loaded"


KILL_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    from sanctions.store import Store
    from sanctions.store.store import Store as S

    original = S._insert_blobs

    def insert_then_die(self, conn, canonical):
        original(self, conn, canonical)
        sys.stdout.write("inserted\\n"); sys.stdout.flush()
        os.kill(os.getpid(), signal.SIGKILL)

    S._insert_blobs = insert_then_die
    Store.open(sys.argv[1]).load(sys.argv[2], dataset="fixture")
    """
)


def test_kill_9_mid_load_leaves_store_consistent(tmp_path: Path, fixtures: Path) -> None:
    db = tmp_path / "kill.db"
    store = Store.open(db)
    good = store.load(_ftm(fixtures, "v1.jsonl"), dataset="fixture")
    store.close()
    proc = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, str(db), str(_ftm(fixtures, "v2.jsonl"))],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert "inserted" in proc.stdout  # it died in the middle of the write
    store = Store.open(db)
    current = store.current_version("fixture")
    assert current is not None and current.id == good.version_id
    assert len(store.versions("fixture")) == 1
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        orphans = conn.execute(
            text(
                "select count(*) from version_entities where version_id not in (select id from versions)"
            )
        ).scalar()
    assert orphans == 0
    assert store.load(_ftm(fixtures, "v2.jsonl"), dataset="fixture").seq == 2


def test_unknown_version_reference_is_a_clear_error(store: Store, fixtures: Path) -> None:
    store.load(_ftm(fixtures, "v1.jsonl"), dataset="fixture")
    with pytest.raises(StoreError, match="no version 'v9'"):
        store.diff("fixture", "v9")
    with pytest.raises(StoreError, match="no versions"):
        store.diff("nothing_here")


def postgres_url() -> str:
    url = os.environ.get("SANCTIONS_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must provide SANCTIONS_TEST_POSTGRES_URL (see .ci/run)")
        pytest.skip(
            "no PostgreSQL server: set SANCTIONS_TEST_POSTGRES_URL (scripts/postgres.sh start)"
        )
    return url


@pytest.fixture()
def pg_store() -> Store:
    store = Store.open(postgres_url())
    with store.engine.begin() as conn:
        for table in ("changes", "version_entities", "blobs", "versions", "datasets"):
            conn.execute(text(f"DELETE FROM {table}"))
    yield store
    store.close()


@pytest.mark.postgres
def test_postgresql_store_versions_and_diffs(pg_store: Store, fixtures: Path) -> None:
    assert pg_store.engine.dialect.name == "postgresql"
    pg_store.load(_ftm(fixtures, "v1.jsonl"), dataset="fixture")
    assert pg_store.load(_ftm(fixtures, "v1.jsonl"), dataset="fixture").status == "unchanged"
    result = pg_store.load(_ftm(fixtures, "v2.jsonl"), dataset="fixture")
    assert (result.added, result.removed, result.changed) == (1, 1, 1)
    assert pg_store.diff("fixture").of_kind("changed")[0].properties == ["alias"]
    with pytest.raises(FormatError):
        pg_store.load(_ftm(fixtures, "broken.jsonl"), dataset="fixture")
    assert pg_store.current_version("fixture").id == result.version_id
    assert sorted(e.id for e in pg_store.iter_entities()) == ["fx-1", "fx-3", "fx-4"]


@pytest.mark.postgres
@pytest.mark.slow  # loads three real lists (~20,000 entities); the fixture test above is fast
def test_postgresql_loads_real_lists_and_diffs_them(pg_store: Store, shared_data: Path) -> None:
    un = pg_store.load(shared_data / "un" / "consolidated_2026-02-27.xml")
    assert (un.dataset, un.entity_count) == ("un_sc_sanctions", 1003)
    first = pg_store.load(shared_data / "us" / "ofac-sdn" / "2022-02-17")
    second = pg_store.load(shared_data / "us" / "ofac-sdn" / "2022-02-24")
    assert second.added > 0 and second.seq == first.seq + 1
    diff = pg_store.diff("us_ofac_sdn")
    assert len(diff.of_kind("added")) == second.added
    entity = pg_store.get_entity("un_sc_sanctions-QDi.001")
    assert entity is not None and entity.first("unscId") == "QDi.001"
    assert entity.listing.dataset_version.startswith("un_sc_sanctions@v1:")


def test_each_load_is_in_the_audit_trail_and_a_failed_one_is_not(
    store: Store, fixtures: Path
) -> None:
    from sanctions import audit

    first = store.load(_ftm(fixtures, "v1.jsonl"), dataset="fixture")
    with pytest.raises(FormatError):
        store.load(_ftm(fixtures, "broken.jsonl"), dataset="fixture")
    store.load(_ftm(fixtures, "v1.jsonl"), dataset="fixture")  # unchanged: nothing to log
    entries = list(audit.iter_entries(store.engine))
    assert [(e.action, e.subject) for e in entries] == [
        ("list.loaded", f"list-version:{first.version_id}")
    ]
    assert json.loads(entries[0].details)["content_hash"] == first.content_hash
    assert audit.verify(store.engine).ok


def test_get_entities_reads_several_entities_of_one_version(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "batch.db")
    first = store.load(
        Path(__file__).parents[1] / "fixtures" / "ftm" / "v1.jsonl", dataset="fixture"
    )
    found = store.get_entities(["fx-1", "fx-3", "fx-404"], first.version_id)
    assert sorted(found) == ["fx-1", "fx-3"]
    assert found["fx-1"].to_dict() == store.get_entity("fx-1", first.version_id).to_dict()
    assert store.get_entities(["fx-1"], 999_999) == {}
    store.close()


def test_iter_entities_of_an_unknown_dataset_or_version_is_an_error(store: Store) -> None:
    # a typo must not read as "no entities": screening would silently skip the list
    with pytest.raises(StoreError, match="unknown dataset.*fixtur"):
        list(store.iter_entities(["fixtur"]))
    with pytest.raises(StoreError, match="unknown version id"):
        list(store.iter_entities(version_ids=[987654]))
