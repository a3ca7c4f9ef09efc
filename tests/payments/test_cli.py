"""`sanctions screen-payment`: table, JSON lines, stdin, exit codes 0 / 3 / 2."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from sanctions.cli import main

from .conftest import MESSAGES


def run(db: str, *args: str, stdin: str | None = None):
    return CliRunner().invoke(main, ["--db", db, "screen-payment", *args], input=stdin)


def test_clean_message_exits_0_and_prints_pass(db: str) -> None:
    result = run(db, str(MESSAGES / "mt103_clean.txt"))
    assert result.exit_code == 0, result.output
    assert "PASS" in result.output and "1 messages: 1 pass" in result.output


def test_held_message_exits_3_with_findings_in_the_table(db: str) -> None:
    result = run(db, str(MESSAGES / "pacs008_hits.xml"))
    assert result.exit_code == 3, result.output
    assert "HOLD" in result.output and "CdtTrfTxInf/DbtrAgt/FinInstnId/BICFI" in result.output


def test_json_lines_from_stdin(db: str) -> None:
    text = (MESSAGES / "pacs009_cov.xml").read_text()
    result = run(db, "-", "--json", stdin=text)
    assert result.exit_code == 3, result.output
    [line] = result.output.splitlines()
    data = json.loads(line)
    assert data["decision"] == "hold" and data["source"] == "<stdin>"
    assert data["versions"] and len(data["fingerprint"]) == 64
    assert {f["check"] for f in data["findings"]} >= {"name", "country"}


def test_a_folder_with_bad_messages_reports_them_and_exits_2(db: str) -> None:
    result = run(db, str(MESSAGES), "--json")
    assert result.exit_code == 2
    lines = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert len(lines) == 16
    bad = [d for d in lines if d.get("error")]
    assert len(bad) == 7 and all(d["decision"] == "hold" for d in bad)
    assert "error:" in result.output and "field 58A" in result.output


def test_a_bad_policy_file_is_one_clear_error(db: str, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yml"
    policy.write_text("unparsed: pass\n")
    result = run(db, str(MESSAGES / "mt103_clean.txt"), "--policy", str(policy))
    assert result.exit_code == 2
    assert "never pass" in result.output and "Traceback" not in result.output


def test_screen_text_finds_listed_names_in_text_and_html(db: str, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><body><p>The invoice was paid to Tanchon Commercial Bank via a "
        "correspondent.</p><script>Bwambale</script></body></html>"
    )
    result = CliRunner().invoke(main, ["--db", db, "screen-text", str(page), "--json"])
    assert result.exit_code == 3, result.output
    data = json.loads(result.output)
    assert [m["text"] for m in data["mentions"]] == ["Tanchon Commercial Bank"]
    assert data["mentions"][0]["entity"]["id"] == "fx-tcb"
    table = CliRunner().invoke(main, ["--db", db, "screen-text", str(page)])
    assert table.exit_code == 3 and "fx-tcb" in table.output
    name = next(e for e in data["mentions"][0]["explanations"] if e["feature"] == "name")
    assert f"name {name['contribution']:+.2f}: " in table.output  # Feature.describe()
    plain = CliRunner().invoke(
        main, ["--db", db, "screen-text", "-"], input="Frank met Harriet in Leeds on Monday."
    )
    assert plain.exit_code == 0 and "no listed subject" in plain.output


def test_held_messages_are_audited_unless_no_audit(db: str) -> None:
    from sanctions import audit
    from sanctions.store import Store

    def held() -> int:
        store = Store.open(db)
        try:
            return sum(e.action == "payment.held" for e in audit.iter_entries(store.engine))
        finally:
            store.close()

    assert run(db, str(MESSAGES / "mt103_hits.txt"), "--no-audit").exit_code == 3
    assert held() == 0
    assert run(db, str(MESSAGES / "mt103_hits.txt")).exit_code == 3
    assert held() == 1


def test_no_such_file_or_an_empty_input_is_an_error(db: str, tmp_path: Path) -> None:
    missing = run(db, str(tmp_path / "nope.fin"))
    assert missing.exit_code == 2 and "no such file" in missing.output
    (tmp_path / "empty").mkdir()
    empty = run(db, str(tmp_path / "empty"))
    assert empty.exit_code == 2 and "no message found" in empty.output
    blank = run(db, "-", stdin="   \n")
    assert blank.exit_code == 2


def test_every_run_is_recorded_in_the_audit_log_with_its_list_versions(db: str) -> None:
    from sanctions.screening.evidence import find_run
    from sanctions.store import Store

    result = run(db, str(MESSAGES / "pacs008_hits.xml"))
    assert result.exit_code == 3, result.output
    run_id = result.output.split("screening run ")[1].split()[0]
    store = Store.open(db)
    try:
        recorded = find_run(store.engine, run_id)
    finally:
        store.close()
    assert recorded["kind"] == "payment" and recorded["rows"] == 1
    assert recorded["decisions"] == {"pass": 0, "review": 0, "hold": 1}
    assert recorded["matched"] == 1 and len(recorded["input_sha256"]) == 64
    assert recorded["list_versions"]  # the versions screened against


def test_no_audit_records_no_run(db: str) -> None:
    result = run(db, str(MESSAGES / "mt103_clean.txt"), "--no-audit")
    assert result.exit_code == 0, result.output
    assert "screening run" not in result.output
