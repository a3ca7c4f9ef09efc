"""False-alert classes fixed in matcher 2.4: Latin acronyms met by the abjad consonant
rule, misspelt legal forms, Korean 이 read as a roman numeral."""

from __future__ import annotations

import pytest

from sanctions.matching import DEFAULT_THRESHOLD, MatchIndex, compare_records, prepare_records
from sanctions.matching import search as find
from sanctions.matching.names import make_name_forms
from sanctions.matching.normalise import legal_form
from sanctions.model import Entity, Listing
from sanctions.screening import parse_query


def _score(query: str, listed: str, schema: str = "Organization", other: str = "") -> float:
    q = parse_query({"schema": schema, "properties": {"name": [query]}})
    c = parse_query({"schema": other or schema, "properties": {"name": [listed]}})
    return compare_records(q, c, frequencies=None).score


def _listed(eid: str, name: str, schema: str) -> Entity:
    entity = Entity(id=eid, schema=schema, listing=Listing("fixture", eid))
    entity.add_name(name)
    return entity


# -- the abjad consonant rule is for readings of Arabic and Hebrew script only -------------


@pytest.mark.parametrize(
    ("query", "listed"), [("NGT", "UNIJET"), ("TPC", "TOBACCO"), ("DCB", "DKBA")]
)
def test_latin_acronyms_are_no_abjad_readings(query: str, listed: str) -> None:
    assert _score(query, listed) < DEFAULT_THRESHOLD
    assert _score(listed, query) < DEFAULT_THRESHOLD


@pytest.mark.parametrize(
    ("query", "listed"),
    [("فضل رحيم", "Fazal Rahim"), ("عبدالله الفيتوري", "Abdullah Fitouri")],
)
def test_arabic_script_still_meets_its_latin_spellings(query: str, listed: str) -> None:
    assert _score(query, listed, "Person") >= DEFAULT_THRESHOLD
    assert _score(listed, query, "Person") >= DEFAULT_THRESHOLD


def test_the_index_search_agrees_with_the_pair_score_for_acronyms() -> None:
    records = prepare_records(
        [_listed("u", "UNIJET", "Company"), _listed("n", "NGT Holdings", "Company")]
    )
    q = parse_query({"id": "q", "schema": "Company", "properties": {"name": ["NGT"]}})
    hits = {h.record.id: h.score.score for h in find(MatchIndex(records), q, limit=5)}
    assert hits.get("u", 0.0) < DEFAULT_THRESHOLD
    assert hits["n"] == compare_records(q, records[1], frequencies=None).score


# -- a misspelt legal form is still a legal form ---------------------------------------------


@pytest.mark.parametrize(
    ("token", "form"),
    [("comapny", "company"), ("compnay", "company"), ("limted", "limited")]
    + [("coporation", "corporation"), ("incorporatd", "incorporated")],
)
def test_one_keystroke_off_a_long_legal_form_reads_as_it(token: str, form: str) -> None:
    assert legal_form(token) == legal_form(form) is not None


@pytest.mark.parametrize("word", ["compton", "limiter", "limites", "complay", "companion"])
def test_words_near_a_legal_form_stay_words(word: str) -> None:
    assert legal_form(word) is None


def test_a_misspelt_legal_form_keeps_a_company_match() -> None:
    assert _score("Bright Star Trading Comapny", "Bright Star Trading Company") == 1.0
    assert _score("ACME COMAPNY", "ACME COMPANY") >= DEFAULT_THRESHOLD
    assert _score("ACME COMAPNY", "ACME AG") < DEFAULT_THRESHOLD  # two legal forms still differ


# -- Korean 이 is a name, not the numeral 1 ---------------------------------------------------


@pytest.mark.parametrize("schema", ["LegalEntity", "Company"])
def test_korean_i_is_no_roman_numeral(schema: str) -> None:
    for form in make_name_forms("김 이", schema):
        assert "1" not in form.tokens
    assert _score("김 이", "Kim I", "LegalEntity", "Person") >= DEFAULT_THRESHOLD


def test_latin_roman_numerals_still_read_as_numbers() -> None:
    assert make_name_forms("Henry V", "Company")[0].tokens == ("henry", "5")


# -- an organisation name with one distinctive word changed is another organisation ----------


def test_one_distinctive_word_changed_in_an_org_name_costs_more_than_one_left_out() -> None:
    changed = _score(
        "Bortala Prefecture Public Security Bureau", "Bayingolin Prefecture Public Security Bureau"
    )
    left_out = _score(
        "Prefecture Public Security Bureau", "Bayingolin Prefecture Public Security Bureau"
    )
    assert changed < DEFAULT_THRESHOLD
    assert changed < left_out


def test_a_person_with_one_word_changed_is_left_to_the_name_rules() -> None:
    # aliases of people change words freely: the org rule does not apply to them
    assert _score("Ayad Futayyih AL-RAWI", "Ayad Futayyih Khalifa AL-RAWI", "Person") >= 0.8


# -- an untyped party whose name ends with a dotted legal form is read as an organisation ----


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("JOSAFAT S.A.", "JOSAFAT S.A."),
        ("ALFA ONE C.A.", "ALFA ONE C.A."),
        ("JOSAFAT S.A.", "JOSAFAT SOCIEDAD ANONIMA"),
    ],
)
def test_an_untyped_name_with_a_dotted_legal_form_meets_the_listed_company(
    query: str, listed: str
) -> None:
    assert _score(query, listed, "LegalEntity", "Company") >= DEFAULT_THRESHOLD


def test_short_family_names_and_initials_stay_names_for_untyped_parties() -> None:
    assert _score("Thomas Sá", "Thomas SA", "LegalEntity", "Company") < DEFAULT_THRESHOLD
    assert _score("JOHANSSON, A.B.", "Anders Bo JOHANSSON", "LegalEntity", "Person") >= 0.9
    # a person's name holding a word that reads as a legal form still meets the person
    assert _score("KIM S.A.", "KIM Sa", "LegalEntity", "Person") >= DEFAULT_THRESHOLD
