"""Build the labelled pair set from the real lists in ../shared/data (reproducible).

    python benchmarks/pairs/build.py [--out benchmarks/pairs/.cache/pairs.jsonl] [--seed N]

The lists are read with the project's own parsers (``sanctions.sources``); the
derived pairs are excerpts of the lists, so they are written to a git-ignored
cache file and never committed. The method is documented in README.md beside
this file. Every pair is one JSON line::

    {"id", "class", "schema", "label": "match"|"no-match", "reason", "source",
     "query": {"id", "schema", "properties"}, "candidate": {"id", "schema", "properties"}}

Properties are FtM. Name parts (firstName, middleName, fatherName, lastName)
belong to the first ``name`` value; a side with parts always has its full name
too (logic-v2 compares ``name`` values only).
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import re
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process, utils

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from _lists import list_paths  # noqa: E402

from sanctions.matching.identifiers import extract_identifiers  # noqa: E402
from sanctions.model import Entity, NameKind, NameVariant  # noqa: E402
from sanctions.sources import parse_path  # noqa: E402

log = logging.getLogger("benchmarks.pairs")

SEED = 20261205
CACHE = HERE / ".cache"
DEFAULT_OUT = CACHE / "pairs.jsonl"

# Caps per class keep the set to a few thousand pairs (logic-v2 scores ~500/s).
CAPS = {
    "alias": 900,
    "weak-alias": 400,
    "original-script": 400,
    "cross-list": 900,
    "negative-dob": 700,
    "negative-identifier": 400,
    "negative-same-list": 500,
    "negative-type": 200,
    "name-parts": 300,
    "negative-family-name": 300,
    "negative-given-name": 200,
}
# Two family (given) names this alike (RapidFuzz ratio, 0-100) may be one name misspelt.
PART_ALIKE = 80
PART_GROUP_MAX = 150  # entries sharing one given (family) name compared pairwise at most
# Share of cross-list positives allowed to have identical primary names (trivial).
IDENTICAL_SHARE = 0.1
PART_PROPS = ("firstName", "middleName", "fatherName", "lastName")
FACT_PROPS = ("birthDate", "nationality", "citizenship", "country", "gender")
ID_PROPS = ("imoNumber", "swiftBic", "leiCode", "passportNumber", "idNumber", "unscId", "mmsi")
NAME_PROPS = {
    NameKind.PRIMARY: "name",
    NameKind.ALIAS: "alias",
    NameKind.ORIGINAL: "alias",
    NameKind.WEAK: "weakAlias",
    NameKind.PREVIOUS: "previousName",
}
ORG_SCHEMATA = {"Organization", "Company", "LegalEntity", "PublicBody"}
SAME_LIST_DATASETS = {
    "us_ofac_sdn",
    "un_sc_sanctions",
    "gb_hmt_sanctions",
    "au_dfat_sanctions",
    "ca_dfatd_sema_sanctions",
}
MIN_SIMILARITY = 72  # token-sort ratio (0-100) for a negative candidate
DOB_APART_YEARS = 3
UNSC_NEW = re.compile(r"^[A-Z]{3}\.\d{3}$")  # QDi.001, IRe.013 (upper-cased)
# Latin aliases this far from the primary name (token-set ratio) are left out.
UNRELATED_BELOW = 50
_NON_LATIN = re.compile(r"[^\x00-\u024f\u1e00-\u1eff\s\W\d]")


@dataclass
class Pair:
    """One labelled pair."""

    cls: str
    label: bool
    reason: str
    source: str
    query: dict[str, Any]
    candidate: dict[str, Any]
    id: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "class": self.cls,
            "schema": self.query["schema"],
            "label": "match" if self.label else "no-match",
            "reason": self.reason,
            "source": self.source,
            "query": self.query,
            "candidate": self.candidate,
        }


# -- entities -> FtM dicts ----------------------------------------------------------


def group_of(schema: str) -> str:
    """person / org / object: the kind of name an entity has."""
    if schema == "Person":
        return "person"
    if schema in ORG_SCHEMATA:
        return "org"
    return "object"


def primary(entity: Entity) -> NameVariant | None:
    for variant in entity.names:
        if variant.kind == NameKind.PRIMARY:
            return variant
    return entity.names[0] if entity.names else None


def is_non_latin(text: str) -> bool:
    return bool(_NON_LATIN.search(text))


def ftm(
    entity: Entity,
    names: Iterable[NameVariant],
    facts: bool = True,
    identifiers: Iterable[str] = (),
) -> dict[str, Any]:
    """An FtM dict of ``entity`` with only the given names (parts of the first one)."""
    props: dict[str, list[str]] = {}
    names = list(names)
    if names:
        for variant in names:
            props.setdefault(NAME_PROPS[variant.kind] if props else "name", []).append(variant.name)
    if names:
        for key, value in names[0].parts:
            if key in PART_PROPS:
                props.setdefault(key, []).append(value)
    if facts:
        for prop in FACT_PROPS:
            if entity.get(prop):
                props[prop] = list(entity.get(prop))
    for prop in identifiers:
        if entity.get(prop):
            props[prop] = list(entity.get(prop))
    return {"id": entity.id, "schema": entity.schema, "properties": props}


def full_candidate(entity: Entity) -> dict[str, Any]:
    """The listed side: every name (primary first), facts and identifiers."""
    first = primary(entity)
    others = [v for v in entity.names if v is not first]
    return ftm(entity, [first, *others] if first else others, identifiers=ID_PROPS)


def same_kind(a: str, b: str) -> bool:
    """Could two schemata name the same subject? (LegalEntity: a person or an organisation.)"""
    return (
        "LegalEntity" in (a, b)
        and "object" not in {group_of(a), group_of(b)}
        or (group_of(a) == group_of(b))
    )


# -- positives -----------------------------------------------------------------------


def unrelated(a: str, b: str) -> bool:
    """Latin names with no name evidence between them (a nom de guerre, a new name)."""
    return fuzz.token_set_ratio(a, b, processor=utils.default_process) < UNRELATED_BELOW


def alias_pairs(entities: list[Entity], rng: random.Random) -> list[Pair]:
    """An entity's aliases, weak aliases and original-script names vs its primary name."""
    out: dict[str, list[Pair]] = defaultdict(list)
    for entity in entities:
        first = primary(entity)
        if first is None or first.kind != NameKind.PRIMARY:
            continue
        by_class: dict[str, list[NameVariant]] = defaultdict(list)
        for variant in entity.names:
            if variant is first or variant.name.casefold() == first.name.casefold():
                continue
            if variant.kind == NameKind.ORIGINAL or is_non_latin(variant.name):
                by_class["original-script"].append(variant)
            elif unrelated(variant.name, first.name):
                continue
            elif variant.kind == NameKind.WEAK:
                by_class["weak-alias"].append(variant)
            elif variant.kind in (NameKind.ALIAS, NameKind.PREVIOUS):
                by_class["alias"].append(variant)
        with_facts = rng.random() < 0.5
        for cls, variants in sorted(by_class.items()):
            variant = rng.choice(variants)
            query_name = NameVariant(name=variant.name, kind=NameKind.PRIMARY, parts=variant.parts)
            out[cls].append(
                Pair(
                    cls=cls,
                    label=True,
                    reason=f"{variant.kind} name of the same entry",
                    source=entity.id,
                    query=ftm(entity, [query_name], facts=with_facts) | {"id": "q-" + entity.id},
                    candidate=ftm(entity, [first]),
                )
            )
    return [p for cls in sorted(out) for p in _sample(out[cls], CAPS[cls], rng)]


