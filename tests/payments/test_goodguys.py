"""The good-guy list: cleared (party, listed entity) pairs, narrow and failing closed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from sanctions import audit
from sanctions.cli import main
from sanctions.errors import ConfigError
from sanctions.payments import (
    PaymentScreener,
    load_good_guys,
    parse_good_guys,
    parse_message,
    parse_policy,
)
from sanctions.store import Store

from .conftest import LISTED_HASHES, MESSAGES

CLEAN_MT = (MESSAGES / "mt103_clean.txt").read_text()
CLEAN_MX = (MESSAGES / "pacs008_clean.xml").read_text()
FUTURE = (dt.date.today() + dt.timedelta(days=90)).isoformat()


def mt103(beneficiary: str = "KLAUSNER MASCHINENBAU GMBH", agent: str = "BETADEFF") -> str:
    return CLEAN_MT.replace("KLAUSNER MASCHINENBAU GMBH", beneficiary).replace(
        ":57A:BETADEFF", f":57A:{agent}"
    )


def pacs008(agent_name: str, agent_bic: str, remittance: str = "Spare parts") -> str:
    agent = f"<FinInstnId><BICFI>{agent_bic}</BICFI><Nm>{agent_name}</Nm></FinInstnId>"
    return CLEAN_MX.replace("<FinInstnId><BICFI>BETADEFFXXX</BICFI></FinInstnId>", agent).replace(
        "Spare parts for the packaging line, second delivery", remittance
    )


def entry(payments: PaymentScreener, entity: str, **given: str) -> dict[str, str]:
    """An entry as an analyst writes it: the entity hash read off a finding's entity (the
    content hash the store keeps of the listed entity)."""
    data = {
        "id": f"gg-{entity}",
        "entity": entity,
        "entity_hash": LISTED_HASHES[entity],
        "cleared_by": "j.smith",
        "cleared_at": "2026-11-30",
        "reason": "customer since 2009, not the listed company",
        "expires": FUTURE,
    }
    return {**data, **given}


def with_list(payments: PaymentScreener, *entries: dict[str, str]) -> PaymentScreener:
    cleared = parse_good_guys({"entries": list(entries)})
    return PaymentScreener(
        payments.screener, policy=payments.policy, good_guys=cleared, entity_hashes=LISTED_HASHES
    )


def screen(payments: PaymentScreener, text: str):
    return payments.screen(parse_message(text, "test"))


def name_findings(result, entity: str):
    return [f for f in result.findings if f.entity and f.entity["id"] == entity]


def test_a_cleared_party_passes_and_its_finding_is_reported_as_cleared(payments) -> None:
    text = mt103("GOLDEN STAR GENERAL TRADING LLC")
    before = screen(payments, text)
    assert before.decision != "pass" and name_findings(before, "fx-gst")
    listed_hash = name_findings(before, "fx-gst")[0].entity["hash"]
    cleared = with_list(
        payments, entry(payments, "fx-gst", name="Golden Star  General Trading, LLC")
    )
    after = screen(cleared, text)
    assert after.decision == "pass"
    [finding] = name_findings(after, "fx-gst")
    assert finding.action == "cleared" and finding.entity["hash"] == listed_hash
    assert listed_hash == LISTED_HASHES["fx-gst"] and len(listed_hash) == 64
    shown = finding.to_dict()["cleared"]
    assert shown["id"] == "gg-fx-gst" and shown["cleared_by"] == "j.smith"
    assert shown["cleared_at"] == "2026-11-30" and "customer since 2009" in shown["reason"]
    assert shown["expires"] == FUTURE


def test_an_entry_never_clears_another_entity_or_another_party(payments) -> None:
    text = mt103("GOLDEN STAR GENERAL TRADING LLC")
    other_entity = with_list(
        payments, entry(payments, "fx-bel", name="GOLDEN STAR GENERAL TRADING LLC")
    )
    result = screen(other_entity, text)
    assert result.decision != "pass"
    assert all(f.action != "cleared" for f in result.findings)
    other_party = with_list(payments, entry(payments, "fx-gst", name="GOLDEN STAR TRADING"))
    assert screen(other_party, text).decision != "pass"


def test_an_entry_never_clears_a_listed_bic(payments) -> None:
    text = mt103(agent="BOELKPPY")
    assert screen(payments, text).decision == "hold"
    cleared = with_list(payments, entry(payments, "fx-bel", bic="BOELKPPY"))
    result = screen(cleared, text)
    assert result.decision == "hold"
    assert [f.action for f in result.findings if f.check == "bic"] == ["hold"]


def test_an_entry_keyed_on_a_bic_clears_only_that_bank_name(payments) -> None:
    named = pacs008("TANCHON COMMERCIAL BANK", "BETADEFFXXX")
    assert name_findings(screen(payments, named), "fx-tcb")
    cleared = with_list(payments, entry(payments, "fx-tcb", bic="BETADEFF"))
    result = screen(cleared, named)
    assert [f.action for f in name_findings(result, "fx-tcb")] == ["cleared"]
    elsewhere = screen(cleared, pacs008("TANCHON COMMERCIAL BANK", "GAMAFRPPXXX"))
    assert elsewhere.decision != "pass"
    assert all(f.action != "cleared" for f in elsewhere.findings)


def test_an_expired_or_stale_entry_is_not_applied_and_says_so(payments) -> None:
    text = mt103("GOLDEN STAR GENERAL TRADING LLC")
    name = "GOLDEN STAR GENERAL TRADING LLC"
    expired = with_list(payments, entry(payments, "fx-gst", name=name, expires="2026-01-31"))
    result = screen(expired, text)
    assert result.decision != "pass"
    assert any("expired 2026-01-31" in f.reason for f in name_findings(result, "fx-gst"))
    stale = with_list(payments, entry(payments, "fx-gst", name=name, entity_hash="0" * 64))
    result = screen(stale, text)
    assert result.decision != "pass"
    assert any("listed entity changed" in f.reason for f in name_findings(result, "fx-gst"))


def test_an_entry_of_the_old_payments_digest_is_read_but_never_applied(payments) -> None:
    """Entries written before the store's content hash was the key carry a 16-character
    digest: the file still loads, the entry clears nothing and the finding says why."""
    text = mt103("GOLDEN STAR GENERAL TRADING LLC")
    name = "GOLDEN STAR GENERAL TRADING LLC"
    old = with_list(payments, entry(payments, "fx-gst", name=name, entity_hash="3f1c2a9b0d4e5f61"))
    result = screen(old, text)
    assert result.decision != "pass"
    assert all(f.action != "cleared" for f in result.findings)
    reasons = [f.reason for f in name_findings(result, "fx-gst")]
    assert any("digest of an earlier release" in r for r in reasons), reasons


def test_without_entity_hashes_no_entry_clears(payments) -> None:
    """A screener over a bare index given no hashes: findings say hash null, and no entry
    applies (it could not be checked against the entity as cleared)."""
    text = mt103("GOLDEN STAR GENERAL TRADING LLC")
    cleared = parse_good_guys(
        {"entries": [entry(payments, "fx-gst", name="GOLDEN STAR GENERAL TRADING LLC")]}
    )
    blind = PaymentScreener(payments.screener, good_guys=cleared)
    result = screen(blind, text)
    assert result.decision != "pass"
    findings = name_findings(result, "fx-gst")
    assert findings and all(f.entity["hash"] is None for f in findings)
    assert any("hash is unknown" in f.reason for f in findings)


def test_a_name_in_free_text_is_cleared_by_its_span(payments) -> None:
    text = pacs008("BETA BANK", "BETADEFFXXX", "Consulting fee Golden Star General Trading LLC")
    before = screen(payments, text)
    assert [f.check for f in name_findings(before, "fx-gst")] == ["text_name"]
    span = name_findings(before, "fx-gst")[0].span
    cleared = with_list(payments, entry(payments, "fx-gst", name=span))
    assert screen(cleared, text).decision == "pass"


def test_a_bad_good_guy_file_is_refused_with_every_problem(tmp_path: Path) -> None:
    bad = {
        "entries": [
            {"entity": "x", "entity_hash": "ab", "cleared_by": "a", "cleared_at": "2026-01-01"},
            {"id": "two", "name": "X", "entity": "y", "entity_hash": "ab", "cleared_by": "a",
             "cleared_at": "2026-01-01", "reason": "r", "expires": "soon", "bic": "NOPE"},
        ]
    }  # fmt: skip
    path = tmp_path / "gg.yml"
    path.write_text(yaml.safe_dump(bad))
    with pytest.raises(ConfigError) as caught:
        load_good_guys(path)
    message = str(caught.value)
    assert str(path) in message
    for problem in ("entry 1: 'reason' is missing", "entry 1: needs the party's 'name' or 'bic'",
                    "entry 2 (two): expires: 'soon' is not a date", "bic 'NOPE' is not a BIC",
                    "entry 1: entity_hash 'ab' is not an entity hash"):  # fmt: skip
        assert problem in message
    with pytest.raises(ConfigError, match="good_guys"):
        parse_policy({"good_guys": 3})


def test_cli_good_guys_clear_a_customer_and_audit_the_use(db: str, tmp_path: Path) -> None:
    message = tmp_path / "msg.fin"
    message.write_text(mt103("GOLDEN STAR GENERAL TRADING LLC"))
    first = CliRunner().invoke(main, ["--db", db, "screen-payment", str(message), "--json"])
    assert first.exit_code == 3, first.output
    finding = next(f for f in json.loads(first.output)["findings"] if f["entity"]["id"] == "fx-gst")
    listed = {"entity": "fx-gst", "entity_hash": finding["entity"]["hash"], "name": finding["value"],
              "cleared_by": "j.smith", "cleared_at": "2026-11-30", "reason": "known customer",
              "expires": FUTURE, "id": "gg-1"}  # fmt: skip
    good = tmp_path / "gg.yml"
    good.write_text(yaml.safe_dump({"entries": [listed]}))
    args = ["--db", db, "screen-payment", str(message), "--good-guys", str(good)]
    second = CliRunner().invoke(main, args)
    assert second.exit_code == 0, second.output
    assert "cleared (gg-1, by j.smith on 2026-11-30: known customer)" in second.output
    store = Store.open(db)
    try:
        entries = list(audit.iter_entries(store.engine))
    finally:
        store.close()
    [used] = [e for e in entries if e.action == "payment.cleared"]
    details = json.loads(used.details)
    assert details["cleared"][0]["entry"] == "gg-1" and details["decision"] == "pass"
    run = [json.loads(e.details) for e in entries if e.action == "screening.run"][-1]
    assert run["good_guys"]["entries"] == 1 and len(run["good_guys"]["sha256"]) == 64
    # the same entry named in the policy file applies too (a relative file name)
    policy = tmp_path / "policy.yml"
    policy.write_text("good_guys: gg.yml\n")
    third = CliRunner().invoke(
        main, ["--db", db, "screen-payment", str(message), "--policy", str(policy)]
    )
    assert third.exit_code == 0, third.output
    bad = tmp_path / "bad.yml"
    bad.write_text("entries: [{entity: x}]\n")
    fourth = CliRunner().invoke(
        main, ["--db", db, "screen-payment", str(message), "--good-guys", str(bad)]
    )
    assert fourth.exit_code == 2 and "'reason' is missing" in fourth.output


def test_a_new_list_version_keeps_an_entry_only_for_an_unchanged_entity() -> None:
    from sanctions.model import Entity
    from sanctions.screening import Screener

    def company(authority_id: str, name: str, *aliases: str) -> Entity:
        entity = Entity.create("fixture", authority_id, "Company")
        entity.add("name", name)
        for alias in aliases:
            entity.add("alias", alias)
        return entity

    first = company("1", "QUILLFEATHER TRADING LLC")
    cleared = {"entity": first.id, "entity_hash": first.content_hash(), "name": first.caption,
               "cleared_by": "a", "cleared_at": "2026-11-30", "reason": "r", "expires": FUTURE}  # fmt: skip
    text = mt103("QUILLFEATHER TRADING LLC")
    old = [first]
    same = [company("1", "QUILLFEATHER TRADING LLC"), company("2", "ORMSKIRK HOLDINGS")]
    changed = [company("1", "QUILLFEATHER TRADING LLC", "QF TRADING")]
    for entities, decision in ((old, "pass"), (same, "pass"), (changed, "hold")):
        payments = PaymentScreener(
            Screener.from_entities(entities),
            good_guys=parse_good_guys({"entries": [cleared]}),
            entity_hashes={e.id: e.content_hash() for e in entities},
        )
        assert screen(payments, text).decision == decision
