"""Fetching the official list files, safely: atomic, bounded, conditional, retried.

:func:`fetch_dataset` downloads a dataset's file (or its set of files) from the
location the registry resolves (official URL, environment override or mirror;
see :mod:`sanctions.sources.registry`) into ``dest_dir``:

* content is streamed to a temporary file in ``dest_dir`` and renamed into place
  only when complete, so the final name never holds a partial file; a set of
  files (OFAC's CSVs) is replaced as a whole or not at all;
* connect and read timeouts; retries with exponential backoff on connection
  errors, timeouts, 5xx and 429 (``Retry-After`` honoured up to a cap), never
  on other 4xx;
* a size limit checked against ``Content-Length`` and against the bytes that
  arrive; ``Content-Length`` is checked against what was received, so a server
  that drops the connection mid-transfer gives a :class:`DownloadError`;
* conditional requests: the ETag / Last-Modified of the last successful fetch
  (kept in ``dest_dir/state.json``, written atomically) are sent back as
  ``If-None-Match`` / ``If-Modified-Since``; a 304 gives
  ``status="not_modified"`` and leaves the file in place. Local files (a mirror
  folder) are compared by size and modification time instead.

Transport policy (fail closed):

* ``https`` only. Plain ``http`` is refused unless the host is the loopback
  (``127.0.0.1``, ``localhost``, ``::1``: a mirror on this machine, the tests)
  or the location is a mirror or URL override and ``allow_insecure_mirror`` is
  set (``sanctions update --allow-insecure-mirror``); an official URL never;
* redirects are followed by hand (at most :data:`MAX_REDIRECTS`), only to the
  same host and never from ``https`` to ``http``; an insecure mirror (above)
  may redirect anywhere;
* an overall deadline per file (``deadline`` seconds, retries included), not
  only per read, so a server that trickles bytes cannot hold an update forever;
* credentials in mirror URLs (``user:password@``, ``?token=``) are redacted
  (:mod:`sanctions.redact`) in errors, logs, reports, ``state.json`` and the
  source URL recorded in the store and its audit log.

Every failure is a :class:`~sanctions.errors.DownloadError` naming the dataset,
the URL and the reason; httpx exceptions are translated here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import email.utils
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from sanctions import __version__
from sanctions.errors import DownloadError, SourceError, UnknownFormatError
from sanctions.redact import RedactingFilter, redact_text, redact_url
from sanctions.sources import detect_format, list_formats
from sanctions.sources.base import max_file_size, sniff
from sanctions.sources.registry import (
    REGISTRY,
    DatasetSource,
    ResolvedFile,
    get_source,
    is_remote,
    local_path,
    resolve_files,
)

__all__ = [
    "USER_AGENT",
    "STATE_FILE",
    "FetchResult",
    "fetch_dataset",
    "read_state",
    "dataset_path",
]

log = logging.getLogger(__name__)
# httpx logs every request's full URL at INFO (`sanctions -v`): mirror credentials included.
_httpx_log = logging.getLogger("httpx")
if not any(isinstance(f, RedactingFilter) for f in _httpx_log.filters):
    _httpx_log.addFilter(RedactingFilter())

# Placeholder until the repository's public address is settled: change it here only.
PROJECT_URL = "https://github.com/sanctions-screening/sanctions"
USER_AGENT = f"sanctions/{__version__} (+{PROJECT_URL})"
STATE_FILE = "state.json"
LOCK_FILE = ".lock"
CHUNK_SIZE = 64 * 1024
DEFAULT_TIMEOUT = 60.0
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF = 1.0
DEFAULT_MAX_RETRY_AFTER = 120.0
DEFAULT_DEADLINE = 1800.0  # seconds per file, retries included
MAX_REDIRECTS = 5
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_OFFICIAL = frozenset(f.url for s in REGISTRY.values() for f in s.files)
_sleep = time.sleep  # the tests replace this to observe backoff without waiting


@dataclass
class FetchResult:
    """What a fetch did: ``downloaded`` a new file, or found it ``not_modified``."""

    dataset: str
    status: str  # "downloaded" | "not_modified"
    path: Path  # the file (or, for a set, the folder) to load
    urls: tuple[str, ...]
    bytes: int  # bytes written by this fetch (0 when not modified)
    elapsed: float  # seconds
    files: dict[str, str] = field(default_factory=dict)  # file name -> "downloaded"|"not_modified"

    @property
    def url(self) -> str:
        """The source URL to record: the file's, or a set's primary (first) file's."""
        return self.urls[0]


