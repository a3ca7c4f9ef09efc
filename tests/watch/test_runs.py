"""Screening runs on fictional lists: full and delta runs, alerts, decisions, crashes."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from sanctions.errors import SanctionsError, StoreError
from sanctions.matching.score import ALGORITHM, ALGORITHM_VERSION, DEFAULT_THRESHOLD

from .conftest import active_state, assert_delta_equals_full, customer_map


def _start(store: Any, watch: Any, files: Path) -> Any:
    store.load(files / "v1.jsonl", dataset="fixture")
    watch.import_file(files / "customers.csv", customer_map())
    return watch.rescreen()


def _alert(watch: Any, record_id: str, status: str = "active") -> Any:
    found = watch.alerts(status, record_id=record_id)
    assert len(found) == 1, found
    return found[0]


def test_first_run_is_full_and_alerts_carry_what_was_screened(
    store: Any, watch: Any, watch_files: Path
) -> None:
    report = _start(store, watch, watch_files)
    assert report.kind == "full" and report.note == "no previous run"
    assert {a.pair for a in watch.alerts("open")} == {
        ("c-1", "fw-1"),
        ("c-2", "fw-3"),
        ("c-6", "fw-2"),
        ("c-7", "fw-4"),
    }
    alert = _alert(watch, "c-1")
    version = store.current_version("fixture")
    assert alert.record_version == 1 and len(alert.record_hash) == 64
    with store.engine.connect() as conn:
        stored = conn.execute(
            text("select hash from version_entities where entity_id = 'fw-1'")
        ).scalar()
    assert alert.entity_hash == stored  # the entity version is its content hash
    assert alert.list_versions == {"fixture": version.id}
    assert alert.entity_version_id == version.id
    assert (alert.algorithm, alert.algorithm_version) == (ALGORITHM, ALGORITHM_VERSION)
    assert alert.threshold == DEFAULT_THRESHOLD and alert.score >= DEFAULT_THRESHOLD
    assert alert.explanation[0]["feature"] == "name"


def test_delta_run_equals_full_run_and_closes_removed_entities_with_reason(
    store: Any, watch: Any, watch_files: Path
) -> None:
    _start(store, watch, watch_files)
    store.load(watch_files / "v2.jsonl", dataset="fixture")
    delta = assert_delta_equals_full(watch)
    assert delta.kind == "delta"
    assert delta.stats["entities_added_or_changed"] == 2 and delta.stats["entities_removed"] == 1
    assert delta.records_screened == 0  # no record changed
    closed = _alert(watch, "c-6", "closed")
    assert closed.closed_reason == "entity removed from the list: fw-2 is not in fixture v2"
    newly_listed = _alert(watch, "c-3")
    assert newly_listed.entity_id == "fw-5" and newly_listed.status == "open"
    changed = _alert(watch, "c-1")
    assert changed.changes["entity"]["fields"] == ["alias"]
    store.load(watch_files / "v3.jsonl", dataset="fixture")
    assert_delta_equals_full(watch)
    back = _alert(watch, "c-6")
    assert back.status == "open" and back.changes["previous_status"] == "closed"


def test_false_positive_is_quiet_until_the_entity_changes_then_shows_what_changed(
    store: Any, watch: Any, watch_files: Path
) -> None:
    _start(store, watch, watch_files)
    cleared = _alert(watch, "c-2")
    watch.decide(cleared.id, "false-positive", "born in another year", analyst="ana")
    store.load(watch_files / "v2.jsonl", dataset="fixture")  # fw-3 unchanged
    assert_delta_equals_full(watch)
    still = _alert(watch, "c-2")
    assert still.id == cleared.id and still.status == "false_positive"
    store.load(watch_files / "v3.jsonl", dataset="fixture")  # fw-3's birth date changes
    delta = assert_delta_equals_full(watch)
    again = _alert(watch, "c-2")
    assert again.status == "open" and again.id != cleared.id
    assert again.previous_alert_id == cleared.id
    assert again.changes["previous_status"] == "false_positive"
    assert again.changes["entity"]["fields"] == ["birthDate"]
    assert "record" not in again.changes
    assert delta.raised >= 1
    assert watch.alert(cleared.id).closed_reason.startswith("superseded: listed entity changed")


def test_false_positive_returns_when_the_record_changes(
    store: Any, watch: Any, watch_files: Path
) -> None:
    _start(store, watch, watch_files)
    cleared = _alert(watch, "c-1")
    watch.decide(cleared.id, "false_positive", "other person", analyst="ana")
    change = watch.add(
        "c-1", {"name": "Boris Fictionov", "birthDate": "1970-03-01", "nationality": "Latvia"}
    )
    assert (change.change, change.version) == ("updated", 2)
    delta = assert_delta_equals_full(watch)
    assert delta.records_screened == 1
    again = _alert(watch, "c-1")
    assert again.status == "open" and again.record_version == 2
    assert again.changes["record"] == {
        "from_version": 1,
        "to_version": 2,
        "fields": ["nationality"],
    }


def test_false_positive_is_remembered_when_an_entity_comes_back_unchanged(
    store: Any, watch: Any, watch_files: Path
) -> None:
    _start(store, watch, watch_files)
    cleared = _alert(watch, "c-6")
    watch.decide(cleared.id, "false_positive", "a different shipping firm", analyst="ana")
    store.load(watch_files / "v2.jsonl", dataset="fixture")  # fw-2 removed
    assert_delta_equals_full(watch)
    assert watch.alerts("active", record_id="c-6") == []
    store.load(watch_files / "v3.jsonl", dataset="fixture")  # fw-2 back, same content
    delta = assert_delta_equals_full(watch)
    assert delta.suppressed == 1
    quiet = _alert(watch, "c-6")
    assert quiet.status == "false_positive" and quiet.decision_id is not None


def test_decisions_need_a_reason_and_a_valid_kind(
    store: Any, watch: Any, watch_files: Path
) -> None:
    _start(store, watch, watch_files)
    alert = _alert(watch, "c-7")
    with pytest.raises(SanctionsError, match="needs a reason"):
        watch.decide(alert.id, "false_positive", " ")
    with pytest.raises(SanctionsError, match="unknown decision"):
        watch.decide(alert.id, "maybe", "why not")
    watch.decide(alert.id, "escalated", "IMO matches, check the owner", analyst="ana")
    decided = watch.decide(alert.id, "true_match", "same vessel", analyst="bob")
    assert decided.previous_status == "escalated"
    assert [d.decision for d in watch.decisions(alert.id)] == ["escalated", "true_match"]
    assert watch.alert(alert.id).status == "true_match"


def test_removing_a_record_closes_its_alerts_and_readding_screens_it_again(
    store: Any, watch: Any, watch_files: Path
) -> None:
    _start(store, watch, watch_files)
    watch.remove("c-1", reason="account closed")
    closed = _alert(watch, "c-1", "closed")
    assert closed.closed_reason == "record removed by tester: account closed"
    assert_delta_equals_full(watch)
    with pytest.raises(SanctionsError, match="no watched record"):
        watch.remove("c-1")
    change = watch.add("c-1", {"name": "Boris Fictionov", "birthDate": "1970-03-01"})
    assert change.change == "readded"
    delta = assert_delta_equals_full(watch)
    assert delta.records_screened == 1 and _alert(watch, "c-1").status == "open"


def test_a_threshold_or_matcher_change_makes_a_full_run(
    store: Any, watch: Any, watch_files: Path
) -> None:
    from sanctions.watch import Watch

    _start(store, watch, watch_files)
    report = Watch(store, actor="tester", threshold=0.9).rescreen()
    assert report.kind == "full" and report.note.startswith("threshold changed")
    assert all(a.score >= 0.9 for a in watch.alerts("active"))
    assert any(
        "no longer matches at threshold 0.90" in (a.closed_reason or "")
        for a in watch.alerts("closed")
    )


def test_a_run_recorded_meanwhile_makes_the_slower_run_fail_cleanly(
    store: Any, watch: Any, watch_files: Path
) -> None:
    import time

    from sanctions.watch.reconcile import write_plan
    from sanctions.watch.runs import plan_full, take_snapshot

    _start(store, watch, watch_files)
    plan = plan_full(store, take_snapshot(store), DEFAULT_THRESHOLD)
    watch.rescreen(full=True)
    with pytest.raises(StoreError, match="another screening run"):
        write_plan(store, plan, "slow", time.perf_counter())
    assert len(watch.runs()) == 2


def test_alerts_and_decisions_survive_a_restart(tmp_path: Path, watch_files: Path) -> None:
    from sanctions.store import Store
    from sanctions.watch import Watch

    store = Store.open(tmp_path / "restart.db")
    watch = Watch(store, actor="tester")
    _start(store, watch, watch_files)
    watch.decide(_alert(watch, "c-2").id, "false_positive", "other person", analyst="ana")
    before = active_state(watch)
    store.close()
    store = Store.open(tmp_path / "restart.db")
    watch = Watch(store, actor="tester")
    assert active_state(watch) == before
    store.load(watch_files / "v2.jsonl", dataset="fixture")
    assert_delta_equals_full(watch)
    assert _alert(watch, "c-2").status == "false_positive"
    assert watch.verify_audit().ok
    store.close()


KILL_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    from sanctions.store import Store
    from sanctions.watch import Watch, reconcile

    original = reconcile._mark_screened

    def write_then_die(conn, screened):
        original(conn, screened)
        sys.stdout.write("written\\n"); sys.stdout.flush()
        os.kill(os.getpid(), signal.SIGKILL)

    reconcile._mark_screened = write_then_die
    Watch(Store.open(sys.argv[1]), actor="doomed").rescreen(full=sys.argv[2] == "full")
    """
)


