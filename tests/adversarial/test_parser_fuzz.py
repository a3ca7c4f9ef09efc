"""Hypothesis fuzzing of every parser (``sanctions/sources/*``).

Inputs: random bytes, and the project's hand-written sample files and the real
official files of ``../shared/data`` mutated in the test (bytes flipped,
inserted, deleted, repeated, the file cut short; nothing mutated is kept).
Every parser must end either with entities or with one of our own errors
(:class:`SanctionsError` subclasses naming the file); any other exception is a
bug. Through the store, a load that fails must leave the current version as it
was.

Example counts: modest in the fast loop, larger under ``-m slow``
(``SANCTIONS_FUZZ_EXAMPLES`` overrides the slow count).
"""

from __future__ import annotations

import importlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctions.errors import SanctionsError
from sanctions.sources import FORMAT_MODULES, detect_format
from sanctions.store import Store

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sanctions" / "data" / "samples"
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared" / "data"
FAST = settings(
    max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None
)
SLOW = settings(
    max_examples=int(os.environ.get("SANCTIONS_FUZZ_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)


def _samples() -> dict[str, Path]:
    """One hand-written file (or file-set folder) per format: the module name -> path."""
    found: dict[str, Path] = {}
    candidates = sorted(SAMPLES.iterdir()) + [FIXTURES / "csl" / "dpl_sample.txt"]
    for path in candidates:
        name = detect_format(path).name
        found.setdefault(name, path)
    return found


SAMPLE_PATHS = _samples()
REAL_FILES = [
    "un/consolidated_2026-02-27.xml",
    "ca/sema/sema-lmes_2020-04.xml",
    "uk/ofsi/ConList_2018-04-13.csv",
    "us/ofac-consolidated/CONS_ENHANCED.ZIP",
    "us/ofac-consolidated/consolidated_2024-02-23.xml",
    "us/ofac-consolidated/CONS_ADVANCED_2021-06-03.xml",
    "us/csl/dpl_2023-11.txt",
    "us/csl/consolidated_2022-04.csv.gz",
    "us/ofac-sdn/2018-12-19",
    "au/dfat/regulation8_consolidated_2024-11-11.xlsx",
    "eu/fsf-csv/global_excerpt_2018-07-04.csv",
]


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"sanctions.sources.{name}")


def _module_of(path: Path) -> ModuleType:
    return detect_format(path).module


def test_every_parser_has_a_sample_to_mutate() -> None:
    formats = {_module(name).FORMAT for name in FORMAT_MODULES}
    assert formats <= set(SAMPLE_PATHS), formats - set(SAMPLE_PATHS)


# -- mutations -----------------------------------------------------------------------------


@st.composite
def mutations(draw: st.DrawFn) -> list[tuple[str, float, bytes]]:
    """A few edits: (kind, position as a share of the length, bytes)."""
    kinds = st.sampled_from(["flip", "insert", "delete", "repeat", "truncate", "swap_quotes"])
    edit = st.tuples(
        kinds, st.floats(0, 1), st.binary(min_size=1, max_size=12) | st.sampled_from(SPECIAL)
    )
    return draw(st.lists(edit, min_size=1, max_size=4))


SPECIAL = [b'"', b"<", b">", b"&", b"\x00", b"\xff\xfe", b"\r\n", b",", b"\t", b"]]>", b"&#0;"]


def mutate(data: bytes, edits: list[tuple[str, float, bytes]]) -> bytes:
    for kind, where, payload in edits:
        at = int(where * len(data))
        if kind == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([data[at] ^ payload[0] | 1]) + data[at + 1 :]
        elif kind == "insert":
            data = data[:at] + payload + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + len(payload) * 7 :]
        elif kind == "repeat":
            data = data[:at] + data[at : at + 200] + data[at:]
        elif kind == "truncate":
            data = data[:at]
        elif kind == "swap_quotes":
            data = data[:at] + data[at:].replace(b'"', b"'", 1)
    return data


def _mutated_copy(source: Path, folder: Path, edits: list[Any], member: int = 0) -> Path:
    """A copy of a file (or of a file set, one member mutated) with the edits applied."""
    if source.is_dir():
        target = folder / source.name
        shutil.copytree(source, target)
        files = sorted(p for p in target.iterdir() if p.is_file())
        victim = files[member % len(files)]
        victim.write_bytes(mutate(victim.read_bytes(), edits))
        return target
    target = folder / source.name
    target.write_bytes(mutate(source.read_bytes(), edits))
    return target


# -- the property ---------------------------------------------------------------------------


def _drain(entities: Iterator[Any]) -> int:
    return sum(1 for _ in entities)


def assert_parses_or_fails_clearly(module: ModuleType, path: Path) -> None:
    """Detection and the parser end with entities or a SanctionsError, nothing else."""
    try:
        detect_format(path)
    except SanctionsError:
        pass
    try:
        _drain(module.parse(path, dataset=None))
    except SanctionsError as exc:
        assert str(exc), "an error without a message"
    except Exception as exc:  # the bug this test exists to find
        pytest.fail(f"{module.FORMAT} on {path.name}: {exc.__class__.__name__}: {exc}")


def _fuzz_file(module: ModuleType, source: Path, edits: list[Any], member: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        assert_parses_or_fails_clearly(module, _mutated_copy(source, Path(folder), edits, member))


FORMAT_IDS = sorted(SAMPLE_PATHS)


@pytest.mark.parametrize("fmt", FORMAT_IDS)
@FAST
@given(edits=mutations(), member=st.integers(0, 3))
def test_mutated_samples_parse_or_fail_clearly(fmt: str, edits: list[Any], member: int) -> None:
    source = SAMPLE_PATHS[fmt]
    _fuzz_file(_module_of(source), source, edits, member)


@pytest.mark.parametrize("fmt", FORMAT_IDS)
@FAST
@given(data=st.binary(max_size=2000))
def test_random_bytes_parse_or_fail_clearly(fmt: str, data: bytes) -> None:
    _fuzz_bytes(fmt, data)


def _fuzz_bytes(fmt: str, data: bytes) -> None:
    module = _module_of(SAMPLE_PATHS[fmt])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "list.bin"
        path.write_bytes(data)
        assert_parses_or_fails_clearly(module, path)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMAT_IDS)
@SLOW
@given(edits=mutations(), member=st.integers(0, 3))
def test_many_mutated_samples_parse_or_fail_clearly(
    fmt: str, edits: list[Any], member: int
) -> None:
    source = SAMPLE_PATHS[fmt]
    _fuzz_file(_module_of(source), source, edits, member)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMAT_IDS)
