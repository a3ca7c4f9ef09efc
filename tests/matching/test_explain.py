"""Typed explanations: a score is the sum of its features; three shapes from one object."""

from __future__ import annotations

from sanctions.matching import Feature, compare_records, yente_explanations, yente_features
from sanctions.screening import parse_query


def _pair() -> tuple[object, object]:
    query = parse_query(
        {
            "schema": "Person",
            "properties": {
                "name": ["Vladimir Putin"],
                "birthDate": ["1952-10-07"],
                "nationality": ["Russia"],
                "passportNumber": ["AB1234567"],
            },
        }
    )
    listed = parse_query(
        {
            "schema": "Person",
            "properties": {
                "name": ["PUTIN, Vladimir Vladimirovich"],
                "birthDate": ["1952-10-07"],
                "nationality": ["RU"],
                "passportNumber": ["AB1234567"],
            },
        },
        listed=True,
    )
    return query, listed


def test_features_are_typed_add_up_and_name_the_compared_values() -> None:
    query, listed = _pair()
    score = compare_records(query, listed)
    features = {f.feature: f for f in score.features}
    assert set(features) == {"name", "birth_date", "country", "identifier"}
    assert round(min(1.0, sum(f.contribution for f in score.features)), 4) == score.score
    assert features["name"].query_value == "Vladimir Putin"
    assert features["name"].candidate_value == "PUTIN, Vladimir Vladimirovich"
    assert features["birth_date"].query_value == features["birth_date"].candidate_value
    assert features["country"].query_value == "ru"
    assert features["identifier"].candidate_value == "id:AB1234567"


def test_feature_shapes_ours_yente_and_people() -> None:
    query, listed = _pair()
    score = compare_records(query, listed)
    name = score.features[0]
    data = name.to_dict()
    assert data["query_value"] == data["query_name"] == "Vladimir Putin"
    assert data["matched_name"] == name.candidate_value
    assert Feature.from_dict(data) == name
    legacy = {k: v for k, v in data.items() if k not in ("query_value", "candidate_value")}
    assert Feature.from_dict(legacy) == name  # alerts stored before features were typed
    assert score.explanations == [f.to_dict() for f in score.features]
    yente = yente_explanations([*score.features, name])
    assert yente["name"] == {
        "score": name.contribution,
        "detail": name.detail,
        "query": "Vladimir Putin",
        "candidate": name.candidate_value,
        "weight": 1.0,
    }
    assert "name_2" in yente  # a repeated feature is never overwritten
    assert yente_features(score.features)["birth_date"] == score.features[1].contribution
    assert name.describe().startswith(f"name {name.contribution:+.2f}: query name")
