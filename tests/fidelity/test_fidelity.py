"""Standing fidelity suite: stored entities against an independent reading of the raw file.

For EVERY list file in ../shared/data, a reproducible sample of records (fixed
seed) is read by a minimal reader written for the test (``readers.py``: stdlib,
lxml, openpyxl; never our parsers) and compared with the entity the package
stores for it (parsed, then serialised and read back as the store does):

* names: every raw name is one of the entity's names (compared as bags of words,
  so that "LAST, First" and "First LAST" agree);
* dates of birth: every plainly written raw date is a stored date with the same
  precision (``1962`` stays a year, never ``1962-01-01``);
* countries: every raw country is stored as its code, or kept as text;
* identifiers: every raw document number is in an identifier property or the notes;
* programmes: every raw programme is on the listing.

A format the registry knows must have a reader here, or be listed in
``NO_REAL_FILE`` with the reason (and then have no file in ../shared/data).
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from sanctions.countries import to_country_code
from sanctions.model import Entity, NameKind
from sanctions.sources import detect_format, discover_paths, list_formats

from ..conftest import SHARED_DATA
from .readers import KEY_BY_NAME, NO_REAL_FILE, READERS, Raw, simple_date

SEED = 17
SAMPLE_SIZE = 25
COUNTRY_PROPS = ("nationality", "citizenship", "country", "birthCountry", "flag", "pastFlags")


def _real_lists() -> list[str]:
    if not SHARED_DATA.is_dir():
        return []
    return [p.relative_to(SHARED_DATA).as_posix() for p in discover_paths(SHARED_DATA)]


def words(text: str) -> tuple[str, ...]:
    """A name as a sorted bag of lowercase words without punctuation or accents."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return tuple(sorted(re.findall(r"\w+", plain)))


def compact(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).upper()


def country_codes_of(text: str) -> set[str]:
    """Codes of a raw country text: one country, or several ("Australia and Lebanon")."""
    code = to_country_code(text)
    if code is not None:
        return {code}
    parts = [p for p in re.split(r"\s+and\s+|\s*[,;/]\s*", text) if p]
    codes = {to_country_code(p) for p in parts}
    return set() if None in codes or len(parts) < 2 else codes  # type: ignore[return-value]


def stored(entity: Entity) -> Entity:
    """The entity as the store keeps it: its record serialised and read back."""
    return Entity.from_dict(json.loads(json.dumps(entity.to_dict(), ensure_ascii=False)))


def _all_text(entity: Entity) -> str:
    values = [v for vs in entity.properties.values() for v in vs]
    return " | ".join(values + [n.name for n in entity.names]).casefold()


def compare(raw: Raw, entity: Entity) -> list[str]:
    """What the raw record says that the stored entity does not hold."""
    problems: list[str] = []
    names = {words(n.name) for n in entity.names}
    for name in raw.names:
        if name and words(name) not in names:
            problems.append(f"name {name!r} missing")
    dates = {d.value for d in entity.dates} | {d.end for d in entity.dates if d.end}
    for dob in raw.dobs:
        if dob not in dates:
            problems.append(f"date of birth {dob} missing (stored {sorted(dates)})")
    codes = {v for p in COUNTRY_PROPS for v in entity.get(p)}
    text = _all_text(entity)
    for country in raw.countries:
        wanted = country_codes_of(country)
        if (not wanted or not wanted <= codes) and country.casefold() not in text:
            problems.append(f"country {country!r} ({wanted}) missing (stored {sorted(codes)})")
    values = {compact(v) for vs in entity.properties.values() for v in vs}
    for number in raw.ids:
        if compact(number) and not any(compact(number) in v for v in values):
            problems.append(f"identifier {number!r} missing")
    programs = {p.casefold() for p in entity.listing.programs + entity.get("program")}
    for program in raw.programs:
        if program and program.casefold() not in programs:
            problems.append(f"programme {program!r} missing (stored {sorted(programs)})")
    return problems


def _find(
    raw: Raw, entities: dict[str, Entity], by_name: dict[tuple, list[Entity]], fmt: str
) -> list[Entity]:
    if fmt in KEY_BY_NAME:
        return by_name.get(words(raw.key), [])
    entity = entities.get(raw.key)
    return [entity] if entity is not None else []


@pytest.mark.slow
@pytest.mark.parametrize("relative", _real_lists())
def test_sample_of_every_real_list_matches_the_raw_records(
    shared_data: Path, relative: str
) -> None:
    path = shared_data / relative
    fmt = detect_format(path)
    assert fmt.name in READERS, f"no fidelity reader for format {fmt.name}"
    raws = [r for r in READERS[fmt.name](path) if r.key]
    assert raws, "the reader found no record"
    entities = {e.listing.authority_id: stored(e) for e in fmt.parse(path, fmt.dataset_for(path))}
    by_name: dict[tuple, list[Entity]] = {}
    for entity in entities.values():
        for name in entity.names:
            if name.kind == NameKind.PRIMARY:
                by_name.setdefault(words(name.name), []).append(entity)
    sample = random.Random(f"{SEED}:{relative}").sample(raws, min(SAMPLE_SIZE, len(raws)))
    failures = []
    for raw in sample:
        candidates = _find(raw, entities, by_name, fmt.name)
        if not candidates:
            failures.append(f"{raw.key}: no stored entity")
            continue
        results = [compare(raw, e) for e in candidates]
        if all(results):
            failures.append(f"{raw.key}: {'; '.join(results[0])}")
    assert not failures, f"{relative}:\n" + "\n".join(failures)


def test_sample_of_the_un_list_matches_the_entities_in_a_real_store(
    shared_data: Path, un_store: Any
) -> None:
    """The same comparison against entities read back from a SQLite store."""
    relative = "un/consolidated_2026-02-27.xml"
    raws = list(READERS["un_xml"](shared_data / relative))
    sample = random.Random(f"{SEED}:store:{relative}").sample(raws, SAMPLE_SIZE)
    failures = []
    for raw in sample:
        entity = un_store.get_entity(f"un_sc_sanctions-{raw.key}")
        if entity is None:
            failures.append(f"{raw.key}: not in the store")
        elif problems := compare(raw, entity):
            failures.append(f"{raw.key}: {'; '.join(problems)}")
    assert not failures, "\n".join(failures)


def test_every_format_has_a_fidelity_reader_or_a_reason() -> None:
    known = {f.name for f in list_formats()}
    assert known == set(READERS) | set(NO_REAL_FILE)
    assert not set(READERS) & set(NO_REAL_FILE)


def test_formats_without_a_reader_have_no_real_file(shared_data: Path) -> None:
    found = {detect_format(shared_data / p).name for p in _real_lists()}
    assert found <= set(READERS), found - set(READERS)
    assert not found & set(NO_REAL_FILE)


def test_every_real_list_is_sampled() -> None:
    assert len(_real_lists()) >= 20


def test_simple_dates_keep_their_precision() -> None:
    assert simple_date("1962") == "1962"
    assert simple_date("00/00/1980") == "1980"
    assert simple_date("00/05/1980") == "1980-05"
    assert simple_date("12 Jan 1960") == "1960-01-12"
    assert simple_date("circa 1955") is None