def _kill_mid_run(db: Path, kind: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, str(db), kind],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ),
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert "written" in proc.stdout  # it died after writing alerts, before the commit


def _counts(store: Any) -> tuple[int, ...]:
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        return tuple(
            conn.execute(select(func.count()).select_from(text(name))).scalar()
            for name in ("watch_runs", "watch_alerts", "audit_log")
        )


@pytest.mark.slow  # a subprocess per run; CI runs it
@pytest.mark.parametrize("kind", ["full", "delta"])
def test_kill_9_mid_run_records_nothing_and_rerunning_is_safe(
    tmp_path: Path, watch_files: Path, kind: str
) -> None:
    from sanctions.store import Store
    from sanctions.watch import Watch

    db = tmp_path / "kill.db"
    store = Store.open(db)
    watch = Watch(store, actor="tester")
    store.load(watch_files / "v1.jsonl", dataset="fixture")
    watch.import_file(watch_files / "customers.csv", customer_map())
    if kind == "delta":
        watch.rescreen()
        watch.decide(_alert(watch, "c-2").id, "false_positive", "other person", analyst="ana")
        store.load(watch_files / "v2.jsonl", dataset="fixture")
    before, state = _counts(store), active_state(watch)
    store.close()
    _kill_mid_run(db, kind)
    store = Store.open(db)
    watch = Watch(store, actor="tester")
    assert _counts(store) == before and active_state(watch) == state
    assert watch.verify_audit().ok
    report = assert_delta_equals_full(watch) if kind == "delta" else watch.rescreen()
    assert report.kind == kind and report.raised >= 1
    assert watch.verify_audit().ok
    store.close()


