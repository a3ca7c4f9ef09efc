"""Watch alerts by subject: one alert per (record, subject), updated when another list adds
the subject, audited, and back to review when it was cleared as a false positive.

Fictional lists (tests/screening/subject_lists.py): one bank listed by the US, then the UK,
then the EU, all with the same SWIFT/BIC (the resolver clusters them by that strong key).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sanctions.audit import audit_log
from sanctions.coordination import Resolver
from tests.screening.subject_lists import BANK, bank, bystander, save

from .conftest import assert_delta_equals_full

CUSTOMER = {"name": [BANK], "country": ["ru"]}


def _list(store: Any, dataset: str, tag: str, *banks: Any, resolve: bool = True) -> None:
    save(store, dataset, [bystander(dataset), *banks], tag)
    if resolve:
        Resolver(store).run()


def _events(store: Any, action: str) -> list[dict[str, Any]]:
    a = audit_log.c
    with store.engine.connect() as conn:
        rows = conn.execute(select(a.subject, a.details).where(a.action == action).order_by(a.id))
        return [{"subject": r.subject, **json.loads(r.details)} for r in rows]


def _only_alert(watch: Any) -> Any:
    alerts = watch.alerts("active", record_id="c-1")
    assert len(alerts) == 1, [(a.id, a.entity_id, a.status) for a in alerts]
    return alerts[0]


def _start(store: Any, watch: Any) -> Any:
    _list(store, "us_ofac_sdn", "v1", bank("us_ofac_sdn", "100"))
    watch.add("c-1", CUSTOMER, schema="Organization")
    watch.rescreen()
    return _only_alert(watch)


def _start_us_and_uk(store: Any, watch: Any) -> Any:
    """The alert on the US listing, then the UK lists the bank too (one alert, two listings)."""
    first = _start(store, watch)
    _list(store, "gb_hmt_sanctions", "v1", bank("gb_hmt_sanctions", "7001"))
    watch.rescreen()
    return first


def test_a_new_listing_by_another_jurisdiction_updates_the_alert_and_is_audited(
    store: Any, watch: Any
) -> None:
    first = _start(store, watch)
    assert [x["entity_id"] for x in first.listings] == ["us_ofac_sdn-100"]
    _list(store, "gb_hmt_sanctions", "v1", bank("gb_hmt_sanctions", "7001"))
    report = assert_delta_equals_full(watch)
    assert report.raised == 0, report.summary()
    assert "1 alerts updated with their subject's listings" in report.summary()
    alert = _only_alert(watch)
    assert alert.id == first.id and alert.status == "open"
    assert [x["entity_id"] for x in alert.listings] == [
        "us_ofac_sdn-100",
        "gb_hmt_sanctions-7001",
    ]
    assert alert.jurisdictions == ["UK", "US"]
    assert alert.subject_id and alert.subject_id.startswith("c-")
    note = alert.changes["subject"]["note"]
    assert note.startswith("now also listed by the UK (gb_hmt_sanctions-7001)")
    events = _events(store, "alert.updated")
    assert [e["subject"] for e in events] == [f"alert:{alert.id}"]
    assert events[0]["note"] == note and events[0]["run"] == report.run_id
    assert watch.verify_audit().ok


def test_a_false_positive_comes_back_to_review_when_another_list_adds_the_subject(
    store: Any, watch: Any
) -> None:
    first = _start(store, watch)
    watch.decide(first.id, "false_positive", "another bank of that name", "ana")
    quiet = watch.rescreen(full=True)
    assert (quiet.raised, quiet.closed) == (0, 0)
    _list(store, "eu_fsf", "v1", bank("eu_fsf", "EU.55.1"))
    report = watch.rescreen()
    alert = _only_alert(watch)
    assert alert.id == first.id and alert.status == "open", report.summary()
    assert alert.jurisdictions == ["EU", "US"]
    assert "back to review" in alert.changes["subject"]["note"]
    updated = _events(store, "alert.updated")[-1]
    assert updated["status_was"] == "false_positive" and updated["row"]["status"] == "open"
    assert watch.verify_audit().ok


def test_a_listing_that_leaves_its_list_leaves_the_alert_and_the_rest_stays(
    store: Any, watch: Any
) -> None:
    first = _start_us_and_uk(store, watch)
    _list(store, "gb_hmt_sanctions", "v2")  # the UK delists the bank
    report = assert_delta_equals_full(watch)
    alert = _only_alert(watch)
    assert alert.id == first.id, report.summary()
    assert [x["entity_id"] for x in alert.listings] == ["us_ofac_sdn-100"]
    assert alert.changes["subject"]["removed"][0]["entity_id"] == "gb_hmt_sanctions-7001"
    assert "no longer listed by the UK" in alert.changes["subject"]["note"]


def test_when_the_lead_listing_goes_the_subject_alert_follows_with_the_others(
    store: Any, watch: Any
) -> None:
    first = _start_us_and_uk(store, watch)
    _list(store, "us_ofac_sdn", "v2")  # the US delists it: the UK listing still matches
    report = assert_delta_equals_full(watch)
    alert = _only_alert(watch)
    assert alert.id != first.id and alert.previous_alert_id == first.id, report.summary()
    assert alert.entity_id == "gb_hmt_sanctions-7001"
    assert [x["entity_id"] for x in alert.listings] == ["gb_hmt_sanctions-7001"]
    assert watch.alert(first.id).status == "closed"
    assert alert.changes["lead"] == {"from": "us_ofac_sdn-100", "to": "gb_hmt_sanctions-7001"}


def test_stale_clusters_raise_an_alert_per_listing_and_say_so(store: Any, watch: Any) -> None:
    first = _start(store, watch)
    _list(store, "gb_hmt_sanctions", "v1", bank("gb_hmt_sanctions", "7001"), resolve=False)
    report = watch.rescreen()
    assert report.raised == 1
    assert "gb_hmt_sanctions" in report.stats["subject_note"]
    alerts = watch.alerts("active", record_id="c-1")
    assert {a.entity_id for a in alerts} == {"us_ofac_sdn-100", "gb_hmt_sanctions-7001"}
    assert next(a for a in alerts if a.id == first.id).listings == first.listings


def test_a_subject_first_seen_on_two_lists_raises_one_alert_led_by_the_best_listing(
    store: Any, watch: Any
) -> None:
    save(store, "us_ofac_sdn", [bystander("us_ofac_sdn"), bank("us_ofac_sdn", "100")], "v1")
    weaker = bank("gb_hmt_sanctions", "7001", name="Acme Trading Bank Public Company")
    _list(store, "gb_hmt_sanctions", "v1", weaker)
    watch.add("c-1", CUSTOMER, schema="Organization")
    report = watch.rescreen()
    assert report.raised == 1, report.summary()
    alert = _only_alert(watch)
    scores = [x["score"] for x in alert.listings]
    assert scores == sorted(scores, reverse=True) and alert.score == scores[0]
    assert {x["dataset"] for x in alert.listings} == {"us_ofac_sdn", "gb_hmt_sanctions"}
    assert watch.verify_audit().ok


def test_cli_alerts_show_the_subjects_jurisdictions_and_listings(
    store: Any, watch: Any, store_path: Path
) -> None:
    from click.testing import CliRunner

    from sanctions.cli import main

    first = _start_us_and_uk(store, watch)
    db = str(store_path)
    listed = CliRunner().invoke(main, ["--db", db, "alerts"], terminal_width=200)
    assert listed.exit_code == 0, listed.output
    assert "listed by: UK, US (2 listings)" in listed.output
    assert "now also listed by the UK" in listed.output
    shown = CliRunner().invoke(main, ["--db", db, "alerts", str(first.id)], terminal_width=200)
    assert shown.exit_code == 0, shown.output
    assert "Listings of this subject" in shown.output
    assert "UK: gb_hmt_sanctions-7001" in shown.output


@pytest.mark.postgres
def test_subject_alerts_on_postgresql() -> None:
    from sqlalchemy import text

    from sanctions.store import Store
    from sanctions.watch import Watch
    from tests.store.test_store import postgres_url

    from .test_postgres import empty_lists_and_watch

    store = Store.open(postgres_url())
    coordination = ("members", "clusters", "links", "state", "overrides")
    with store.engine.begin() as conn:
        empty_lists_and_watch(conn)
        for table in coordination:
            conn.execute(text(f"DELETE FROM coordination_{table}"))
    watch = Watch(store, actor="pg")
    first = _start(store, watch)
    watch.decide(first.id, "false_positive", "another bank of that name", "ana")
    _list(store, "gb_hmt_sanctions", "v1", bank("gb_hmt_sanctions", "7001"))
    report = assert_delta_equals_full(watch)
    alert = _only_alert(watch)
    assert (alert.id, alert.status, alert.jurisdictions) == (first.id, "open", ["UK", "US"])
    assert "1 alerts updated" in report.summary()
    assert watch.verify_audit().ok
    store.close()


def test_rescreen_resolve_brings_the_clusters_up_to_date_first(
    store: Any, watch: Any, store_path: Path
) -> None:
    from click.testing import CliRunner

    from sanctions.cli import main

    first = _start(store, watch)
    _list(store, "gb_hmt_sanctions", "v1", bank("gb_hmt_sanctions", "7001"), resolve=False)
    db = str(store_path)
    result = CliRunner().invoke(main, ["--db", db, "rescreen", "--resolve"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "clusters resolved first (incremental: gb_hmt_sanctions" in result.output
    assert "0 alerts raised" in result.output and "1 alerts updated" in result.output
    assert _only_alert(watch).id == first.id


def test_an_alert_from_before_subjects_gains_the_subjects_new_listing(
    store: Any, watch: Any
) -> None:
    from sqlalchemy import update

    from sanctions.watch.schema import watch_alerts

    first = _start(store, watch)
    with store.engine.begin() as conn:  # as migration 0008 leaves an older alert
        conn.execute(update(watch_alerts).values(subject_id=None, listings=None))
    _list(store, "gb_hmt_sanctions", "v1", bank("gb_hmt_sanctions", "7001"))
    report = watch.rescreen()
    alert = _only_alert(watch)
    assert alert.id == first.id and report.raised == 0, report.summary()
    assert [x["entity_id"] for x in alert.listings] == [
        "us_ofac_sdn-100",
        "gb_hmt_sanctions-7001",
    ]
