"""Work limits of a query (issue 9): refused whole with the limit named, never cut."""

from __future__ import annotations

import pytest

from sanctions.screening import LIMITS, QueryError, QueryLimitError, count_names, parse_query


def query(**props: object) -> dict[str, object]:
    return {"schema": "Person", "properties": props}


def test_a_query_at_the_limits_is_screened() -> None:
    names = [f"Name Number {i}" for i in range(LIMITS.names)]
    record = parse_query(query(name=names[:10], alias=names[10:], notes=["n" * LIMITS.value_chars]))
    assert len(record.names) >= LIMITS.names


@pytest.mark.parametrize(
    ("props", "said"),
    [
        ({"name": [f"N {i}" for i in range(LIMITS.names + 1)]}, "too many names"),
        ({"name": ["A"], "weakAlias": [f"W {i}" for i in range(LIMITS.names)]}, "too many names"),
        ({"firstName": ["x" * (LIMITS.name_chars + 1)]}, "'firstName': a value of 501"),
        ({"name": ["Jo"], "idNumber": ["1"] * (LIMITS.values + 1)}, "too many property values"),
    ],
)
def test_a_query_over_a_limit_is_refused_naming_it(props: dict[str, object], said: str) -> None:
    with pytest.raises(QueryLimitError, match=said) as caught:
        parse_query(query(**props))
    assert isinstance(caught.value, QueryError)  # callers that catch QueryError still do


def test_names_count_the_work_of_a_query() -> None:
    assert count_names({"name": ["a", "b"], "alias": "c", "birthDate": ["1970"]}) == 3
    assert count_names({"firstName": ["Jo"], "lastName": ["Doe"]}) == 1


def test_a_lone_surrogate_is_a_query_error() -> None:
    with pytest.raises(QueryError, match="lone surrogate"):
        parse_query(query(name=["Iv\ud800an"]))
