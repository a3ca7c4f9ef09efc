"""Matching: the typed public API that screening, watch, coordination and the API use.

Analysis
    :func:`record_from_entity` prepares a listed entity (``query=True``: a query)
    as a :class:`Record`: folded name forms (:func:`analyze_name` gives them
    for one name: :class:`NameForm` with tokens, weights and the words legal
    forms and numbers replaced), dates, country codes, identifiers.
    :func:`prepare_records` does it for many listed entities.
Candidate search
    :class:`MatchIndex` over prepared records (:func:`load_index` builds it
    from a store's versions, with the on-disk cache) proposes candidates;
    :func:`search` finds, scores and explains the best ones for a query. A
    :class:`Scope` (datasets, schemata, topics, excluded ids) is applied inside
    candidate generation, before scoring.
Scoring
    :func:`compare_records` gives a :class:`Score` (value, match, typed
    features); :func:`score_value` the same value without explanations.
    :data:`DEFAULT_THRESHOLD`, :data:`ALGORITHM`, :data:`ALGORITHM_VERSION`.
Explanation
    :class:`Feature` (feature, contribution, detail, query and candidate value)
    with ``to_dict()``, ``to_yente()`` and ``describe()``;
    :func:`yente_explanations` and :func:`yente_features` for yente's shapes.
Start-up
    A cached index carries its vocabulary's rigour symbols; other tokens are looked
    up in a cached table of rigour's person-name data (``matching/symbols.py``), so
    rigour's person-name tagger is never built; :func:`warm_taggers` loads the table
    and rigour's organisation tagger ahead of a first unknown token (a server does it
    before it is ready when ``SANCTIONS_API_WARM_TAGGERS=1``).
Word frequencies
    :class:`TokenFrequency`: how many listed records carry each word, over
    every list; built with the full index and cached with it,
    :func:`load_frequencies` reads it for a small (delta) index, and the last
    full index loaded makes it the table of pair scoring without an index
    (:func:`activate_frequencies`). A pair scores the same everywhere.
Bounds
    :func:`name_floor`, :class:`NameBound`, :func:`name_tokens`: the index's own
    pruning bound, for callers that ask the question the other way round (the
    watch delta prefilter). A change of weights moves it for every caller.

See docs/matching.md.
"""

from __future__ import annotations

from .bounds import (
    NameBound,
    candidate_initial_slack,
    count_initials,
    max_secondary_gain,
    name_floor,
    name_tokens,
)
from .explain import Feature, yente_explanations, yente_features
from .finder import Hit, search
from .forms import NameForm, make_name_forms, schema_kind
from .frequency import COMMON_COUNT, TokenFrequency
from .frequency import EMPTY as NO_FREQUENCIES
from .frequency import activate as activate_frequencies
from .identifiers import IDENTIFIERS, identifier_properties
from .index import (
    CACHE_VERSION,
    Candidate,
    MatchIndex,
    cache_dir,
    cached_records,
    index_key,
    load_frequencies,
    load_index,
    load_records,
    prepare_records,
)
from .normalise import warm_taggers
from .scope import Scope
from .score import (
    ALGORITHM,
    ALGORITHM_VERSION,
    COUNTRY_MATCH,
    COUNTRY_MISMATCH,
    COUNTRY_PROPS,
    DEFAULT_THRESHOLD,
    GENDER_MISMATCH,
    IDENTIFIER_MATCH,
    KIND_FACTOR,
    STRONG_IDENTIFIER_MATCH,
    Record,
    Score,
    compare_records,
    record_from_entity,
    schemata_compatible,
    score_value,
)

__all__ = [
    "ALGORITHM",
    "ALGORITHM_VERSION",
    "CACHE_VERSION",
    "COUNTRY_MATCH",
    "COUNTRY_MISMATCH",
    "COUNTRY_PROPS",
    "DEFAULT_THRESHOLD",
    "GENDER_MISMATCH",
    "IDENTIFIERS",
    "IDENTIFIER_MATCH",
    "KIND_FACTOR",
    "STRONG_IDENTIFIER_MATCH",
    "Candidate",
    "Feature",
    "Hit",
    "MatchIndex",
    "NameBound",
    "NameForm",
    "NO_FREQUENCIES",
    "COMMON_COUNT",
    "Record",
    "Score",
    "Scope",
    "TokenFrequency",
    "activate_frequencies",
    "analyze_name",
    "cache_dir",
    "candidate_initial_slack",
    "compare_records",
    "count_initials",
    "identifier_properties",
    "cached_records",
    "index_key",
    "load_frequencies",
    "load_index",
    "load_records",
    "max_secondary_gain",
    "name_floor",
    "name_tokens",
    "prepare_records",
    "record_from_entity",
    "schema_kind",
    "schemata_compatible",
    "score_value",
    "search",
    "warm_taggers",
    "yente_explanations",
    "yente_features",
]


def analyze_name(name: str, schema: str = "LegalEntity", kind: str = "primary") -> list[NameForm]:
    """The folded forms of one name as the matcher reads it (for a schema and name kind)."""
    return make_name_forms(name, schema, kind)
