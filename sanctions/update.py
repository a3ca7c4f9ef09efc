"""``sanctions update``: fetch each official list and load it as a new store version.

For each dataset, :func:`update_datasets` fetches the current file (see
:mod:`sanctions.download`) into ``data_dir/<dataset_id>/`` and loads it with
``store.load``. One dataset failing (network, HTTP, size, parse, store) is
reported and the others go on; the store keeps that dataset's previous version
current, and the report says which one.

Every new version passes the store's gates (:mod:`sanctions.store.gates`):
content of another list fails the dataset (``failed``, nothing stored); older
content is stored as history (``older``) and a version that drops too much is
held for approval (``held``); neither becomes current, and both count as not
done for the exit code (:attr:`UpdateReport.blocked`).

A file the server reports as not modified (HTTP 304) is still handed to
``store.load``: the store recognises unchanged content by its hash without
parsing it, and a file that was downloaded earlier but failed to load gets
loaded once the parser is fixed, without waiting for the list to change.

What the CLI should pass (``sanctions update [DATASET...] [--mirror DIR_OR_URL]``)::

    store = Store.open(db)                              # --db, or config.default_db()
    reports = update_datasets(
        store,
        datasets or None,                               # none given: every dataset
        data_dir=config.data_dir() / "downloads",
        mirror=mirror,                                  # --mirror, or None
        timeout=timeout,                                # --timeout SECONDS (optional)
    )
    for report in reports:
        print(report.summary())
    exit code: 1 if any(r.failed for r in reports) else 0

URL overrides (``SANCTIONS_URL_<DATASET>``, ``SANCTIONS_MIRROR``) and the mirror
layout are documented in :mod:`sanctions.sources.registry`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx

from sanctions.download import DEFAULT_RETRIES, DEFAULT_TIMEOUT, FetchResult, fetch_dataset
from sanctions.errors import ConfigError, SanctionsError
from sanctions.sources.registry import REGISTRY
from sanctions.store.gates import describe_blocked

__all__ = ["UpdateReport", "update_datasets"]

log = logging.getLogger(__name__)


class _Store(Protocol):
    """The part of :class:`sanctions.store.Store` the updater uses."""

    def load(
        self,
        path: str | Path,
        dataset: str | None = None,
        source_url: str | None = None,
        *,
        policy: Any = None,
    ) -> Any: ...

    def current_version(self, dataset: str) -> Any: ...


@dataclass
class UpdateReport:
    """What happened to one dataset during an update."""

    dataset: str
    status: str  # "loaded" | "unchanged" | "failed" | "held" | "older" | "rejected"
    fetch_status: str | None = None  # "downloaded" | "not_modified" | None (fetch failed)
    url: str | None = None
    path: Path | None = None
    bytes: int = 0
    version_id: int | None = None  # the current version after the update
    previous_version_id: int | None = None  # the current version before it
    entity_count: int | None = None
    added: int = 0
    removed: int = 0
    changed: int = 0
    error: str | None = None
    fetch_seconds: float = 0.0
    load_seconds: float = 0.0
    seq: int | None = None  # the stored version's number (held or older)
    current_seq: int | None = None  # the number of the version that stays current
    reasons: list[str] = field(default_factory=list)  # why held or older

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    @property
    def blocked(self) -> bool:
        """Stored but not made current (held, older) or rejected before: not done."""
        return self.status in ("held", "older", "rejected")

    @property
    def kept(self) -> str:
        """For a failure: ``last good version kept: <id or none>``."""
        return f"last good version kept: {self.previous_version_id or 'none'}"

    def summary(self) -> str:
        """One line for the CLI."""
        timing = f"fetch {self.fetch_seconds:.1f} s, load {self.load_seconds:.1f} s"
        if self.failed:
            return f"{self.dataset}: failed: {self.error}; {self.kept} ({timing})"
        if self.blocked:
            line = describe_blocked(
                self.dataset, self.status, self.seq or 0, self.current_seq, self.reasons
            )
            return f"{line} ({timing})"
        if self.status == "unchanged":
            how = "not modified" if self.fetch_status == "not_modified" else "same content"
            return (
                f"{self.dataset}: unchanged ({how}), version {self.version_id}, "
                f"{self.entity_count:,} entities ({timing})"
            )
        return (
            f"{self.dataset}: loaded version {self.version_id}: {self.entity_count:,} entities, "
            f"+{self.added} -{self.removed} ~{self.changed} ({timing})"
        )

    def to_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items()}
        data["path"] = str(self.path) if self.path else None
        data["blocked"] = self.blocked
        if self.failed:
            data["kept"] = self.kept
        return data


def _check_ids(dataset_ids: Iterable[str] | None) -> list[str]:
    ids = list(dataset_ids) if dataset_ids else list(REGISTRY)
    unknown = [d for d in ids if d not in REGISTRY]
    if unknown:
        raise ConfigError(
            f"unknown dataset{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}: "
            f"downloadable datasets are {', '.join(REGISTRY)}"
        )
    return list(dict.fromkeys(ids))


def update_datasets(
    store: _Store,
    dataset_ids: Iterable[str] | None,
    *,
    data_dir: str | Path,
    mirror: str | Path | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
    max_bytes: int | None = None,
    client: httpx.Client | None = None,
    on_report: Callable[[UpdateReport], None] | None = None,
    policy: Any = None,
    **fetch_options: Any,
) -> list[UpdateReport]:
    """Fetch and load each dataset (all of them when ``dataset_ids`` is empty).

    Unknown dataset ids raise :class:`ConfigError` before anything is fetched.
    ``on_report`` is called after each dataset (for progress output).
    ``fetch_options`` go to :func:`~sanctions.download.fetch_dataset` (``backoff``,
    ``max_retry_after``, ``conditional``). ``policy`` (a
    :class:`~sanctions.store.gates.GatePolicy`) overrides the gates' settings.
    """
    reports = []
    for dataset in _check_ids(dataset_ids):
        report = _update_one(
            store,
            dataset,
            Path(data_dir) / dataset,
            mirror=mirror,
            timeout=timeout,
            retries=retries,
            max_bytes=max_bytes,
            client=client,
            policy=policy,
            **fetch_options,
        )
        if report.failed:
            log.error("%s", report.summary())
        else:
            log.info("%s", report.summary())
        reports.append(report)
        if on_report is not None:
            on_report(report)
    return reports


def _update_one(
    store: _Store, dataset: str, dest: Path, policy: Any = None, **fetch_kwargs: Any
) -> UpdateReport:
    report = UpdateReport(dataset=dataset, status="failed")
    try:
        previous = store.current_version(dataset)
        report.previous_version_id = previous.id if previous is not None else None
    except SanctionsError as exc:
        report.error = f"cannot read the store: {exc}"
        return report

    started = time.monotonic()
    try:
        fetched: FetchResult = fetch_dataset(dataset, dest, **fetch_kwargs)
    except SanctionsError as exc:
        report.error = str(exc)
        return report
    except Exception as exc:  # a bug: report it, log the traceback, go on with the others
        log.exception("%s: unexpected error while fetching", dataset)
        report.error = f"unexpected error while fetching: {type(exc).__name__}: {exc}"
        return report
    finally:
        report.fetch_seconds = time.monotonic() - started
    report.fetch_status = fetched.status
    report.url = fetched.url
    report.path = fetched.path
    report.bytes = fetched.bytes

    started = time.monotonic()
    try:
        loaded = store.load(fetched.path, dataset=dataset, source_url=fetched.url, policy=policy)
    except SanctionsError as exc:
        report.error = f"load failed: {exc}"
        return report
    except Exception as exc:  # a bug: report it, log the traceback, go on with the others
        log.exception("%s: unexpected error while loading %s", dataset, fetched.path)
        report.error = f"unexpected error while loading: {type(exc).__name__}: {exc}"
        return report
    finally:
        report.load_seconds = time.monotonic() - started
    report.status = loaded.status
    report.version_id = loaded.version_id
    if loaded.blocked:  # the version that stays current, and the one stored aside
        report.version_id = loaded.current_version_id
        report.seq = loaded.seq
        report.current_seq = loaded.current_seq
        report.reasons = list(loaded.reasons)
    report.entity_count = loaded.entity_count
    report.added, report.removed, report.changed = loaded.added, loaded.removed, loaded.changed
    return report
