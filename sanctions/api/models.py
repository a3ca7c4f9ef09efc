"""Request and response shapes (pydantic), as yente publishes them, with examples.

Field names and nesting follow yente's ``/match``, ``/search``, ``/catalog`` and
``/algorithms``; a few fields of our own are added (``algorithm`` on a match
response, ``score`` on a search result, ``listing``/``history`` on an entity),
which yente clients ignore.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sanctions.model import SCHEMATA

__all__ = [
    "ErrorResponse",
    "StatusResponse",
    "ReadyResponse",
    "EntityExample",
    "EntityMatchQuery",
    "EntityResponse",
    "ScoredEntityResponse",
    "EntityMatches",
    "EntityMatchResponse",
    "SearchResponse",
    "TotalSpec",
    "FeatureResult",
    "AlgorithmResponse",
    "CatalogResponse",
    "MATCH_EXAMPLE",
]

TIMESTAMP = "2026-02-27T06:00:00"


class ErrorResponse(BaseModel):
    detail: str = Field(..., examples=["Unknown schema 'Persn' in query 'q1'"])


class StatusResponse(BaseModel):
    status: str = Field("ok", examples=["ok"])


class ReadyResponse(StatusResponse):
    generation: int = Field(..., description="Index generation: +1 at every swap", examples=[0])
    records: int = Field(..., description="Listed entities in the index", examples=[48211])
    built_at: str = Field(..., examples=["2026-02-27T06:00:00"])
    build_seconds: float = Field(..., examples=[3.2])
    index_digest: str = Field(
        ...,
        description="Names the served index (list contents, matcher version): "
        "replicas showing the same digest give the same answers",
        examples=["3f9a0c1d2e4b5a69"],
    )
    versions: dict[str, str] = Field(
        ...,
        description="The list versions served, by dataset",
        examples=[{"us_ofac_sdn": "v3-1a2b3c4d5e6f"}],
    )
    announce: str = Field(
        ...,
        description="How this server learns of new versions: listen (PostgreSQL "
        "NOTIFY, and polling) or poll",
        examples=["listen"],
    )


class TotalSpec(BaseModel):
    value: int = Field(..., examples=[1])
    relation: str = Field("eq", examples=["eq"])


class EntityExample(BaseModel):
    """A query: an FtM entity by example (property values: a string or a list)."""

    model_config = ConfigDict(populate_by_name=True)

    id: str | None = Field(None, examples=["customer-42"])
    schema_: str = Field(
        ...,
        alias="schema",
        examples=["Person"],
        json_schema_extra={"enum": list(SCHEMATA)},  # documented; checked with a 400
    )
    properties: dict[str, str | list[Any]] = Field(
        ...,
        examples=[{"name": ["Vladimir Putin"], "birthDate": ["1952-10-07"], "nationality": ["ru"]}],
    )


MATCH_EXAMPLE: dict[str, Any] = {
    "queries": {
        "q1": {
            "schema": "Person",
            "properties": {
                "name": ["Vladimir Putin"],
                "birthDate": ["1952-10-07"],
                "nationality": ["ru"],
            },
        },
        "q2": {"schema": "Company", "properties": {"name": ["Bank Rossiya"]}},
    },
    "weights": {},
    "config": {},
}


class EntityMatchQuery(BaseModel):
    """The body of ``POST /match/{dataset}``: up to 100 named queries."""

    weights: dict[str, float] = Field(
        default_factory=dict,
        description="yente's per-feature weights. sanctions-match has fixed feature "
        "contributions (see /algorithms): any weight is refused with 400.",
        examples=[{}],
    )
    config: dict[str, str | int | float | bool | None] = Field(
        default_factory=dict,
        description="Algorithm configuration. sanctions-match takes none: any key is a 400.",
        examples=[{}],
    )
    queries: dict[str, EntityExample] = Field(
        ...,
        examples=[MATCH_EXAMPLE["queries"]],
        description="Named queries (1 to 100); each key comes back in `responses`.",
        json_schema_extra={"minProperties": 1, "maxProperties": 100},  # checked with a 400
    )


class EntityResponse(BaseModel):
    """A listed entity in yente's shape."""

    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(..., examples=["us_ofac_sdn-35096"])
    caption: str = Field(..., examples=["PUTIN, Vladimir Vladimirovich"])
    schema_: str = Field(..., alias="schema", examples=["Person"])
    properties: dict[str, list[Any]] = Field(
        ..., examples=[{"name": ["PUTIN, Vladimir Vladimirovich"], "birthDate": ["1952-10-07"]}]
    )
    datasets: list[str] = Field(default_factory=list, examples=[["us_ofac_sdn"]])
    referents: list[str] = Field(default_factory=list, examples=[[]])
    target: bool = Field(True)
    first_seen: str | None = Field(None, examples=[TIMESTAMP])
    last_seen: str | None = Field(None, examples=[TIMESTAMP])
    last_change: str | None = Field(None, examples=[TIMESTAMP])


class FeatureResult(BaseModel):
    """One feature's contribution to a score, and why."""

    score: float = Field(..., examples=[0.9639])
    detail: str | None = Field(None, examples=["query name 'Vladimir Putin' met listed ..."])
    query: str | None = Field(None, examples=["Vladimir Putin"])
    candidate: str | None = Field(None, examples=["PUTIN, Vladimir Vladimirovich"])
    weight: float | None = Field(None, examples=[1.0])


