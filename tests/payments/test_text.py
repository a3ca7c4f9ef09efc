"""Listed names hidden in free text: remittance fields, articles, HTML and PDF documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctions.model import Entity
from sanctions.payments import PaymentScreener, parse_message
from sanctions.payments.documents import document_text
from sanctions.payments.text import NameFinder, fold_token
from sanctions.screening import Screener

from .conftest import MESSAGES

NEWS = "text/news_2022-01_canada_us_sanctions.txt"


def test_a_listed_name_in_remittance_text_is_found_with_fuzzy_spelling(
    payments: PaymentScreener,
) -> None:
    text = (MESSAGES / "mt103_clean.txt").read_text()
    text = text.replace("PACKAGING LINE", "TANCHON COMERCIAL BANK")  # misspelt
    result = payments.screen(parse_message(text, "m"))
    [finding] = [f for f in result.findings if f.check == "text_name"]
    assert finding.path == "70" and finding.entity["id"] == "fx-tcb"
    assert finding.action in ("review", "hold") and finding.explanations


def test_ordinary_words_and_unlisted_people_raise_nothing(payments: PaymentScreener) -> None:
    for text in (
        "Invoice 2026-118 spare parts for the packaging line",
        "Consulting fees for the East Land project, Bank transfer",
        "Dinner with Frank and Harriet Mossgrove in Leeds",
        "International Trading Company services, March",
    ):
        assert payments.find_names(text) == [], text


def test_spans_need_a_rare_word_or_a_whole_listed_name(listed_screener) -> None:
    finder = NameFinder(listed_screener.index.records)
    text = "Paid Bank of East Land for the land"
    spans = [text[a:b] for a, b in finder.spans(text)]
    assert "Bank of East Land" in spans  # a whole listed name, though made of ordinary words
    assert "the land" not in spans and "land" not in [s.lower() for s in spans]
    assert fold_token("Кадыров") == "kadyrov"


def test_documents_html_and_pdf_give_their_text(tmp_path: Path) -> None:
    page = b"<html><head><script>var x='Tanchon';</script></head><body><p>Hello <b>world</b></p></body></html>"
    text = document_text(page, "page.html")
    assert "Hello" in text and "world" in text and "Tanchon" not in text
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = tmp_path / "blank.pdf"
    with out.open("wb") as fh:
        writer.write(fh)
    assert document_text(out.read_bytes(), "blank.pdf").strip() == ""


@pytest.mark.slow
def test_the_news_report_flags_nobody_and_inserted_listed_names_are_each_found(
    real_store_path: Path, shared_data: Path
) -> None:
    from sanctions.screening import Screener
    from sanctions.store import Store

    payments = PaymentScreener(Screener(Store.open(real_store_path)))
    news = (shared_data / NEWS).read_text(encoding="utf-8")
    assert payments.find_names(news) == []
    inserted = {
        "Vladimir Putin": "putin",
        "Путин Владимир Владимирович": "putin",
        "Igor Setchin": "sechin",  # spelling variant
        "Игорь Сечин": "sechin",
        "Gennadiy Timchenko": "timchenko",
        "Рамзан Кадыров": "kadyrov",
        "Kim Jong Un": "kim",
        "Sberbank": "sberbank",
        "Bank Rossiya": "rossiya",
    }
    paragraphs = news.split("\n\n")
    for n, name in enumerate(inserted):
        at = 1 + (n * 3) % (len(paragraphs) - 1)
        paragraphs[at] += f" Officials said {name} was discussed."
    mentions = payments.find_names("\n\n".join(paragraphs))
    found = {m.text: m for m in mentions}
    assert set(found) == set(inserted)
    for name, word in inserted.items():
        caption = " ".join(fold_token(w) for w in found[name].record.caption.split())
        assert word in caption, (name, found[name].record.caption)


def test_dotted_initials_are_one_word_on_both_sides() -> None:
    from sanctions.payments.text import word_spans

    assert [w for _, _, w in word_spans("N.A.B. EXPORT CO.")] == ["NAB", "EXPORT", "CO"]
    assert [w for _, _, w in word_spans("A. B. Smith")] == ["A", "B", "Smith"]


def test_a_listed_name_of_ordinary_words_is_found_in_another_order(
    payments: PaymentScreener,
) -> None:
    """Without a rare word only a whole listed name makes a span: in any word order."""
    text = (MESSAGES / "mt103_clean.txt").read_text()
    text = text.replace("PACKAGING LINE", "STAR GENERAL TRADING LLC GOLDEN")
    result = payments.screen(parse_message(text, "m"))
    [finding] = [f for f in result.findings if f.check == "text_name"]
    assert finding.path == "70" and finding.entity["id"] == "fx-gst"
    clean = text.replace("STAR GENERAL TRADING LLC GOLDEN", "GOLDEN STAR TRADING")
    assert not payments.screen(parse_message(clean, "m")).findings


def test_a_name_joined_by_an_ampersand_is_one_word_and_found_in_text() -> None:
    """ "I&S" read as two initials ("I", "S") was no span: an initial may not start one,
    and "is" is a function word. Kept whole, it is a rare word of its listing."""
    from sanctions.payments.text import word_spans

    assert [w for _, _, w in word_spans("PAID K&V HOLDING S.A.")] == [
        "PAID",
        "K&V",
        "HOLDING",
        "SA",
    ]
    assert fold_token("K&V") == "k&v" and fold_token("&") == ""
    listed = Entity.create("fixture", "kv", "Company")
    listed.add("name", "K&V HOLDING COMPANY S.A.")
    payments = PaymentScreener(Screener.from_entities([listed]))
    [found] = payments.find_names("CONSULTING FOR K&V HOLDING COMPANY S.A. REF 331")
    assert found.record.id == "fixture-kv" and found.text.startswith("K&V HOLDING COMPANY")
    assert payments.find_names("R&D COSTS AND P&L REVIEW FOR THE HOLDING COMPANY") == []