def link_keys(entity: Entity) -> set[tuple[str, str]]:
    """Keys that name one subject across lists: UN reference, IMO, BIC (bank), LEI, passport."""
    keys = {("unsc", v.strip().upper()) for v in entity.get("unscId") if v.strip()}
    for kind, value in extract_identifiers(entity.properties):
        if kind in ("imo", "lei"):
            keys.add((kind, value))
        elif kind == "bic":
            keys.add((kind, value[:8]))
    for value in entity.get("passportNumber"):
        norm = re.sub(r"[^A-Z0-9]", "", value.upper())
        if len(norm) >= 7 and sum(c.isdigit() for c in norm) >= 5:
            keys.add(("passport", norm))
    return keys


def linked_pairs(entities: list[Entity]) -> dict[frozenset[str], set[str]]:
    """Pairs of entries of different lists that share a link key -> the key kinds."""
    by_key: dict[tuple[str, str], list[Entity]] = defaultdict(list)
    for entity in entities:
        for key in link_keys(entity):
            by_key[key].append(entity)
    links: dict[frozenset[str], set[str]] = defaultdict(set)
    for key, group in by_key.items():
        if len(group) > 12:  # a value shared by many entries is no identifier
            continue
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if a.listing.dataset != b.listing.dataset and same_kind(a.schema, b.schema):
                    links[frozenset((a.id, b.id))].add(key[0])
    return links