class ScoredEntityBase(EntityResponse):
    score: float = Field(..., examples=[0.9639])
    match: bool = Field(..., description="Whether the score is at or above the threshold.")
    explanations: dict[str, FeatureResult] = Field(default_factory=dict)
    features: dict[str, float] = Field(
        default_factory=dict,
        description="yente's older form: feature -> contribution to the score.",
        examples=[{"name": 0.96, "birth_date": 0.02}],
    )


class SubjectListingResponse(BaseModel):
    id: str = Field(..., examples=["gb_hmt_sanctions-14199"])
    dataset: str = Field(..., examples=["gb_hmt_sanctions"])
    jurisdiction: str = Field(..., examples=["UK"])
    caption: str
    schema_: str = Field(..., alias="schema")
    programmes: list[str] = Field(default_factory=list)
    listed_on: str | None = None


class SubjectSummary(BaseModel):
    """With ``group=subject``: the subject a result leads (its listings across lists)."""

    subject_id: str = Field(..., examples=["c-3f2a9b1c0d"])
    caption: str
    schema_: str = Field(..., alias="schema")
    score: float
    match: bool = Field(..., description="Whether any listing of the subject matched.")
    lead: str = Field(..., description="The best-scoring listing (this result).")
    listings: list[ScoredEntityBase] = Field(
        default_factory=list, description="The subject's other listings the query matched."
    )
    other_listings: list[SubjectListingResponse] = Field(
        default_factory=list,
        description="The subject's listings not answered here (not matched, or out of scope).",
    )
    datasets: list[str] = Field(default_factory=list, examples=[["gb_hmt_sanctions"]])
    jurisdictions: list[str] = Field(default_factory=list, examples=[["EU", "UK", "US"]])
    programmes: list[str] = Field(default_factory=list)
    listed_on: dict[str, str] = Field(
        default_factory=dict, description="Earliest listing date per dataset."
    )


class ScoredEntityResponse(ScoredEntityBase):
    subject: SubjectSummary | None = Field(
        None, description="With `group=subject`: the subject this listing leads."
    )


class EntityMatches(BaseModel):
    status: int = Field(
        200, examples=[200], description="200, or this query's own 400/422 (see `detail`)."
    )
    detail: str | None = Field(None, description="Why this query was not screened.")
    results: list[ScoredEntityResponse]
    total: TotalSpec
    query: dict[str, Any] = Field(
        ..., examples=[{"id": None, "schema": "Person", "properties": {"name": ["Vladimir Putin"]}}]
    )
    warnings: list[str] = Field(default_factory=list, examples=[[]])


class Algorithm(BaseModel):
    name: str = Field(..., examples=["sanctions-match"])
    description: str | None = None
    features: dict[str, dict[str, Any]] = Field(default_factory=dict)
    docs: dict[str, Any] = Field(default_factory=dict)
    aliases: list[str] = Field(default_factory=list, examples=[["best", "logic-v2"]])


class AlgorithmUsed(BaseModel):
    name: str = Field(..., examples=["sanctions-match"])
    version: str = Field(..., examples=["1.0"])
    requested: str = Field(..., examples=["best"])


class EntityMatchResponse(BaseModel):
    responses: dict[str, EntityMatches]
    limit: int = Field(..., examples=[5])
    matcher: Algorithm = Field(..., description="yente's description of the matcher used.")
    algorithm: AlgorithmUsed
    run_id: str = Field(
        ..., examples=["scr-0123456789abcdef"], description="The audited screening run."
    )
    group: str = Field("listing", description="`listing` or `subject` (the `group` asked for).")
    subject_note: str | None = Field(
        None, description="With `group=subject`: why some listings are their own subjects."
    )


class SearchFacetItem(BaseModel):
    name: str = Field(..., examples=["ru"])
    label: str = Field(..., examples=["ru"])
    count: int = Field(..., examples=[42])


class SearchFacet(BaseModel):
    label: str = Field(..., examples=["Countries"])
    values: list[SearchFacetItem]


class SearchResult(EntityResponse):
    score: float | None = Field(None, examples=[0.91])


class SearchResponse(BaseModel):
    limit: int = Field(..., examples=[10])
    offset: int = Field(0, examples=[0])
    total: TotalSpec
    results: list[SearchResult]
    facets: dict[str, SearchFacet] = Field(default_factory=dict)


class AlgorithmResponse(BaseModel):
    algorithms: list[Algorithm]
    default: str = Field(..., examples=["sanctions-match"])
    best: str = Field(..., examples=["sanctions-match"])


class CatalogDataset(BaseModel):
    name: str = Field(..., examples=["us_ofac_sdn"])
    title: str | None = Field(None, examples=["US OFAC Specially Designated Nationals (SDN) List"])
    version: str | None = Field(None, examples=["v3-1a2b3c4d5e6f"])
    index_version: str | None = Field(None, examples=["v3-1a2b3c4d5e6f"])
    index_current: bool = True
    load: bool = True
    entity_count: int | None = Field(None, examples=[13821])
    updated_at: str | None = Field(None, examples=[TIMESTAMP])
    published: str | None = Field(None, examples=["2023-12-28"])
    version_count: int = Field(0, examples=[3])
    children: list[str] = Field(default_factory=list)


class CatalogResponse(BaseModel):
    datasets: list[CatalogDataset]
    current: list[str] = Field(default_factory=list, examples=[["us_ofac_sdn"]])
    outdated: list[str] = Field(default_factory=list, examples=[[]])
    index_stale: bool = False
