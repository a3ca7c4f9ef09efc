"""Identity documents written as free text (UK lists): number, country, dates, name."""

from __future__ import annotations

from sanctions.model import Entity
from sanctions.sources.base import collect_report
from sanctions.sources.uk_documents import add_documents, read_documents


def test_numbers_are_kept_whole_and_dates_are_not_numbers() -> None:
    [doc] = read_documents(
        "AB123456 (Ruritanian Diplomatic). Issued 3 Feb 2001. Expires 2 Feb 2011"
    )
    assert doc.numbers == ["AB123456"] and doc.issued == "2001-02-03"
    assert doc.expires == "2011-02-02"
    assert read_documents("1234567890.7654321")[0].numbers == ["1234567890.7654321"]
    assert read_documents("123 456")[0].numbers == ["123 456"]
    assert read_documents("B/012345. Expires end 2013")[0].numbers == ["B/012345"]


def test_enumerated_documents_heading_country_and_issued_under_name() -> None:
    docs = read_documents("Yemeni passport numbers (1) K0123456 (2) 654321")
    assert [(d.numbers, d.countries) for d in docs] == [
        (["K0123456"], ["ye"]),
        (["654321"], ["ye"]),
    ]
    [doc] = read_documents(
        "Pakistani passport no.9876543 issued under name Jane Example, born 1970"
    )
    assert doc.numbers == ["9876543"] and doc.countries == ["pk"]
    assert doc.under_name == "Jane Example"
    [doc] = read_documents("United Kingdom of Great Britain and Northern Ireland 801234567")
    assert doc.countries == ["gb"]


def test_text_without_a_number_is_kept_and_counted() -> None:
    entity = Entity.create("gb_hmt_sanctions", "1", "Person")
    with collect_report() as report:
        add_documents(
            entity, "passportNumber", "(1) 7654321 (Egypt). Issued 1990. (2) Ruritania Passport."
        )
    assert entity.get("passportNumber") == ["7654321"]
    assert "passportNumber (not understood): Ruritania Passport." in entity.get("notes")
    assert any(
        n.startswith("passportNumber 7654321 (country eg; issued 1990)")
        for n in entity.get("notes")
    )
    assert report.counts == {"passportNumber": 1}