def cross_list_pairs(
    entities: list[Entity], links: dict[frozenset[str], set[str]], rng: random.Random
) -> list[Pair]:
    """The same subject on two lists: one entry's primary name vs the other entry."""
    by_id = {e.id: e for e in entities}
    by_lists: dict[tuple[str, ...], list[Pair]] = defaultdict(list)
    for ids, kinds in sorted(links.items(), key=lambda kv: sorted(kv[0])):
        a, b = sorted((by_id[i] for i in ids), key=lambda e: e.id)
        if rng.random() < 0.5:
            a, b = b, a
        first = primary(a)
        if first is None or primary(b) is None:
            continue
        pair = Pair(
            cls="cross-list",
            label=True,
            reason=f"same {'/'.join(sorted(kinds))} on {a.listing.dataset} and {b.listing.dataset}",
            source=f"{a.id} {b.id}",
            query=ftm(a, [first]) | {"id": "q-" + a.id},
            candidate=full_candidate(b),
        )
        by_lists[tuple(sorted((a.listing.dataset, b.listing.dataset)))].append(pair)
    per_combo = max(1, CAPS["cross-list"] // max(1, len(by_lists)))
    chosen: list[Pair] = []
    for combo in sorted(by_lists):
        pairs = by_lists[combo]
        same = [p for p in pairs if _same_primary(p)]
        differ = [p for p in pairs if not _same_primary(p)]
        keep = _sample(differ, per_combo, rng)
        keep += _sample(same, max(1, int(len(keep) * IDENTICAL_SHARE)), rng)
        chosen.extend(keep)
    return _sample(chosen, CAPS["cross-list"], rng)


def _same_primary(pair: Pair) -> bool:
    q = pair.query["properties"].get("name") or [""]
    c = pair.candidate["properties"].get("name") or [""]
    return utils.default_process(q[0]) == utils.default_process(c[0])


# -- negatives -----------------------------------------------------------------------


def _birth_dates(entity: Entity) -> list[str]:
    return [d.value for d in entity.dates if d.prop == "birthDate" and d.value[:4].isdigit()]


def _dates_apart(a: list[str], b: list[str]) -> int | None:
    """Years between the closest birth dates; None when they may be one date mistyped.

    Full dates with the same month and day (1957-12-15 vs 1967-12-15) are taken
    as one date with a typo in the year, never as two people.
    """
    if any(len(x) == len(y) == 10 and x[5:] == y[5:] for x in a for y in b):
        return None
    return min(abs(int(x[:4]) - int(y[:4])) for x in a for y in b)


def _comparable(kind: str, a: Entity, b: Entity, va: list[str], vb: list[str]) -> bool:
    """Can differing identifiers of this kind tell the two entries apart?

    UN references are compared within one list only (another authority's copy
    may be old or wrong) and in one format (E.29.I.4 became IRe.013).
    """
    if kind != "unsc":
        return True
    if a.listing.dataset != b.listing.dataset:
        return False
    return all(bool(UNSC_NEW.match(x)) == bool(UNSC_NEW.match(y)) for x in va for y in vb)


def told_apart(a: Entity, b: Entity) -> tuple[str, str] | None:
    """(class, reason) when two similar-named entries are known to be different subjects."""
    if not same_kind(a.schema, b.schema):
        return "negative-type", f"a {a.schema} is not a {b.schema}"
    if group_of(a.schema) != group_of(b.schema):
        return None  # a LegalEntity may be a person
    keys_a, keys_b = link_keys(a), link_keys(b)
    if keys_a & keys_b:
        return None
    for kind in ("unsc", "imo", "lei", "bic"):
        va = sorted(v for k, v in keys_a if k == kind)
        vb = sorted(v for k, v in keys_b if k == kind)
        if va and vb and _comparable(kind, a, b, va, vb):
            return "negative-identifier", f"different {kind}: {va[0]} vs {vb[0]}"
    da, db = _birth_dates(a), _birth_dates(b)
    if da and db:
        gap = _dates_apart(da, db)
        if gap is not None and gap >= DOB_APART_YEARS:
            return "negative-dob", f"born {min(da)} vs {min(db)} ({gap}+ years apart)"
        return None
    if (
        a.listing.dataset == b.listing.dataset
        and a.listing.dataset in SAME_LIST_DATASETS
        and group_of(a.schema) != "person"
    ):
        return "negative-same-list", f"two different entries of {a.listing.dataset}"
    return None


def _names_for_blocking(entities: list[Entity]) -> list[str]:
    return [utils.default_process(primary(e).name) if primary(e) else "" for e in entities]


def negative_pairs(
    entities: list[Entity],
    links: dict[frozenset[str], set[str]],
    rng: random.Random,
    queries_per_group: int = 1500,
) -> list[Pair]:
    """Different entities with the most similar primary names (token-sort blocking scan)."""
    pool = [e for e in entities if primary(e) is not None and not is_non_latin(primary(e).name)]
    names = _names_for_blocking(pool)
    out: dict[str, list[Pair]] = defaultdict(list)
    seen: set[frozenset[str]] = set(links)
    for group in ("person", "org", "object"):
        members = [i for i, e in enumerate(pool) if group_of(e.schema) == group and names[i]]
        queries = _sample(members, queries_per_group, rng)
        if not queries:
            continue
        matrix = process.cdist(
            [names[i] for i in queries],
            names,
            scorer=fuzz.token_sort_ratio,
            dtype=np.uint8,
            score_cutoff=MIN_SIMILARITY,
            workers=1,
        )
        for row, qi in enumerate(queries):
            for pair in _best_negatives(pool, matrix[row], qi, seen):
                out[pair.cls].append(pair)
    return [p for cls in sorted(out) for p in _balanced(out[cls], CAPS[cls], rng)]


def _balanced(pairs: list[Pair], k: int, rng: random.Random) -> list[Pair]:
    """At most ``k`` pairs: up to half of them per schema first, the rest at random."""
    by_schema: dict[str, list[Pair]] = defaultdict(list)
    for pair in pairs:
        by_schema[pair.query["schema"]].append(pair)
    kept = [p for s in sorted(by_schema) for p in _sample(by_schema[s], k // 2, rng)]
    chosen = {id(p) for p in kept}
    rest = [p for p in pairs if id(p) not in chosen]
    kept += _sample(rest, max(0, k - len(kept)), rng)
    return _sample(kept, k, rng)


def _best_negatives(
    pool: list[Entity], scores: Any, qi: int, seen: set[frozenset[str]]
) -> Iterator[Pair]:
    """Up to one pair per negative class: the most similar names first."""
    order = np.argsort(-scores.astype(np.int16), kind="stable")
    found: set[str] = set()
    a = pool[qi]
    for ci in order[:40]:
        if scores[ci] < MIN_SIMILARITY:
            break
        b = pool[int(ci)]
        key = frozenset((a.id, b.id))
        if ci == qi or key in seen:
            continue
        verdict = told_apart(a, b)
        if verdict is None or verdict[0] in found:
            continue
        cls, reason = verdict
        found.add(cls)
        seen.add(key)
        first = primary(a)
        ids = ID_PROPS if cls == "negative-identifier" else ()
        yield Pair(
            cls=cls,
            label=False,
            reason=f"{reason}; names {int(scores[ci])}% alike",
            source=f"{a.id} {b.id}",
            query=ftm(a, [first], identifiers=ids) | {"id": "q-" + a.id},
            candidate=full_candidate(b),
        )


# -- hand-written pairs ----------------------------------------------------------------

HANDWRITTEN = HERE / "handwritten.csv"
HANDWRITTEN_COLUMNS = (
    "class",
    "schema",
    "query_name",
    "query_parts",
    "query_dob",
    "query_country",
    "candidate_name",
    "candidate_parts",
    "candidate_dob",
    "candidate_country",
    "label",
    "reason",
)


class PairFileError(ValueError):
    """A hand-written pair row that cannot be read (names the line and the column)."""


def _side(row: dict[str, str], side: str, line: int) -> dict[str, Any]:
    props: dict[str, list[str]] = {"name": [row[f"{side}_name"].strip()]}
    for item in filter(None, (row[f"{side}_parts"] or "").split(";")):
        key, _, value = item.partition("=")
        if key.strip() not in PART_PROPS or not value.strip():
            raise PairFileError(f"line {line}: {side}_parts: bad part {item!r}")
        props.setdefault(key.strip(), []).append(value.strip())
    if row[f"{side}_dob"].strip():
        props["birthDate"] = [row[f"{side}_dob"].strip()]
    if row[f"{side}_country"].strip():
        props["nationality"] = [row[f"{side}_country"].strip()]
    # "LegalEntity>Person": the query's schema, then the candidate's (one schema: both)
    schemata = row["schema"].split(">")
    schema = schemata[0] if side == "query" else schemata[-1]
    return {"id": f"{side[0]}{line}", "schema": schema.strip(), "properties": props}


def handwritten_pairs(path: Path = HANDWRITTEN) -> list[Pair]:
    """The hand-written pairs; a malformed row raises :class:`PairFileError`."""
    import csv

    pairs: list[Pair] = []
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != HANDWRITTEN_COLUMNS:
            raise PairFileError(f"{path}: columns must be {', '.join(HANDWRITTEN_COLUMNS)}")
        for row in reader:
            line = reader.line_num
            for column in ("class", "schema", "query_name", "candidate_name", "reason"):
                if not (row.get(column) or "").strip():
                    raise PairFileError(f"{path}: line {line}: {column} is empty")
            if row["label"] not in ("match", "no-match"):
                raise PairFileError(f"{path}: line {line}: label must be match or no-match")
            pairs.append(
                Pair(
                    cls=row["class"].strip(),
                    label=row["label"] == "match",
                    reason=row["reason"].strip(),
                    source=f"handwritten.csv:{line}",
                    query=_side(row, "query", line),
                    candidate=_side(row, "candidate", line),
                    id=f"hw-{line:03d}",
                )
            )
    return pairs


# -- name parts ------------------------------------------------------------------------


def _parts_of(entity: Entity) -> dict[str, str] | None:
    """The parts of a person's primary name when it gives both a given and a family name."""
    first = primary(entity)
    if entity.schema != "Person" or first is None or is_non_latin(first.name):
        return None
    parts = dict(first.parts)
    if not (parts.get("firstName") and parts.get("lastName")):
        return None
    return parts


def _parts_side(entity: Entity) -> dict[str, Any]:
    """A name-only side: the primary name and its parts (logic-v2 reads the name only)."""
    return ftm(entity, [primary(entity)], facts=False)  # type: ignore[list-item]


def _told_apart_by_dob(a: Entity, b: Entity) -> str | None:
    da, db = _birth_dates(a), _birth_dates(b)
    if not (da and db):
        return None
    gap = _dates_apart(da, db)
    if gap is None or gap < DOB_APART_YEARS:
        return None
    return f"born {min(da)} vs {min(db)} ({gap}+ years apart)"


def name_part_pairs(
    entities: list[Entity], links: dict[frozenset[str], set[str]], rng: random.Random
) -> list[Pair]:
    """People whose names come with parts (firstName, middleName, fatherName, lastName).

    * ``name-parts`` (match): two linked entries of different lists (as in
      ``cross-list``), the query with its primary name and parts only;
    * ``negative-family-name`` (no-match): the same first given name, family
      names not alike (ratio < :data:`PART_ALIKE`), born 3+ years apart;
    * ``negative-given-name`` (no-match): the same family name, first given
      names not alike, born 3+ years apart.
    Negatives carry names only (the dates that tell them apart are left out).
    """
    people = [(e, p) for e in entities if (p := _parts_of(e)) is not None]
    by_id = {e.id: e for e, _ in people}
    out: dict[str, list[Pair]] = defaultdict(list)
    for ids, kinds in sorted(links.items(), key=lambda kv: sorted(kv[0])):
        if not all(i in by_id for i in ids):
            continue
        a, b = sorted((by_id[i] for i in ids), key=lambda e: e.id)
        if rng.random() < 0.5:
            a, b = b, a
        out["name-parts"].append(
            Pair(
                cls="name-parts",
                label=True,
                reason=f"same {'/'.join(sorted(kinds))}; names with parts only",
                source=f"{a.id} {b.id}",
                query=_parts_side(a) | {"id": "q-" + a.id},
                candidate=full_candidate(b),
            )
        )
    for cls, same, other in (
        ("negative-family-name", "firstName", "lastName"),
        ("negative-given-name", "lastName", "firstName"),
    ):
        out[cls] = _part_negatives(people, links, cls, same, other, rng)
    return [p for cls in sorted(out) for p in _sample(out[cls], CAPS[cls], rng)]


def _part_negatives(
    people: list[tuple[Entity, dict[str, str]]],
    links: dict[frozenset[str], set[str]],
    cls: str,
    same: str,
    other: str,
    rng: random.Random,
) -> list[Pair]:
    """Pairs sharing the first word of part ``same`` whose part ``other`` differs."""
    groups: dict[str, list[tuple[Entity, dict[str, str]]]] = defaultdict(list)
    for entity, parts in people:
        words = utils.default_process(parts[same]).split()
        if words:
            groups[words[0]].append((entity, parts))
    found = []
    for key in sorted(groups):
        members = _sample(groups[key], PART_GROUP_MAX, rng)
        for i, (a, pa) in enumerate(members):
            for b, pb in members[i + 1 :]:
                oa, ob = utils.default_process(pa[other]), utils.default_process(pb[other])
                if frozenset((a.id, b.id)) in links or fuzz.ratio(oa, ob) >= PART_ALIKE:
                    continue
                if link_keys(a) & link_keys(b) or not oa.split() or not ob.split():
                    continue
                if fuzz.ratio(oa.split()[0], ob.split()[0]) >= PART_ALIKE:
                    continue
                reason = _told_apart_by_dob(a, b)
                if reason is None:
                    continue
                found.append(
                    Pair(
                        cls=cls,
                        label=False,
                        reason=f"same {same} {key!r}, {other} differs; {reason}",
                        source=f"{a.id} {b.id}",
                        query=_parts_side(a) | {"id": "q-" + a.id},
                        candidate=_parts_side(b),
                    )
                )
    return found


# -- the whole set ---------------------------------------------------------------------


def _sample(items: list[Any], k: int, rng: random.Random) -> list[Any]:
    return list(items) if len(items) <= k else rng.sample(items, k)


def build_pairs(entities: Iterable[Entity], seed: int = SEED) -> list[Pair]:
    """Every generated pair, in a stable order with stable ids (same input + seed, same set)."""
    entities = sorted(entities, key=lambda e: e.id)
    rng = random.Random(seed)
    links = linked_pairs(entities)
    pairs = alias_pairs(entities, rng)
    pairs += cross_list_pairs(entities, links, rng)
    pairs += negative_pairs(entities, links, rng)
    pairs += name_part_pairs(entities, links, rng)
    counters: dict[str, int] = defaultdict(int)
    for pair in pairs:
        counters[pair.cls] += 1
        pair.id = f"{pair.cls}-{counters[pair.cls]:04d}"
    return pairs


def load_entities() -> list[Entity]:
    """Every entity of the benchmark's list files, through the project's parsers."""

    entities: list[Entity] = []
    for rel, path, dataset in list_paths():
        started = time.perf_counter()
        batch = list(parse_path(path, dataset=dataset))
        log.info("%s: %d entities (%.1fs)", rel, len(batch), time.perf_counter() - started)
        entities.extend(batch)
    return _latest(entities)


def _latest(entities: list[Entity]) -> list[Entity]:
    """One entity per id (the last file of a dataset wins, as in the store)."""
    return list({e.id: e for e in entities}.values())


def write_pairs(pairs: Iterable[Pair], out: Path) -> int:
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with open(out, "w", encoding="utf-8") as fh:
        for pair in pairs:
            fh.write(json.dumps(pair.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    return count


def read_pairs(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.perf_counter()
    entities = load_entities()
    pairs = build_pairs(entities, args.seed)
    count = write_pairs(pairs, args.out)
    by_class: dict[str, int] = defaultdict(int)
    for pair in pairs:
        by_class[f"{pair.cls} {pair.query['schema']}"] += 1
    for key in sorted(by_class):
        log.info("  %-40s %5d", key, by_class[key])
    log.info("%d pairs -> %s (%.0fs)", count, args.out, time.perf_counter() - started)


if __name__ == "__main__":
    main()