@SLOW
@given(data=st.binary(max_size=20_000))
def test_many_random_bytes_parse_or_fail_clearly(fmt: str, data: bytes) -> None:
    _fuzz_bytes(fmt, data)


@pytest.mark.slow
@pytest.mark.parametrize("relative", REAL_FILES)
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(edits=mutations(), member=st.integers(0, 3))
def test_mutated_real_files_parse_or_fail_clearly(
    relative: str, edits: list[Any], member: int
) -> None:
    source = SHARED / relative
    if not source.exists():
        pytest.skip(f"real list file not found: {source}")
    _fuzz_file(_module_of(source), source, edits, member)


# -- through the store: a failed load never changes the current version ------------------------


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A store holding every sample as the current version of its dataset."""
    folder = tmp_path_factory.mktemp("fuzz-store")
    store = Store.open(folder / "store.db")
    for path in SAMPLE_PATHS.values():
        store.load(path)
    yield store
    store.close()


@pytest.mark.parametrize("fmt", FORMAT_IDS)
@FAST
@given(edits=mutations(), member=st.integers(0, 3))
def test_a_failed_load_of_a_mutated_file_keeps_the_current_version(
    loaded: Any, fmt: str, edits: list[Any], member: int
) -> None:
    source = SAMPLE_PATHS[fmt]
    dataset = detect_format(source).dataset_for(source)
    before = loaded.current_version(dataset)
    with tempfile.TemporaryDirectory() as folder:
        path = _mutated_copy(source, Path(folder), edits, member)
        try:
            loaded.load(path, dataset=dataset)
        except SanctionsError:
            assert loaded.current_version(dataset) == before
            return
        except Exception as exc:
            pytest.fail(f"load of mutated {source.name}: {exc.__class__.__name__}: {exc}")
    # A mutation that still parses may become a new version: put the sample back.
    loaded.load(source, dataset=dataset)
