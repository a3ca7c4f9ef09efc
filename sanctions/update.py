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

:class:`UpdateJob` is the one update that ``sanctions update`` and ``POST /updatez``
run: fetch -> gates -> apply or hold -> announce -> re-screen::

    job = UpdateJob(datasets or None, mirror=mirror, rescreen=True)  # unknown ids raise here
    outcome = job.run(store, on_report=print_progress, announce=holder.wake)
    exit code: 1 if not outcome.ok else 0      # a failed, held, older or rejected list

New versions are announced to PostgreSQL listeners by the store itself (a trigger);
``announce`` is for the caller's own cache (the API's index), called even when a
dataset failed. The re-screen (a delta run of the watched records, resolving the
clusters first when the lists were resolved before) never closes an alert because of a
version the gates kept aside: that version is not current.

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

from sanctions import config
from sanctions.coordination import ever_resolved
from sanctions.download import DEFAULT_RETRIES, DEFAULT_TIMEOUT, FetchResult, fetch_dataset
from sanctions.errors import ConfigError, SanctionsError
from sanctions.sources.registry import REGISTRY
from sanctions.store.gates import describe_blocked
from sanctions.watch import RunReport, Watch

__all__ = ["UpdateJob", "UpdateOutcome", "UpdateReport", "update_datasets"]

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


@dataclass
class UpdateOutcome:
    """The reports of one :class:`UpdateJob` and its re-screening run (if asked for)."""

    reports: list[UpdateReport]
    rescreen: RunReport | None = None

    @property
    def ok(self) -> bool:
        """Every dataset loaded or unchanged (none failed, held, older or rejected)."""
        return not any(r.failed or r.blocked for r in self.reports)

    def to_dict(self) -> dict[str, Any]:
        run = self.rescreen.to_dict() if self.rescreen is not None else None
        return {"reports": [r.to_dict() for r in self.reports], "rescreen": run}


@dataclass
class UpdateJob:
    """One update, as the CLI and the API run it: fetch each list, load it through the
    gates (a failed list keeps its last good version; a held or older one is stored
    aside, never current), announce, then re-screen the watched records if asked.

    ``datasets`` (None: all) are checked when the job is made: an unknown id raises
    :class:`ConfigError` before anything is fetched. ``fetch_options`` go to
    :func:`~sanctions.download.fetch_dataset` (``timeout``, ``retries``, ``deadline``,
    ``allow_insecure_mirror``...); ``policy`` overrides the gates' settings; ``actor``
    is the audit actor of the re-screen (default: the process's user).
    """

    datasets: list[str] | None = None
    mirror: str | Path | None = None
    data_dir: Path | None = None  # default: <data dir>/downloads
    policy: Any = None
    rescreen: bool = False
    actor: str | None = None
    fetch_options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.datasets = _check_ids(self.datasets) if self.datasets else None

    def run(
        self,
        store: Any,
        on_report: Callable[[UpdateReport], None] | None = None,
        announce: Callable[[], None] | None = None,
    ) -> UpdateOutcome:
        """Update ``store``; ``on_report`` after each dataset, ``announce`` once the
        loads are done (also after an error), then the re-screen."""
        try:
            reports = update_datasets(
                store,
                self.datasets,
                data_dir=self.data_dir or config.data_dir() / "downloads",
                mirror=self.mirror,
                on_report=on_report,
                policy=self.policy,
                **self.fetch_options,
            )
        finally:
            if announce is not None:
                announce()
        outcome = UpdateOutcome(reports)
        if self.rescreen:
            outcome.rescreen = _rescreen(store, self.actor)
        return outcome


def _rescreen(store: Any, actor: str | None) -> RunReport:
    """A delta run of the watched records; alerts are per subject once the lists were
    resolved, so the clusters are brought up to date first (as ``rescreen --resolve``)."""
    return Watch(store, actor=actor).rescreen(resolve=ever_resolved(store))
