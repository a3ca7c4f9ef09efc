"""Fetching official lists from a real local HTTP server serving the real files."""

from __future__ import annotations

import contextlib
import gzip
import http.server
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sanctions import download
from sanctions.download import USER_AGENT, fetch_dataset, read_state
from sanctions.errors import ConfigError, DownloadError
from sanctions.model import DATASETS
from sanctions.sources import list_formats
from sanctions.sources.registry import (
    REGISTRY,
    env_var,
    get_source,
    mirror_layout,
    resolve_files,
)

UN_FILE = "un/consolidated_2026-02-27.xml"
OFAC_SET = "us/ofac-sdn/2023-12-28"
OFAC_FILES = {"SDN.CSV": "sdn.csv", "ADD.CSV": "add.csv", "ALT.CSV": "alt.csv"}
OFAC_FILES["SDN_COMMENTS.CSV"] = "sdn_comments.csv"


# -- a small, scriptable HTTP server ------------------------------------------------


@dataclass
class Route:
    """What the server answers for one path."""

    file: Path | None = None
    body: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    failures: list[int] = field(default_factory=list)  # statuses answered first, one per request
    retry_after: str | None = None
    status: int = 200
    truncate_at: int | None = None  # send full Content-Length, then close after this many bytes
    no_length: bool = False  # no Content-Length: body ends when the connection closes
    stall: threading.Event | None = None  # wait for this event before sending the rest
    stall_after: int | None = None  # bytes of body sent before stalling (None: before headers)
    gzip: bool = False  # send the body with Content-Encoding: gzip

    def data(self) -> bytes:
        if self.body is not None:
            return self.body
        assert self.file is not None
        return self.file.read_bytes()


class ListServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def requests_to(self, path: str) -> list[dict[str, str]]:
        with self.lock:
            return [headers for p, headers in self.requests if p == path]


class _Handler(http.server.BaseHTTPRequestHandler):
    server: ListServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:
        try:
            self._answer()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True

    def _answer(self) -> None:
        with self.server.lock:
            self.server.requests.append((self.path, dict(self.headers.items())))
            route = self.server.routes.get(self.path)
            failure = route.failures.pop(0) if route and route.failures else None
        if route is None:
            return self._empty(404)
        if failure is not None:
            return self._empty(failure, route.retry_after)
        if route.status != 200:
            return self._empty(route.status)
        if route.stall is not None and route.stall_after is None:
            route.stall.wait(10)
            return
        if (route.etag and self.headers.get("If-None-Match") == route.etag) or (
            route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified
        ):
            return self._empty(304)
        body = route.data()
        self.send_response(200)
        if route.gzip:
            body = gzip.compress(body)
            self.send_header("Content-Encoding", "gzip")
        if not route.no_length:
            self.send_header("Content-Length", str(len(body)))
        for name, value in (("ETag", route.etag), ("Last-Modified", route.last_modified)):
            if value:
                self.send_header(name, value)
        self.end_headers()
        if route.stall is not None:
            self.wfile.write(body[: route.stall_after])
            self.wfile.flush()
            route.stall.wait(10)
            self.close_connection = True
            return
        if route.truncate_at is not None:
            self.wfile.write(body[: route.truncate_at])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)
        if route.no_length:
            self.close_connection = True

    def _empty(self, status: int, retry_after: str | None = None) -> None:
        self.send_response(status)
        if retry_after:
            self.send_header("Retry-After", retry_after)
        self.send_header("Content-Length", "0")
        self.end_headers()


@contextlib.contextmanager
def running_server() -> Iterator[ListServer]:
    """A ListServer on 127.0.0.1 in a thread; stalled handlers are released on exit."""
    srv = ListServer()
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        for route in srv.routes.values():
            if route.stall is not None:
                route.stall.set()
        srv.shutdown()
        srv.server_close()
        thread.join(5)


@pytest.fixture
def server() -> Iterator[ListServer]:
    with running_server() as srv:
        yield srv


