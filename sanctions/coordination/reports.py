"""Reports over the resolved clusters: coverage, gaps and timelines (Python API + CSV/JSON).

    >>> cov = coverage(store, programme="RUS", schema="Person")
    >>> cov.totals["us_ofac_sdn"], cov.overlap("us_ofac_sdn", "gb_hmt_sanctions")
    >>> gaps(store, "us_ofac_sdn", "ca_dfatd_sema_sanctions", programme="RUS").rows[:3]
    >>> timeline(store, programme="RUS").versions["us_ofac_sdn"]

Every report reads the ``coordination_members`` table written by
:class:`~sanctions.coordination.resolve.Resolver` (run ``sanctions resolve``
first), never the entities themselves, so it computes on all lists in well
under a second. A *subject* is a cluster. It is in the scope of
``--programme RUS`` when at least one of its listings is under a programme that
maps to ``RUS`` (see :mod:`programmes`), and a dataset *lists* it when one of its
listings is in the cluster, under whatever programme.

Every report carries each list's as-of date (its current version's date); the
timeline dates listings only from each list's own field or, where the file has
none, from the first later dated version of the store holding them, and names
the lists it leaves out with the reason (see :mod:`dates`).
"""

from __future__ import annotations

import io
import json
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import select

from sanctions.csvsafe import SafeDictWriter
from sanctions.errors import ConfigError
from sanctions.model import descendants
from sanctions.sources.registry import REGISTRY
from sanctions.store import Store

from . import tables as ct
from .dates import NO_LISTING_DATE, Dating, as_of_dates, dated_versions, listing_field
from .history import version_date_basis
from .programmes import normalise_programme_filter, regime_codes

__all__ = [
    "Coverage",
    "GapRow",
    "Gaps",
    "Timeline",
    "coverage",
    "gaps",
    "timeline",
    "resolve_scope",
    "render_csv",
]


@dataclass
class _Row:
    entity_id: str
    cluster_id: str
    dataset: str
    schema: str
    caption: str
    programmes_json: str
    regimes: frozenset[str]
    listed_on: str | None
    first_seen: str | None

    @property
    def programmes(self) -> list[str]:
        return list(json.loads(self.programmes_json))


def _rows(store: Store) -> list[_Row]:
    with store.connect() as conn:
        result = conn.execute(
            select(
                ct.members.c.entity_id,
                ct.members.c.cluster_id,
                ct.members.c.dataset,
                ct.members.c.schema,
                ct.members.c.caption,
                ct.members.c.programmes,
                ct.members.c.regimes,
                ct.members.c.listed_on,
                ct.members.c.first_seen,
            )
        ).all()
    if not result:
        raise ConfigError("no clusters in the store yet: run `sanctions resolve` first")
    return [_Row(r[0], r[1], r[2], r[3], r[4], r[5], _codes(r[6]), r[7], r[8]) for r in result]


@lru_cache(maxsize=4096)
def _codes(text: str) -> frozenset[str]:
    return frozenset(c for c in text.split(",") if c)


def resolve_scope(
    rows: list[_Row], programme: str | None, schema: str | None
) -> dict[str, list[_Row]]:
    """Cluster id -> its listings, for the clusters in scope.

    A schema takes that schema and every schema below it (the model's hierarchy):
    "Organization" is Organization, Company and PublicBody. A LegalEntity (CSL and BIS
    list thousands) is the parent of Organization and Person, so it is not an Organization.
    """
    code = normalise_programme_filter(programme)
    schemata = descendants(schema) if schema else None
    clusters: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        clusters[row.cluster_id].append(row)
    return {
        cid: members
        for cid, members in clusters.items()
        if (code is None or any(code in m.regimes for m in members))
        and (schemata is None or any(m.schema in schemata for m in members))
    }


def _datasets_for(value: str, known: Iterable[str]) -> set[str]:
    """A dataset id, or a jurisdiction code (``us``, ``gb``...) meaning all its datasets."""
    known = set(known)
    if value in known:
        return {value}
    matching = {ds for ds in known if ds in REGISTRY and REGISTRY[ds].jurisdiction == value.lower()}
    matching |= {ds for ds in known if ds.startswith(f"{value.lower()}_")}
    if not matching:
        raise ConfigError(
            f"no dataset or jurisdiction {value!r} among the resolved lists: {sorted(known)}"
        )
    return matching


