"""Smoke tests of the labelled pair set (benchmarks/pairs) and its accuracy measures.

Fast: pairs are built from a handful of entities written here, never from the lists.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))

import _pairs_eval  # noqa: E402

from sanctions.model import Entity, NameKind  # noqa: E402

# The failure classes of issue 10, each to be covered by the hand-written pairs.
ISSUE_CLASSES = {
    "legal-form-equivalent",
    "legal-form-different",
    "distinctive-word",
    "initialism-punctuation",
    "number-ordinal",
    "given-name-equivalent",
    "chinese",
    "script-rendering",
    "tokenisation",
    "stray-legal-form",
    "partial-evidence",
    "common-words",
    "contradicting-dob",
    "cross-language-org",
    "ordinary-names",
    "abjad-acronym",
    "misspelt-legal-form",
    "korean-reading",
    "untyped-legal-form",
}
build = _pairs_eval.pair_build
GENERATED_CLASSES = set(build.CAPS)


def person(dataset: str, ref: str, name: str, *aliases: str, dob: str | None = None) -> Entity:
    entity = Entity.create(dataset, ref, "Person")
    entity.add_name(name, NameKind.PRIMARY)
    for alias in aliases:
        kind = NameKind.ORIGINAL if not alias.isascii() else NameKind.ALIAS
        entity.add_name(alias, kind)
    if dob:
        entity.add_date(dob)
    return entity


def org(dataset: str, ref: str, name: str, schema: str = "Company", **props: str) -> Entity:
    entity = Entity.create(dataset, ref, schema)
    entity.add_name(name, NameKind.PRIMARY)
    for prop, value in props.items():
        entity.add(prop, value)
    return entity


@pytest.fixture(scope="module")
def entities() -> list[Entity]:
    un = person("un_sc_sanctions", "QDi.901", "Karim Hadad Nouri", "Kareem Haddad", dob="1961")
    un.add("unscId", "QDi.901")
    uk = person("gb_hmt_sanctions", "9001", "NOURI, Karim Hadad", dob="1961-03-04")
    uk.add("unscId", "QDi.901")
    return [
        un,
        uk,
        person("us_ofac_sdn", "1", "Ivan Sergeyevich Petrov", "Иван Петров", dob="1950-02-01"),
        person("us_ofac_sdn", "2", "Ivan Sergeevich Petrova", dob="1990-07-07"),
        person("us_ofac_sdn", "3", "Ivan Sergeyevich Petrovsky", dob="1951-01-01"),
        org("us_ofac_sdn", "4", "Ocean Glory Shipping Co", imoNumber="IMO 9176187"),
        org("us_ofac_sdn", "5", "Ocean Glory Shipping", schema="Vessel", imoNumber="IMO 9309552"),
        person("us_ofac_sdn", "8", "Fawzi Mutlaq Rawi", "Abu Firas"),
        person("au_dfat_sanctions", "9", "Viktor Markelov", dob="1957-12-15"),
        person("us_ofac_sdn", "10", "MARKELOV, Viktor", dob="1967-12-15"),
        org("un_sc_sanctions", "IRe.013", "Doostan International Company", unscId="IRe.013"),
        org("gb_hmt_sanctions", "11130", "Doostan International Company", unscId="E.29.I.4"),
        org("us_ofac_sdn", "6", "Northern Star Trading LLC"),
        org("us_ofac_sdn", "7", "Northern Star Trading Ltd"),
    ]


@pytest.fixture(scope="module")
def pairs(entities: list[Entity]) -> list[dict]:
    return [p.to_dict() for p in build.build_pairs(entities)]


def test_the_handwritten_pairs_cover_every_issue_class_with_five_pairs() -> None:
    pairs = build.handwritten_pairs()
    assert len(pairs) >= 150
    counts = Counter(p.cls for p in pairs)
    assert set(counts) == ISSUE_CLASSES
    assert min(counts.values()) >= 5
    assert len({p.id for p in pairs}) == len(pairs)
    for pair in pairs:
        assert pair.query["properties"]["name"][0].strip()
        assert pair.candidate["properties"]["name"][0].strip()
        assert pair.reason and pair.query["schema"] and pair.candidate["schema"]


def test_a_malformed_handwritten_row_names_its_line(tmp_path: Path) -> None:
    lines = build.HANDWRITTEN.read_text(encoding="utf-8").splitlines()[:3]
    lines[2] = lines[2].replace(",match,", ",maybe,")
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(build.PairFileError, match="line 3: label"):
        build.handwritten_pairs(bad)


def test_generated_labels_agree_with_their_class(pairs: list[dict]) -> None:
    assert pairs
    for pair in pairs:
        assert pair["class"] in GENERATED_CLASSES
        assert pair["label"] == ("no-match" if pair["class"].startswith("negative") else "match")
        assert pair["query"]["properties"]["name"]
        assert pair["reason"] and pair["source"]


def test_aliases_and_original_script_names_pair_with_their_primary_name(
    pairs: list[dict],
) -> None:
    by_class = {(p["class"], p["source"]): p for p in pairs}
    alias = by_class[("alias", "un_sc_sanctions-QDi.901")]
    assert alias["query"]["properties"]["name"] == ["Kareem Haddad"]
    assert alias["candidate"]["properties"]["name"] == ["Karim Hadad Nouri"]
    original = by_class[("original-script", "us_ofac_sdn-1")]
    assert original["query"]["properties"]["name"] == ["Иван Петров"]
    # a nom de guerre shares nothing with the name: no name matcher can link them
    assert ("alias", "us_ofac_sdn-8") not in by_class


def test_one_subject_on_two_lists_is_a_cross_list_positive(pairs: list[dict]) -> None:
    cross = [p for p in pairs if p["class"] == "cross-list"]
    assert len(cross) == 1
    assert set(cross[0]["source"].split()) == {"un_sc_sanctions-QDi.901", "gb_hmt_sanctions-9001"}
    assert "unscId" not in cross[0]["query"]["properties"]  # the link is the label, not a clue


def test_negatives_are_told_apart_by_dates_identifiers_or_type(pairs: list[dict]) -> None:
    negatives = {p["class"]: p for p in pairs if p["label"] == "no-match"}
    dob = [p for p in pairs if p["class"] == "negative-dob"]
    sources = {frozenset(p["source"].split()) for p in dob}
    assert frozenset({"us_ofac_sdn-1", "us_ofac_sdn-2"}) in sources
    # born a year apart: not told apart, never a negative
    assert frozenset({"us_ofac_sdn-1", "us_ofac_sdn-3"}) not in sources
    assert "a Vessel is not a Company" in negatives["negative-type"]["reason"] or (
        "a Company is not a Vessel" in negatives["negative-type"]["reason"]
    )
    same_list = {
        frozenset(p["source"].split()) for p in pairs if p["class"] == "negative-same-list"
    }
    assert frozenset({"us_ofac_sdn-6", "us_ofac_sdn-7"}) in same_list


def test_a_likely_typo_or_an_old_reference_never_makes_a_negative(pairs: list[dict]) -> None:
    negatives = {frozenset(p["source"].split()) for p in pairs if p["label"] == "no-match"}
    # same day and month, years ten apart: one date with a typo, not two people
    assert frozenset({"au_dfat_sanctions-9", "us_ofac_sdn-10"}) not in negatives
    # UN references of another list's copy (here old-style) tell nothing apart
    assert frozenset({"un_sc_sanctions-IRe.013", "gb_hmt_sanctions-11130"}) not in negatives


def test_the_builder_is_reproducible(entities: list[Entity], pairs: list[dict]) -> None:
    again = [p.to_dict() for p in build.build_pairs(list(reversed(entities)))]
    assert again == pairs


def test_metrics_on_a_small_hand_computed_case() -> None:
    labels = [True, True, False, False, True]
    scores = [0.9, 0.6, 0.7, 0.2, 0.8]
    result = _pairs_eval.summary(labels, scores, 0.7)
    assert (result["tp"], result["fp"], result["fn"], result["tn"]) == (2, 1, 1, 1)
    assert result["precision"] == pytest.approx(2 / 3)
    assert result["recall"] == pytest.approx(2 / 3)
    # 5 of the 6 positive/negative orderings are right
    assert result["auc"] == pytest.approx(5 / 6)
    assert result["best_f1"] == pytest.approx(6 / 7) and result["best_f1_threshold"] == 0.6
    assert _pairs_eval.roc_auc([True, False], [0.5, 0.5]) == 0.5
    assert _pairs_eval.roc_auc([True, True], [0.1, 0.2]) is None


def test_ours_scores_a_pair_through_the_public_api() -> None:
    same = {"id": "x", "schema": "Person", "properties": {"name": ["Karim Hadad Nouri"]}}
    other = {"id": "y", "schema": "Vessel", "properties": {"name": ["Karim Hadad Nouri"]}}
    assert _pairs_eval.score_ours({"query": same, "candidate": same}, 0.7) >= 0.99
    assert _pairs_eval.score_ours({"query": same, "candidate": other}, 0.7) == 0.0