@pytest.fixture
def no_wait(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record backoff delays instead of sleeping."""
    delays: list[float] = []
    monkeypatch.setattr(download, "_sleep", delays.append)
    return delays


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("SANCTIONS_URL_") or name == "SANCTIONS_MIRROR":
            monkeypatch.delenv(name)


def serve_un(server: ListServer, shared_data: Path, **kwargs: object) -> Route:
    route = Route(file=shared_data / UN_FILE, **kwargs)  # type: ignore[arg-type]
    server.routes["/m/un_sc_sanctions/consolidated.xml"] = route
    return route


def leftovers(folder: Path) -> list[str]:
    """Temporary files or folders a fetch left behind."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and p.name != ".lock")


# -- registry ------------------------------------------------------------------------


def test_registry_covers_the_nine_datasets_with_known_titles_and_jurisdictions() -> None:
    assert set(REGISTRY) == {
        "us_ofac_sdn",
        "us_ofac_cons",
        "un_sc_sanctions",
        "eu_fsf",
        "gb_fcdo_sanctions",
        "gb_hmt_sanctions",
        "ca_dfatd_sema_sanctions",
        "au_dfat_sanctions",
        "ch_seco_sanctions",
    }
    for source in REGISTRY.values():
        assert source.title == DATASETS[source.id]
        assert source.jurisdiction in {"us", "un", "eu", "gb", "ca", "au", "ch"}
        assert all(f.url.startswith("https://") for f in source.files)
    assert [f.remote_name for f in get_source("us_ofac_sdn").files] == list(OFAC_FILES)
    assert "us_ofac_sdn/sdn_comments.csv" in mirror_layout()


def test_registry_formats_are_the_parsers_format_names() -> None:
    available = {f.name for f in list_formats()}
    for dataset in ("us_ofac_sdn", "un_sc_sanctions", "gb_hmt_sanctions", "gb_fcdo_sanctions"):
        assert get_source(dataset).format in available, dataset


def test_unknown_dataset_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown dataset 'xx_nope'"):
        resolve_files("xx_nope")


def test_url_overrides_apply_in_order_mirror_file_dataset_global() -> None:
    env = {
        "SANCTIONS_URL_US_OFAC_SDN": "http://base/ofac/",
        "SANCTIONS_URL_US_OFAC_SDN__ALT_CSV": "http://other/alt.csv",
        "SANCTIONS_URL_UN_SC_SANCTIONS": "/srv/un.xml",
        "SANCTIONS_MIRROR": "https://mirror.example/lists",
    }
    assert env_var("us_ofac_sdn", "alt.csv") == "SANCTIONS_URL_US_OFAC_SDN__ALT_CSV"
    ofac = {r.name: r.location for r in resolve_files("us_ofac_sdn", env=env)}
    assert ofac == {
        "sdn.csv": "http://base/ofac/SDN.CSV",
        "add.csv": "http://base/ofac/ADD.CSV",
        "alt.csv": "http://other/alt.csv",
        "sdn_comments.csv": "http://base/ofac/SDN_COMMENTS.CSV",
    }
    assert [r.location for r in resolve_files("un_sc_sanctions", env=env)] == ["/srv/un.xml"]
    assert [r.location for r in resolve_files("eu_fsf", env=env)] == [
        "https://mirror.example/lists/eu_fsf/eu_fsf.xml"
    ]
    assert [r.location for r in resolve_files("eu_fsf", env={})] == [get_source("eu_fsf").urls[0]]
    mirrored = resolve_files("us_ofac_sdn", mirror="/m", env=env)
    assert [r.location for r in mirrored][0] == "/m/us_ofac_sdn/sdn.csv"


# -- HTTP ------------------------------------------------------------------------------


def test_fetch_un_xml_from_http_mirror_gives_the_source_bytes(
    server: ListServer, shared_data: Path, tmp_path: Path
) -> None:
    serve_un(server, shared_data)
    result = fetch_dataset("un_sc_sanctions", tmp_path, mirror=server.url("/m"))
    assert result.status == "downloaded"
    assert result.path == tmp_path / "consolidated.xml"
    assert result.path.read_bytes() == (shared_data / UN_FILE).read_bytes()
    assert result.bytes == (shared_data / UN_FILE).stat().st_size
    assert result.url == server.url("/m/un_sc_sanctions/consolidated.xml")
    (headers,) = server.requests_to("/m/un_sc_sanctions/consolidated.xml")
    assert headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("sanctions/")
    assert "If-None-Match" not in headers
    assert leftovers(tmp_path) == []


def test_gzip_transfer_encoding_is_decoded_and_checked_against_the_compressed_length(
    server: ListServer, shared_data: Path, tmp_path: Path
) -> None:
    serve_un(server, shared_data, gzip=True)
    result = fetch_dataset("un_sc_sanctions", tmp_path, mirror=server.url("/m"))
    assert result.path.read_bytes() == (shared_data / UN_FILE).read_bytes()


def test_per_dataset_env_var_overrides_the_official_url(
    server: ListServer, shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.routes["/un.xml"] = Route(file=shared_data / UN_FILE)
    monkeypatch.setenv("SANCTIONS_URL_UN_SC_SANCTIONS", server.url("/un.xml"))
    result = fetch_dataset("un_sc_sanctions", tmp_path)
    assert result.url == server.url("/un.xml")
    assert result.path.read_bytes() == (shared_data / UN_FILE).read_bytes()


def test_second_fetch_sends_validators_and_304_means_not_modified(
    server: ListServer, shared_data: Path, tmp_path: Path
) -> None:
    etag, modified = '"un-2026-02-27"', "Fri, 27 Feb 2026 00:00:09 GMT"
    serve_un(server, shared_data, etag=etag, last_modified=modified)
    first = fetch_dataset("un_sc_sanctions", tmp_path, mirror=server.url("/m"))
    stamp = first.path.stat().st_mtime_ns
    state = read_state(tmp_path / "state.json")
    info = state["datasets"]["un_sc_sanctions"]["files"]["consolidated.xml"]
    assert (info["etag"], info["last_modified"]) == (etag, modified)

    second = fetch_dataset("un_sc_sanctions", tmp_path, mirror=server.url("/m"))
    _, headers = server.requests_to("/m/un_sc_sanctions/consolidated.xml")
    assert headers["If-None-Match"] == etag
    assert headers["If-Modified-Since"] == modified
    assert second.status == "not_modified"
    assert second.bytes == 0
    assert second.path == first.path
    assert second.path.stat().st_mtime_ns == stamp

    third = fetch_dataset("un_sc_sanctions", tmp_path, mirror=server.url("/m"), conditional=False)
    assert third.status == "downloaded"
    assert "If-None-Match" not in server.requests_to("/m/un_sc_sanctions/consolidated.xml")[2]


def test_no_validators_sent_when_the_previous_file_is_gone(
    server: ListServer, shared_data: Path, tmp_path: Path
) -> None:
    serve_un(server, shared_data, etag='"v1"')
    first = fetch_dataset("un_sc_sanctions", tmp_path, mirror=server.url("/m"))
    first.path.unlink()
    second = fetch_dataset("un_sc_sanctions", tmp_path, mirror=server.url("/m"))
    assert second.status == "downloaded"
    assert "If-None-Match" not in server.requests_to("/m/un_sc_sanctions/consolidated.xml")[1]


def test_connection_dropped_mid_transfer_fails_and_keeps_the_previous_file(
    server: ListServer, shared_data: Path, tmp_path: Path, no_wait: list[float]
) -> None:
    route = serve_un(server, shared_data)
    good = fetch_dataset("un_sc_sanctions", tmp_path, mirror=server.url("/m")).path
    before = good.read_bytes()
    newer = (shared_data / "us/ofac-sdn/2023-12-28/sdn.csv").read_bytes()
    route.file, route.body, route.truncate_at = None, newer, 1_048_576

    with pytest.raises(DownloadError) as caught:
        fetch_dataset("un_sc_sanctions", tmp_path, mirror=server.url("/m"), retries=1, backoff=0)
    message = str(caught.value)
    assert message.startswith("un_sc_sanctions " + server.url("/m/un_sc_sanctions/"))
    assert f"connection closed after 1,048,576 of {len(newer):,} bytes" in message
    assert "(after 2 attempts)" in message
    assert len(server.requests_to("/m/un_sc_sanctions/consolidated.xml")) == 3
    assert good.read_bytes() == before
    assert leftovers(tmp_path) == []


def test_an_html_page_served_with_200_is_refused_and_the_previous_file_kept(
    server: ListServer, shared_data: Path, tmp_path: Path
) -> None:
    route = serve_un(server, shared_data)
    good = fetch_dataset("un_sc_sanctions", tmp_path, mirror=server.url("/m")).path
    route.file, route.body = None, b"<!DOCTYPE html><html><body>Page moved</body></html>"
    with pytest.raises(DownloadError, match=r"not a list file this tool reads .*DOCTYPE html"):
        fetch_dataset("un_sc_sanctions", tmp_path, mirror=server.url("/m"))
    assert good.read_bytes() == (shared_data / UN_FILE).read_bytes()
    assert leftovers(tmp_path) == []


def test_503_then_429_then_200_is_retried_honouring_retry_after_up_to_the_cap(
    server: ListServer, shared_data: Path, tmp_path: Path, no_wait: list[float]
) -> None:
    serve_un(server, shared_data, failures=[503, 429], retry_after="7")
    result = fetch_dataset(
        "un_sc_sanctions", tmp_path, mirror=server.url("/m"), backoff=0.1, max_retry_after=5
    )
    assert result.status == "downloaded"
    assert result.path.read_bytes() == (shared_data / UN_FILE).read_bytes()
    assert len(server.requests_to("/m/un_sc_sanctions/consolidated.xml")) == 3
    assert no_wait == [5, 5]


def test_5xx_without_retry_after_backs_off_exponentially_then_gives_up(
    server: ListServer, shared_data: Path, tmp_path: Path, no_wait: list[float]
) -> None:
    serve_un(server, shared_data, status=502)
    with pytest.raises(DownloadError, match=r"HTTP 502 Bad Gateway \(after 4 attempts\)"):
        fetch_dataset("un_sc_sanctions", tmp_path, mirror=server.url("/m"), retries=3, backoff=0.5)
    assert no_wait == [0.5, 1.0, 2.0]
    assert not (tmp_path / "consolidated.xml").exists()


def test_404_fails_at_once_without_retrying(
    server: ListServer, tmp_path: Path, no_wait: list[float]
) -> None:
    with pytest.raises(DownloadError, match="HTTP 404 Not Found") as caught:
        fetch_dataset("un_sc_sanctions", tmp_path, mirror=server.url("/m"), retries=3)
    assert caught.value.dataset == "un_sc_sanctions"
    assert caught.value.url == server.url("/m/un_sc_sanctions/consolidated.xml")
    assert len(server.requests_to("/m/un_sc_sanctions/consolidated.xml")) == 1
    assert no_wait == []
    assert not (tmp_path / "consolidated.xml").exists()


def test_file_over_the_size_limit_is_refused_from_its_content_length(
    server: ListServer, shared_data: Path, tmp_path: Path
) -> None:
    serve_un(server, shared_data)
    size = (shared_data / UN_FILE).stat().st_size
    with pytest.raises(DownloadError, match=f"file is {size:,} bytes, over the limit of 100,000"):
        fetch_dataset("un_sc_sanctions", tmp_path, mirror=server.url("/m"), max_bytes=100_000)
    assert len(server.requests_to("/m/un_sc_sanctions/consolidated.xml")) == 1
    assert not (tmp_path / "consolidated.xml").exists()
    assert leftovers(tmp_path) == []


def test_body_over_the_size_limit_is_refused_while_streaming(
    server: ListServer, shared_data: Path, tmp_path: Path
) -> None:
    serve_un(server, shared_data, no_length=True)
    with pytest.raises(DownloadError, match="more than 100,000 bytes received"):
        fetch_dataset("un_sc_sanctions", tmp_path, mirror=server.url("/m"), max_bytes=100_000)
    assert not (tmp_path / "consolidated.xml").exists()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("stall_after", "expected"),
    [
        (None, r"timed out \(no data, limit 0.5 s\)"),
        (1000, r"timed out after 1,000 of [\d,]+ bytes"),
    ],
)
def test_stalled_server_times_out(
    server: ListServer,
    shared_data: Path,
    tmp_path: Path,
    stall_after: int | None,
    expected: str,
) -> None:
    release = threading.Event()
    serve_un(server, shared_data, stall=release, stall_after=stall_after)
    try:
        with pytest.raises(DownloadError, match=expected):
            fetch_dataset(
                "un_sc_sanctions", tmp_path, mirror=server.url("/m"), timeout=0.5, retries=0
            )
    finally:
        release.set()
    assert not (tmp_path / "consolidated.xml").exists()
    assert leftovers(tmp_path) == []


def test_connection_refused_is_a_download_error(tmp_path: Path, no_wait: list[float]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(DownloadError, match=r"connection failed.*\(after 2 attempts\)"):
        fetch_dataset("un_sc_sanctions", tmp_path, mirror=f"http://127.0.0.1:{port}", retries=1)
    assert len(no_wait) == 1


# -- local mirror ------------------------------------------------------------------------


def test_local_folder_mirror_copies_the_file_and_notices_changes(
    shared_data: Path, tmp_path: Path
) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "un_sc_sanctions").mkdir(parents=True)
    source = mirror / "un_sc_sanctions" / "consolidated.xml"
    source.symlink_to(shared_data / UN_FILE)
    dest = tmp_path / "downloads"

    first = fetch_dataset("un_sc_sanctions", dest, mirror=mirror)
    assert first.status == "downloaded"
    assert first.path.read_bytes() == (shared_data / UN_FILE).read_bytes()
    assert first.url == source.resolve().as_uri()
    assert fetch_dataset("un_sc_sanctions", dest, mirror=mirror).status == "not_modified"

    # A changed UN file (another list's file is refused: tests/adversarial/test_list_gates.py).
    changed = tmp_path / "changed.xml"
    changed.write_bytes((shared_data / UN_FILE).read_bytes() + b"\n<!-- republished -->\n")
    source.unlink()
    source.symlink_to(changed)
    third = fetch_dataset("un_sc_sanctions", dest, mirror=mirror)
    assert third.status == "downloaded"
    assert third.path.read_bytes() == changed.read_bytes()
    assert leftovers(dest) == []


def test_local_mirror_without_the_file_fails_and_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match=r"eu_fsf .*/eu_fsf/eu_fsf.xml: no such file"):
        fetch_dataset("eu_fsf", tmp_path / "dl", mirror=tmp_path)


