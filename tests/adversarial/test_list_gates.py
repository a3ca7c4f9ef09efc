"""Issue 9, critical findings 1 and 2, replayed on the real lists: each attack now fails safe.

Every test checks the same three things: the attack is refused, held or kept as
history (and says so); the current version is the one from before the attack; and
screening still finds a listed subject ("Kim Jong Un" on the SDN list).
"""

from __future__ import annotations

import csv
import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sanctions.cli import main
from sanctions.errors import WrongListError
from sanctions.screening import Screener
from sanctions.store import Store
from sanctions.update import update_datasets
from sanctions.watch import Watch

pytestmark = pytest.mark.slow

SDN_FULL = "us/ofac-sdn/2023-12-28"
UN_FILE = "un/consolidated_2026-02-27.xml"
CANADA = "ca/sema/sema-lmes_2020-04.xml"
CONS = "us/ofac-consolidated"
SDN_FILES = ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv")
CONS_FILES = ("cons_prim.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv")
KIM = "us_ofac_sdn-20157"  # KIM, Jong Un


# -- fixtures: one store of the real SDN and UN lists, copied for each test -------------


@pytest.fixture(scope="module")
def base_db(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gates-base") / "base.db"
    store = Store.open(path)
    assert store.load(shared_data / SDN_FULL).status == "loaded"
    assert store.load(shared_data / UN_FILE).status == "loaded"
    store.close()
    return path


@pytest.fixture()
def store(base_db: Path, tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / "lists.db"
    shutil.copy(base_db, path)
    s = Store.open(path)
    yield s
    s.close()


@pytest.fixture()
def mirror(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder served over HTTP on 127.0.0.1, laid out as an update mirror."""
    root = tmp_path / "mirror"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def _snapshot(store: Store) -> dict[str, tuple[int, int]]:
    return {d.id: (d.current.id, d.current.entity_count) for d in store.datasets() if d.current}


def _finds(store: Store, name: str, entity_id: str) -> bool:
    """Screening ``name`` matches ``entity_id`` (or an entity whose id starts with it)."""
    screener = Screener(store)
    screener.refresh()
    result = screener.screen({"schema": "Person", "properties": {"name": [name]}})
    return any(m.record.id.startswith(entity_id) for m in result.matches)


def _db(store: Store) -> str:
    return str(store.engine.url.database)


def _cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def _truncated_sdn(shared_data: Path, folder: Path, keep: int = 10) -> Path:
    """The real 2023-12-28 set cut to its first ``keep`` entries (all four files)."""
    folder.mkdir(parents=True)
    source = shared_data / SDN_FULL
    with open(source / "sdn.csv", encoding="latin-1", newline="") as fh:
        rows = [r for r in csv.reader(fh) if r and r[0].strip().isdigit()][:keep]
    ids = {r[0].strip() for r in rows}
    for name in SDN_FILES:
        with open(source / name, encoding="latin-1", newline="") as fh:
            kept = [r for r in csv.reader(fh) if r and r[0].strip() in ids]
        with open(folder / name, "w", encoding="latin-1", newline="") as out:
            csv.writer(out).writerows(kept)
    return folder


# -- finding 1: another list's file under a dataset's name ------------------------------


def test_canada_list_served_as_the_un_file_is_refused(
    store: Store, shared_data: Path, mirror: tuple[Path, str], tmp_path: Path
) -> None:
    root, url = mirror
    (root / "un_sc_sanctions").mkdir()
    shutil.copy(shared_data / CANADA, root / "un_sc_sanctions" / "consolidated.xml")
    before = _snapshot(store)

    [report] = update_datasets(store, ["un_sc_sanctions"], data_dir=tmp_path / "dl", mirror=url)
    assert report.failed
    assert "ca_sema of ca_dfatd_sema_sanctions" in (report.error or "")
    # The store's own gate refuses it too, whoever hands it the file.
    with pytest.raises(WrongListError, match="not un_sc_sanctions"):
        store.load(shared_data / CANADA, dataset="un_sc_sanctions")
    assert _snapshot(store) == before
    assert before["un_sc_sanctions"][1] == 1003
    assert _finds(store, "Abdulhai Salek", "un_sc_sanctions-")


def test_consolidated_csv_set_served_as_the_sdn_set_is_refused(
    store: Store, shared_data: Path, mirror: tuple[Path, str], tmp_path: Path
) -> None:
    root, url = mirror
    (root / "us_ofac_sdn").mkdir()
    for cons, sdn in zip(CONS_FILES, SDN_FILES, strict=True):
        shutil.copy(shared_data / CONS / cons, root / "us_ofac_sdn" / sdn)
    before = _snapshot(store)

    [report] = update_datasets(store, ["us_ofac_sdn"], data_dir=tmp_path / "dl", mirror=url)
    assert report.failed
    assert "the entries are us_ofac_cons's, not us_ofac_sdn's" in (report.error or "")
    assert _snapshot(store) == before and before["us_ofac_sdn"][1] == 13_821
    assert _finds(store, "Kim Jong Un", KIM)
    # `load --dataset` refuses it the same way, with one line and exit 1.
    result = _cli("load", str(root / "us_ofac_sdn"), "--dataset", "us_ofac_sdn", "--db", _db(store))
    assert result.exit_code == 1 and "us_ofac_cons's" in result.stderr
    assert _snapshot(store) == before


# -- finding 2: small, truncated, partial and older lists --------------------------------


def test_a_ten_entry_sdn_file_never_becomes_current(
    store: Store, shared_data: Path, tmp_path: Path
) -> None:
    folder = _truncated_sdn(shared_data, tmp_path / "sdn10")
    db = _db(store)
    before = _snapshot(store)
    for extra in ((), ("--allow-older",)):
        result = _cli("load", str(folder), "--dataset", "us_ofac_sdn", "--db", db, *extra)
        assert result.exit_code == 1
        assert "removes entities: 13,811 of 13,821" in result.stderr
        assert _snapshot(store) == before
    statuses = [v.status for v in store.versions("us_ofac_sdn")]
    assert statuses == ["accepted", "older", "held"]
    assert _finds(store, "Kim Jong Un", KIM)


def test_sdn_primary_file_alone_after_the_full_set_is_held(store: Store, shared_data: Path) -> None:
    full = store.current_version("us_ofac_sdn")
    result = store.load(shared_data / "us/ofac-sdn/2024-05-03")
    assert result.status == "held"
    assert any(r.startswith("loses aliases: ") for r in result.reasons)
    assert "the file set lacks add.csv, alt.csv, which the current version had" in result.reasons
    current = store.current_version("us_ofac_sdn")
    assert current.id == full.id and current.alias_count == full.alias_count > 17_000
    assert _finds(store, "Kim Jong Un", KIM)


def test_older_sdn_after_a_newer_one_is_kept_as_history(shared_data: Path, tmp_path: Path) -> None:
    store = Store.open(tmp_path / "older.db")
    newer = store.load(shared_data / "us/ofac-sdn/2022-04-08")
    older = store.load(shared_data / "us/ofac-sdn/2022-02-17")
    assert older.status == "older"
    assert older.reasons[0] == (
        "highest entry number 34716 is below the current version's 36429 "
        "(no publication dates to compare)"
    )
    assert older.removed == 911
    assert store.current_version("us_ofac_sdn").id == newer.version_id
    # Allowed older content still drops 9% of the entities: held, not current.
    allowed = store.load(shared_data / "us/ofac-sdn/2022-02-17", allow_older=True)
    assert allowed.status == "held"
    assert allowed.reasons[0].startswith("removes entities: 911 of 9,966")
    assert store.current_version("us_ofac_sdn").id == newer.version_id
    assert _finds(store, "Kim Jong Un", KIM)
    store.close()


def _kim_alert_then_truncated_sdn(
    store: Store, shared_data: Path, root: Path
) -> tuple[Watch, Any, dict[str, tuple[int, int]]]:
    """A watched customer with an open alert on Kim Jong Un, a 10-entry SDN set on the
    mirror (the gates hold it), and the current versions before the update."""
    watch = Watch(store, actor="test")
    watch.add("cust-kim", {"name": "Kim Jong Un"})
    watch.rescreen()
    [alert] = [a for a in watch.alerts(record_id="cust-kim") if a.entity_id == KIM]
    _truncated_sdn(shared_data, root / "us_ofac_sdn")
    return watch, alert, _snapshot(store)


def test_update_rescreen_with_a_held_version_keeps_the_alert_open(
    store: Store, shared_data: Path, mirror: tuple[Path, str]
) -> None:
    watch, alert, before = _kim_alert_then_truncated_sdn(store, shared_data, mirror[0])
    url = mirror[1]

    db = _db(store)
    result = _cli("update", "us_ofac_sdn", "--mirror", url, "--rescreen", "--db", db)
    assert result.exit_code == 1, result.output
    assert "us_ofac_sdn: " in result.stderr and (
        "HELD" in result.stderr or "OLDER" in result.stderr
    )
    assert _snapshot(store) == before
    assert watch.alert(alert.id).status != "closed"
    assert KIM in {a.entity_id for a in watch.alerts(record_id="cust-kim")}


def test_api_update_rescreen_with_a_held_version_keeps_the_alert_open(
    store: Store, shared_data: Path, mirror: tuple[Path, str]
) -> None:
    """``POST /updatez?rescreen=true`` runs the CLI's job: held, nothing current changes,
    the re-screen (by the admin key) closes no alert, and both are in the audit log."""
    from sanctions import audit
    from sanctions.api import KeyStore
    from tests.api.conftest import auth, make_client

    watch, alert, before = _kim_alert_then_truncated_sdn(store, shared_data, mirror[0])
    url = mirror[1]
    key, admin = KeyStore(store.engine).create("ops", "admin", rate_limit=0)
    seen = {e.id for e in audit.iter_entries(store.engine)}

    with make_client(Path(_db(store)), mirror=url) as client:
        params = {"dataset": "us_ofac_sdn", "sync": "true", "rescreen": "true"}
        response = client.post("/updatez", params=params, headers=auth(admin))
    assert response.status_code == 200, response.text
    body = response.json()
    assert [r["status"] for r in body["reports"]] in (["held"], ["older"])
    assert body["rescreen"]["kind"] == "delta" and body["error"] is None
    assert _snapshot(store) == before
    assert watch.alert(alert.id).status != "closed"
    new = [e for e in audit.iter_entries(store.engine) if e.id not in seen]
    actions = {e.action for e in new}
    assert actions & {"list.held", "list.older"} and "run.completed" in actions, actions
    runs = [e.actor for e in new if e.action == "run.completed"]
    assert runs == [f"api-key:{key.id}:ops"]
