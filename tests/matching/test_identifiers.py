"""Identifiers: one interface, check digits validated where defined."""

from __future__ import annotations

from sanctions.matching.identifiers import IDENTIFIERS, extract_identifiers


def test_imo_check_digit() -> None:
    assert IDENTIFIERS["imo"].normalize("IMO 9176187") == "9176187"
    assert IDENTIFIERS["imo"].normalize("IMO 9176188") is None
    assert IDENTIFIERS["imo"].format("9176187") == "IMO 9176187"


def test_lei_mod_97() -> None:
    assert IDENTIFIERS["lei"].is_valid("5493001KJTIIGC8Y1R12")
    assert not IDENTIFIERS["lei"].is_valid("5493001KJTIIGC8Y1R13")


def test_bic_format_and_branch_xxx() -> None:
    assert IDENTIFIERS["bic"].normalize("DEUT DE FF XXX") == "DEUTDEFF"
    assert IDENTIFIERS["bic"].normalize("DEUTDEFF500") == "DEUTDEFF500"
    assert IDENTIFIERS["bic"].normalize("DEU1DEFF") is None


def test_mmsi_is_nine_digits() -> None:
    assert IDENTIFIERS["mmsi"].normalize("273 456 789") == "273456789"
    assert IDENTIFIERS["mmsi"].normalize("12345") is None


def test_passport_numbers_are_reduced_to_letters_and_digits() -> None:
    assert IDENTIFIERS["passport"].normalize("Libya 428720") == "428720"
    assert IDENTIFIERS["passport"].normalize("B/011641") == "B011641"
    assert IDENTIFIERS["passport"].normalize("none") is None


def test_generic_identifiers_share_one_pool() -> None:
    left = extract_identifiers({"passportNumber": ["XD253038"]})
    right = extract_identifiers({"idNumber": ["Indonesia travel document number XD253038"]})
    assert left & right
