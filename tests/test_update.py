"""``update_datasets`` end to end: a local HTTP server, the real files, a real store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sanctions import download
from sanctions.errors import ConfigError
from sanctions.store import Store
from sanctions.update import UpdateJob, UpdateReport, update_datasets
from tests.test_download import UN_FILE, ListServer, Route, running_server

UN_PATH = "/m/un_sc_sanctions/consolidated.xml"


@pytest.fixture
def server() -> Iterator[ListServer]:
    with running_server() as srv:
        yield srv


@pytest.fixture
def no_wait(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    delays: list[float] = []
    monkeypatch.setattr(download, "_sleep", delays.append)
    return delays


def run(
    store: Store, server: ListServer, tmp_path: Path, *ids: str, **kw: Any
) -> list[UpdateReport]:
    return update_datasets(
        store, list(ids), data_dir=tmp_path / "downloads", mirror=server.url("/m"), **kw
    )


def test_update_loads_then_reports_not_modified_then_keeps_the_version_when_the_server_fails(
    store: Store, server: ListServer, shared_data: Path, tmp_path: Path, no_wait: list[float]
) -> None:
    server.routes[UN_PATH] = Route(file=shared_data / UN_FILE, etag='"un-1"')

    (first,) = run(store, server, tmp_path, "un_sc_sanctions")
    assert (first.status, first.fetch_status, first.error) == ("loaded", "downloaded", None)
    assert first.entity_count == 730 + 273
    assert first.added == first.entity_count
    assert first.previous_version_id is None
    assert first.url == server.url(UN_PATH)
    assert first.fetch_seconds > 0 and first.load_seconds > 0
    current = store.current_version("un_sc_sanctions")
    assert current is not None and current.id == first.version_id
    assert current.source_url == server.url(UN_PATH)

    (second,) = run(store, server, tmp_path, "un_sc_sanctions")
    assert (second.status, second.fetch_status) == ("unchanged", "not_modified")
    assert second.version_id == first.version_id
    assert "unchanged (not modified)" in second.summary()

    server.routes[UN_PATH] = Route(file=shared_data / UN_FILE, status=503)
    (third,) = run(store, server, tmp_path, "un_sc_sanctions", retries=1)
    assert third.failed
    assert "HTTP 503" in (third.error or "") and server.url(UN_PATH) in (third.error or "")
    assert third.kept == f"last good version kept: {first.version_id}"
    assert f"last good version kept: {first.version_id}" in third.summary()
    assert store.current_version("un_sc_sanctions").id == first.version_id  # type: ignore[union-attr]
    assert len(store.versions("un_sc_sanctions")) == 1


def test_a_file_that_fails_to_load_is_reported_and_the_previous_version_stays_current(
    store: Store, server: ListServer, shared_data: Path, tmp_path: Path
) -> None:
    server.routes[UN_PATH] = Route(file=shared_data / UN_FILE)
    (first,) = run(store, server, tmp_path, "un_sc_sanctions")
    whole = (shared_data / UN_FILE).read_bytes()
    server.routes[UN_PATH] = Route(body=whole[: len(whole) // 2])  # complete transfer, broken XML

    (report,) = run(store, server, tmp_path, "un_sc_sanctions")
    assert report.failed
    assert report.fetch_status == "downloaded"
    assert (report.error or "").startswith("load failed:")
    assert report.kept == f"last good version kept: {first.version_id}"
    assert store.current_version("un_sc_sanctions").id == first.version_id  # type: ignore[union-attr]


def test_one_failing_dataset_does_not_stop_the_others(
    store: Store, server: ListServer, shared_data: Path, tmp_path: Path
) -> None:
    server.routes[UN_PATH] = Route(file=shared_data / UN_FILE)
    seen: list[str] = []
    reports = run(
        store,
        server,
        tmp_path,
        "eu_fsf",
        "un_sc_sanctions",
        on_report=lambda r: seen.append(r.dataset),
    )
    assert seen == ["eu_fsf", "un_sc_sanctions"]
    eu, un = reports
    assert eu.failed and "HTTP 404" in (eu.error or "")
    assert eu.kept == "last good version kept: none"
    assert un.status == "loaded"
    assert store.current_version("eu_fsf") is None


def test_unknown_dataset_ids_are_refused_before_anything_is_fetched(
    store: Store, server: ListServer, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match="unknown datasets nope, also_nope"):
        run(store, server, tmp_path, "un_sc_sanctions", "nope", "also_nope")
    assert server.requests == []


def test_update_job_announces_once_after_the_loads_even_when_a_list_fails(
    store: Store, server: ListServer, shared_data: Path, tmp_path: Path, no_wait: list[float]
) -> None:
    """The one job of CLI and API: per-dataset reports, then one announce, fail-closed."""
    server.routes[UN_PATH] = Route(file=shared_data / UN_FILE, etag='"un-1"')
    calls: list[str] = []
    job = UpdateJob(
        ["un_sc_sanctions", "eu_fsf"],
        mirror=server.url("/m"),
        data_dir=tmp_path / "downloads",
        fetch_options={"retries": 0},
    )
    outcome = job.run(
        store, on_report=lambda r: calls.append(r.dataset), announce=lambda: calls.append("!")
    )
    assert calls == ["un_sc_sanctions", "eu_fsf", "!"]
    assert [r.status for r in outcome.reports] == ["loaded", "failed"]
    assert not outcome.ok and outcome.rescreen is None
    assert outcome.to_dict()["reports"][1]["kept"] == "last good version kept: none"
    assert store.current_version("eu_fsf") is None


def test_update_job_refuses_unknown_datasets_when_made(server: ListServer) -> None:
    with pytest.raises(ConfigError, match="unknown dataset nope"):
        UpdateJob(["un_sc_sanctions", "nope"], mirror=server.url("/m"))
    assert server.requests == []
