"""The exception hierarchy of `sanctions`.

    SanctionsError                 base of everything we raise on purpose
    ├── ConfigError                bad setting, unknown dataset id, bad --db URL
    ├── SourceError                a list file cannot be used; carries file, line, field
    │   ├── UnknownFormatError     no parser recognises the content
    │   ├── FormatError            the content is malformed (truncated XML, missing column...)
    │   ├── EncodingError          bytes that do not decode in the expected encoding
    │   ├── UnsafeInputError       XML entity bombs, external entities, zip path traversal,
    │   │                          files over the size limit
    │   └── WrongListError         the content is another list than the one expected
    │                              (Canada's file served as the UN list, ...)
    ├── StoreError                 the store refuses an operation (unknown version, ...)
    └── DownloadError              fetching an official file failed (HTTP, timeout, size)

Third-party exceptions (lxml, csv, openpyxl, httpx, SQLAlchemy) are translated
into these at the boundary with ``raise ... from exc`` so that the cause is kept.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "SanctionsError",
    "ConfigError",
    "SourceError",
    "UnknownFormatError",
    "FormatError",
    "EncodingError",
    "UnsafeInputError",
    "WrongListError",
    "StoreError",
    "DownloadError",
    "NotFoundError",
    "ConflictError",
]


class SanctionsError(Exception):
    """Base class of every error `sanctions` raises on purpose."""


class NotFoundError(SanctionsError):
    """What was asked for does not exist (an alert, a watched record): HTTP 404."""


class ConflictError(SanctionsError):
    """The request contradicts the current state (a decision on a closed alert): HTTP 409."""


class ConfigError(SanctionsError):
    """A setting, option or dataset id is invalid."""


class SourceError(SanctionsError):
    """A list file cannot be parsed. Names the file and, where known, the place."""

    def __init__(
        self,
        message: str,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        super().__init__(self.describe())

    def describe(self) -> str:
        where = []
        if self.path:
            where.append(self.path)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"field {self.field!r}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class UnknownFormatError(SourceError):
    """No parser recognises the file's content."""


class FormatError(SourceError):
    """The file's content is malformed."""


class EncodingError(SourceError):
    """The file's bytes do not decode in the expected encoding."""


class UnsafeInputError(SourceError):
    """The file is dangerous to parse (entity expansion, external entity, path traversal, too big)."""


class WrongListError(SourceError):
    """The content is another list (or another list's format) than the dataset expected."""


class StoreError(SanctionsError):
    """The store cannot perform the operation."""


class DownloadError(SanctionsError):
    """Fetching an official list failed."""

    def __init__(self, message: str, dataset: str | None = None, url: str | None = None) -> None:
        self.dataset = dataset
        self.url = url
        parts = [p for p in (dataset, url) if p]
        super().__init__(f"{' '.join(parts)}: {message}" if parts else message)
