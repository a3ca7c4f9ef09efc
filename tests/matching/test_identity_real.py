"""Every listed name, compared with itself, scores 1.0 (all real lists)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctions.matching.index import prepare_records
from sanctions.matching.names import align_score, schema_kind
from sanctions.store import Store


@pytest.mark.slow
def test_every_listed_name_compared_with_itself_scores_one(real_store_path: Path) -> None:
    store = Store.open(real_store_path)
    try:
        records = prepare_records(store.iter_entities())
    finally:
        store.close()
    failures = []
    checked = 0
    for record in records:
        kind = schema_kind(record.schema)
        for form in record.names:
            if max(form.weights) <= 0.15:  # a legal form or title alone is no name
                continue
            checked += 1
            score = align_score(form, form, kind=kind)[0]
            if score != 1.0:
                failures.append((record.id, form.original, score))
    assert checked > 50_000
    assert failures == [], failures[:20]
