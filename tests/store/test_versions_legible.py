"""Legible versions on the real files: dates and their origin, full paths, diff details,
entities as of a version, removed entities' last content, rollback (issue 16, item 5)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from sanctions import audit
from sanctions.cli import main
from sanctions.errors import FormatError, StoreError
from sanctions.sources import detect_format
from sanctions.store import Store
from sanctions.store import history as h

SDN = "us_ofac_sdn"
BEFORE, AFTER = "us/ofac-sdn/2022-02-24", "us/ofac-sdn/2022-02-25"


@pytest.fixture(scope="module")
def base_db(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SDN of 2022-02-24 (v1) then 2022-02-25 (v2, current), loaded once."""
    path = tmp_path_factory.mktemp("legible") / "base.db"
    store = Store.open(path)
    for folder in (BEFORE, AFTER):
        assert store.load(shared_data / folder).status == "loaded"
    store.close()
    return path


@pytest.fixture()
def db(base_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    shutil.copy(base_db, path)
    return path


@pytest.fixture()
def store(db: Path) -> Iterator[Store]:
    s = Store.open(db)
    yield s
    s.close()


def run(db: Path, *args: str) -> object:
    return CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)


# -- dates and paths ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("regulation8_consolidated_2024-11-11.xlsx", "2024-11-11"),
        ("sema-lmes_2020-04.xml", "2020-04"),
        ("sdn_20231228.csv", "2023-12-28"),
        ("2025-12-partial", "2025-12"),
        ("list_2024_02_30.csv", None),  # no 30 February
        ("sdn.csv", None),
        ("build-123456789.csv", None),
    ],
)
def test_date_in_a_name(name: str, expected: str | None) -> None:
    assert h.path_date(Path("/nowhere") / name) == expected


def test_date_of_the_folder_of_a_file(shared_data: Path) -> None:
    assert h.path_date(shared_data / AFTER / "sdn.csv") == "2022-02-25"


def test_each_real_file_gets_its_date_and_says_where_from(shared_data: Path) -> None:
    dfat = shared_data / "au/dfat/regulation8_consolidated_2024-11-11.xlsx"
    un = shared_data / "un/consolidated_2026-02-27.xml"
    sema = shared_data / "ca/sema/sema-lmes_2020-04.xml"
    sdn = shared_data / AFTER
    # The DFAT workbook states its own date (docProps), as the UN file does (dateGenerated).
    assert h.resolve_published(detect_format(dfat), dfat) == ("2024-11-11", h.FROM_FILE)
    assert h.resolve_published(detect_format(un), un) == ("2026-02-27", h.FROM_FILE)
    # SEMA and OFAC's CSV state none: the path's date, marked as such.
    assert h.resolve_published(detect_format(sema), sema) == ("2020-04", h.FROM_PATH)
    assert h.resolve_published(detect_format(sdn), sdn) == ("2022-02-25", h.FROM_PATH)
    # --published beats a guess from the path, must agree with a date the file states.
    assert h.resolve_published(detect_format(sema), sema, "2020-04-15") == (
        "2020-04-15",
        h.FROM_OPTION,
    )
    assert h.resolve_published(detect_format(un), un, "2026-02") == ("2026-02-27", h.FROM_FILE)
    with pytest.raises(FormatError, match="contradicts the date the file states"):
        h.resolve_published(detect_format(un), un, "2025-01-01")
    with pytest.raises(ValueError, match="not a date"):
        h.parse_published("27/02/2026")


@pytest.mark.slow  # two real SDN versions loaded (CI runs it)
def test_versions_keep_date_origin_and_full_path(store: Store, shared_data: Path) -> None:
    v1, v2 = store.versions(SDN)
    assert (v1.published, v1.published_from) == ("2022-02-24", h.FROM_PATH)
    assert (v2.published, v2.published_from) == ("2022-02-25", h.FROM_PATH)
    # Both folders hold sdn.csv: the full paths tell them apart.
    assert v1.source_path == str((shared_data / BEFORE).resolve())
    assert v2.source_path == str((shared_data / AFTER).resolve())


