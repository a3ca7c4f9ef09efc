"""Name alignment: order, titles, legal forms, initials, person vs organisation."""

from __future__ import annotations

from sanctions.matching.names import align_names, make_name_forms, token_similarity


def best(query: str, listed: str, schema: str = "Person") -> float:
    kind = "person" if schema == "Person" else "org"
    return max(
        align_names(q, c, kind=kind).score
        for q in make_name_forms(query, schema)
        for c in make_name_forms(listed, schema)
    )


def test_order_of_name_parts_does_not_matter() -> None:
    assert best("MADURO MOROS, Nicolas", "Nicolás Maduro Moros") == 1.0


def test_titles_are_weak_tokens() -> None:
    assert best("Sheikh Haji Abdul Rahman", "Abdul Rahman") > 0.9
    assert best("President", "President Putin") <= 0.3


def test_a_legal_form_alone_never_matches() -> None:
    assert best("CORP", "ACME CORP", "Company") <= 0.3
    assert best("OOO", "OOO Romashka", "Company") <= 0.3


def test_legal_forms_are_canonical() -> None:
    assert best("Romashka OOO", "ROMASHKA LLC", "Company") == 1.0
    assert best("Gazprom PJSC", "Public Joint Stock Company Gazprom", "Company") == 1.0


def test_one_differing_word_of_two_is_not_a_match() -> None:
    assert best("Kathryn Barr", "John Barr") < 0.5


def test_a_missing_patronymic_costs_little_a_wrong_given_name_a_lot() -> None:
    assert best("Vladimir Putin", "PUTIN, Vladimir Vladimirovich") > 0.9
    assert best("Sergei Putin", "PUTIN, Vladimir Vladimirovich") < 0.6


def test_initials_count_for_little() -> None:
    assert best("V. V. Putin", "Vladimir Vladimirovich Putin") > 0.7
    assert best("Salek Abdulhai", "Adnan S. Hasan Ahmed") < 0.5


def test_joined_and_split_words_meet() -> None:
    assert best("ABDUL HAI SALEK", "ABDULHAI SALEK") > 0.9
    assert best("Xi Jin Ping", "Xi Jinping") > 0.9


def test_typos_swaps_and_doubled_letters_are_forgiven() -> None:
    assert token_similarity("jamli", "jamil") >= 0.8
    assert token_similarity("attiiqullah", "attiqullah") >= 0.9
    assert token_similarity("putinas", "putin") >= 0.8


def test_token_similarity_is_symmetric_and_bounded() -> None:
    for a, b in [("putin", "poutine"), ("karen", "guillen"), ("bwtyn", "putin"), ("x", "xi")]:
        assert token_similarity(a, b) == token_similarity(b, a)
        assert 0.0 <= token_similarity(a, b) <= 1.0