@dataclass
class _Options:
    dataset: str
    timeout: float
    retries: int
    backoff: float
    max_retry_after: float
    max_bytes: int
    deadline: float = DEFAULT_DEADLINE
    allow_insecure_mirror: bool = False
    expires: float = float("inf")  # time.monotonic() after which this file's fetch fails


@dataclass
class _Outcome:
    name: str
    location: str
    status: str  # "downloaded" | "not_modified"
    tmp: Path | None = None
    bytes: int = 0
    sha256: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    local_stamp: str | None = None  # "size:mtime_ns" of a local source file


class _Retryable(Exception):
    """A transient failure: connection, timeout, 5xx, 429."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


# -- state --------------------------------------------------------------------


def read_state(state_path: Path) -> dict[str, Any]:
    """The fetch state (validators of the last successful fetches); empty if absent."""
    try:
        data = json.loads(state_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"datasets": {}}
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable download state %s: %s", state_path, exc)
        return {"datasets": {}}
    if not isinstance(data, dict) or not isinstance(data.get("datasets"), dict):
        log.warning("ignoring download state %s: unexpected shape", state_path)
        return {"datasets": {}}
    return data


def _write_state(state_path: Path, data: dict[str, Any]) -> None:
    state_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=state_path.parent, prefix=f".{state_path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2, sort_keys=True)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, state_path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def dataset_path(dataset_id: str, dest_dir: str | Path) -> Path:
    """Where a dataset's file (or set folder) lives in ``dest_dir``."""
    source = get_source(dataset_id)
    name = source.folder if source.folder else source.files[0].name
    return Path(dest_dir) / name


# -- the public entry point -----------------------------------------------------


def fetch_dataset(
    dataset_id: str,
    dest_dir: str | Path,
    *,
    mirror: str | Path | None = None,
    state: str | Path | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
    max_bytes: int | None = None,
    client: httpx.Client | None = None,
    backoff: float = DEFAULT_BACKOFF,
    max_retry_after: float = DEFAULT_MAX_RETRY_AFTER,
    conditional: bool = True,
    deadline: float = DEFAULT_DEADLINE,
    allow_insecure_mirror: bool = False,
) -> FetchResult:
    """Fetch a dataset's current file(s) into ``dest_dir``; see the module docstring.

    ``state`` is the state file (default ``dest_dir/state.json``); ``timeout``
    the connect and read timeout in seconds; ``retries`` the number of retries
    after the first attempt; ``max_bytes`` the size limit per file (default
    ``SANCTIONS_MAX_FILE_SIZE``); ``conditional=False`` ignores the validators
    of the previous fetch; ``deadline`` the most seconds one file may take, retries
    included; ``allow_insecure_mirror`` lets a mirror or URL override use plain
    http and redirect to other hosts (see the module docstring). Raises
    :class:`DownloadError`.
    """
    started = time.monotonic()
    source = get_source(dataset_id)
    dest = Path(dest_dir)
    dest.mkdir(parents=True, exist_ok=True)
    state_path = Path(state) if state else dest / STATE_FILE
    final = dataset_path(dataset_id, dest)
    resolved = resolve_files(dataset_id, mirror=mirror)
    opts = _Options(
        dataset=dataset_id,
        timeout=timeout,
        retries=max(0, retries),
        backoff=backoff,
        max_retry_after=max_retry_after,
        max_bytes=max_file_size() if max_bytes is None else max_bytes,
        deadline=deadline,
        allow_insecure_mirror=allow_insecure_mirror,
    )
    for item in resolved:
        _check_transport(item, opts)
    with _locked(dest):
        outcomes = _fetch_locked(
            source, dest, final, state_path, resolved, client, opts, conditional
        )
    all_same = all(o.status == "not_modified" for o in outcomes)
    urls = tuple(_display(o.location) for o in outcomes)
    result = FetchResult(
        dataset=dataset_id,
        status="not_modified" if all_same else "downloaded",
        path=final,
        urls=urls,
        bytes=sum(o.bytes for o in outcomes),
        elapsed=time.monotonic() - started,
        files={o.name: o.status for o in outcomes},
    )
    log.info(
        "%s: %s %s (%s bytes, %.2f s)",
        dataset_id,
        result.status,
        ", ".join(urls),
        f"{result.bytes:,}",
        result.elapsed,
    )
    return result