@pytest.mark.slow  # two real SDN versions loaded (CI runs it)
def test_load_published_option_and_a_contradiction(db: Path, shared_data: Path) -> None:
    sema = shared_data / "ca/sema/sema-lmes_2020-04.xml"
    result = run(db, "load", str(sema), "--published", "2020-04-20")
    assert result.exit_code == 0, result.output
    listed = run(db, "lists", "--versions", "--dataset", "ca_dfatd_sema_sanctions", "--json")
    (version,) = json.loads(listed.output)
    assert (version["published"], version["published_from"]) == ("2020-04-20", "option")
    un = shared_data / "un/consolidated_2026-02-27.xml"
    refused = run(db, "load", str(un), "--published", "2020-01-01")
    assert refused.exit_code == 1
    assert "contradicts the date the file states (2026-02-27)" in refused.output
    store = Store.open(db)
    assert store.versions("un_sc_sanctions") == []
    store.close()


@pytest.mark.slow  # two real SDN versions loaded (CI runs it)
def test_lists_versions_show_date_origin_and_path(db: Path, shared_data: Path) -> None:
    result = run(db, "lists", "--versions", "--dataset", SDN)
    # The table folds long paths over lines: read it without borders and spaces.
    text = "".join(ch for ch in result.output if ch not in "│ \n")
    assert "2022-02-24(path)" in text and "2022-02-25(path)" in text
    assert "".join(str((shared_data / AFTER).resolve()).split()) in text


# -- diff details ---------------------------------------------------------------------


@pytest.mark.slow  # two real SDN versions loaded (CI runs it)
def test_diff_details_give_old_and_new_values_of_each_changed_field(store: Store) -> None:
    diff = store.diff(SDN)
    details = h.change_details(store, diff)
    v1, v2 = store.versions(SDN)
    assert set(details) == {c.entity_id for c in diff.of_kind("changed")} and details
    for entity_id, fields in details.items():
        before, after = store.get_entity(entity_id, v1.id), store.get_entity(entity_id, v2.id)
        assert before is not None and after is not None
        assert [f.field for f in fields] == before.diff_properties(after)
        for f in fields:
            assert f.old == h.field_values(before, f.field)
            assert f.new == h.field_values(after, f.field)
            assert f.old != f.new
    # Seen in these files: Patrushev's place of birth renamed between the two days.
    place = next(f for f in details["us_ofac_sdn-24309"] if f.field == "birthPlace")
    assert (place.removed, place.added) == (
        ["Leningrad, Russian Federation"],
        ["St. Petersburg, Russian Federation"],
    )


@pytest.mark.slow  # two real SDN versions loaded (CI runs it)
def test_diff_details_cli(db: Path) -> None:
    result = run(db, "diff", SDN, "--details")
    assert result.exit_code == 0, result.output
    assert (
        "birthPlace: Leningrad, Russian Federation -> St. Petersburg, Russian Federation"
        in result.output
    )
    as_json = run(db, "diff", SDN, "--details", "--json")
    assert '"details"' in as_json.output and '"old"' in as_json.output


# -- as of a version, and after removal ---------------------------------------------------


@pytest.mark.slow  # two real SDN versions loaded (CI runs it)
def test_show_version_gives_the_entity_as_it_was(store: Store, db: Path) -> None:
    entity, version = h.entity_at(store, "us_ofac_sdn-24309", "v1")
    assert version.seq == 1 and entity is not None
    assert entity.properties["birthPlace"] == ["Leningrad, Russian Federation"]
    added_later, _ = h.entity_at(store, "us_ofac_sdn-34797", "v1")
    assert added_later is None  # listed on 2022-02-25 only
    shown = run(db, "show", "us_ofac_sdn-24309", "--version", "v1")
    assert "As of us_ofac_sdn v1" in shown.output and "Leningrad" in shown.output
    absent = run(db, "show", "us_ofac_sdn-34797", "--version", "v1")
    assert "us_ofac_sdn-34797 is not in us_ofac_sdn v1" in absent.output
    missing = run(db, "show", "us_ofac_sdn-24309", "--version", "v9")
    assert missing.exit_code == 2 and "no version 'v9'" in missing.output


