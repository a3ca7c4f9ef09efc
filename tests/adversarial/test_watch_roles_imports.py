"""Adversarial tests of continuous screening (issue 9): roles that fit the harm (high 5),
imports that fail closed (high 6), paged record listing (medium), and a watched
record over the work limits (high 3). Each reproduces the attack of the review."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctions.cli import main
from sanctions.errors import SanctionsError
from sanctions.screening import LIMITS

from ..api.conftest import auth, make_client, wait_ready

FIXTURES = Path(__file__).resolve().parents[1] / "watch" / "fixtures"
CUSTOMERS = FIXTURES / "customers.csv"
HEADER = CUSTOMERS.read_text().splitlines()[0]
IMPORT = "/watch/import?schema_column=kind&filename=customers.csv"
CSV = {"Content-Type": "text/csv"}


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Fixture list v1, the 7 fixture customers watched and screened once, keys of each role."""
    from sanctions.api import KeyStore
    from sanctions.store import Store
    from sanctions.watch import ColumnMap, Watch

    db = tmp_path / "watch.db"
    store = Store.open(db)
    store.load(FIXTURES / "v1.jsonl", dataset="fixture")
    watch = Watch(store, actor="setup")
    watch.import_file(CUSTOMERS, ColumnMap(schema_column="kind"))
    watch.rescreen()
    keys = KeyStore(store.engine)
    secrets = {role: keys.create(role, role, rate_limit=0)[1] for role in ("screen", "analyst")}
    secrets["admin"] = keys.create("admin", "admin", rate_limit=0)[1]
    with make_client(db) as client:
        wait_ready(client.get)
        yield {"client": client, "keys": secrets, "watch": watch, "db": db}
    store.close()


def call(env: dict[str, Any], role: str, method: str, path: str, **kwargs: Any) -> Any:
    headers = {**auth(env["keys"][role]), **kwargs.pop("headers", {})}
    return env["client"].request(method, path, headers=headers, **kwargs)


def active_ids(env: dict[str, Any]) -> list[str]:
    return [r.id for r in env["watch"].records()]


def pair_alert(env: dict[str, Any], record_id: str, entity_id: str) -> Any:
    alerts = [
        a for a in env["watch"].alerts("all", record_id=record_id) if a.entity_id == entity_id
    ]
    return alerts[0]  # newest first


# -- high 5: the screen role cannot end monitoring ------------------------------------------


def test_screen_role_remove_missing_with_a_header_only_body_is_403_and_removes_nothing(
    env: dict[str, Any],
) -> None:
    before = active_ids(env)
    response = call(
        env, "screen", "POST", IMPORT + "&remove_missing=true", content=b"id,name\n", headers=CSV
    )
    assert response.status_code == 403, response.text
    assert "remove_missing needs one of analyst, admin" in response.json()["detail"]
    assert active_ids(env) == before and len(before) == 7
    assert call(env, "screen", "DELETE", "/watch/records/c-1").status_code == 403
    assert active_ids(env) == before


def test_a_rename_by_the_screen_role_never_closes_a_true_match_alert(
    env: dict[str, Any],
) -> None:
    alert = pair_alert(env, "c-1", "fw-1")
    body = {"decision": "true_match", "reason": "same person, passport seen"}
    decided = call(env, "analyst", "POST", f"/alerts/{alert.id}/decision", json=body)
    assert decided.status_code == 200, decided.text
    renamed = {"schema": "Person", "properties": {"name": ["Jane Nobody"]}}
    put = call(env, "screen", "PUT", "/watch/records/c-1", json=renamed)
    assert put.status_code == 200 and put.json()["change"] == "updated"
    run = call(env, "admin", "POST", "/watch/rescreen")
    assert run.status_code == 200 and run.json()["records_screened"] == 1
    assert "kept open after a record change" in run.json()["summary"]
    kept = env["watch"].alert(alert.id)
    assert kept.status == "true_match" and kept.closed_reason is None
    assert [d.decision for d in env["watch"].decisions(alert.id)] == ["true_match"]
    # renamed back (still matching, new version): the same alert, with its decision
    back = {"schema": "Person", "properties": {"name": ["Boris Fictionov"], "gender": ["m"]}}
    call(env, "screen", "PUT", "/watch/records/c-1", json=back)
    call(env, "admin", "POST", "/watch/rescreen")
    assert env["watch"].alert(alert.id).status == "true_match"
    full = call(env, "admin", "POST", "/watch/rescreen?full=true").json()
    assert (full["raised"], full["closed"]) == (0, 0)  # a full run agrees with the deltas
    assert env["watch"].alert(alert.id).status == "true_match"