def _fetch_locked(
    source: DatasetSource,
    dest: Path,
    final: Path,
    state_path: Path,
    resolved: list[ResolvedFile],
    client: httpx.Client | None,
    opts: _Options,
    conditional: bool,
) -> list[_Outcome]:
    """Fetch every file, install the result if anything changed, record the state."""
    _clean_leftovers(dest, final, [item.name for item in resolved])
    data = read_state(state_path)
    previous = data["datasets"].get(source.id, {}).get("files", {}) if conditional else {}
    outcomes: list[_Outcome] = []
    try:
        with _client(client, opts.timeout, resolved) as http:
            for item in resolved:
                existing = final / item.name if source.is_set else final
                prior = previous.get(item.name)
                if (
                    not existing.is_file()
                    or not prior
                    or prior.get("location") != _safe(item.location)
                ):
                    prior = None
                outcomes.append(_fetch_one(http, item, dest, prior, opts))
        changed = any(o.status != "not_modified" for o in outcomes)
        if changed and source.is_set:
            _install_set(final, outcomes, lambda path: _check_content(path, source, resolved))
        elif changed:
            tmp = outcomes[0].tmp
            assert tmp is not None
            _check_content(tmp, source, resolved)
            os.replace(tmp, final)
            outcomes[0].tmp = None
    finally:
        for outcome in outcomes:
            if outcome.tmp is not None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(outcome.tmp)
    _record(state_path, source.id, outcomes, changed=changed)
    return outcomes


@contextlib.contextmanager
def _client(
    client: httpx.Client | None, timeout: float, resolved: list[ResolvedFile]
) -> Iterator[httpx.Client | None]:
    if client is not None:
        yield client
        return
    if not any(is_remote(r.location) for r in resolved):
        yield None
        return
    with httpx.Client(
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,  # followed by hand, with the checks of _redirect_target
        headers={"User-Agent": USER_AGENT},
    ) as http:
        yield http


def _safe(location: str) -> str:
    """A location fit to show and record: an official URL as is, others redacted."""
    return location if location in _OFFICIAL else redact_url(location)


def _display(location: str) -> str:
    """A URL for reports: http(s) redacted, local paths as ``file://`` URLs."""
    if is_remote(location) or location.lower().startswith("file://"):
        return _safe(location)
    return local_path(location).resolve().as_uri()


def _is_insecure_allowed(origin: str, opts: _Options) -> bool:
    return opts.allow_insecure_mirror and origin in ("mirror", "env")


def _check_transport(item: ResolvedFile, opts: _Options) -> None:
    """Refuse plain http (except on the loopback, or a mirror explicitly allowed)."""
    if not is_remote(item.location):
        return
    parts = urlsplit(item.location)
    if parts.scheme.lower() == "https" or (parts.hostname or "") in LOOPBACK_HOSTS:
        return
    if _is_insecure_allowed(item.origin, opts):
        log.warning("%s: fetching over plain http from %s", opts.dataset, _safe(item.location))
        return
    hint = (
        "an official URL is always fetched over https"
        if item.origin == "official"
        else "use https, or pass --allow-insecure-mirror for a mirror you trust"
    )
    raise DownloadError(f"plain http refused ({hint})", opts.dataset, _safe(item.location))


