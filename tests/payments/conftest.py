"""A small screener over hand-written list entries (real listed names, fictional extras)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sanctions.cli import main
from sanctions.payments import PaymentScreener
from sanctions.screening import Screener
from sanctions.sources import ftm

PAYMENTS = Path(__file__).resolve().parents[1] / "fixtures" / "payments"
MESSAGES = PAYMENTS / "messages"


LISTED = list(ftm.parse(PAYMENTS / "listed.jsonl"))
# What a store keeps of each listed entity (a finding's entity.hash, a good-guy entry's key).
LISTED_HASHES = {e.id: e.content_hash() for e in LISTED}


@pytest.fixture(scope="session")
def listed_screener() -> Screener:
    return Screener.from_entities(LISTED)


@pytest.fixture
def payments(listed_screener: Screener) -> PaymentScreener:
    return PaymentScreener(listed_screener, entity_hashes=LISTED_HASHES)


@pytest.fixture()
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store file holding the hand-written listed entries, for the CLI."""
    monkeypatch.setenv("SANCTIONS_INDEX_CACHE", str(tmp_path / "cache"))
    path = str(tmp_path / "s.db")
    result = CliRunner().invoke(main, ["--db", path, "load", str(PAYMENTS / "listed.jsonl")])
    assert result.exit_code == 0, result.output
    return path