def test_a_rename_does_not_close_an_open_or_escalated_alert_either(env: dict[str, Any]) -> None:
    escalated = pair_alert(env, "c-6", "fw-2")
    env["watch"].decide(escalated.id, "escalated", "check the owner", analyst="ana")
    still_open = pair_alert(env, "c-2", "fw-3")
    for record_id, name in (("c-6", "Plain Bakery Ltd"), ("c-2", "Jane Ordinary")):
        renamed = {"schema": "Person", "properties": {"name": [name]}}
        assert call(env, "screen", "PUT", f"/watch/records/{record_id}", json=renamed).is_success
    call(env, "admin", "POST", "/watch/rescreen")
    assert env["watch"].alert(escalated.id).status == "escalated"
    assert env["watch"].alert(still_open.id).status == "open"
    # removing the record (an analyst) does close them, with the reason
    assert call(env, "analyst", "DELETE", "/watch/records/c-6?reason=left").is_success
    assert env["watch"].alert(escalated.id).status == "closed"


def test_a_watched_record_with_300_names_is_refused(env: dict[str, Any]) -> None:
    names = [f"Person Number {i}" for i in range(300)]
    body = {"schema": "Person", "properties": {"name": names}}
    response = call(env, "screen", "PUT", "/watch/records/c-300", json=body)
    assert response.status_code == 422, response.text
    assert f"too many names: 300 (limit: {LIMITS.names}" in response.json()["detail"]
    assert env["watch"].record("c-300") is None
    rows = "\n".join([HEADER, *[f"d-{i},{'Name ' * 200},,,Person" for i in range(3)]])
    report = call(env, "screen", "POST", IMPORT, content=rows.encode(), headers=CSV).json()
    assert report["added"] == 0 and len(report["errors"]) == 3
    assert "limit: 500" in report["errors"][0] and "line 2" in report["errors"][0]


# -- high 6: remove_missing fails closed ----------------------------------------------------


def _import(env: dict[str, Any], text: str, query: str = "") -> Any:
    path = IMPORT + "&remove_missing=true" + query
    return call(env, "analyst", "POST", path, content=text.encode(), headers=CSV)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (HEADER + "\n", "the file has no records"),
        (
            "\n".join([*CUSTOMERS.read_text().splitlines(), "c-8,,,,Person"]),
            "1 rows failed validation",
        ),
        (
            "\n".join([*CUSTOMERS.read_text().splitlines(), "c-8,Someone,,,Spaceship"]),
            "unknown schema",
        ),
    ],
    ids=["header-only", "row-without-name", "row-with-bad-schema"],
)
def test_remove_missing_refuses_empty_files_and_rows_that_failed_validation(
    env: dict[str, Any], text: str, said: str
) -> None:
    before = active_ids(env)
    open_alerts = len(env["watch"].alerts("active"))
    response = _import(env, text)
    assert response.status_code == 400, response.text
    assert said in response.json()["detail"] and "nothing was imported" in response.json()["detail"]
    assert active_ids(env) == before and len(env["watch"].alerts("active")) == open_alerts


def test_remove_missing_over_the_share_needs_the_exact_count_confirmed(
    env: dict[str, Any],
) -> None:
    lines = CUSTOMERS.read_text().splitlines()
    short = "\n".join(lines[:6]) + "\n"  # c-1..c-5: c-6 and c-7 would go (2 of 7 > 10%)
    refused = _import(env, short)
    assert refused.status_code == 400
    assert "would remove 2 of 7" in refused.json()["detail"]
    assert "confirm_removals=2" in refused.json()["detail"]
    wrong = _import(env, short, "&confirm_removals=1")
    assert wrong.status_code == 400 and "not the 1 confirmed" in wrong.json()["detail"]
    assert len(active_ids(env)) == 7
    done = _import(env, short, "&confirm_removals=2")
    assert done.status_code == 200 and done.json()["removed"] == 2
    assert active_ids(env) == ["c-1", "c-2", "c-3", "c-4", "c-5"]


def test_an_unbalanced_quote_is_an_error_with_its_line_not_a_merged_name(
    env: dict[str, Any],
) -> None:
    lines = CUSTOMERS.read_text().splitlines()
    open_to_the_end = "\n".join(
        [lines[0], 'c-1,"Boris Fictionov,1970-03-01,Russia,Person', *lines[2:]]
    )
    response = _import(env, open_to_the_end)
    assert response.status_code == 400, response.text
    assert "line 2: bad CSV quoting" in response.json()["detail"]
    assert len(active_ids(env)) == 7
    closed_later = "\n".join(
        [lines[0], 'c-1,"Boris Fictionov,1970-03-01,Russia,Person', *lines[2:4], 'c-4,",,,Person']
    )
    plain = call(env, "analyst", "POST", IMPORT, content=closed_later.encode(), headers=CSV)
    report = plain.json()
    assert plain.status_code == 200 and report["added"] == 0, report
    assert "line 2" in report["errors"][0] and "quote left open" in report["errors"][0]
    assert _import(env, closed_later).status_code == 400  # and remove_missing is refused