def _redirect_target(response: httpx.Response, item: ResolvedFile, opts: _Options) -> str:
    """Where a redirect leads, if allowed: same host, never https -> http."""
    current = str(response.request.url)
    target = str(response.request.url.join(response.headers["Location"]))  # is_redirect: set
    old, new = urlsplit(current), urlsplit(target)
    if new.scheme.lower() not in ("http", "https"):
        problem = f"to a {new.scheme or 'relative'} URL"
    elif _is_insecure_allowed(item.origin, opts):
        return target
    elif (new.hostname or "").lower() != (old.hostname or "").lower():
        problem = "to another host"
    elif old.scheme.lower() == "https" and new.scheme.lower() == "http":
        problem = "from https to plain http"
    else:
        return target
    raise DownloadError(
        f"redirect {problem} refused: {redact_url(target)}", opts.dataset, _safe(current)
    )


def _record(state_path: Path, dataset_id: str, outcomes: list[_Outcome], changed: bool) -> None:
    data = read_state(state_path)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    entry = data["datasets"].setdefault(dataset_id, {})
    old_files = entry.get("files", {})
    files = {}
    for o in outcomes:
        if o.status == "not_modified":
            info = dict(old_files.get(o.name, {}))
        else:
            info = {
                "location": _safe(o.location),
                "bytes": o.bytes,
                "sha256": o.sha256,
                "fetched_at": now,
            }
            for key in ("etag", "last_modified", "local_stamp"):
                if getattr(o, key):
                    info[key] = getattr(o, key)
        info["checked_at"] = now
        files[o.name] = info
    entry["files"] = files
    entry["checked_at"] = now
    if changed:
        entry["fetched_at"] = now
    _write_state(state_path, data)


@contextlib.contextmanager
def _locked(dest: Path) -> Iterator[None]:
    """Serialise fetches into one folder between processes (POSIX advisory lock)."""
    try:
        import fcntl
    except ImportError:  # Windows: no cross-process lock; temp names still never clash
        yield
        return
    with open(dest / LOCK_FILE, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _clean_leftovers(dest: Path, final: Path, names: list[str]) -> None:
    """Remove temporary files a killed fetch left; restore a set folder left mid-swap."""
    prefixes = tuple(f".{n}." for n in [*names, final.name, STATE_FILE])
    for entry in dest.iterdir():
        if not entry.name.startswith(prefixes):
            continue
        if entry.is_dir():
            orphan = entry / final.name
            if entry.name.endswith(".old") and orphan.is_dir() and not final.exists():
                log.warning("restoring %s left behind by an interrupted fetch", final)
                os.replace(orphan, final)
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.name.endswith((".part", ".tmp")):
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()


def _check_content(path: Path, source: DatasetSource, resolved: list[ResolvedFile]) -> None:
    """Refuse content no parser recognises (an HTML error page served with 200, say).

    A recognised format other than the expected one is accepted with a warning
    (an override may point at another published variant, e.g. the EU CSV).
    The check is skipped while the dataset's own parser is not available.
    """
    where = _display(resolved[0].location) if len(resolved) == 1 else None
    try:
        found = detect_format(path).name
    except UnknownFormatError:
        if source.format not in {f.name for f in list_formats()}:
            log.warning(
                "%s: no %s parser available to check the download", source.id, source.format
            )
            return
        head = sniff(path, 80) if path.is_file() else b""
        raise DownloadError(
            f"the content is not a list file this tool reads (expected {source.format}; "
            f"starts with {head!r})",
            source.id,
            where,
        ) from None
    except SourceError as exc:
        raise DownloadError(f"the content is unusable: {exc.message}", source.id, where) from exc
    if found != source.format:
        log.warning("%s: expected %s content, got %s", source.id, source.format, found)


def _install_set(final: Path, outcomes: list[_Outcome], check: Callable[[Path], None]) -> None:
    """Replace a set's folder by a complete new one (unchanged files copied over)."""
    staging = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.", suffix=".new"))
    try:
        for o in outcomes:
            if o.tmp is not None:
                os.replace(o.tmp, staging / o.name)
                o.tmp = None
            else:
                shutil.copy2(final / o.name, staging / o.name)
        check(staging)
        if final.exists():
            old = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.", suffix=".old"))
            os.replace(final, old / final.name)
            try:
                os.replace(staging, final)
            except BaseException:
                os.replace(old / final.name, final)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, final)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


# -- one file -------------------------------------------------------------------