# -- delta == full on random histories ---------------------------------------------------

FIRST = ["Anton", "Boris", "Carla", "Dmitri", "Elena", "Farid", "Galina", "Hassan", "Irina"]
LAST = ["Kovalenko", "Lebedev", "Moreno", "Nasser", "Orlov", "Petrenko", "Romanov", "Tariq"]


def _variant(name: str, rng: random.Random) -> str:
    subs = [("v", "w"), ("o", "a"), ("e", "i"), ("k", "c"), ("ss", "s")]
    old, new = rng.choice(subs)
    return name.replace(old, new, 1) if rng.random() < 0.5 else name


def _write_list(path: Path, entities: dict[str, dict[str, Any]]) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for eid, props in sorted(entities.items()):
            row = {"id": eid, "schema": "Person", "properties": props, "datasets": ["fixture"]}
            fh.write(json.dumps(row) + "\n")
    return path


def _mutate_list(entities: dict[str, dict[str, Any]], rng: random.Random, step: int) -> None:
    for eid in rng.sample(sorted(entities), k=min(2, len(entities))):
        if rng.random() < 0.4:
            del entities[eid]
        else:
            entities[eid]["alias"] = [_variant(entities[eid]["name"][0], rng) + " Jr"]
            entities[eid]["birthDate"] = [f"19{rng.randint(50, 99)}"]
    for n in range(rng.randint(1, 3)):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        entities[f"rx-{step}-{n}"] = {"name": [name], "birthDate": [f"19{rng.randint(50, 99)}"]}


