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