def _fetch_one(
    http: httpx.Client | None,
    item: ResolvedFile,
    dest: Path,
    prior: dict[str, Any] | None,
    opts: _Options,
) -> _Outcome:
    if not is_remote(item.location):
        return _copy_local(item, dest, prior, opts)
    assert http is not None
    opts = dataclasses.replace(opts, expires=time.monotonic() + opts.deadline)
    fail = _failer(opts.dataset, item.location)
    attempt = 0
    while True:
        try:
            return _get(http, item, dest, prior, opts)
        except _Retryable as exc:
            tries = f" (after {attempt + 1} attempts)" if attempt else ""
            if attempt >= opts.retries:
                raise fail(exc.reason + tries) from exc
            delay = opts.backoff * 2**attempt
            if exc.retry_after is not None:
                delay = exc.retry_after
            delay = min(delay, opts.max_retry_after)
            if time.monotonic() + delay >= opts.expires:
                raise fail(f"{exc.reason}{tries}; no time left to retry {_deadline(opts)}") from exc
            log.warning(
                "%s %s: %s; retrying in %.1f s",
                opts.dataset,
                _safe(item.location),
                redact_text(exc.reason, item.location),
                delay,
            )
            _sleep(delay)
            attempt += 1


def _deadline(opts: _Options) -> str:
    return f"within the deadline of {opts.deadline:g} s per file"


def _remaining(opts: _Options, fail: Any) -> float:
    """Seconds left before this file's deadline; fails when none are."""
    left = opts.expires - time.monotonic()
    if left <= 0:
        raise fail(f"not complete {_deadline(opts)}")
    return left


def _get(
    http: httpx.Client, item: ResolvedFile, dest: Path, prior: dict[str, Any] | None, opts: _Options
) -> _Outcome:
    headers = {}
    if http.headers.get("User-Agent", "").startswith("python-httpx"):
        headers["User-Agent"] = USER_AGENT
    if prior and prior.get("etag"):
        headers["If-None-Match"] = prior["etag"]
    if prior and prior.get("last_modified"):
        headers["If-Modified-Since"] = prior["last_modified"]
    fail = _failer(opts.dataset, item.location)
    url = item.location
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            timeout = httpx.Timeout(min(opts.timeout, _remaining(opts, fail)))
            with http.stream(
                "GET", url, headers=headers, timeout=timeout, follow_redirects=False
            ) as response:
                if not response.has_redirect_location:
                    return _receive(response, item, dest, prior, opts)
                url = _redirect_target(response, item, opts)
        raise fail(f"more than {MAX_REDIRECTS} redirects")
    except httpx.TimeoutException as exc:
        raise _Retryable(f"timed out ({_timeout_kind(exc)}, limit {opts.timeout:g} s)") from exc
    except httpx.TransportError as exc:
        raise _Retryable(f"connection failed: {exc or type(exc).__name__}") from exc
    except httpx.HTTPError as exc:
        raise fail(f"{type(exc).__name__}: {exc}") from exc


def _timeout_kind(exc: httpx.TimeoutException) -> str:
    return {
        httpx.ConnectTimeout: "no connection",
        httpx.ReadTimeout: "no data",
        httpx.WriteTimeout: "cannot send",
        httpx.PoolTimeout: "no free connection",
    }.get(type(exc), "timeout")


def _failer(dataset: str, url: str) -> Any:
    def fail(reason: str) -> DownloadError:
        return DownloadError(redact_text(reason, url), dataset, _safe(url))

    return fail


