"""The exported bound (``NameBound``) is never below the name score it bounds (real UN names)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctions.matching import NameBound, count_initials, prepare_records, schema_kind
from sanctions.matching.names import align_score, thresholded_similarity
from sanctions.model import Entity


def _forms(shared_data: Path) -> list[tuple[str, object]]:
    from sanctions.sources import detect_format

    path = shared_data / "un" / "consolidated_2026-02-27.xml"
    fmt = detect_format(path)
    entities: list[Entity] = list(fmt.parse(path, dataset=fmt.dataset_for(path)))
    records = prepare_records(entities[::7])
    return [(r.schema, form) for r in records for form in r.names[:3]]


def _best(query: object, cand: object) -> dict[str, float]:
    best: dict[str, float] = {}
    for _s, _e, qtext in query.spans:  # type: ignore[attr-defined]
        if len(qtext) > 1:
            best[qtext] = max(
                (thresholded_similarity(qtext, c[2]) for c in cand.spans),  # type: ignore[attr-defined]
                default=0.0,
            )
    return best


@pytest.mark.slow
def test_name_bound_is_an_upper_bound_of_the_alignment(shared_data: Path) -> None:
    forms = _forms(shared_data)
    checked = 0
    for i, (schema, query) in enumerate(forms):
        for _, cand in [forms[i], *forms[i + 1 : i + 15]]:
            score = align_score(query, cand, kind=schema_kind(schema))[0]
            initials = count_initials([cand])[0]
            bound = NameBound.of(query).value(_best(query, cand), initials)
            assert bound >= score - 1e-9, (query.original, cand.original, bound, score)
            checked += 1
    assert checked > 1000


def test_a_name_with_initials_bounds_itself_at_one() -> None:
    from sanctions.matching import analyze_name

    for text in ("J. R. R. Tolkien", "I B M", "Kim Jong Un", "A. Q. Khan"):
        for form in analyze_name(text, "Person"):
            best = {s[2]: 1.0 for s in form.spans if len(s[2]) > 1}
            assert NameBound.of(form).value(best, count_initials([form])[0]) >= 1.0 - 1e-9
