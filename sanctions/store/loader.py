"""Loading a list file into the store: parse it whole, pass the gates, save one version.

A parser raises :class:`~sanctions.errors.FormatError` (naming the file, and the line
or field where it can) for input it cannot read. The loader adds only what a parser
cannot know: a duplicate entity id and an empty file. Any other exception
(``TypeError``, ``AttributeError``, ``KeyError``...) is a bug in the code, not bad
input, and surfaces as it is: it is never turned into a "format error" that would
blame the file.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sanctions import audit
from sanctions.errors import FormatError, WrongListError
from sanctions.model import Entity
from sanctions.sources import ParseReport, SourceFormat, collect_report, detect_format
from sanctions.sources.fingerprint import OFAC_DATASETS, ofac_list_of

from . import gates, history
from .gates import GatePolicy
from .info import LoadResult, VersionInfo, add_report

if TYPE_CHECKING:
    from .store import Store

log = logging.getLogger(__name__)

__all__ = ["hash_path", "load", "parse_all"]

Progress = Callable[[int], None]


def hash_path(path: Path) -> str:
    """SHA-256 of a file's bytes, or of a folder's files (names and bytes, sorted)."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(file.name.lower().encode() + b"\0")
        with open(file, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def parse_all(
    path: Path, fmt: SourceFormat, dataset: str, progress: Progress | None = None
) -> dict[str, Entity]:
    """Every entity of a list file, by id; a duplicate id or an empty file is a `FormatError`."""
    entities: dict[str, Entity] = {}
    for entity in fmt.parse(path, dataset=dataset):
        if entity.id in entities:
            raise FormatError(f"duplicate entity id {entity.id!r}", path)
        entities[entity.id] = entity
        if progress is not None:
            progress(1)
    if not entities:
        raise FormatError(f"no entities found (format {fmt.name})", path)
    return entities


def load(
    store: Store,
    path: str | Path,
    dataset: str | None = None,
    source_url: str | None = None,
    progress: Progress | None = None,
    strict: bool = False,
    *,
    allow_older: bool = False,
    policy: GatePolicy | None = None,
    published: str | None = None,
) -> LoadResult:
    """Parse a list file (or file set folder) and store it as a new version of its dataset.

    ``dataset`` is the list expected (default: the one the content names); content
    of another list raises :class:`~sanctions.errors.WrongListError` and stores
    nothing. The new version then passes the gates (see :mod:`.gates`): the
    result's ``status`` is ``loaded`` (current), ``held`` or ``older`` (stored,
    not current), or ``unchanged``/``rejected`` for content seen before.

    With ``strict``, a file holding any value the parser could not place (kept
    as text and counted in the result otherwise) is refused and nothing is stored.
    ``published`` is the publication date when the file states none (see
    :func:`.history.resolve_published`).
    """
    path = Path(path)
    started = datetime.now(UTC)
    policy = policy or GatePolicy.from_env()
    if allow_older:
        policy = replace(policy, allow_older=True)
    fmt = detect_format(path)
    dated, dated_from = history.resolve_published(fmt, path, published, guess=source_url is None)
    expected = dataset or fmt.dataset_for(path)
    _refuse_if(store, gates.check_format, path, expected, path, fmt, expected)
    content_hash = hash_path(path)
    current = store.current_version(expected)
    if current is not None and current.content_hash == content_hash:
        return _seen(current, "unchanged", fmt.name, current)
    entities = None
    report = ParseReport()
    if dataset is None and expected in OFAC_DATASETS:
        with collect_report() as report:
            expected, entities = _ofac_list(path, fmt, expected, progress)
        current = store.current_version(expected)
        if current is not None and current.content_hash == content_hash:
            return _seen(current, "unchanged", fmt.name, current)
    seen = _stored_copy(store, expected, content_hash, policy.allow_older)
    if seen is not None:
        return _seen(seen, seen.status or "", fmt.name, current)
    if entities is None:
        with collect_report() as report:
            entities = parse_all(path, fmt, expected, progress)
    if strict and report.total:
        raise FormatError(
            f"--strict: {report.total:,} values not understood "
            f"({'; '.join(report.summary())}); nothing loaded",
            path,
        )
    doubts = _refuse_if(store, gates.check_content, path, expected, path, expected, entities)
    if report.incomplete:  # a file cut short is held for an admin, never current on its own
        if strict:
            raise FormatError(
                f"--strict: the file is incomplete ({'; '.join(report.incomplete)}); nothing loaded",
                path,
            )
        doubts = [*(doubts or []), *(f"incomplete file: {r}" for r in report.incomplete)]
    stated = dated if dated_from != history.FROM_PATH else None  # a guess gates nothing
    result = store.save_version(
        expected,
        entities,
        content_hash=content_hash,
        fmt=fmt.name,
        source_file=path.name,
        source_url=source_url,
        published=dated,
        stats=gates.stats_of(expected, entities, path, stated, doubts),
        policy=policy,
        published_from=dated_from,
        source_path=str(path.resolve()),
    )
    result.seconds = (datetime.now(UTC) - started).total_seconds()
    add_report(result, report)
    return result


def _ofac_list(
    path: Path, fmt: SourceFormat, named: str, progress: Progress | None
) -> tuple[str, dict[str, Entity] | None]:
    """The OFAC list the entries tell (SDN or Consolidated), when no dataset was asked for.

    The format's guess (file names, record counts) is replaced by what the entries
    say; the file is then parsed again under the right dataset (``None``).
    """
    entities = parse_all(path, fmt, named, progress)
    found = ofac_list_of(entities.values())
    if found is None or found == named:
        return named, entities
    log.info("%s: the entries are %s's, not %s's as the file suggests", path, found, named)
    return found, None


def _refuse_if(
    store: Store, check: Callable[..., Any], path: Path, dataset: str, *args: Any
) -> Any:
    """Run a refusal gate (return what it returns); audit a refusal before raising it."""
    try:
        return check(*args)
    except WrongListError as exc:
        details = {"dataset": dataset, "path": str(path), "reason": exc.message}
        with store.begin() as conn:
            audit.append(conn, audit.current_actor(), "list.refused", f"dataset:{dataset}", details)
        log.info("refused: %s", exc)
        raise


def _stored_copy(
    store: Store, dataset: str, content_hash: str, allow_older: bool
) -> VersionInfo | None:
    """A held, older or rejected version with the same bytes (reported, not stored again)."""
    for version in reversed(store.versions(dataset)):
        if version.content_hash != content_hash:
            continue
        if version.status in (gates.HELD, gates.REJECTED) or (
            version.status == gates.OLDER and not allow_older
        ):
            return version
    return None


def _seen(version: VersionInfo, status: str, fmt: str, current: VersionInfo | None) -> LoadResult:
    return LoadResult(
        version.dataset,
        status,
        version.id,
        version.seq,
        version.content_hash,
        fmt,
        version.entity_count,
        reasons=list(version.gate_reasons or []),
        current_version_id=current.id if current else None,
        current_seq=current.seq if current else None,
    )