def _receive(
    response: httpx.Response,
    item: ResolvedFile,
    dest: Path,
    prior: dict[str, Any] | None,
    opts: _Options,
) -> _Outcome:
    fail = _failer(opts.dataset, item.location)
    code = response.status_code
    if code == 304:
        if prior is None:
            raise fail("server answered 304 Not Modified to an unconditional request")
        return _Outcome(item.name, item.location, "not_modified")
    if code == 429 or code >= 500:
        raise _Retryable(
            f"HTTP {code} {response.reason_phrase}".strip(),
            _retry_after(response.headers.get("Retry-After")),
        )
    if code != 200:
        raise fail(f"HTTP {code} {response.reason_phrase}".strip())
    length = _content_length(response)
    if length is not None and length > opts.max_bytes:
        raise fail(
            f"file is {length:,} bytes, over the limit of {opts.max_bytes:,} bytes "
            "(set SANCTIONS_MAX_FILE_SIZE to raise it)"
        )
    fd, tmp_name = tempfile.mkstemp(dir=dest, prefix=f".{item.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        written, digest = _stream_to(fd, response, opts, fail, length)
        received = response.num_bytes_downloaded
        if length is not None and received != length:
            raise _Retryable(f"connection closed after {received:,} of {length:,} bytes")
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return _Outcome(
        item.name,
        item.location,
        "downloaded",
        tmp=tmp,
        bytes=written,
        sha256=digest,
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
    )


def _stream_to(
    fd: int, response: httpx.Response, opts: _Options, fail: Any, length: int | None
) -> tuple[int, str]:
    """Write the body to ``fd``; returns (bytes written, sha256)."""
    digest = hashlib.sha256()
    written = 0
    with os.fdopen(fd, "wb") as out:
        try:
            for chunk in response.iter_bytes():  # as it arrives: the deadline is checked often
                if time.monotonic() > opts.expires:
                    raise fail(
                        f"not complete {_deadline(opts)} ({written:,} bytes received; "
                        "the server is too slow)"
                    )
                written += len(chunk)
                if written > opts.max_bytes:
                    raise fail(
                        f"more than {opts.max_bytes:,} bytes received, over the limit "
                        "(set SANCTIONS_MAX_FILE_SIZE to raise it)"
                    )
                digest.update(chunk)
                out.write(chunk)
        except httpx.TransportError as exc:
            got = response.num_bytes_downloaded
            of = f" of {length:,}" if length is not None else ""
            if isinstance(exc, httpx.TimeoutException):
                reason = f"timed out after {got:,}{of} bytes (no data for {opts.timeout:g} s)"
            else:
                reason = f"connection closed after {got:,}{of} bytes"
            raise _Retryable(reason) from exc
        except httpx.HTTPError as exc:
            raise fail(f"{type(exc).__name__}: {exc}") from exc
        out.flush()
        os.fsync(out.fileno())
    return written, digest.hexdigest()


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("Content-Length")
    if value is None:
        return None
    try:
        length = int(value.strip())
    except ValueError:
        return None
    return length if length >= 0 else None


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


# -- local files (mirror folders, file:// overrides) ------------------------------


def _copy_local(
    item: ResolvedFile, dest: Path, prior: dict[str, Any] | None, opts: _Options
) -> _Outcome:
    fail = _failer(opts.dataset, item.location)
    src = local_path(item.location)
    try:
        stat = src.stat()
    except FileNotFoundError:
        raise fail("no such file") from None
    except OSError as exc:
        raise fail(f"cannot read: {exc.strerror or exc}") from exc
    if not src.is_file():
        raise fail("not a file")
    if stat.st_size > opts.max_bytes:
        raise fail(
            f"file is {stat.st_size:,} bytes, over the limit of {opts.max_bytes:,} bytes "
            "(set SANCTIONS_MAX_FILE_SIZE to raise it)"
        )
    stamp = f"{stat.st_size}:{stat.st_mtime_ns}"
    if prior and prior.get("local_stamp") == stamp:
        return _Outcome(item.name, item.location, "not_modified")
    fd, tmp_name = tempfile.mkstemp(dir=dest, prefix=f".{item.name}.", suffix=".part")
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    written = 0
    try:
        with open(src, "rb") as inp, os.fdopen(fd, "wb") as out:
            while chunk := inp.read(CHUNK_SIZE * 16):
                written += len(chunk)
                if written > opts.max_bytes:
                    raise fail(f"more than {opts.max_bytes:,} bytes, over the limit")
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise fail(f"cannot copy: {exc.strerror or exc}") from exc
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return _Outcome(
        item.name,
        item.location,
        "downloaded",
        tmp=tmp,
        bytes=written,
        sha256=digest.hexdigest(),
        local_stamp=stamp,
    )
