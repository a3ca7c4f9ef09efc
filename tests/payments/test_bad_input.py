"""Bad input never escapes as anything but a PaymentError naming the message: truncations,
garbage, entity tricks; and a batch never loses or passes a bad message."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sanctions.payments import Payment, PaymentError, parse_message, read_text

from .conftest import MESSAGES

GOOD = ["mt103_hits.txt", "mt202cov.txt", "pacs008_hits.xml", "pain001_clean.xml"]


def parses_or_refuses(text: str) -> Payment | PaymentError:
    try:
        return parse_message(text, "msg")
    except PaymentError as exc:
        assert exc.source == "msg" and exc.fingerprint
        return exc


def test_every_truncation_of_a_message_parses_or_is_refused_cleanly() -> None:
    for name in GOOD:
        text = (MESSAGES / name).read_text(encoding="utf-8").rstrip()
        assert isinstance(parses_or_refuses(text), Payment)
        for cut in range(0, len(text), 3):  # every strict truncation is refused, never parsed
            assert isinstance(parses_or_refuses(text[:cut]), PaymentError), (name, cut)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_parses_or_is_refused_cleanly(text: str) -> None:
    parses_or_refuses(text)
    parses_or_refuses("{1:F01ALPHGB2LAXXX0000000000}{2:I103BETADEFFXXXXN}{4:\n" + text)
    parses_or_refuses('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">' + text)


def test_external_entities_and_billion_laughs_are_refused() -> None:
    external = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">'
        "<FIToFICstmrCdtTrf><CdtTrfTxInf><Cdtr><Nm>&x;</Nm></Cdtr></CdtTrfTxInf>"
        "</FIToFICstmrCdtTrf></Document>"
    )
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"><x>&c;</x></Document>'
    )
    for text in (external, laughs):
        result = parses_or_refuses(text)
        assert isinstance(result, PaymentError) and "DTD" in result.message


def test_a_batch_with_garbage_between_messages_keeps_every_message() -> None:
    good = (MESSAGES / "mt103_clean.txt").read_text()
    batch = good + "\n$\n{1:F01ALPHGB2LAXXX}{4:\n:20:X\n" + "\n$\n" + good
    out = list(read_text(batch, "batch.fin"))
    assert [type(m).__name__ for m in out] == ["Payment", "PaymentError", "Payment"]
    assert out[1].source == "batch.fin#2"
