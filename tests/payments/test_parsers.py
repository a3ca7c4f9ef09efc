"""Parsing SWIFT MT and ISO 20022 messages: values with field paths, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctions.payments import Kind, PaymentError, parse_message, read_messages

MESSAGES = Path(__file__).resolve().parents[1] / "fixtures" / "payments" / "messages"


def load(name: str):
    return parse_message((MESSAGES / name).read_text(encoding="utf-8"), name)


def values(payment, kind: Kind) -> dict[str, str]:
    return {v.path: v.text for v in payment.values if v.kind == kind}


def test_mt103_gives_parties_agents_and_remittance_with_field_paths() -> None:
    payment = load("mt103_clean.txt")
    assert (payment.type, payment.reference, payment.currency) == ("MT103", "PAY-0001", "EUR")
    assert values(payment, Kind.NAME) == {
        "50K": "HARRIET MOSSGROVE",
        "59": "KLAUSNER MASCHINENBAU GMBH",
    }
    bics = values(payment, Kind.BIC)
    assert bics["52A"] == "ALPHGB2L" and bics["1/sender"] == "ALPHGB2LXXX"
    assert values(payment, Kind.TEXT)["70"] == "INVOICE 2026-118 SPARE PARTS FOR PACKAGING LINE"


def test_mt103_structured_50f_59f_lines_give_names_countries_and_towns() -> None:
    payment = load("mt103_hits.txt")
    names = {v.path: v for v in payment.values if v.kind == Kind.NAME}
    assert names["50F/1"].text == "BWAMBALE FRANK KAKOLELE"
    assert names["50F/1"].schema == "Person"  # a date of birth (line 4/) says person
    assert names["59F/1"].schema == "LegalEntity"
    assert names["57D"].schema == "Organization"  # an agent is a financial institution
    countries = [(v.path, v.text) for v in payment.values if v.kind == Kind.COUNTRY]
    assert ("59F/3", "ua") in countries and ("50F/3", "cd") in countries
    assert ("59F/3", "SEVASTOPOL") in [(v.path, v.text) for v in payment.values]


def test_mt202_cov_prefixes_the_underlying_customer_transfer() -> None:
    payment = load("mt202cov.txt")
    assert payment.type == "MT202COV"
    assert values(payment, Kind.NAME) == {"B/50K": "MARGARET ELLIS", "B/59": "КОМПАНИЯ ДОНБАСС"}
    assert values(payment, Kind.BIC)["58A"] == "BETADEFF"


def test_iso20022_pacs008_pacs009_pain001_in_any_version() -> None:
    hits = load("pacs008_hits.xml")
    assert hits.type == "pacs.008.001.08" and hits.reference == "MSG-2026-0001"
    assert values(hits, Kind.NAME)["CdtTrfTxInf/Cdtr/Nm"] == "Seaview Holiday LLC"
    assert values(hits, Kind.BIC)["CdtTrfTxInf/DbtrAgt/FinInstnId/BICFI"] == "BOELKPPY"
    assert values(hits, Kind.ADDRESS)["CdtTrfTxInf/Cdtr/PstlAdr/TwnNm"] == "Ялта"
    clean = load("pacs008_clean.xml")
    assert clean.type == "pacs.008.001.10"
    people = {v.path: v.schema for v in clean.values if v.kind == Kind.NAME}
    assert people["CdtTrfTxInf/UltmtDbtr/Nm"] == "Person"  # PrvtId
    assert people["CdtTrfTxInf/Dbtr/Nm"] == "Organization"  # OrgId
    assert people["CdtTrfTxInf/Cdtr/Nm"] == "LegalEntity"  # unknown
    texts = values(clean, Kind.TEXT)
    assert "CdtTrfTxInf/RmtInf/Strd/AddtlRmtInf" in texts
    cov = load("pacs009_cov.xml")  # inside an AppHdr envelope
    assert values(cov, Kind.NAME) == {
        "CdtTrfTxInf/UndrlygCstmrCdtTrf/Dbtr/Nm": "Margaret Ellis",
        "CdtTrfTxInf/UndrlygCstmrCdtTrf/Cdtr/Nm": "Tanchon Commercial Bank",
    }
    pain = load("pain001_clean.xml")
    assert values(pain, Kind.NAME)["PmtInf/CdtTrfTxInf[2]/Cdtr/Nm"] == "Greta Lindqvist"


@pytest.mark.parametrize(
    ("name", "field", "words"),
    [
        ("mt103_truncated.txt", None, "truncated"),
        ("mt103_bad_bic.txt", "57A", "country code"),
        ("mt103_wrong_tag.txt", "58A", "not a field of MT103"),
        ("xml_dtd.xml", None, "DTD"),
        ("xml_truncated.xml", None, "not well-formed"),
        ("xml_version.xml", None, "not a supported version"),
    ],
)
def test_malformed_messages_raise_an_error_naming_message_and_field(
    name: str, field: str | None, words: str
) -> None:
    with pytest.raises(PaymentError) as info:
        load(name)
    assert info.value.source == name and info.value.field == field
    assert words in str(info.value)


def test_oversized_remittance_and_bad_bic_length_are_refused() -> None:
    text = (MESSAGES / "mt103_clean.txt").read_text()
    huge = text.replace("PACKAGING LINE", "X" * 10_000_000)
    with pytest.raises(PaymentError, match="line 2 has 10,000,000 characters") as info:
        parse_message(huge, "big")
    assert info.value.field == "70"
    with pytest.raises(PaymentError, match="not a BIC") as info:
        parse_message(text.replace(":52A:ALPHGB2L", ":52A:ALPHGB2LX"), "bic")
    assert info.value.field == "52A"
    xml = (MESSAGES / "pacs008_clean.xml").read_text()
    with pytest.raises(PaymentError, match="at most 140") as info:
        parse_message(xml.replace("Klausner Maschinenbau GmbH", "K" * 141), "x")
    assert info.value.field == "CdtTrfTxInf/Cdtr/Nm"


def test_fingerprint_is_stable_across_transport_headers_and_layout() -> None:
    text = (MESSAGES / "mt103_clean.txt").read_text()
    other_session = text.replace("0000000000}", "1234999999}").replace("\r\n", "\n")
    assert parse_message(text).fingerprint == parse_message(other_session).fingerprint
    changed = text.replace("12500,00", "12500,01")
    assert parse_message(text).fingerprint != parse_message(changed).fingerprint
    xml = (MESSAGES / "pacs008_clean.xml").read_text()
    assert parse_message(xml).fingerprint == parse_message(xml.replace("\n    ", "\n")).fingerprint


def test_batch_reads_folders_mt_files_of_many_and_json_lines_and_reports_bad_ones() -> None:
    read = list(read_messages(MESSAGES))
    bad = [m for m in read if isinstance(m, PaymentError)]
    good = [m for m in read if not isinstance(m, PaymentError)]
    assert {Path(e.source.split("#")[0]).name for e in bad} == {
        "mt103_truncated.txt",
        "mt103_bad_bic.txt",
        "mt103_wrong_tag.txt",
        "mt_batch.txt",
        "xml_dtd.xml",
        "xml_truncated.xml",
        "xml_version.xml",
    }
    assert [m.source.rsplit("/", 1)[1] for m in good if "mt_batch" in m.source] == [
        "mt_batch.txt#1",
        "mt_batch.txt#2",
    ]
    stream = list(read_messages(MESSAGES.parent / "stream.jsonl"))
    assert [getattr(m, "type", None) for m in stream] == ["MT103", "pacs.009.001.08", None, None]
    assert "stream.jsonl:3 (j3)" not in str(stream[2]) and "stream.jsonl:3" in str(stream[2])


def test_mixed_encodings_are_refused_with_the_byte() -> None:
    from sanctions.payments.batch import decode

    with pytest.raises(PaymentError, match="not UTF-8"):
        decode("MÜLLER".encode("latin-1"), "file.txt")


def test_a_message_that_cannot_be_parsed_keeps_a_stable_fingerprint_of_its_text() -> None:
    text = (MESSAGES / "mt103_wrong_tag.txt").read_text()
    fingerprints = set()
    for source in ("a", "b"):
        with pytest.raises(PaymentError) as info:
            parse_message(text, source)
        fingerprints.add(info.value.fingerprint)
    assert len(fingerprints) == 1 and len(fingerprints.pop()) == 64


def test_59f_without_an_account_line_keeps_its_name() -> None:
    text = (MESSAGES / "mt103_hits.txt").read_text()
    text = text.replace(":59F:/UA213223130000026007233566001\n", ":59F:")
    assert ":59F:1/SEAVIEW" in text
    names = values(parse_message(text, "m"), Kind.NAME)
    assert names["59F/1"] == "SEAVIEW HOLIDAY LLC"
    with pytest.raises(PaymentError, match="name line") as info:
        parse_message(text.replace("1/SEAVIEW HOLIDAY LLC\n", ""), "m")
    assert info.value.field == "59F"


def test_a_party_with_only_an_account_and_no_name_is_refused() -> None:
    text = (MESSAGES / "mt103_clean.txt").read_text()
    bare = text.replace("KLAUSNER MASCHINENBAU GMBH\nINDUSTRIESTRASSE 4\n80331 MUENCHEN\n", "")
    with pytest.raises(PaymentError, match="no name") as info:
        parse_message(bare, "m")
    assert info.value.field == "59"


def test_an_iso_party_without_name_or_bic_is_refused() -> None:
    xml = (MESSAGES / "pacs008_clean.xml").read_text()
    with pytest.raises(PaymentError, match="without a name") as info:
        parse_message(xml.replace("<Nm>Klausner Maschinenbau GmbH</Nm>", ""), "m")
    assert info.value.field == "CdtTrfTxInf/Cdtr"