def _only(rows: list[_Row], datasets: Iterable[str] | None) -> tuple[list[_Row], set[str] | None]:
    """The rows of the datasets asked for; a dataset that is not resolved is an error."""
    if not datasets:
        return rows, None
    wanted, known = set(datasets), {r.dataset for r in rows}
    unknown = sorted(wanted - known)
    if unknown:
        raise ConfigError(
            f"dataset {', '.join(unknown)} is not among the resolved lists "
            f"({', '.join(sorted(known))}): run `sanctions resolve` after loading it"
        )
    return [r for r in rows if r.dataset in wanted], wanted


# -- coverage -------------------------------------------------------------------------


@dataclass
class Coverage:
    """How many subjects each dataset lists in a scope, and their overlaps."""

    programme: str | None
    schema: str | None
    datasets: list[str]
    subjects: int
    totals: dict[str, int]
    pairs: dict[str, dict[str, int]]  # a -> b -> subjects listed by both
    all_listed: int  # subjects listed by every dataset
    intersections: list[tuple[list[str], int]]  # exact combinations, most frequent first
    as_of: dict[str, str] = field(default_factory=dict)  # dataset -> current version's date
    seconds: float = 0.0

    def overlap(self, a: str, b: str) -> int:
        return self.pairs[a][b]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["intersections"] = [{"datasets": d, "subjects": n} for d, n in self.intersections]
        return data

    def to_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "dataset": a,
                "as_of": self.as_of.get(a),
                "subjects": self.totals[a],
                **{b: self.pairs[a][b] for b in self.datasets},
            }
            for a in self.datasets
        ]


def coverage(
    store: Store,
    programme: str | None = None,
    schema: str | None = None,
    datasets: Iterable[str] | None = None,
) -> Coverage:
    """Subjects per dataset in the scope, pairwise overlaps, and the overlap of all."""
    started = time.perf_counter()
    rows, wanted = _only(_rows(store), datasets)
    scope = resolve_scope(rows, programme, schema)
    names = sorted(wanted or {r.dataset for r in rows})
    combos: Counter[frozenset[str]] = Counter()
    for members in scope.values():
        present = frozenset(m.dataset for m in members) & set(names)
        if present:
            combos[present] += 1
    totals = {ds: sum(n for c, n in combos.items() if ds in c) for ds in names}
    pairs = {
        a: {b: sum(n for c, n in combos.items() if a in c and b in c) for b in names} for a in names
    }
    return Coverage(
        programme=normalise_programme_filter(programme),
        schema=schema,
        datasets=names,
        subjects=sum(combos.values()),
        totals=totals,
        pairs=pairs,
        all_listed=combos.get(frozenset(names), 0),
        intersections=[
            (sorted(c), n) for c, n in sorted(combos.items(), key=lambda x: (-x[1], sorted(x[0])))
        ],
        as_of={ds: day for ds, day in as_of_dates(store).items() if ds in names},
        seconds=round(time.perf_counter() - started, 4),
    )


# -- gaps -----------------------------------------------------------------------------


@dataclass
class GapRow:
    cluster_id: str
    caption: str
    schema: str
    entity_id: str
    programmes: list[str]
    listed_on: str | None  # from the list's own field (listing_date_field)
    listing_date_field: str
    first_seen: str | None  # the first version of the store holding it (never a listing date)
    also_listed_by: list[str]
    dataset: str = ""
    as_of: str | None = None  # the date of that dataset's current version


@dataclass
class Gaps:
    listed_by: list[str]
    not_listed_by: list[str]
    programme: str | None
    schema: str | None
    rows: list[GapRow] = field(default_factory=list)
    as_of: dict[str, str] = field(default_factory=dict)  # dataset -> current version's date

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_rows(self) -> list[dict[str, Any]]:
        return [
            {
                **asdict(r),
                "programmes": "; ".join(r.programmes),
                "also_listed_by": " ".join(r.also_listed_by),
            }
            for r in self.rows
        ]


def gaps(
    store: Store,
    listed_by: str,
    not_listed_by: str,
    programme: str | None = None,
    schema: str | None = None,
) -> Gaps:
    """Subjects one authority (dataset or jurisdiction) lists and another does not."""
    rows = _rows(store)
    known = {r.dataset for r in rows}
    left, right = _datasets_for(listed_by, known), _datasets_for(not_listed_by, known)
    report = Gaps(sorted(left), sorted(right), normalise_programme_filter(programme), schema)
    report.as_of = {ds: day for ds, day in as_of_dates(store).items() if ds in left | right}
    for cid, members in sorted(resolve_scope(rows, programme, schema).items()):
        present = {m.dataset for m in members}
        if not present & left or present & right:
            continue
        mine = sorted((m for m in members if m.dataset in left), key=lambda m: m.entity_id)[0]
        report.rows.append(
            GapRow(
                cid,
                mine.caption,
                mine.schema,
                mine.entity_id,
                mine.programmes,
                mine.listed_on,
                listing_field(mine.dataset),
                mine.first_seen,
                sorted(present - left),
                mine.dataset,
                report.as_of.get(mine.dataset),
            )
        )
    report.rows.sort(key=lambda r: (r.caption.lower(), r.entity_id))
    return report


