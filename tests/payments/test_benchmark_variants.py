"""The planted variants of benchmarks/payments.py: what they write is what they claim."""

from __future__ import annotations

import random
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))

import payments as bench  # noqa: E402


def generator(*names: str) -> bench.Generator:
    gen = bench.Generator.__new__(bench.Generator)  # no lists needed for the variants
    gen.rng = random.Random(5)
    gen.names = [(name, None) for name in names]
    gen.scripts = []
    return gen


def test_a_reordered_name_moves_its_legal_form_whole() -> None:
    assert bench.name_units("JOINT STOCK COMPANY ENIKS".split()) == ["JOINT STOCK COMPANY", "ENIKS"]
    gen = generator("JOINT STOCK COMPANY ENIKS", "RPP LIMITED LIABILITY COMPANY")
    seen = {name for name, how in (gen.variant() for _ in range(200)) if how == "reordered"}
    assert seen == {"ENIKS JOINT STOCK COMPANY", "LIMITED LIABILITY COMPANY RPP"}


def test_a_typo_swaps_two_letters_never_a_hyphen_or_an_apostrophe() -> None:
    gen = generator("AL-MESHEDANI ABDULLAH", "KITU' 'ABD-AL-LATIF")
    typos = [name for name, how in (gen.variant() for _ in range(300)) if how == "typo"]
    assert typos
    for typo in typos:
        original = next(n for n, _ in gen.names if sorted(n) == sorted(typo))
        assert [c for c in typo if not c.isalpha()] == [c for c in original if not c.isalpha()]
        assert typo != original
