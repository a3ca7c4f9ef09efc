"""What the store reports about versions, datasets, loads and diffs (plain dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sanctions.sources import ParseReport

from . import gates

__all__ = ["VersionInfo", "DatasetInfo", "LoadResult", "Change", "Diff", "add_report"]


@dataclass
class VersionInfo:
    """One loaded version of a dataset."""

    id: int
    dataset: str
    seq: int
    content_hash: str
    format: str
    source_file: str | None
    source_url: str | None
    published: str | None
    loaded_at: str
    entity_count: int
    added: int
    removed: int
    changed: int
    parent_id: int | None
    status: str | None = None  # accepted | held | older | approved | rejected (None: legacy)
    name_count: int | None = None
    alias_count: int | None = None
    members: list[str] | None = None
    gate_reasons: list[str] | None = None
    decided_by: str | None = None
    decided_at: str | None = None
    published_from: str | None = None  # file | path | option (see history.py)
    source_path: str | None = None  # the full path loaded (source_file: its name)
    rollback_of: int | None = None  # the version a rollback made current again
    current: bool = False

    @property
    def pending(self) -> bool:
        """Held or older: stored, not current, awaiting an admin's decision."""
        return self.status in gates.PENDING

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class DatasetInfo:
    id: str
    title: str
    current: VersionInfo | None
    version_count: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "version_count": self.version_count,
            "current": self.current.to_dict() if self.current else None,
        }


@dataclass
class LoadResult:
    dataset: str
    status: str  # "loaded" | "unchanged"
    version_id: int
    seq: int
    content_hash: str
    format: str
    entity_count: int
    added: int = 0
    removed: int = 0
    changed: int = 0
    seconds: float = 0.0
    # field -> count of values the parser could not place (kept as text in notes)
    not_understood: dict[str, int] = field(default_factory=dict)
    not_understood_lines: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # why held / older / rejected
    current_version_id: int | None = None  # the dataset's current version after the load
    current_seq: int | None = None  # ... and its number within the dataset

    @property
    def blocked(self) -> bool:
        """The content did not become current: held, older or rejected before."""
        return self.status in (gates.HELD, gates.OLDER, gates.REJECTED)

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["reasons"] = list(self.reasons)
        return data


def add_report(result: LoadResult, report: ParseReport) -> None:
    result.not_understood = dict(sorted(report.counts.items()))
    result.not_understood_lines = report.summary()


@dataclass
class Change:
    entity_id: str
    change: str  # added | removed | changed
    caption: str
    properties: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Diff:
    dataset: str
    from_version: VersionInfo | None
    to_version: VersionInfo
    changes: list[Change]

    def of_kind(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.change == kind]

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "from": self.from_version.to_dict() if self.from_version else None,
            "to": self.to_version.to_dict(),
            "added": [c.to_dict() for c in self.of_kind("added")],
            "removed": [c.to_dict() for c in self.of_kind("removed")],
            "changed": [c.to_dict() for c in self.of_kind("changed")],
        }