# -- timeline -------------------------------------------------------------------------


@dataclass
class VersionPoint:
    """One version of a dataset: its date, the in-scope listings it added and removed, its total."""

    date: str
    seq: int
    added: int
    removed: int
    total: int
    date_basis: str = "published"  # published | file name | loaded (then not a list date)


@dataclass
class Lead:
    cluster_id: str
    caption: str
    first: str  # dataset that listed first
    first_date: str
    delays: dict[str, int]  # other dataset -> days after the first


@dataclass
class Timeline:
    programme: str | None
    schema: str | None
    designations: dict[str, list[tuple[str, int, int]]]  # dataset -> (date, new, cumulative)
    versions: dict[str, list[VersionPoint]]
    leads: list[Lead]
    summary: dict[str, dict[str, Any]]  # dataset -> first, followed, median delay
    as_of: dict[str, str] = field(default_factory=dict)  # dataset -> current version's date
    dating: dict[str, Dating] = field(default_factory=dict)  # how each list's listings are dated

    @property
    def left_out(self) -> dict[str, str]:
        """Lists in the scope with no dated listing, and why (a picture must name them)."""
        return {ds: d.left_out for ds, d in self.dating.items() if d.left_out}

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for ds, dating in self.dating.items():
            data["dating"][ds]["dated"] = dating.dated
            data["dating"][ds]["describe"] = dating.describe()
        return data

    def to_rows(self) -> list[dict[str, Any]]:
        rows = [
            {
                "source": "listing dates",
                "dataset": ds,
                "as_of": self.as_of.get(ds),
                "date": d,
                "new": n,
                "cumulative": c,
            }
            for ds, points in self.designations.items()
            for d, n, c in points
        ]
        rows += [
            {
                "source": "versions",
                "dataset": ds,
                "as_of": self.as_of.get(ds),
                "date": p.date,
                "new": p.added,
                "cumulative": p.total,
            }
            for ds, points in self.versions.items()
            for p in points
        ]
        return rows


@dataclass
class _History:
    """What the version history may date: per dataset, its first version and its dated versions."""

    first: dict[str, str]  # dataset -> date of its first version (text for messages)
    dated: dict[str, set[str]]  # dataset -> dates of versions with a publication date
    count: Counter[str]  # dataset -> versions in the store

    @classmethod
    def of(cls, store: Store) -> _History:
        versions = store.versions()
        first = {}
        for v in versions:
            if v.seq == 1:
                day, basis = version_date_basis(v)
                first[v.dataset] = day if basis != "loaded" else f"loaded {day}, undated"
        return cls(first, dated_versions(store), Counter(v.dataset for v in versions))


def _designation_date(row: _Row, history: _History) -> tuple[str | None, str]:
    """The listing date and its basis (``field``, ``first_seen``), or ``(None, "none")``.

    The first version that held a listing dates it only when that version has a
    publication date and is not the dataset's first (which holds listings designated
    at any earlier time). A load date never dates a listing.
    """
    if row.listed_on:
        return row.listed_on[:10], "field"
    first = history.first.get(row.dataset, "9999")
    if (
        row.first_seen
        and row.first_seen > first
        and row.first_seen in history.dated.get(row.dataset, ())
    ):
        return row.first_seen, "first_seen"
    return None, "none"


def _left_out_reason(dataset: str, history: _History) -> str:
    first = history.first.get(dataset)
    if dataset in NO_LISTING_DATE:
        why = NO_LISTING_DATE[dataset]
    else:
        why = f"no listing in scope has a date in its file ({listing_field(dataset)})"
    if history.count[dataset] <= 1:
        return f"{why}, and the store holds one version only ({first})"
    return f"{why}, and no later dated version of the store added one (first: {first})"


def _datings(
    scope: dict[str, list[_Row]], history: _History, as_of: dict[str, str]
) -> dict[str, Dating]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for members in scope.values():
        for m in members:
            counts[m.dataset][_designation_date(m, history)[1]] += 1
    out = {}
    for ds, count in sorted(counts.items()):
        dating = Dating(
            ds,
            as_of.get(ds, ""),
            sum(count.values()),
            count["field"],
            count["first_seen"],
            listing_field(ds),
        )
        if not dating.dated:
            dating.left_out = _left_out_reason(ds, history)
        out[ds] = dating
    return out


