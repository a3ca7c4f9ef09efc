"""Request and response shapes (pydantic), with examples.

Field names and nesting follow yente's ``/match``, ``/search``, ``/catalog`` and
``/algorithms``; a few fields of our own are added (``algorithm`` on a match
response, ``score`` on a search result, ``listing``/``history`` on an entity),
which yente clients ignore. The continuous-screening shapes (records, imports, runs,
alerts, decisions, the audit check: ``/watch``, ``/alerts``, ``/audit``) are ours.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sanctions.model import SCHEMATA
from sanctions.watch import canonical_status

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
    "RecordBody",
    "DecisionBody",
    "WatchedRecordOut",
    "RecordPage",
    "RecordChangeOut",
    "ImportReportOut",
    "RunReportOut",
    "AlertOut",
    "DecisionOut",
    "AlertDetail",
    "AlertPage",
    "VerifyOut",
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


# -- continuous screening (/watch, /alerts, /audit) ------------------------------------


class RecordBody(BaseModel):
    """A record: an FtM-like ``schema`` and ``properties``, and/or the CLI's fields."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "schema": "Person",
                    "properties": {"name": ["Jane Doe"], "birthDate": ["1980-02"]},
                },
                {"name": ["Aurora Shipping LLC"], "schema": "Company", "country": ["cy"]},
            ]
        },
    )
    schema_: str = Field("Person", alias="schema", max_length=50, examples=["Person"])
    properties: dict[str, list[str] | str] = Field(default_factory=dict)
    name: list[str] | str | None = Field(None, description="As `watch add --name`")
    birth_date: str | None = Field(None, max_length=50, description="As `--birth-date`")
    country: list[str] | str | None = Field(
        None, description="As `--country`: nationality of a Person, else country"
    )


class DecisionBody(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"decision": "false_positive", "reason": "different birth date"}]
        },
    )
    decision: Literal["false_positive", "true_match", "escalated"] = Field(
        ..., description="One spelling: false_positive (false-positive is accepted too)."
    )
    reason: str = Field(..., min_length=1, max_length=4000)

    @field_validator("decision", mode="before")
    @classmethod
    def _one_spelling(cls, value: Any) -> Any:
        return canonical_status(value) if isinstance(value, str) else value


class WatchedRecordOut(BaseModel):
    id: str
    schema_: str = Field(alias="schema")
    caption: str
    version: int
    hash: str
    status: str
    properties: dict[str, list[str]]
    screened_hash: str | None = None
    updated_at: str | None = None


class RecordPage(BaseModel):
    total: int
    limit: int
    offset: int
    after: str | None = None
    next_after: str | None = Field(None, description="`after` of the next page (none: last)")
    results: list[WatchedRecordOut]


class RecordChangeOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"id": "c-17", "change": "added", "version": 1, "hash": "5a35..."}]
        }
    )
    id: str
    change: str = Field(description="added, updated, unchanged, removed or readded")
    version: int
    hash: str


class ImportReportOut(BaseModel):
    source: str
    rows: int
    added: int
    updated: int
    unchanged: int
    removed: int
    errors: list[str]
    seconds: float


class RunReportOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    run_id: int
    kind: str = Field(description="full or delta")
    note: str | None = None
    list_versions: dict[str, int]
    records_total: int
    records_screened: int
    entities_screened: int
    raised: int
    suppressed: int
    closed: int
    kept: int
    seconds: float
    summary: str


class AlertOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: int
    record_id: str
    record_version: int
    entity_id: str
    entity_caption: str
    dataset: str
    score: float
    status: str
    explanation: list[dict[str, Any]]
    changes: dict[str, Any] | None = None
    closed_reason: str | None = None
    subject_id: str | None = Field(None, description="The subject (cluster) of the alert.")
    listings: list[dict[str, Any]] | None = Field(
        None, description="Every listing of the subject the record matches (the alert's first)."
    )


class DecisionOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: int
    alert_id: int
    decision: str
    reason: str
    analyst: str = Field(examples=["api-key:3:alice"])
    decided_at: str


class AlertDetail(AlertOut):
    decisions: list[DecisionOut]
    case: dict[str, Any] = Field(
        default_factory=dict,
        description="Customer and listed entry side by side, the evidence, what changed "
        "since the pair's last decision (old and new values) and its decision history.",
    )


class AlertPage(BaseModel):
    status: str
    limit: int
    offset: int
    results: list[AlertOut]


class VerifyOut(BaseModel):
    ok: bool
    checked: int
    last_hash: str
    broken_id: int | None = None
    problem: str | None = None
    head: str = ""
    macs: int = 0
    anchored: list[str] = []
    state_problems: list[str] = []
    summary: str