# -- rollback ---------------------------------------------------------------------------


@pytest.mark.slow  # two real SDN versions loaded (CI runs it)
def test_rollback_that_removes_entities_needs_confirm_and_changes_nothing(
    store: Store, db: Path
) -> None:
    before = store.versions(SDN)
    with pytest.raises(StoreError, match="removes 91 entities listed now"):
        store.rollback_version(SDN, "v1")
    assert store.versions(SDN) == before
    assert store.current_version(SDN).seq == 2
    assert "list.rollback" not in {e.action for e in audit.iter_entries(store.engine)}
    result = run(db, "versions", "rollback", SDN, "--to", "v1")
    assert result.exit_code == 2 and "--confirm" in result.output


@pytest.mark.slow  # two real SDN versions loaded (CI runs it)
def test_rollback_is_a_new_audited_version_with_its_diff(store: Store, db: Path) -> None:
    v1, v2 = store.versions(SDN)
    result = run(
        db, "versions", "rollback", SDN, "--to", "v1", "--confirm", "--note", "bad file",
        "--actor", "ana",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "rolled back to v1 by ana: v3 is now current" in result.output
    v3 = store.current_version(SDN)
    assert (v3.seq, v3.status, v3.rollback_of, v3.parent_id) == (3, h.ROLLBACK, v1.id, v2.id)
    assert (v3.content_hash, v3.entity_count) == (v1.content_hash, v1.entity_count)
    assert (v3.published, v3.source_path) == (v1.published, v1.source_path)
    ids = {e.id for e in store.iter_entities([SDN])}
    assert ids == {e.id for e in store.iter_entities(version_ids=[v1.id])}
    diff = store.diff(SDN)  # the rollback's stored diff against v2
    assert (diff.from_version.id, diff.to_version.id) == (v2.id, v3.id)
    assert len(diff.of_kind("removed")) == 91 and not diff.of_kind("added")
    entry = [e for e in audit.iter_entries(store.engine) if e.action == "list.rollback"]
    assert len(entry) == 1 and entry[0].actor == "ana"
    details = json.loads(entry[0].details)
    assert details["note"] == "bad file" and details["previous_seq"] == 2
    assert audit.verify(store.engine).ok
    # The same bytes as v1 loaded again: unchanged (v3 holds them).
    assert store.load(Path(v1.source_path)).status == "unchanged"
    # Forward again to v2: it removes nothing, so no --confirm is needed.
    forward = run(db, "versions", "rollback", SDN, "--to", "v2", "--json")
    assert forward.exit_code == 0, forward.output
    v4 = json.loads(forward.output)
    assert (v4["seq"], v4["rollback_of"], v4["added"], v4["removed"]) == (4, v2.id, 91, 0)


@pytest.mark.slow  # two real SDN versions loaded (CI runs it)
def test_removed_entity_keeps_its_last_content(store: Store, db: Path) -> None:
    store.rollback_version(SDN, "v1", confirm=True)
    v2 = store.get_version(SDN, "v2")
    assert store.get_entity("us_ofac_sdn-34797") is None
    found = h.last_listed(store, "us_ofac_sdn-34797")
    assert found is not None
    entity, last, removed_in = found
    assert (last.seq, removed_in.seq) == (2, 3)
    assert entity.to_dict() == store.get_entity("us_ofac_sdn-34797", v2.id).to_dict()
    shown = run(db, "show", "us_ofac_sdn-34797")
    assert "no longer listed: removed in us_ofac_sdn v3 (a rollback to v1)" in shown.output
    assert "VEDYAKHIN" in shown.output


@pytest.mark.slow  # two real SDN versions loaded (CI runs it)
def test_rollback_refuses_held_older_or_current_targets(store: Store, shared_data: Path) -> None:
    older = store.load(shared_data / "us/ofac-sdn/2022-01-10")  # older content: kept aside
    assert older.status == "older"
    with pytest.raises(StoreError, match="it was never approved"):
        store.rollback_version(SDN, f"v{older.seq}")
    store.reject_version(SDN, f"v{older.seq}")
    with pytest.raises(StoreError, match="is rejected"):
        store.rollback_version(SDN, f"v{older.seq}")
    with pytest.raises(StoreError, match="already the current version"):
        store.rollback_version(SDN, "v2")


@pytest.mark.postgres
def test_postgresql_dates_details_and_rollback(shared_data: Path) -> None:
    from sqlalchemy import text

    from .test_store import postgres_url

    store = Store.open(postgres_url())
    try:
        with store.engine.begin() as conn:
            for table in ("changes", "version_entities", "blobs", "versions", "datasets"):
                conn.execute(text(f"DELETE FROM {table}"))
        for folder in (BEFORE, AFTER):
            store.load(shared_data / folder)
        v1, v2 = store.versions(SDN)
        assert (v2.published, v2.published_from) == ("2022-02-25", h.FROM_PATH)
        details = h.change_details(store, store.diff(SDN))
        assert any(f.field == "birthPlace" for f in details["us_ofac_sdn-24309"])
        v3 = store.rollback_version(SDN, "v1", confirm=True, actor="ana")
        assert (v3.rollback_of, v3.entity_count, v3.current) == (v1.id, v1.entity_count, True)
        assert len(store.diff(SDN).of_kind("removed")) == 91
        found = h.last_listed(store, "us_ofac_sdn-34797")
        assert found is not None and found[2].id == v3.id
    finally:
        store.close()


@pytest.mark.slow  # loads a real SDN set (CI runs it)
def test_a_downloaded_file_gets_no_date_from_its_path(tmp_path: Path, shared_data: Path) -> None:
    folder = tmp_path / "2031-01-02"  # a cache folder named by the day of the download
    shutil.copytree(shared_data / BEFORE, folder)
    store = Store.open(tmp_path / "dl.db")
    try:
        store.load(folder, source_url="https://example.org/sdn.csv")
        (version,) = store.versions(SDN)
        assert (version.published, version.published_from) == (None, None)
    finally:
        store.close()


def test_a_date_from_the_path_gates_nothing(tmp_path: Path) -> None:
    """Only dates a file states (or --published gives) make content "older"."""
    rows = [
        '{"id": "fx-1", "schema": "Person", "properties": {"name": ["Fictional One"]}}',
        '{"id": "fx-2", "schema": "Person", "properties": {"name": ["Fictional Two"]}}',
    ]
    newer, older = tmp_path / "2030-01-01", tmp_path / "2020-01-01"
    for folder, count in ((newer, 1), (older, 2)):
        folder.mkdir()
        (folder / "list.jsonl").write_text("\n".join(rows[:count]) + "\n")
    store = Store.open(tmp_path / "dates.db")
    try:
        assert store.load(newer / "list.jsonl", dataset="fixture").status == "loaded"
        later = store.load(older / "list.jsonl", dataset="fixture")
        assert later.status == "loaded"  # a folder name is no publication date to compare
        assert store.current_version("fixture").published == "2020-01-01"
        # Dates given with --published are stated dates: they do gate.
        third, fourth = tmp_path / "third.jsonl", tmp_path / "fourth.jsonl"
        third.write_text(rows[0] + "\n" + rows[1].replace("Two", "Deux") + "\n")
        fourth.write_text(rows[1] + "\n")
        assert store.load(third, dataset="fixture", published="2025-01-01").status == "loaded"
        held = store.load(fourth, dataset="fixture", published="2024-01-01")
        assert (
            held.status == "older"
            and "before the current version's 2025-01-01" in (held.reasons[0])
        )
    finally:
        store.close()
