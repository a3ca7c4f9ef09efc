"""Strong keys and programme codes."""

from __future__ import annotations

from sanctions.coordination.programmes import normalise_programme_filter, regime_codes
from sanctions.coordination.strong_keys import extract_keys, normalise_un_ref

from .conftest import make_entity


def test_un_references_old_and_new_forms_meet() -> None:
    assert normalise_un_ref("QDi.244") == "QDI.244"
    assert normalise_un_ref("QI.S.244.08") == "QDI.244"
    assert normalise_un_ref("KPe.23") == "KPE.023"
    assert normalise_un_ref("TI.M.1.01") == "TAI.001"
    assert normalise_un_ref("Q.I.M.272.09") == "QDI.272"


def test_keys_are_normalised_and_invalid_ones_dropped() -> None:
    entity = make_entity(
        "x",
        "1",
        "Fictional Shipping",
        "Company",
        imoNumber=["IMO 9176187", "1234568"],  # the second fails its check digit
        passportNumber="AB-123 456",
        leiCode="5493001KJTIIGC8Y1R12",
        notes="SWIFT/BIC: FICTXXPY. Also known as Example.",
        unscId="XXe.001",
    )
    keys = extract_keys(entity)
    assert ("imo", "9176187") in keys
    assert not any(v == "1234568" for _k, v in keys)
    assert ("document", "AB123456") in keys
    assert ("lei", "5493001KJTIIGC8Y1R12") in keys
    assert ("bic", "FICTXXPY") in keys
    assert ("unsc", "XXE.001") in keys
    assert not any(k == "unsc" for k, _v in extract_keys(entity, hidden=("unsc",)))


def test_short_document_numbers_are_not_keys() -> None:
    assert extract_keys(make_entity("x", "1", "A B", passportNumber="A123")) == set()


def test_russia_programmes_of_every_list_map_to_rus() -> None:
    names = ["RUSSIA-EO14024", "UKRAINE-EO13662", "Russia", "RUS", "Russia / Russie"]
    for name in names:
        assert "RUS" in regime_codes([name]), name
    assert regime_codes(["Autonomous (Russia)"]) == {"RUS"}
    assert normalise_programme_filter("rus") == "RUS"
    assert normalise_programme_filter("RUSSIA-EO14024") == "RUS"
