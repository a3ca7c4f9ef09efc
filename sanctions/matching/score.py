"""Scoring a query against a listed entity, with an explanation of every feature.

The score lies in [0, 1]. It starts from the best name alignment between any
query name and any listed name (see :mod:`names`), then secondary evidence
adds or takes away:

===================== ================================================================
feature               contribution
===================== ================================================================
name                  best alignment score; weak aliases count 0.9, former names 0.97
birth_date            see :data:`dates.DATE_DELTAS`: +0.06 same day ... -0.35 years apart
country               +0.03 a nationality/country in common, -0.05 none in common
gender                -0.10 when both are given and differ
identifier            +0.75 when a strong identifier is the same: IMO, MMSI, BIC, LEI,
                      UN reference, or a passport/national id/registration number
                      of 6+ characters with a country in common -- a match on its own (a renamed
                      vessel keeps its IMO); +0.35 when only a weak one is the same
                      (such a number without a shared country): evidence, never a
                      match alone
===================== ================================================================

Positive birth date and country evidence only counts when the names already
agree (name score >= 0.5): it confirms a name match, it never makes one.
Absent evidence adds nothing. An entity of an incompatible type (a person and
a vessel) is never compared at all.

:data:`DEFAULT_THRESHOLD` (0.70) is where a score becomes a match: chosen on the
development sets so that UN-listed people are found (also misspelt, reordered
and transliterated) while at most ~1% of ordinary names with a date of birth
raise an alert.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sanctions.countries import SUBJECT_COUNTRY_PROPS, countries_of
from sanctions.model import Entity, FuzzyDate, NameKind, can_match

from .alignment import Alignment, align_over, alignment_of
from .dates import DateEvidence, compare_dates, to_fuzzy_dates
from .explain import Feature
from .forms import NameForm, make_name_forms, schema_kind
from .frequency import TokenFrequency
from .identifiers import IDENTIFIERS, LABELS, STRONG_POOLS, extract_identifiers
from .similarity import RowFn, naive_rows

__all__ = [
    "ALGORITHM",
    "ALGORITHM_VERSION",
    "DEFAULT_THRESHOLD",
    "Record",
    "Score",
    "record_from_entity",
    "compare_records",
    "score_value",
    "schemata_compatible",
]

ALGORITHM = "sanctions-match"
# 2.4: the abjad consonant rule only for names read from Arabic/Hebrew script, misspelt
# legal forms, no roman numerals in other scripts' readings, dotted legal forms of untyped
# parties, an organisation name with one distinctive word changed;
# 2.3: Japanese names read as Japanese (kana; kanji names IPAdic knows), reading explained;
# given names across languages; listed-word frequencies (common agreement, listed words
# not given), Abd spellings, one distinctive word met only approximately, dates of birth
# one keystroke apart;
# 2.2: name parts (family names), abjad consonants, Hangul readings, legal forms cost more;
# 2.1: strong identifiers match alone (issue 16), case-ending name forms; 2.0: rigour
ALGORITHM_VERSION = "2.4"
DEFAULT_THRESHOLD = 0.70

KIND_FACTOR = {"weak": 0.9, "previous": 0.97}
COUNTRY_MATCH, COUNTRY_MISMATCH = 0.03, -0.05
GENDER_MISMATCH = -0.10
IDENTIFIER_MATCH = 0.35  # a weak identifier in common: evidence
STRONG_IDENTIFIER_MATCH = 0.75  # a strong one: a match on its own (> DEFAULT_THRESHOLD)
STRONG_GENERIC_LENGTH = 6  # a shorter passport/registration number is never strong
CONFIRM_FLOOR = 0.5
# score_value with a floor: a name score this far under what the floor leaves it is under
# the floor whatever the rounding of the contributions (4 decimals) does to the sum.
FLOOR_MARGIN = 1e-3
NEED_MARGIN = 1e-9  # a name bound under the score needed by this much cannot reach it

PART_PROPS = ("firstName", "middleName", "secondName", "fatherName", "lastName")
COUNTRY_PROPS = SUBJECT_COUNTRY_PROPS
OUTPUT_PROPS = (
    "name",
    "alias",
    "weakAlias",
    "previousName",
    "birthDate",
    "birthPlace",
    "nationality",
    "citizenship",
    "country",
    "gender",
    "unscId",
    "passportNumber",
    "idNumber",
    "imoNumber",
    "mmsi",
    "swiftBic",
    "leiCode",
    "taxNumber",
    "registrationNumber",
    "program",
    "topics",
)


def schemata_compatible(query_schema: str, candidate_schema: str) -> bool:
    """Can an entity of one schema be the same as one of the other? (Thing: anything.)
    The one hierarchy of :mod:`sanctions.model` decides (:func:`~sanctions.model.can_match`)."""
    return can_match(query_schema, candidate_schema)


@dataclass
class Record:
    """An entity prepared for scoring: folded names, parsed dates, codes, identifiers."""

    id: str
    schema: str
    caption: str
    datasets: tuple[str, ...]
    names: list[NameForm]
    dates: list[FuzzyDate]
    countries: frozenset[str]
    gender: str | None
    identifiers: frozenset[tuple[str, str]]
    properties: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _gender(properties: Mapping[str, Iterable[str]]) -> str | None:
    for value in properties.get("gender", ()):
        text = str(value).strip().lower()
        if text in ("male", "m", "man"):
            return "male"
        if text in ("female", "f", "woman"):
            return "female"
    return None


def record_from_entity(entity: Entity, query: bool = False) -> Record:
    """Prepare a listed entity (or, with ``query=True``, a query) for scoring.

    The two sides differ only in identifiers: see :func:`extract_identifiers`.
    """
    forms: list[NameForm] = []
    variants = list(entity.names)
    if not variants:
        variants = [_variant(v, k) for k, v in _property_names(entity.properties)]
    # Parts given as properties (another publisher's FtM) describe every name, as in FtM;
    # an entity named by its parts only is named by them joined.
    entity_parts = tuple((p, v) for p in PART_PROPS for v in entity.get(p))
    if not variants and entity_parts:
        variants = [_variant(" ".join(v for _, v in entity_parts), "primary")]
    for variant in variants:
        parts = variant.parts or entity_parts
        forms.extend(make_name_forms(variant.name, entity.schema, str(variant.kind), parts))
    dates = list(entity.dates) or to_fuzzy_dates(entity.get("birthDate"))
    props = {p: list(v) for p in OUTPUT_PROPS if (v := entity.properties.get(p))}
    return Record(
        id=entity.id,
        schema=entity.schema,
        caption=entity.caption,
        datasets=(entity.listing.dataset,),
        names=forms,
        dates=dates,
        countries=countries_of(entity.properties),
        gender=_gender(entity.properties),
        identifiers=frozenset(extract_identifiers(entity.properties, query=query)),
        properties=props,
    )


def _property_names(properties: Mapping[str, list[str]]) -> list[tuple[str, str]]:
    kinds = {"name": "primary", "alias": "alias", "weakAlias": "weak", "previousName": "previous"}
    return [(kind, v) for prop, kind in kinds.items() for v in properties.get(prop, [])]


def _variant(name: str, kind: str) -> Any:
    from sanctions.model import NameVariant

    return NameVariant(name=name, kind=NameKind(kind))


@dataclass
class Score:
    """A scored candidate: the score, whether it matches, and why (typed features)."""

    score: float
    match: bool
    alignment: Alignment | None
    features: list[Feature]

    @property
    def explanations(self) -> list[dict[str, Any]]:
        """The features in their JSON shape (:meth:`Feature.to_dict`)."""
        return [f.to_dict() for f in self.features]

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, "match": self.match, "explanations": self.explanations}


def best_alignment(
    query: Iterable[NameForm],
    candidates: Iterable[NameForm],
    rows: RowFn = naive_rows,
    kind: str = "any",
    frequencies: TokenFrequency | None = None,
) -> tuple[float, Alignment | None]:
    """The best (kind-weighted) alignment of any query name with any listed name."""
    value, best = _best_name(query, candidates, rows, kind, frequencies)
    if best is None:
        return value, None
    qform, cform, score, chosen, used_q, used_c = best
    return value, alignment_of(qform, cform, score, list(chosen), list(used_q), list(used_c))


def _best_name(
    query: Iterable[NameForm],
    candidates: Iterable[NameForm],
    rows: RowFn,
    kind: str,
    frequencies: TokenFrequency | None = None,
    floor: float = -math.inf,
) -> tuple[float, tuple[Any, ...] | None]:
    """The best kind-weighted name score, and what :func:`alignment_of` needs for it
    (its lists shared with the alignments' memo: read them only).

    A name is not aligned whole when a bound of its score says it can neither beat the
    best found so far nor reach ``floor`` (:func:`alignment.align_over`): the best is the
    one aligning every name gives whenever it reaches ``floor``; under it, the value is
    under ``floor`` too, which is all a caller with a floor asks.
    """
    best_value = 0.0
    best: tuple[Any, ...] | None = None
    cands = list(candidates)
    for qform in query:
        for cform in cands:
            factor = KIND_FACTOR.get(cform.kind, 1.0)
            need = (floor if best is None else max(floor, best_value)) / factor - NEED_MARGIN
            found = align_over(qform, cform, rows, kind, frequencies, need)
            if found is None:
                continue
            score = found[0]
            value = score * factor
            if value > best_value or best is None:
                best_value = value
                best = (qform, cform, *found)
    return best_value, best


def _name_explanation(value: float, alignment: Alignment | None) -> Feature:
    if alignment is None:
        return Feature("name", 0.0, "no names to compare")
    cand = alignment.candidate
    detail = (
        f"query name {alignment.query.original!r} met listed {cand.kind} name "
        f"{cand.original!r}: {alignment.describe()}"
    )
    return Feature("name", round(value, 4), detail, alignment.query.original, cand.original)


def _feature(
    name: str, value: float, detail: str, query: Record | None = None, cand: Record | None = None
) -> Feature:
    values = (None, None) if query is None or cand is None else _compared(name, query, cand)
    return Feature(name, round(value, 4), detail, *values)


def _compared(name: str, query: Record, cand: Record) -> tuple[str | None, str | None]:
    """The two values a secondary feature compared, as text (for the typed explanation)."""
    if name == "birth_date":
        pair = [", ".join(sorted({d.value for d in r.dates})) for r in (query, cand)]
    elif name == "country":
        pair = [", ".join(sorted(r.countries)) for r in (query, cand)]
    elif name == "gender":
        pair = [r.gender or "" for r in (query, cand)]
    elif name == "identifier":
        pair = [", ".join(sorted(f"{p}:{v}" for p, v in r.identifiers)) for r in (query, cand)]
    else:
        return None, None
    return pair[0], pair[1]


def secondary_features(query: Record, cand: Record, name_score: float) -> list[Feature]:
    """Explanations (with contributions) of the evidence beside the names."""
    return [
        _feature(name, value, detail(), query, cand)
        for name, value, detail in _secondary(query, cand, name_score)
    ]


def _confirms(name_score: float) -> bool:
    """Do the names agree enough for agreeing dates and countries to count
    (:data:`CONFIRM_FLOOR`)?"""
    return name_score >= CONFIRM_FLOOR


# keep in step with bounds.secondary_bounds (a ceiling of this)
def _secondary(
    query: Record, cand: Record, name_score: float, dates: DateEvidence | None = None
) -> list[tuple[str, float, Callable[[], str]]]:
    """(feature, contribution, detail maker) of the evidence beside the names.

    ``dates``: ``compare_dates(query.dates, cand.dates)`` when the caller has it."""
    out: list[tuple[str, float, Callable[[], str]]] = []
    confirms = _confirms(name_score)
    found = compare_dates(query.dates, cand.dates) if dates is None else dates
    if found.outcome != "absent" and (found.delta < 0 or confirms):
        out.append(("birth_date", found.delta, lambda: found.detail))
    if query.countries and cand.countries:
        common = query.countries & cand.countries
        if common and confirms:
            out.append(
                ("country", COUNTRY_MATCH, lambda: f"in common: {', '.join(sorted(common))}")
            )
        elif not common:
            out.append(
                (
                    "country",
                    COUNTRY_MISMATCH,
                    lambda: (
                        f"{', '.join(sorted(query.countries))} vs listed "
                        f"{', '.join(sorted(cand.countries))}"
                    ),
                )
            )
    if query.gender and cand.gender and query.gender != cand.gender:
        out.append(("gender", GENDER_MISMATCH, lambda: f"{query.gender} vs listed {cand.gender}"))
    same_ids = query.identifiers & cand.identifiers
    if same_ids:
        out.append(_identifier_feature(query, cand, same_ids, name_score))
    return out


def _identifier_feature(
    query: Record, cand: Record, same: frozenset[tuple[str, str]], name_score: float
) -> tuple[str, float, Callable[[], str]]:
    """Strong identifiers in common make a match alone; weak ones add evidence."""
    shared_country = bool(query.countries & cand.countries)
    strong = sorted(
        (pool, value)
        for pool, value in same
        if pool in STRONG_POOLS or (shared_country and len(value) >= STRONG_GENERIC_LENGTH)
    )
    shown = strong or sorted(same)

    def detail() -> str:
        parts = [
            f"{LABELS[pool]} {IDENTIFIERS['unsc'].format(v) if pool == 'unsc' else v}"
            for pool, v in shown
        ]
        text = "same " + ", ".join(parts)
        if not strong:
            return text + " (no country in common or too short: evidence only, not a match alone)"
        if not _confirms(name_score):
            text += "; name differs: possible rename"
        return text

    return ("identifier", STRONG_IDENTIFIER_MATCH if strong else IDENTIFIER_MATCH, detail)


def compare_records(
    query: Record,
    cand: Record,
    threshold: float = DEFAULT_THRESHOLD,
    rows: RowFn = naive_rows,
    cand_names: Iterable[NameForm] | None = None,
    frequencies: TokenFrequency | None = None,
) -> Score:
    """Score a listed record against a query record (0 for incompatible schemata).

    ``frequencies``: the listed words' frequencies of the index the listed
    record comes from; the process's :func:`frequency.active` table when not
    given (the one of the last full index loaded).
    """
    if not schemata_compatible(query.schema, cand.schema):
        detail = f"a {query.schema} cannot be a {cand.schema}"
        return Score(0.0, False, None, [_feature("schema", 0.0, detail)])
    kind = schema_kind(cand.schema)
    names = cand.names if cand_names is None else cand_names
    name_score, alignment = best_alignment(query.names, names, rows, kind, frequencies)
    features = [_name_explanation(name_score, alignment)]
    features.extend(secondary_features(query, cand, name_score))
    total = sum(f.contribution for f in features)
    score = round(min(1.0, max(0.0, total)), 4)
    return Score(score, score >= threshold, alignment, features)


def score_value(
    query: Record,
    cand: Record,
    rows: RowFn = naive_rows,
    cand_names: Iterable[NameForm] | None = None,
    frequencies: TokenFrequency | None = None,
    floor: float = 0.0,
) -> float:
    """``compare_records(query, cand, ..., rows, cand_names).score``, without the explanations.

    For ranking many candidates: the same contributions, rounded and added in
    the same order, so the value is exactly the score :func:`compare_records` gives.
    With a ``floor`` (the score a ranking needs), a score that is surely under it is
    not worked out and comes back as 0.0: bounds of the names' scores (see
    :func:`_best_name`) plus the most the evidence beside them may add are under it.
    """
    if not schemata_compatible(query.schema, cand.schema):
        return 0.0
    names = cand.names if cand_names is None else cand_names
    kind = schema_kind(cand.schema)
    if floor <= 0.0:
        name_score, best = _best_name(query.names, names, rows, kind, frequencies)
        secondary = _secondary(query, cand, name_score)
    else:
        dates = compare_dates(query.dates, cand.dates)
        most = _secondary(query, cand, 1.0, dates)  # names that agree: all the evidence counts
        name_floor = floor - sum(round(value, 4) for _, value, _ in most) - FLOOR_MARGIN
        name_score, best = _best_name(query.names, names, rows, kind, frequencies, name_floor)
        if name_score < name_floor:
            return 0.0
        secondary = most if _confirms(name_score) else _secondary(query, cand, name_score, dates)
    contributions = [0.0 if best is None else round(name_score, 4)]
    contributions.extend(round(value, 4) for _, value, _ in secondary)
    return round(min(1.0, max(0.0, sum(contributions))), 4)
