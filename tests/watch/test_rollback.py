"""A rollback of a list never closes alerts; a later approved version that drops the entity does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .conftest import assert_delta_equals_full, customer_map


def test_rollback_keeps_alerts_open_until_a_loaded_version_drops_the_entity(
    store: Any, watch: Any, watch_files: Path, tmp_path: Path
) -> None:
    store.load(watch_files / "v1.jsonl", dataset="fixture")
    watch.import_file(watch_files / "customers.csv", customer_map())
    watch.rescreen()
    store.load(watch_files / "v2.jsonl", dataset="fixture")  # lists fw-5 (matches c-3)
    watch.rescreen()
    (alert,) = watch.alerts("open", record_id="c-3")
    assert alert.entity_id == "fw-5"

    back = store.rollback_version("fixture", "v1", confirm=True, note="v2 was bad")
    assert back.status == "rollback" and store.get_entity("fw-5") is None
    delta = assert_delta_equals_full(watch)  # neither run closes it
    assert alert.id in delta.stats["held_after_rollback"]
    assert [a.id for a in watch.alerts("open", record_id="c-3")] == [alert.id]

    # A loaded version without fw-5 (v1's entries and one more) closes it, with the reason.
    later = tmp_path / "v4.jsonl"
    extra = (
        '{"id": "fw-9", "schema": "Person", "properties": {"name": ["Quentin IMAGINOV"]}, '
        '"datasets": ["fixture"]}\n'
    )
    later.write_text((watch_files / "v1.jsonl").read_text() + extra)
    assert store.load(later, dataset="fixture").status == "loaded"
    report = assert_delta_equals_full(watch)  # the delta run closes it, as a full run would
    assert report.kind == "delta" and report.closed == 1
    (closed,) = [a for a in watch.alerts("closed", record_id="c-3") if a.id == alert.id]
    assert "entity removed from the list" in closed.closed_reason