def _mutate_records(watch: Any, rng: random.Random, step: int) -> None:
    for n in range(rng.randint(0, 2)):
        name = _variant(f"{rng.choice(FIRST)} {rng.choice(LAST)}", rng)
        watch.add(f"r-{rng.randint(0, 40) if n else 100 + step}", {"name": name})
    records = watch.records()
    if records and rng.random() < 0.5:
        watch.remove(rng.choice(records).id, reason="random")
    for alert in watch.alerts("open"):
        if rng.random() < 0.5:
            watch.decide(alert.id, "false_positive", "random clearance", analyst="rng")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_delta_runs_equal_full_runs_on_random_histories(
    tmp_path: Path, watch: Any, store: Any, seed: int
) -> None:
    rng = random.Random(seed)
    entities = {
        f"rx-0-{n}": {"name": [f"{rng.choice(FIRST)} {rng.choice(LAST)}"]} for n in range(10)
    }
    for n in range(40):
        name = _variant(f"{rng.choice(FIRST)} {rng.choice(LAST)}", rng)
        watch.add(f"r-{n}", {"name": name, "birthDate": f"19{rng.randint(50, 99)}"})
    store.load(_write_list(tmp_path / "l0.jsonl", entities), dataset="fixture")
    watch.rescreen()
    kinds = set()
    for step in range(1, 6):
        _mutate_list(entities, rng, step)
        store.load(_write_list(tmp_path / f"l{step}.jsonl", entities), dataset="fixture")
        _mutate_records(watch, rng, step)
        kinds.add(assert_delta_equals_full(watch).kind)
    assert kinds == {"delta"}
    assert watch.verify_audit().ok


def test_delta_run_finds_a_renamed_vessel_by_its_imo(
    store: Any, watch: Any, tmp_path: Path
) -> None:
    """Identifiers are in the prefilter keys: a newly listed vessel sharing only its IMO
    number with a watched record is found by the delta run exactly as by a full run."""
    other = {"id": "fx-other", "schema": "Vessel", "properties": {"name": ["SEA BREEZE"]}}
    tanker = {
        "id": "fx-tanker",
        "schema": "Vessel",
        "properties": {"name": ["ARTAVIL"], "imoNumber": ["IMO 9187629"]},
    }
    for name, entities in (("v1", [other]), ("v2", [other, tanker])):
        (tmp_path / f"{name}.jsonl").write_text("".join(json.dumps(e) + "\n" for e in entities))
    store.load(tmp_path / "v1.jsonl", dataset="fixture")
    watch.add("ship-1", {"name": "Ocean Pearl", "imoNumber": "9187629"}, schema="Vessel")
    assert watch.rescreen().raised == 0
    store.load(tmp_path / "v2.jsonl", dataset="fixture")
    delta = assert_delta_equals_full(watch)
    assert delta.kind == "delta" and delta.raised == 1
    alert = _alert(watch, "ship-1")
    assert alert.entity_id == "fx-tanker" and alert.score >= DEFAULT_THRESHOLD
    assert any("possible rename" in e["detail"] for e in alert.explanation)


def test_a_delta_run_scores_with_the_word_frequencies_of_every_list(
    store: Any, watch: Any, tmp_path: Path
) -> None:
    """The delta run's small index holds the new entity only; counted over it alone,
    "Luis" and "Hernandez" would look rare and "Luis Hernandez" would alert on
    "HERNANDEZ ZEA, Luis Antonio". Given the table of all listed names they are common
    words, and the delta run scores the pair as the full run does (no alert)."""
    from sanctions.matching import COMMON_COUNT

    crowd = {f"lx-{i}": {"name": [f"Luis Crowdname{i:03d}"]} for i in range(COMMON_COUNT)}
    crowd |= {f"hx-{i}": {"name": [f"Otherperson{i:03d} Hernandez"]} for i in range(COMMON_COUNT)}
    store.load(_write_list(tmp_path / "v1.jsonl", crowd), dataset="fixture")
    watch.add("c-luis", {"name": "Luis Hernandez"})
    watch.rescreen()
    crowd["new-1"] = {"name": ["HERNANDEZ ZEA, Luis Antonio"]}
    store.load(_write_list(tmp_path / "v2.jsonl", crowd), dataset="fixture")
    delta = assert_delta_equals_full(watch)
    assert delta.kind == "delta" and delta.stats["entities_added_or_changed"] == 1
    assert not [a for a in watch.alerts("open") if a.entity_id == "new-1"]
