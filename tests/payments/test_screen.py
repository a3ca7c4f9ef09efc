"""Screening messages: findings with field paths, decisions under a policy, fail closed."""

from __future__ import annotations

import pytest

from sanctions.errors import ConfigError
from sanctions.payments import PaymentScreener, parse_message, parse_policy, read_messages
from sanctions.payments.regions import Gazetteer, load_regions, parse_regions

from .conftest import MESSAGES


def screen_one(payments: PaymentScreener, name: str):
    [result] = list(payments.screen_path(MESSAGES / name))
    return result


def found(result) -> set[tuple[str, str, str]]:
    return {(f.check, f.path, f.action) for f in result.findings}


def test_clean_messages_pass_with_fingerprint_and_no_findings(payments: PaymentScreener) -> None:
    for name in ("mt103_clean.txt", "pacs008_clean.xml", "pain001_clean.xml"):
        result = screen_one(payments, name)
        assert result.decision == "pass" and result.findings == [], name
        assert len(result.fingerprint) == 64 and result.error is None
        assert result.regimes == ["us", "eu", "uk", "ca", "un"]


def test_mt103_listed_parties_bics_and_regions_are_held_with_field_paths(
    payments: PaymentScreener,
) -> None:
    result = screen_one(payments, "mt103_hits.txt")
    assert result.decision == "hold"
    hits = found(result)
    assert ("name", "50F/1", "hold") in hits  # a listed person, name order reversed
    assert ("name", "57D", "hold") in hits  # a listed bank, misspelt ("COMERCIAL")
    assert ("bic", "56A", "hold") in hits  # BOELKPPYXXX: the head office BOELKPPY is listed
    assert ("region", "59F/3", "hold") in hits  # Sevastopol
    assert ("region", "70", "hold") in hits  # Yalta in the remittance text
    assert ("bic", "72", "review") in hits  # a branch of FNWBRUMM is listed
    [name] = [f for f in result.findings if f.path == "50F/1"]
    assert name.entity["id"] == "fx-fkb" and name.explanations and name.score >= 0.9


def test_iso20022_hits_name_their_xml_paths_and_cyrillic_towns(payments: PaymentScreener) -> None:
    result = screen_one(payments, "pacs008_hits.xml")
    hits = found(result)
    assert ("region", "CdtTrfTxInf/Cdtr/PstlAdr/TwnNm", "hold") in hits  # Ялта
    assert ("bic", "CdtTrfTxInf/DbtrAgt/FinInstnId/BICFI", "hold") in hits
    assert ("country", "CdtTrfTxInf/Dbtr/PstlAdr/Ctry", "hold") in hits  # KP
    assert ("country", "CdtTrfTxInf/CdtrAgt/FinInstnId/BICFI", "review") in hits  # RU bank
    cov = screen_one(payments, "pacs009_cov.xml")
    assert ("name", "CdtTrfTxInf/UndrlygCstmrCdtTrf/Cdtr/Nm", "hold") in found(cov)
    mt_cov = screen_one(payments, "mt202cov.txt")
    assert ("region", "B/59", "hold") in found(mt_cov)  # г. Донецк


def test_a_message_that_cannot_be_parsed_is_never_pass(listed_screener) -> None:
    review = PaymentScreener(listed_screener, policy=parse_policy({"unparsed": "review"}))
    bad = ["mt103_truncated.txt", "mt103_bad_bic.txt", "xml_dtd.xml", "xml_version.xml"]
    for name in bad:
        [result] = list(review.screen_path(MESSAGES / name))
        assert result.decision == "review" and result.error and name in result.source
        assert result.findings[0].check == "unparsed"
    with pytest.raises(ConfigError, match="never pass"):
        parse_policy({"unparsed": "pass"})


def test_a_batch_goes_on_after_a_bad_message(payments: PaymentScreener) -> None:
    results = list(payments.screen_many(read_messages(MESSAGES / "mt_batch.txt")))
    assert [r.decision for r in results] == ["pass", "hold", "hold"]
    assert results[2].error and "57A" in results[2].error


def test_policy_regimes_and_actions_change_the_decision(listed_screener) -> None:
    # Crimea is covered by US/EU/UK/CA; with only the UN regime it raises nothing.
    un_only = PaymentScreener(listed_screener, policy=parse_policy({"regimes": ["un"]}))
    result = screen_one(un_only, "mt103_hits.txt")
    assert not [f for f in result.findings if f.check == "region"]
    lenient = parse_policy({"names": {"hold": 0.99, "review": 0.5}, "bics": {"branch": "pass"}})
    result = screen_one(PaymentScreener(listed_screener, policy=lenient), "mt103_hits.txt")
    assert ("bic", "72", "review") not in found(result)
    assert ("name", "57D", "review") in found(result)  # 0.98 < 0.99


