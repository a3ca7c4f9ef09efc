"""Background screening of an uploaded customer file, with progress and a result file.

A job lives in its own folder (``SANCTIONS_WEB_JOBS_DIR``, default a private
folder under the system's temporary directory; deleted after a week): the upload, ``status.json``
(state, rows done of rows, the summary or the error), the results CSV and the
rows that could not be screened. Every uvicorn worker reads the same folder, so
the progress page works whichever worker answers. A job belongs to the key that
started it: another key gets 404.

The file is checked before the job starts (UTF-8 text, a name column, at least
one row): a bad file is a message on the page and no job at all. Screening
itself is :func:`sanctions.screening.batch.screen_file` on the server's
screening thread (the index is not thread-safe), one audited run.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sanctions.errors import SanctionsError
from sanctions.screening.batch import ColumnMap, inspect_file, screen_file
from sanctions.screening.tabular import ReadOptions

__all__ = ["Job", "JobStore", "UploadError"]

JOB_ID_CHARS = 22
KEEP_SECONDS = 7 * 24 * 3600  # a finished job's files are deleted after a week
STALE_SECONDS = 600  # a job with no progress for this long was interrupted (a restart)


class UploadError(SanctionsError):
    """An uploaded file that cannot be screened (said on the page; no job is made)."""


@dataclass
class Job:
    id: str
    key_id: int | None
    filename: str
    created_at: str
    rows: int
    columns: dict[str, str] = field(default_factory=dict)
    state: str = "queued"  # queued, running, done, failed
    done: int = 0
    summary: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def percent(self) -> int:
        if self.state == "done":
            return 100
        return int(100 * self.done / self.rows) if self.rows else 0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "percent": self.percent}


class JobStore:
    """The jobs folder: create, read, update and run jobs."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def from_env(cls) -> JobStore:
        raw = os.environ.get("SANCTIONS_WEB_JOBS_DIR", "").strip()
        folder = Path(raw) if raw else Path(tempfile.gettempdir()) / f"sanctions-web-{os.getuid()}"
        return cls(folder)

    def _dir(self, job_id: str) -> Path:
        if len(job_id) != JOB_ID_CHARS or not job_id.replace("-", "").replace("_", "").isalnum():
            raise UploadError(f"no such job: {job_id!r}")
        return self.folder / job_id

    def create(self, key_id: int | None, filename: str, data: bytes) -> Job:
        """Check the upload and make a queued job of it, or raise :class:`UploadError`."""
        name = Path(filename or "upload.csv").name[:100] or "upload.csv"
        if not data.strip():
            raise UploadError(f"{name}: the file is empty.")
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UploadError(
                f"{name}: not UTF-8 text (byte {exc.start}): save the file as CSV UTF-8 and retry."
            ) from None
        self.prune()
        job_id = secrets.token_urlsafe(16)
        folder = self._dir(job_id)
        folder.mkdir(parents=True, mode=0o700)
        source = folder / "input.csv"
        source.write_bytes(data)
        try:
            plan = inspect_file(source, ColumnMap(), ReadOptions(encoding="utf-8-sig"))
        except SanctionsError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            raise UploadError(f"{name}: {exc}") from None
        if plan.rows == 0:
            shutil.rmtree(folder, ignore_errors=True)
            raise UploadError(f"{name}: the file has a header but no rows.")
        job = Job(
            id=job_id,
            key_id=key_id,
            filename=name,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            rows=plan.rows,
            columns=dict(plan.columns.props),
        )
        self.save(job)
        return job

    def save(self, job: Job) -> None:
        folder = self._dir(job.id)
        tmp = folder / "status.json.tmp"
        tmp.write_text(json.dumps(job.to_dict()), encoding="utf-8")
        tmp.replace(folder / "status.json")  # atomic: a reader never sees half a status

    def get(self, job_id: str, key_id: int | None) -> Job | None:
        """The job if it exists and belongs to this key."""
        try:
            path = self._dir(job_id) / "status.json"
        except UploadError:
            return None
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        data.pop("percent", None)
        job = Job(**data)
        if job.key_id != key_id:
            return None
        if (
            job.state in ("queued", "running")
            and time.time() - path.stat().st_mtime > STALE_SECONDS
        ):
            job.state = "failed"
            job.error = "interrupted: no progress for 10 minutes (was the server restarted?)"
        return job

    def prune(self) -> None:
        """Delete the folders of jobs older than a week."""
        if not self.folder.exists():
            return
        limit = time.time() - KEEP_SECONDS
        for folder in self.folder.iterdir():
            status = folder / "status.json"
            if folder.is_dir() and status.exists() and status.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)

    def results_path(self, job: Job) -> Path:
        return self._dir(job.id) / "results.csv"

    def errors_path(self, job: Job) -> Path:
        return self._dir(job.id) / "errors.txt"

    def run(self, job: Job, screener: Any, actor: str | None = None) -> Job:
        """Screen the job's file (blocking: call it on the screening thread)."""
        job.state = "running"
        self.save(job)

        def progress(rows: int) -> None:
            job.done = min(job.rows, job.done + rows)
            self.save(job)

        try:
            summary = screen_file(
                screener,
                self._dir(job.id) / "input.csv",
                self.results_path(job),
                self.errors_path(job),
                workers=1,
                progress=progress,
                read_options=ReadOptions(encoding="utf-8-sig"),
                actor=actor,
            )
        except SanctionsError as exc:
            job.state, job.error = "failed", str(exc)
            self.results_path(job).unlink(missing_ok=True)
        except Exception as exc:
            job.state, job.error = "failed", f"internal error ({exc.__class__.__name__})"
            self.results_path(job).unlink(missing_ok=True)
            self.save(job)
            raise
        else:
            job.state, job.done, job.summary = "done", job.rows, summary.to_dict()
            job.summary.pop("meta_path", None)
        self.save(job)
        return job