def test_the_cli_import_fails_closed_with_one_line_and_exit_2(
    env: dict[str, Any], tmp_path: Path
) -> None:
    runner = CliRunner()
    db = str(env["db"])
    header_only = tmp_path / "empty.csv"
    header_only.write_text(HEADER + "\n")
    args = ["--db", db, "watch", "import", "--schema-column", "kind", "--remove-missing"]
    result = runner.invoke(main, [*args, str(header_only)])
    assert result.exit_code == 2 and "the file has no records" in result.output
    short = tmp_path / "short.csv"
    short.write_text("\n".join(CUSTOMERS.read_text().splitlines()[:6]) + "\n")
    result = runner.invoke(main, [*args, str(short)])
    assert result.exit_code == 2 and "--confirm-removals 2" in result.output
    assert len(active_ids(env)) == 7
    result = runner.invoke(main, [*args, "--confirm-removals", "2", str(short)])
    assert result.exit_code == 0 and "2 removed" in result.output
    quoted = tmp_path / "quoted.csv"
    quoted.write_text(HEADER + '\nc-1,"Boris,1970,Russia,Person\nc-2,Maria Lopez,,,Person\n')
    result = runner.invoke(main, [*args, str(quoted)])
    assert result.exit_code == 2 and "line 2: bad CSV quoting" in result.output


def test_the_library_refuses_too(env: dict[str, Any], tmp_path: Path) -> None:
    from sanctions.watch import ColumnMap, ImportOptions, ImportRefused

    empty = tmp_path / "empty.csv"
    empty.write_text(HEADER + "\n")
    with pytest.raises(ImportRefused, match="no records"):
        env["watch"].import_file(
            empty, ColumnMap(schema_column="kind"), ImportOptions(remove_missing=True)
        )
    assert issubclass(ImportRefused, SanctionsError) and len(active_ids(env)) == 7


# -- medium: GET /watch/records reads one page ---------------------------------------------


def test_record_pages_are_read_in_sql_not_from_every_record(
    env: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sanctions.watch import service

    rows = [HEADER, *[f"p-{i:05d},Person {i:05d} Example,,,Person" for i in range(1500)]]
    call(env, "screen", "POST", IMPORT, content="\n".join(rows).encode(), headers=CSV)

    def every_record(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a page must not load every record")

    monkeypatch.setattr(service, "get_records", every_record)
    page = call(env, "screen", "GET", "/watch/records?limit=5&offset=1200").json()
    assert page["total"] == 1507
    # by id: c-1..c-7 come first, so offset 1200 is p-01193
    assert [r["id"] for r in page["results"]] == [f"p-{i:05d}" for i in range(1193, 1198)]
    keyset = call(env, "screen", "GET", f"/watch/records?limit=3&after={page['next_after']}")
    assert [r["id"] for r in keyset.json()["results"]] == ["p-01198", "p-01199", "p-01200"]
    last = call(env, "screen", "GET", "/watch/records?limit=10&after=p-01497").json()
    assert [r["id"] for r in last["results"]] == ["p-01498", "p-01499"]
    assert last["next_after"] is None


def test_alert_pages_are_read_in_sql(env: dict[str, Any]) -> None:
    every = call(env, "screen", "GET", "/alerts?status=all").json()["results"]
    assert len(every) == 4
    page = call(env, "screen", "GET", "/alerts?status=all&limit=2&offset=1").json()["results"]
    assert [a["id"] for a in page] == [a["id"] for a in every[1:3]]
    assert env["watch"].alerts("all", limit=1, offset=3)[0].id == every[3]["id"]


CSV_TEXT = st.text(alphabet=st.sampled_from('ab ,"\n\r\x00\ufeffé\u200b;1-'), max_size=200)


@settings(max_examples=200, deadline=None)
@given(
    body=st.one_of(CSV_TEXT.map(lambda t: (HEADER + "\n" + t).encode()), st.binary(max_size=200))
)
def test_fuzzed_import_files_give_our_errors_or_a_report_never_another_exception(
    body: bytes,
) -> None:
    from sanctions.watch import ColumnMap
    from sanctions.watch.importer import read_records

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.csv"
        path.write_bytes(body)
        try:
            records, errors, rows = read_records(path, ColumnMap(schema_column="kind"))
        except SanctionsError as exc:
            assert str(exc)
            return
        assert len(records) + len(errors) == rows  # every row is imported or reported
        for record_id, data in records:
            values = [v for vs in data["properties"].values() for v in vs]
            assert record_id and not any("\n" in v or "\r" in v for v in values)
