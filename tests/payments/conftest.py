"""A small screener over hand-written list entries (real listed names, fictional extras)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctions.payments import PaymentScreener
from sanctions.screening import Screener
from sanctions.sources import ftm

PAYMENTS = Path(__file__).resolve().parents[1] / "fixtures" / "payments"
MESSAGES = PAYMENTS / "messages"


@pytest.fixture(scope="session")
def listed_screener() -> Screener:
    return Screener.from_entities(list(ftm.parse(PAYMENTS / "listed.jsonl")))


@pytest.fixture
def payments(listed_screener: Screener) -> PaymentScreener:
    return PaymentScreener(listed_screener)
