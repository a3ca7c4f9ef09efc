"""Issue 5's scenario on real lists: SDN 2022-02-17 -> 02-24 -> 02-25 -> 02-28 -> 04-08.

Customers: 5,000 synthetic people (none sanctioned) and 200 records built from
SDN entries added between 2022-02-17 and 2022-04-08, with spelling
variations. (The 100,000-customer version is ``benchmarks/rescreen.py``.)
After each update: the delta run's alerts equal a full run's, newly listed
customers are alerted, and cleared false positives stay quiet unless their
entity changed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sanctions.matching.score import DEFAULT_THRESHOLD
from sanctions.screening import Screener
from sanctions.store import Store
from sanctions.store import schema as st
from sanctions.watch import Watch

from .conftest import assert_delta_equals_full
from .customers import column_map, listed_records, negative_records, sdn_paths, write_customers

NEGATIVES = int(os.environ.get("SANCTIONS_SCENARIO_NEGATIVES", "5000"))
LISTED = 200


def _current_hashes(store: Any) -> dict[str, str]:
    version = store.current_version("us_ofac_sdn")
    ve = st.version_entities
    with store.engine.connect() as conn:
        rows = conn.execute(select(ve.c.entity_id, ve.c.hash).where(ve.c.version_id == version.id))
        return dict(rows.all())


def _clear_synthetic_alerts(watch: Any, cleared: dict[tuple[str, str], str]) -> None:
    """An analyst clears every open alert of a synthetic person: none of them is listed."""
    for alert in watch.alerts("open"):
        if alert.record_id.startswith("neg-"):
            watch.decide(alert.id, "false_positive", "synthetic person", analyst="analyst")
            cleared[alert.pair] = alert.entity_hash


def _check_cleared(watch: Any, cleared: dict[tuple[str, str], str], hashes: dict[str, str]) -> int:
    """Cleared pairs stay quiet unless the entity changed; returns how many came back."""
    returned = 0
    for (record_id, entity_id), entity_hash in cleared.items():
        active = watch.alerts("active", record_id=record_id, entity_id=entity_id)
        if hashes.get(entity_id) == entity_hash:
            assert [a.status for a in active] in ([], ["false_positive"]), active
        elif active and active[0].status == "open":
            assert "entity" in active[0].changes  # raised again, showing what changed
            returned += 1
    return returned


def _matchable(
    store: Any, customers: dict[str, Any], ids: set[str], source: dict[str, str]
) -> set[str]:
    """The listed customers that screening against their own entry alone matches."""
    out = set()
    for rid in ids:
        entity = store.get_entity(source[rid])
        screener = Screener.from_entities([entity])
        if screener.screen(customers[rid].query(), cutoff=DEFAULT_THRESHOLD).results:
            out.add(rid)
    return out


@pytest.mark.slow  # five real SDN versions, full and delta runs
def test_delta_runs_on_real_sdn_updates(shared_data: Path, tmp_path: Path) -> None:
    store = Store.open(tmp_path / "scenario.db")
    watch = Watch(store, actor="scenario")
    listed = listed_records(shared_data, LISTED)
    rows = negative_records(shared_data, NEGATIVES) + listed
    write_customers(tmp_path / "customers.csv", rows)
    paths = sdn_paths(shared_data)
    store.load(paths[0])
    assert watch.import_file(tmp_path / "customers.csv", column_map()).added == len(rows)
    first = watch.rescreen()
    assert first.kind == "full"
    cleared: dict[tuple[str, str], str] = {}
    _clear_synthetic_alerts(watch, cleared)
    source = {r["id"]: r["source_entity"] for r in listed}
    customers = {r.id: r for r in watch.records()}
    figures = []
    for path in paths[1:]:
        loaded = store.load(path)
        delta = assert_delta_equals_full(watch)  # the delta run's alerts == a full run's
        assert delta.kind == "delta" and delta.records_screened == 0
        hashes = _current_hashes(store)
        alerted = {a.pair for a in watch.alerts("active")}
        now_listed = {rid for rid, eid in source.items() if eid in hashes}
        found = {rid for rid in now_listed if (rid, source[rid]) in alerted}
        expected = _matchable(store, customers, now_listed, source)
        assert expected <= found, sorted(expected - found)  # every newly listed match alerted
        assert len(found) >= 0.8 * len(now_listed), sorted(now_listed - found)
        returned = _check_cleared(watch, cleared, hashes)
        figures.append(
            (path.parent.name, loaded.added, len(now_listed), len(found), len(alerted), returned)
        )
        _clear_synthetic_alerts(watch, cleared)
    assert figures[-1][2] == len(listed)  # every listed customer's entry is on the last list
    assert watch.verify_audit().ok
    print(
        "\n(list, added, listed customers, of them alerted, active alerts, cleared pairs back)",
        *figures,
        sep="\n",
    )
    store.close()
