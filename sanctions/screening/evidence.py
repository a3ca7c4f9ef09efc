"""Evidence of a screening run: what was screened, against which list versions, how.

Every screening run (``screen``, ``screen --file``, ``match``, the API's ``/match``,
a watch run) is written to the audit log as one ``screening.run`` entry whose
subject is ``screening:<run id>`` and whose details are :meth:`RunEvidence.to_dict`:
the input's SHA-256 and row count, the list versions (dataset -> version id,
sequence number, content hash, publication date, source file), the threshold,
cutoff and limit, the algorithm's name and version, the actor and the time.
A results file carries the same object in a sidecar ``<out>.meta.json``.

``sanctions audit show RUN`` reads the entry back (:func:`find_run`), so a run's
context can be reproduced years later from the hash-chained log alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from sanctions import audit
from sanctions.errors import SanctionsError
from sanctions.matching import ALGORITHM, ALGORITHM_VERSION
from sanctions.store import Store
from sanctions.store import hash_path as file_sha256  # a file's SHA-256, read in blocks

__all__ = [
    "RUN_ACTION",
    "RunEvidence",
    "canonical_sha256",
    "file_sha256",
    "find_run",
    "list_versions",
    "new_run_id",
    "record_run",
    "sidecar_path",
    "write_sidecar",
]

RUN_ACTION = "screening.run"
SIDECAR_SUFFIX = ".meta.json"


def new_run_id() -> str:
    """A fresh run id (``scr-`` and 16 hex digits): unique, and short enough to type."""
    return f"scr-{uuid.uuid4().hex[:16]}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def canonical_sha256(data: Any) -> str:
    """The SHA-256 of a JSON value in canonical form (sorted keys, no spaces)."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def list_versions(versions: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """Dataset -> the identity of the version screened against (id, seq, hash, dates, file)."""
    out: dict[str, dict[str, Any]] = {}
    for v in sorted(versions, key=lambda v: v.dataset):
        out[v.dataset] = {
            "version_id": v.id,
            "seq": v.seq,
            "content_hash": v.content_hash,
            "published": v.published,
            "loaded_at": v.loaded_at,
            "source_file": v.source_file,
            "entity_count": v.entity_count,
        }
    return out


@dataclass
class RunEvidence:
    """The context of one screening run, as audited and as written beside its results."""

    kind: str  # screen | screen-file | match | api-match | watch-run
    threshold: float
    list_versions: dict[str, dict[str, Any]]
    run_id: str = field(default_factory=new_run_id)
    actor: str = field(default_factory=audit.current_actor)
    started_at: str = field(default_factory=_now)
    finished_at: str | None = None
    input_name: str | None = None
    input_sha256: str | None = None
    rows: int = 0
    screened: int = 0
    matched: int = 0
    errors: int = 0
    cutoff: float | None = None
    limit: int | None = None
    algorithm: dict[str, str] = field(
        default_factory=lambda: {"name": ALGORITHM, "version": ALGORITHM_VERSION}
    )
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def subject(self) -> str:
        return f"screening:{self.run_id}"

    def finish(self) -> RunEvidence:
        self.finished_at = _now()
        return self

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["list_versions"] = {k: dict(v) for k, v in self.list_versions.items()}
        extra = data.pop("extra")
        data.update(extra)
        return data

    def columns(self) -> dict[str, str]:
        """The cheap per-row columns of a results file: run id and list versions."""
        versions = ";".join(
            f"{dataset}@{v['seq']}:{str(v['content_hash'])[:12]}"
            for dataset, v in self.list_versions.items()
        )
        return {"run_id": self.run_id, "list_versions": versions}


def record_run(store: Store, evidence: RunEvidence) -> audit.AuditEntry:
    """Write the run's ``screening.run`` entry to the audit log (its own transaction)."""
    if evidence.finished_at is None:
        evidence.finish()
    with store.begin() as conn:
        return audit.append(conn, evidence.actor, RUN_ACTION, evidence.subject, evidence.to_dict())


def sidecar_path(out: Path) -> Path:
    """Where the evidence of a results file goes: ``<out>.meta.json`` beside it."""
    return out.with_name(out.name + SIDECAR_SUFFIX)


def write_sidecar(out: Path, evidence: RunEvidence, entry: audit.AuditEntry | None = None) -> Path:
    """Write the evidence beside a results file (atomically); returns the sidecar's path."""
    data = evidence.to_dict()
    data["results_file"] = out.name
    data["results_sha256"] = file_sha256(out) if out.exists() else None
    if entry is not None:
        data["audit_entry"] = {"id": entry.id, "hash": entry.hash}
    path = sidecar_path(out)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    os.replace(tmp, path)
    return path


def _details(row: Mapping[str, Any]) -> dict[str, Any]:
    details = json.loads(row["details"])
    return {
        "audit_entry": {"id": row["id"], "at": row["at"], "hash": row["hash"]},
        "action": row["action"],
        "subject": row["subject"],
        "actor": row["actor"],
        **details,
    }


def find_run(engine: Engine, ref: str) -> dict[str, Any]:
    """The audited context of a run: ``scr-...`` (or ``screening:scr-...``), or a watch run
    (``run:N`` or ``N``). Raises :class:`SanctionsError` when the log has no such run."""
    ref = ref.strip()
    if ref.isdigit():
        subjects = [f"run:{ref}"]
    elif ref.startswith(("run:", "screening:")):
        subjects = [ref]
    else:
        subjects = [f"screening:{ref}"]
    log = audit.audit_log
    query = (
        select(log)
        .where(log.c.subject.in_(subjects))
        .where(log.c.action.in_([RUN_ACTION, "run.completed"]))
        .order_by(log.c.id)
    )
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    if not rows:
        raise SanctionsError(
            f"no screening run {ref!r} in the audit log (run ids look like scr-0123abcd..., "
            "or a watch run's number)"
        )
    return _details(rows[-1])
