"""The loader: bad input is a `SourceError` naming the file; a bug in a parser is not.

Before the loader, ``Store.load`` turned any ``TypeError``, ``AttributeError`` or
``KeyError`` raised while parsing into a "format error" that blamed the file: a
programming error read as a bad list. Now only the parsers decide what bad input
is, and each raises its own error for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sanctions.errors import FormatError, SourceError
from sanctions.model import Entity
from sanctions.sources import ftm
from sanctions.store import Store

SAMPLES = Path(__file__).resolve().parents[2] / "sanctions" / "data" / "samples"
# One sample file per format (folders and spreadsheets included). The EU's CSV is the
# one format that, by design, skips a cut LAST row with a warning (old spreadsheet
# exports end so; see tests/sources/test_eu.py): checked apart below.
CUT_LAST_ROW_SKIPPED = "eu_fsf_v1_1.csv"
SAMPLE_FILES = sorted(
    p.name
    for p in SAMPLES.iterdir()
    if not p.name.startswith(".") and p.name != CUT_LAST_ROW_SKIPPED
)


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "store.db")
    yield opened
    opened.close()


@pytest.mark.parametrize("bug", [TypeError, AttributeError, KeyError])
def test_a_bug_inside_a_parser_surfaces_as_itself_and_nothing_is_stored(
    store: Store, fixtures: Path, monkeypatch: pytest.MonkeyPatch, bug: type[Exception]
) -> None:
    real_parse = ftm.parse

    def broken(path: Path, dataset: str | None = None) -> Iterator[Entity]:
        for number, entity in enumerate(real_parse(path, dataset=dataset)):
            if number == 1:
                raise bug("a bug in the parser")
            yield entity

    monkeypatch.setattr(ftm, "parse", broken)
    with pytest.raises(bug, match="a bug in the parser") as caught:
        store.load(fixtures / "ftm" / "v1.jsonl", dataset="fixture")
    assert not isinstance(caught.value, SourceError)
    assert store.versions() == []


def _cut(source: Path, target: Path) -> Path:
    """A copy of a list file (or of a file set, with its main file) cut in half."""
    if source.is_dir():
        target.mkdir()
        for file in source.iterdir():
            (target / file.name).write_bytes(file.read_bytes())
        victim = target / "sdn.csv"
    else:
        victim = target
        victim.write_bytes(source.read_bytes())
    data = victim.read_bytes()
    victim.write_bytes(data[: len(data) // 2])
    return target


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_a_truncated_list_file_is_an_error_naming_the_file(
    store: Store, tmp_path: Path, name: str
) -> None:
    cut = _cut(SAMPLES / name, tmp_path / name)
    with pytest.raises(SourceError) as caught:
        store.load(cut)
    assert name in str(caught.value)
    assert store.versions() == []


def test_the_eu_csv_cut_mid_row_keeps_only_whole_rows_and_says_so(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    whole = store.load(SAMPLES / CUT_LAST_ROW_SKIPPED).entity_count
    cut = _cut(SAMPLES / CUT_LAST_ROW_SKIPPED, tmp_path / CUT_LAST_ROW_SKIPPED)
    other = Store.open(tmp_path / "other.db")
    try:
        result = other.load(cut)
        assert 0 < result.entity_count < whole
        # Fail closed: a file cut short is held for an admin, never current on its own.
        assert result.status == "held"
        assert other.current_version(result.dataset) is None
        (held,) = other.pending_versions(result.dataset)
        assert held.gate_reasons == [
            f"incomplete file: {CUT_LAST_ROW_SKIPPED}: last row (line {_last_line(cut)}) "
            "is cut short; skipped"
        ]
        with pytest.raises(FormatError, match="the file is incomplete") as caught:
            Store.open(tmp_path / "strict.db").load(cut, strict=True)
        assert CUT_LAST_ROW_SKIPPED in str(caught.value)
    finally:
        other.close()
    assert "cut short; skipped" in caplog.text and CUT_LAST_ROW_SKIPPED in caplog.text


def _last_line(path: Path) -> int:
    """The number of the file's last non-empty line (the row the cut left short)."""
    lines = path.read_bytes().splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    return len(lines)


def test_a_duplicate_entity_id_or_an_empty_file_is_a_format_error(
    store: Store, fixtures: Path, tmp_path: Path
) -> None:
    line = (fixtures / "ftm" / "v1.jsonl").read_text().splitlines()[0]
    twice = tmp_path / "twice.jsonl"
    twice.write_text(f"{line}\n{line}\n")
    with pytest.raises(FormatError, match="duplicate entity id 'fx-1'") as caught:
        store.load(twice, dataset="fixture")
    assert "twice.jsonl" in str(caught.value)
    assert store.versions() == []