def test_policy_reports_every_problem_at_once() -> None:
    with pytest.raises(ConfigError) as info:
        parse_policy({"names": {"hold": 2}, "colour": 1, "regimes": ["xx"], "vessels": "stop"})
    message = str(info.value)
    for words in ("unknown key 'colour'", "regimes", "names.hold", "vessels"):
        assert words in message


def test_regions_are_found_in_latin_cyrillic_and_ukrainian_spellings() -> None:
    gazetteer = Gazetteer(load_regions())
    for text, key in [
        ("Hotel in Simferopol", "crimea"),
        ("г. Севастополь", "crimea"),
        ("м. Сімферополь, вул. Гоголя", "crimea"),
        ("Luhans'k oblast", "luhansk"),
        ("Маріуполь", "donetsk"),
        ("Nova Kakhovka", "kherson"),
        ("Pyongyang", "kp"),
    ]:
        assert [m.place.key for m in gazetteer.find(text)] == [key], text
    for text in ("Spare parts for the packaging line", "Invoice 2026-118", "Kyiv, Khreshchatyk 1"):
        assert gazetteer.find(text) == [], text
    partial = gazetteer.find("Zaporizhzhia, Melitopol road")
    assert [(m.place.key, m.partial) for m in partial] == [("zaporizhzhia", False)]
    assert gazetteer.find("Kherson")[0].partial


def test_region_table_rejects_bad_levels_and_clashing_names() -> None:
    bad = {
        "countries": {"kp": {"regimes": {"us": "total"}, "names": ["Pyongyang"]}},
        "regions": {"x": {"regimes": {"zz": "embargo"}, "names": ["Pyongyang"]}},
    }
    with pytest.raises(ConfigError) as info:
        parse_regions(bad)
    assert "total" in str(info.value) and "zz" in str(info.value) and "also kp" in str(info.value)


def test_held_messages_are_audited_with_the_list_versions_used(tmp_path) -> None:
    from sanctions import audit
    from sanctions.screening import Screener
    from sanctions.store import Store

    from .conftest import PAYMENTS

    store = Store.open(tmp_path / "lists.db")
    loaded = store.load(PAYMENTS / "listed.jsonl")
    payments = PaymentScreener(Screener(store), audit=True)
    results = list(payments.screen_path(MESSAGES / "mt_batch.txt"))
    assert [r.decision for r in results] == ["pass", "hold", "hold"]
    assert results[1].versions == {
        loaded.dataset: {
            "seq": 1,
            "hash": loaded.content_hash[:16],
            "loaded": results[1].versions[loaded.dataset]["loaded"],
        }
    }
    held = [e for e in audit.iter_entries(store.engine) if e.action == "payment.held"]
    assert [e.subject for e in held] == [f"payment:{r.fingerprint}" for r in results[1:]]
    assert "50F/1" in held[0].details and audit.verify(store.engine).ok


def test_an_untyped_party_with_a_legal_form_is_held_as_the_listed_company(
    payments: PaymentScreener, listed_screener
) -> None:
    """An untyped party (50K/59) named with a legal form is screened once, as LegalEntity:
    the matcher reads the dotted legal form itself and finds the listed company. A span of
    free text with a legal form is screened as an Organization too (as Thing the matcher
    misses some listed companies)."""
    from sanctions.payments.names import name_schemata

    untyped = listed_screener.screen(
        {"schema": "LegalEntity", "properties": {"name": ["ORINOCO FICTIONAL C.A."]}}
    )
    assert [m for m in untyped.results if m.score.score >= 0.8]
    text = (MESSAGES / "mt103_clean.txt").read_text()
    text = text.replace("KLAUSNER MASCHINENBAU GMBH", "ORINOCO FICTIONAL C.A.")
    result = payments.screen(parse_message(text, "m"))
    assert ("name", "59", "hold") in found(result)
    assert name_schemata("ORINOCO FICTIONAL C.A.", "LegalEntity") == ("LegalEntity",)
    assert name_schemata("C.A. AVERUCA", "Thing") == ("Thing", "Organization")
    assert name_schemata("JOHN SMITH", "Thing") == ("Thing",)
    assert name_schemata("KIM SA", "Person") == ("Person",)  # the message said person
