"""The offline demo: load the hand-written sample lists shipped in the package.

Every sample in ``sanctions/data/samples`` is a small file written by hand in an
official format, with fictional entries marked as such. The demo stores one
sample per dataset, reads the other formats of the same dataset to show that
they parse, then loads a second version of the OFAC sample to show a diff.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sanctions.sources import detect_format
from sanctions.store import LoadResult, Store

__all__ = ["SAMPLES", "SECOND_VERSION", "SampleLoad", "sample_paths", "load_samples"]

SAMPLES = Path(__file__).resolve().parent / "data" / "samples"
# A later version of one sample, loaded last to show a diff.
SECOND_VERSION = "ofac_csv_v2"
FIRST_VERSION = "ofac_csv"


@dataclass
class SampleLoad:
    path: Path
    format: str
    dataset: str
    stored: bool  # False: an alternative format of a dataset already stored, parsed only
    entity_count: int
    result: LoadResult | None = None


def sample_paths() -> list[Path]:
    """The shipped samples (files, or folders holding a file set), second version excluded."""
    paths = [
        p
        for p in SAMPLES.iterdir()
        if not p.name.startswith((".", "_")) and p.name != SECOND_VERSION and p.suffix != ".md"
    ]
    # The first version of the diffed sample goes first, so it is the one stored.
    return sorted(paths, key=lambda p: (p.name != FIRST_VERSION, p.name))


def load_samples(store: Store) -> Iterator[SampleLoad]:
    """Load every sample into ``store``; yield what happened to each."""
    stored: set[str] = set()
    for path in sample_paths():
        fmt = detect_format(path)
        dataset = fmt.dataset_for(path)
        if dataset in stored:
            count = sum(1 for _ in fmt.parse(path, dataset=dataset))
            yield SampleLoad(path, fmt.name, dataset, False, count)
            continue
        result = store.load(path, dataset=dataset)
        stored.add(dataset)
        yield SampleLoad(path, fmt.name, dataset, True, result.entity_count, result)
    second = SAMPLES / SECOND_VERSION
    if second.exists():
        fmt = detect_format(second)
        result = store.load(second, dataset=fmt.dataset_for(second))
        yield SampleLoad(second, fmt.name, result.dataset, True, result.entity_count, result)
