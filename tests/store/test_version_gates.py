"""The gates a new list version passes before it becomes current (hand-written files)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from sanctions import audit
from sanctions.cli import main
from sanctions.errors import ConfigError, StoreError, WrongListError
from sanctions.sources import parse_path
from sanctions.store import Store
from sanctions.store.gates import (
    ACCEPTED,
    HELD,
    OLDER,
    GatePolicy,
    VersionStats,
    evaluate,
)

DS = "fixture"


def write_ftm(path: Path, count: int, aliases: int = 2, start: int = 1) -> Path:
    """``count`` fictional people, each with a name and ``aliases`` aliases."""
    with open(path, "w", encoding="utf-8") as fh:
        for n in range(start, start + count):
            props = {
                "name": [f"Fictional Person {n:04d}"],
                "alias": [f"Fictional Alias {n:04d} {k}" for k in range(aliases)],
            }
            row = {"id": f"fx-{n}", "schema": "Person", "properties": props, "datasets": [DS]}
            fh.write(json.dumps(row) + "\n")
    return path


def actions(store: Store) -> list[tuple[str, str]]:
    return [(e.action, e.subject) for e in audit.iter_entries(store.engine)]


# -- the verdict ------------------------------------------------------------------------


def stats(
    entities: int = 1000, names: int = 3000, aliases: int = 2000, **kw: object
) -> VersionStats:
    return VersionStats(entities, names, aliases, **kw)  # type: ignore[arg-type]


def test_first_version_and_small_changes_are_accepted() -> None:
    policy = GatePolicy()
    assert evaluate(None, stats(10), 0, policy).status == ACCEPTED
    assert evaluate(stats(), stats(990, 2970, 1980), 10, policy).status == ACCEPTED
    # 50 of 1,000 removed is exactly 5%: not more than the limit.
    assert evaluate(stats(), stats(950), 50, policy).status == ACCEPTED


def test_removing_more_than_the_share_of_entities_holds() -> None:
    verdict = evaluate(stats(), stats(940), 60, GatePolicy())
    assert verdict.status == HELD
    assert verdict.reasons == ["removes entities: 60 of 1,000 (6.0%, limit 5%)"]


def test_losing_names_or_aliases_holds_even_with_every_entity_kept() -> None:
    verdict = evaluate(stats(), stats(1000, 2500, 1500), 0, GatePolicy())
    assert verdict.status == HELD
    assert verdict.reasons == [
        "loses names: 500 of 3,000 (16.7%, limit 10%)",
        "loses aliases: 500 of 2,000 (25.0%, limit 20%)",
    ]


def test_drops_under_the_floor_never_hold_a_small_list() -> None:
    assert evaluate(stats(30, 30, 0), stats(20, 20, 0), 10, GatePolicy()).status == ACCEPTED
    assert evaluate(stats(30, 30, 0), stats(19, 19, 0), 11, GatePolicy()).status == HELD


def test_a_missing_member_of_the_file_set_holds() -> None:
    full = stats(members=["add.csv", "alt.csv", "sdn.csv"])
    verdict = evaluate(full, stats(members=["sdn.csv"]), 0, GatePolicy())
    assert verdict.status == HELD
    assert verdict.reasons == ["the file set lacks add.csv, alt.csv, which the current version had"]


def test_older_publication_or_lower_entry_numbers_are_older_unless_allowed() -> None:
    new, old = stats(published="2022-04-08"), stats(published="2022-02-17")
    assert evaluate(new, old, 0, GatePolicy()).status == OLDER
    assert evaluate(old, new, 0, GatePolicy()).status == ACCEPTED
    assert evaluate(new, old, 0, GatePolicy(allow_older=True)).status == ACCEPTED
    verdict = evaluate(stats(mark=36429), stats(mark=34716), 0, GatePolicy())
    assert verdict.status == OLDER
    assert "highest entry number 34716 is below the current version's 36429" in verdict.reasons[0]
    # Allowed older content that also drops too much is still held.
    dropped = evaluate(stats(mark=36429), stats(900, mark=34716), 100, GatePolicy(allow_older=True))
    assert dropped.status == HELD


def test_policy_reads_the_environment_and_reports_every_bad_value() -> None:
    env = {"SANCTIONS_GATE_MAX_ENTITY_DROP": "0.01", "SANCTIONS_GATE_MIN_DROP": "0"}
    policy = GatePolicy.from_env(env, max_alias_drop=0.5, max_name_drop=None)
    assert (policy.max_entity_drop, policy.max_alias_drop, policy.max_name_drop) == (0.01, 0.5, 0.1)
    assert policy.min_drop == 0
    bad = {"SANCTIONS_GATE_MAX_ENTITY_DROP": "lots", "SANCTIONS_GATE_MAX_ALIAS_DROP": "2"}
    with pytest.raises(ConfigError) as info:
        GatePolicy.from_env(bad)
    assert "SANCTIONS_GATE_MAX_ENTITY_DROP='lots' is not a number" in str(info.value)
    assert "max_alias_drop must be a share between 0 and 1, not 2.0" in str(info.value)


# -- the store ------------------------------------------------------------------------


def test_a_held_version_is_stored_audited_and_not_current(store: Store, tmp_path: Path) -> None:
    first = store.load(write_ftm(tmp_path / "v1.jsonl", 100), dataset=DS)
    held = store.load(write_ftm(tmp_path / "v2.jsonl", 80), dataset=DS)
    assert (held.status, held.removed, held.current_version_id) == (HELD, 20, first.version_id)
    assert held.blocked and held.reasons == [
        "removes entities: 20 of 100 (20.0%, limit 5%)",
        "loses names: 60 of 300 (20.0%, limit 10%)",  # 40 of 200 aliases: 20%, not more
    ]
    assert store.current_version(DS).id == first.version_id
    assert sum(1 for _ in store.iter_entities([DS])) == 100
    assert [v.seq for v in store.pending_versions()] == [2]
    assert ("list.held", f"list-version:{held.version_id}") in actions(store)
    # The same content again is reported as held, not stored twice.
    again = store.load(tmp_path / "v2.jsonl", dataset=DS)
    assert (again.status, again.version_id) == (HELD, held.version_id)
    assert len(store.versions(DS)) == 2


def test_approving_makes_the_held_version_current_and_is_audited(
    store: Store, tmp_path: Path
) -> None:
    store.load(write_ftm(tmp_path / "v1.jsonl", 100), dataset=DS)
    held = store.load(write_ftm(tmp_path / "v2.jsonl", 80), dataset=DS)
    version = store.approve_version(DS, f"v{held.seq}", actor="alice", note="list cut by OFAC")
    assert (version.status, version.current, version.decided_by) == ("approved", True, "alice")
    assert sum(1 for _ in store.iter_entities([DS])) == 80
    entries = [e for e in audit.iter_entries(store.engine) if e.action == "list.approved"]
    assert (
        entries[0].actor == "alice" and json.loads(entries[0].details)["note"] == "list cut by OFAC"
    )
    assert store.pending_versions() == []
    with pytest.raises(StoreError, match="is not pending approval"):
        store.approve_version(DS, f"v{held.seq}")


def test_approving_after_the_current_moved_rebases_the_diff(store: Store, tmp_path: Path) -> None:
    store.load(write_ftm(tmp_path / "v1.jsonl", 100), dataset=DS)
    held = store.load(write_ftm(tmp_path / "v2.jsonl", 80), dataset=DS)
    newer = store.load(write_ftm(tmp_path / "v3.jsonl", 101), dataset=DS)
    assert newer.status == "loaded"
    version = store.approve_version(DS, held.version_id)
    assert (version.parent_id, version.removed, version.added) == (newer.version_id, 21, 0)
    removed = {c.entity_id for c in store.diff(DS, newer.version_id).of_kind("removed")}
    assert len(removed) == 21


def test_a_rejected_version_stays_history_and_is_refused_again(
    store: Store, tmp_path: Path
) -> None:
    first = store.load(write_ftm(tmp_path / "v1.jsonl", 100), dataset=DS)
    held = store.load(write_ftm(tmp_path / "v2.jsonl", 100, aliases=0), dataset=DS)
    assert held.status == HELD and held.reasons[0].startswith("loses names: 200 of 300")
    version = store.reject_version(DS, held.version_id, actor="bob")
    assert (version.status, version.current) == ("rejected", False)
    assert store.current_version(DS).id == first.version_id
    again = store.load(tmp_path / "v2.jsonl", dataset=DS)
    assert again.status == "rejected" and again.blocked
    assert ("list.rejected", f"list-version:{held.version_id}") in actions(store)


def test_older_published_content_is_kept_as_history(store: Store, tmp_path: Path) -> None:
    def save(published: str, count: int) -> object:
        path = write_ftm(tmp_path / f"{published}.jsonl", count)
        entities = {e.id: e for e in parse_path(path, DS)}
        return store.save_version(
            DS, entities, content_hash=published, fmt="ftm", published=published
        )

    newer = save("2022-04-08", 100)
    older = save("2022-02-17", 99)
    assert older.status == OLDER and older.reasons == [
        "published 2022-02-17, before the current version's 2022-04-08"
    ]
    assert store.current_version(DS).id == newer.version_id
    approved = store.approve_version(DS, older.version_id)
    assert approved.current


def test_a_file_set_without_a_member_it_had_is_held(
    store: Store, tmp_path: Path, fixtures: Path
) -> None:
    full = tmp_path / "full"
    shutil.copytree(fixtures / "ofac_csv", full, ignore=shutil.ignore_patterns("bad_*"))
    assert store.load(full).status == "loaded"
    primary = tmp_path / "primary"
    primary.mkdir()
    shutil.copy(full / "sdn.csv", primary / "sdn.csv")
    held = store.load(primary)
    assert held.status == HELD
    assert held.reasons[-1].startswith("the file set lacks add.csv, alt.csv")


def test_consolidated_entries_under_sdn_file_names_are_refused(
    store: Store, tmp_path: Path
) -> None:
    folder = _sdn_rows(tmp_path / "sdn", ["NS-PLC", "CMIC-EO13959", "SDGT"])
    with pytest.raises(WrongListError, match=r"the entries are us_ofac_cons's, not us_ofac_sdn's"):
        store.load(folder, dataset="us_ofac_sdn")
    assert store.versions() == []
    assert actions(store)[-1] == ("list.refused", "dataset:us_ofac_sdn")


def test_another_lists_format_is_refused_for_a_dataset(store: Store, fixtures: Path) -> None:
    un = next((fixtures / "un").glob("*.xml"))
    with pytest.raises(WrongListError, match="not ca_dfatd_sema_sanctions"):
        store.load(un, dataset="ca_dfatd_sema_sanctions")
    assert store.versions() == []


def test_cli_load_exits_1_on_a_held_version_and_versions_approve_lets_it_through(
    tmp_path: Path,
) -> None:
    db = str(tmp_path / "cli.db")
    runner = CliRunner()
    v1, v2 = write_ftm(tmp_path / "v1.jsonl", 100), write_ftm(tmp_path / "v2.jsonl", 50)
    assert runner.invoke(main, ["load", str(v1), "--dataset", DS, "--db", db]).exit_code == 0
    held = runner.invoke(main, ["load", str(v2), "--dataset", DS, "--db", db])
    assert held.exit_code == 1
    assert "fixture: HELD v2 for approval, not used for screening" in held.stderr
    loose = ["load", str(v2), "--dataset", DS, "--db", db, "--max-entity-drop", "60%"]
    assert runner.invoke(main, loose).exit_code == 1  # the same content stays held
    pending = runner.invoke(main, ["versions", "pending", "--json", "--db", db])
    assert [v["seq"] for v in json.loads(pending.stdout)] == [2]
    approve = ["versions", "approve", DS, "v2", "--note", "checked", "--db", db]
    done = runner.invoke(main, approve)
    assert done.exit_code == 0, done.output
    assert "v2 approved by" in done.stdout
    again = runner.invoke(main, approve)
    assert again.exit_code == 2 and "is not pending approval" in again.stderr


def test_cli_gate_options_loosen_the_limits(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    runner = CliRunner()
    v1, v2 = write_ftm(tmp_path / "v1.jsonl", 100), write_ftm(tmp_path / "v2.jsonl", 50)
    assert runner.invoke(main, ["load", str(v1), "--dataset", DS, "--db", db]).exit_code == 0
    loose = ["load", str(v2), "--dataset", DS, "--db", db, "--max-entity-drop", "60%"]
    loose += ["--max-name-drop", "0.6", "--max-alias-drop", "60%"]
    assert runner.invoke(main, loose).exit_code == 0
    bad = runner.invoke(main, ["load", str(v2), "--db", db, "--max-alias-drop", "150%"])
    assert bad.exit_code == 2 and "not between 0 and 1" in bad.stderr


@pytest.mark.postgres
def test_hold_approve_and_reject_on_postgresql(tmp_path: Path) -> None:
    from sqlalchemy import text

    from tests.store.test_store import postgres_url

    store = Store.open(postgres_url())
    with store.engine.begin() as conn:
        for table in ("changes", "version_entities", "blobs", "versions", "datasets"):
            conn.execute(text(f"DELETE FROM {table}"))
    try:
        first = store.load(write_ftm(tmp_path / "v1.jsonl", 100), dataset=DS)
        held = store.load(write_ftm(tmp_path / "v2.jsonl", 50), dataset=DS)
        assert held.status == HELD and store.current_version(DS).id == first.version_id
        rejected = store.reject_version(DS, held.version_id, actor="bob")
        assert rejected.status == "rejected"
        again = store.load(write_ftm(tmp_path / "v3.jsonl", 60), dataset=DS)
        approved = store.approve_version(DS, again.version_id, actor="alice")
        assert approved.current and approved.status == "approved"
        assert sum(1 for _ in store.iter_entities([DS])) == 60
        done = {(e.action, e.subject) for e in audit.iter_entries(store.engine)}
        assert ("list.rejected", f"list-version:{held.version_id}") in done
        assert ("list.approved", f"list-version:{again.version_id}") in done
    finally:
        store.close()


def test_versions_stored_before_the_gates_are_counted_from_their_entities(
    store: Store, tmp_path: Path
) -> None:
    from sqlalchemy import update

    from sanctions.store import schema

    first = store.load(write_ftm(tmp_path / "v1.jsonl", 100), dataset=DS)
    with store.engine.begin() as conn:  # as a row written before migration 0005
        conn.execute(update(schema.versions).values(status=None, name_count=None, alias_count=None))
    held = store.load(write_ftm(tmp_path / "v2.jsonl", 100, aliases=1), dataset=DS)
    assert held.status == HELD
    assert held.reasons == [
        "loses names: 100 of 300 (33.3%, limit 10%)",
        "loses aliases: 100 of 200 (50.0%, limit 20%)",
    ]
    assert store.get_version(DS, first.version_id).alias_count == 200


def _sdn_rows(folder: Path, tags: list[str]) -> Path:
    folder.mkdir()
    rows = [
        f'{91001 + i},"FICTIONAL HOLDING {i}",-0- ,"{tag}",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- '
        for i, tag in enumerate(tags)
    ]
    (folder / "sdn.csv").write_text("\n".join(rows) + "\n")
    return folder


def test_ofac_content_that_tells_neither_list_is_held(store: Store, tmp_path: Path) -> None:
    folder = _sdn_rows(tmp_path / "sdn", ["NS-PLC", "SDGT", "SDGT", "IRAN"])  # 25% non-SDN
    result = store.load(folder, dataset="us_ofac_sdn")
    assert result.status == HELD and store.current_version("us_ofac_sdn") is None
    assert result.reasons == [
        "cannot tell us_ofac_sdn from the other OFAC list: 1 of 4 entries (25%) carry "
        "non-SDN programme tags or sectoral directive remarks"
    ]


def test_a_partial_consolidated_set_is_not_judged_by_its_missing_programmes(
    store: Store, tmp_path: Path
) -> None:
    folder = tmp_path / "cons"
    folder.mkdir()
    (folder / "cons_add.csv").write_text(
        '91001,93001,"1 Fictional St","Fictionville","Cyprus",-0- \n'
    )
    (folder / "cons_alt.csv").write_text('91001,94001,"aka","FICTIONAL HOLDING ALIAS",-0- \n')
    result = store.load(folder)
    assert (result.dataset, result.status) == ("us_ofac_cons_partial", "loaded")


def test_without_a_dataset_the_entries_not_the_file_names_name_the_ofac_list(
    store: Store, tmp_path: Path
) -> None:
    folder = _sdn_rows(tmp_path / "sdn", ["NS-PLC", "CMIC-EO13959", "SDGT"])
    result = store.load(folder)
    assert (result.dataset, result.status) == ("us_ofac_cons", "loaded")
    assert {e.id for e in store.iter_entities(["us_ofac_cons"])} == {
        "us_ofac_cons-91001",
        "us_ofac_cons-91002",
        "us_ofac_cons-91003",
    }
    assert store.current_version("us_ofac_sdn") is None
    assert store.load(folder).status == "unchanged"