def _cumulative(dates: list[str]) -> list[tuple[str, int, int]]:
    counts = Counter(dates)
    out, total = [], 0
    for day in sorted(counts):
        total += counts[day]
        out.append((day, counts[day], total))
    return out


def _in_scope(data: str | None, code: str | None, schemata: AbstractSet[str] | None) -> bool:
    if data is None:
        return False
    entity = json.loads(data)
    listing = entity.get("listing") or {}
    programmes = listing.get("programs") or entity.get("properties", {}).get("program", [])
    if code is not None and code not in regime_codes(programmes, listing.get("dataset")):
        return False
    return schemata is None or entity.get("schema") in schemata


def version_history(
    store: Store,
    programme: str | None = None,
    schema: str | None = None,
    datasets: Iterable[str] | None = None,
) -> dict[str, list[VersionPoint]]:
    """Per dataset, each version's in-scope additions, removals and total (from the stored diffs)."""
    code = normalise_programme_filter(programme)
    schemata = descendants(schema) if schema else None
    wanted = set(datasets) if datasets else None
    out: dict[str, list[VersionPoint]] = defaultdict(list)
    for version in store.versions():
        if wanted is not None and version.dataset not in wanted:
            continue
        added = sum(
            1
            for data in store.changed_entity_json(version.id, "added")
            if _in_scope(data, code, schemata)
        )
        removed = sum(
            1
            for data in store.changed_entity_json(version.id, "removed")
            if _in_scope(data, code, schemata)
        )
        points = out[version.dataset]
        total = (points[-1].total if points else 0) + added - removed
        day, basis = version_date_basis(version)
        points.append(VersionPoint(day, version.seq, added, removed, total, basis))
    return dict(out)


def _leads(scope: dict[str, list[_Row]], history: _History) -> list[Lead]:
    leads = []
    for cid, members in scope.items():
        dated: dict[str, str] = {}
        for m in members:
            day, _basis = _designation_date(m, history)
            if day and (m.dataset not in dated or day < dated[m.dataset]):
                dated[m.dataset] = day
        if len(dated) < 2:
            continue
        first = min(dated, key=lambda ds: (dated[ds], ds != "un_sc_sanctions", ds))  # UN wins ties
        start = _days(dated[first])
        delays = {ds: _days(day) - start for ds, day in sorted(dated.items()) if ds != first}
        leads.append(Lead(cid, members[0].caption, first, dated[first], delays))
    return sorted(leads, key=lambda lead: (lead.first_date, lead.cluster_id))


def _days(day: str) -> int:
    from datetime import date

    parts = [int(p) for p in day.split("-")] + [1, 1]
    return date(parts[0], parts[1] or 1, parts[2] or 1).toordinal()


def _summary(leads: list[Lead]) -> dict[str, dict[str, Any]]:
    firsts: Counter[str] = Counter(lead.first for lead in leads)
    delays: dict[str, list[int]] = defaultdict(list)
    for lead in leads:
        for ds, days in lead.delays.items():
            delays[ds].append(days)
    names = sorted(set(firsts) | set(delays))
    return {
        ds: {
            "listed_first": firsts.get(ds, 0),
            "followed": len(delays.get(ds, [])),
            "median_delay_days": statistics.median(delays[ds]) if delays.get(ds) else None,
        }
        for ds in names
    }


def timeline(
    store: Store,
    programme: str | None = None,
    schema: str | None = None,
    datasets: Iterable[str] | None = None,
) -> Timeline:
    """Designations over time per dataset (listing dates and version history), and who led."""
    rows, wanted = _only(_rows(store), datasets)
    # Listings already in a dataset's first loaded version have no known designation date.
    history = _History.of(store)
    scope = resolve_scope(rows, programme, schema)
    per_dataset: dict[str, list[str]] = defaultdict(list)
    for members in scope.values():
        for m in members:
            day, _basis = _designation_date(m, history)
            if day:
                per_dataset[m.dataset].append(day)
    leads = _leads(scope, history)
    as_of = as_of_dates(store)
    datings = _datings(scope, history, as_of)
    return Timeline(
        programme=normalise_programme_filter(programme),
        schema=schema,
        designations={ds: _cumulative(days) for ds, days in sorted(per_dataset.items())},
        versions=version_history(store, programme, schema, wanted),
        leads=leads,
        summary=_summary(leads),
        as_of={ds: as_of[ds] for ds in datings if ds in as_of},
        dating=datings,
    )


def render_csv(rows: list[dict[str, Any]]) -> str:
    """Rows of a report as CSV text (columns from the first row)."""
    if not rows:
        return ""
    buffer = io.StringIO()
    writer = SafeDictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
