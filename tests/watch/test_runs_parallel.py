"""A full run on several workers plans exactly what one process plans, then writes it."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from sanctions.matching.score import DEFAULT_THRESHOLD

from .conftest import customer_map

NAMES = ["Boris Fictionov", "Maria Lopez", "Aurora Fictional Shipping", "Jane Ordinary"]


@pytest.mark.slow  # worker processes (CI runs it)
def test_a_full_run_on_two_workers_finds_what_one_process_finds(
    store: Any, watch: Any, watch_files: Path, tmp_path: Path
) -> None:
    from sanctions.watch.runs import plan_full, take_snapshot

    store.load(watch_files / "v1.jsonl", dataset="fixture")
    source = tmp_path / "customers.csv"
    with open(source, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["customer_id", "full_name", "date_of_birth", "nationality", "kind"])
        for i in range(450):  # three slices of records
            kind = "Company" if i % 4 == 2 else "Person"
            out.writerow([f"p-{i}", f"{NAMES[i % 4]}", "1970-03-01" if i % 2 else "", "", kind])
    watch.import_file(source, customer_map())
    snapshot = take_snapshot(store)
    one = plan_full(store, snapshot, DEFAULT_THRESHOLD, workers=1)
    two = plan_full(store, snapshot, DEFAULT_THRESHOLD, workers=2)
    assert one.hits and one.hits == two.hits
    assert list(one.hits) == list(two.hits)  # the same order too
    assert one.screened_records == two.screened_records and len(one.screened_records) == 450
    report = watch.rescreen(full=True, workers=2)
    assert report.raised == len(two.hits) and "on 2 worker(s)" in report.summary()
