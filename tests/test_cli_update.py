"""`sanctions update` from the command line, against a local HTTP server."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sanctions import download
from sanctions.cli import main
from tests.test_download import UN_FILE, Route, running_server

UN_PATH = "/m/un_sc_sanctions/consolidated.xml"


def test_update_command_loads_then_keeps_the_last_good_version_on_failure(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANCTIONS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(download, "_sleep", lambda _s: None)
    db = str(tmp_path / "store.db")
    runner = CliRunner()
    with running_server() as server:
        server.routes[UN_PATH] = Route(file=shared_data / UN_FILE, etag='"v1"')
        mirror = server.url("/m")
        ok = runner.invoke(main, ["--db", db, "update", "un_sc_sanctions", "--mirror", mirror])
        assert ok.exit_code == 0, ok.output
        assert "un_sc_sanctions: loaded" in ok.stdout and "1,003 entities" in ok.stdout

        server.routes[UN_PATH] = Route(file=shared_data / UN_FILE, status=503)
        bad = runner.invoke(
            main, ["--db", db, "update", "un_sc_sanctions", "--mirror", mirror, "--retries", "0"]
        )
        assert bad.exit_code == 1
        assert "failed" in bad.stderr and "last good version kept: 1" in bad.stderr

    listed = runner.invoke(main, ["--db", db, "lists", "--json"])
    assert '"entity_count": 1003' in listed.stdout
