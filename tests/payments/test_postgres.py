"""The same payment screening and audit on PostgreSQL (skipped locally without a server)."""

from __future__ import annotations

import pytest

from sanctions import audit
from sanctions.payments import PaymentScreener
from sanctions.screening import Screener
from sanctions.store import Store

from .conftest import MESSAGES, PAYMENTS


@pytest.mark.postgres
def test_payments_screen_and_audit_on_postgresql() -> None:
    from tests.store.test_store import postgres_url

    store = Store.open(postgres_url())
    try:
        loaded = store.load(PAYMENTS / "listed.jsonl", dataset="payments_fixture_pg")
        before = sum(1 for e in audit.iter_entries(store.engine) if e.action == "payment.held")
        payments = PaymentScreener(Screener(store), audit=True)
        results = list(payments.screen_path(MESSAGES / "mt_batch.txt"))
        assert [r.decision for r in results] == ["pass", "hold", "hold"]
        assert results[1].versions[loaded.dataset]["hash"] == loaded.content_hash[:16]
        held = [e for e in audit.iter_entries(store.engine) if e.action == "payment.held"]
        assert len(held) == before + 2 and audit.verify(store.engine).ok
    finally:
        store.close()


@pytest.mark.postgres
def test_good_guy_clearances_are_audited_on_postgresql() -> None:
    import datetime as dt

    from sanctions.payments import parse_good_guys, read_text
    from tests.store.test_store import postgres_url

    store = Store.open(postgres_url())
    try:
        store.load(PAYMENTS / "listed.jsonl", dataset="payments_fixture_pg")
        text = (MESSAGES / "mt103_clean.txt").read_text()
        text = text.replace("KLAUSNER MASCHINENBAU GMBH", "GOLDEN STAR GENERAL TRADING LLC")
        plain = PaymentScreener(Screener(store))
        [first] = plain.screen_many(read_text(text, "m"))
        hits = [f for f in first.findings if f.check == "name"]
        assert first.decision != "pass" and hits
        expires = (dt.date.today() + dt.timedelta(days=5)).isoformat()
        entries = [
            {"id": f"pg-{n}", "name": f.value, "entity": f.entity["id"],
             "entity_hash": f.entity["hash"], "cleared_by": "pg", "cleared_at": "2026-12-01",
             "reason": "test", "expires": expires}
            for n, f in enumerate(hits)
        ]  # fmt: skip
        cleared = PaymentScreener(
            Screener(store), audit=True, good_guys=parse_good_guys({"entries": entries})
        )
        [result] = cleared.screen_many(read_text(text, "m"))
        assert result.decision == "pass"
        used = [e for e in audit.iter_entries(store.engine) if e.action == "payment.cleared"]
        assert used and used[-1].subject == f"payment:{result.fingerprint}"
        assert audit.verify(store.engine).ok
    finally:
        store.close()