# -- OFAC CSV set ----------------------------------------------------------------------------


def serve_ofac(server: ListServer, shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for remote, local in OFAC_FILES.items():
        server.routes[f"/ofac/{remote}"] = Route(
            file=shared_data / OFAC_SET / local, etag=f'"{local}-1"'
        )
    monkeypatch.setenv("SANCTIONS_URL_US_OFAC_SDN", server.url("/ofac"))


def assert_set_is(folder: Path, shared_data: Path, sdn: str = OFAC_SET) -> None:
    assert sorted(p.name for p in folder.iterdir()) == sorted(OFAC_FILES.values())
    for name in OFAC_FILES.values():
        expected = shared_data / (sdn if name == "sdn.csv" else OFAC_SET) / name
        assert (folder / name).read_bytes() == expected.read_bytes(), name


def test_ofac_csv_set_is_fetched_into_one_folder(
    server: ListServer, shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve_ofac(server, shared_data, monkeypatch)
    result = fetch_dataset("us_ofac_sdn", tmp_path)
    assert result.status == "downloaded"
    assert result.path == tmp_path / "sdn_csv"
    assert result.urls == tuple(server.url(f"/ofac/{r}") for r in OFAC_FILES)
    assert_set_is(result.path, shared_data)
    assert fetch_dataset("us_ofac_sdn", tmp_path).status == "not_modified"


def test_ofac_csv_set_is_replaced_all_or_nothing(
    server: ListServer,
    shared_data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_wait: list[float],
) -> None:
    serve_ofac(server, shared_data, monkeypatch)
    folder = fetch_dataset("us_ofac_sdn", tmp_path).path

    newer = "us/ofac-sdn/2024-05-03"
    sdn = server.routes["/ofac/SDN.CSV"]
    sdn.file, sdn.etag = shared_data / newer / "sdn.csv", '"sdn.csv-2"'
    server.routes["/ofac/ALT.CSV"].status = 500
    with pytest.raises(DownloadError, match=r"us_ofac_sdn .*/ofac/ALT.CSV: HTTP 500"):
        fetch_dataset("us_ofac_sdn", tmp_path, retries=0)
    assert_set_is(folder, shared_data)  # nothing replaced, not even the good sdn.csv
    assert leftovers(tmp_path) == []

    server.routes["/ofac/ALT.CSV"].status = 200
    result = fetch_dataset("us_ofac_sdn", tmp_path)
    assert result.status == "downloaded"
    assert result.files == {
        "sdn.csv": "downloaded",
        "add.csv": "not_modified",
        "alt.csv": "not_modified",
        "sdn_comments.csv": "not_modified",
    }
    assert_set_is(folder, shared_data, sdn=newer)
    assert leftovers(tmp_path) == []


def test_leftovers_of_a_killed_fetch_are_cleaned_and_a_half_swapped_set_restored(
    server: ListServer, shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve_ofac(server, shared_data, monkeypatch)
    folder = fetch_dataset("us_ofac_sdn", tmp_path).path
    # As if killed between "move the old set aside" and "move the new set in":
    aside = tmp_path / ".sdn_csv.k1ll3d.old"
    aside.mkdir()
    folder.rename(aside / "sdn_csv")
    (tmp_path / ".sdn_csv.k1ll3d.new").mkdir()
    (tmp_path / ".sdn.csv.k1ll3d.part").write_bytes(b"partial")

    result = fetch_dataset("us_ofac_sdn", tmp_path)
    assert result.status == "not_modified"  # the restored set is current: validators were sent
    assert_set_is(folder, shared_data)
    assert leftovers(tmp_path) == []
