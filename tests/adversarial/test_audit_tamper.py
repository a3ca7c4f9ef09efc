"""Finding 7: the audit trail and the alert/decision tables rewritten by someone with database
write access. Each tampering is reproduced, then shown to be detected (with the exported head
or the key where the chain alone cannot tell)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from sanctions import audit
from sanctions.audit.log import entry_hash
from sanctions.cli import main
from sanctions.errors import ConfigError, StoreError

from .watched import BACKENDS, fill, index_cache, open_backend, sql  # noqa: F401

KEY = "correct horse battery staple 42"


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path, index_cache: Path) -> Any:  # noqa: F811
    store = open_backend(request.param, tmp_path)
    yield store
    store.close()


def _truncate_and_fix_head(store: Any, keep: int) -> None:
    """Delete every entry after ``keep`` and make the head point at entry ``keep``."""
    with store.engine.begin() as conn:
        last = conn.execute(
            text("SELECT hash, mac FROM audit_log WHERE id = :i"), {"i": keep}
        ).one()
        conn.execute(text("DELETE FROM audit_log WHERE id > :i"), {"i": keep})
        conn.execute(
            text("UPDATE audit_head SET last_id = :i, last_hash = :h, mac = :m"),
            {"i": keep, "h": last.hash, "m": last.mac},  # the best forgery without the key
        )


def _rewrite_history(store: Any, entry_id: int, details: str, strip_macs: bool = False) -> None:
    """Edit one entry, then recompute every hash after it and the head, as a forger would."""
    entries = list(audit.iter_entries(store.engine))
    prev = entries[entry_id - 2].hash if entry_id > 1 else audit.GENESIS
    with store.engine.begin() as conn:
        for entry in entries[entry_id - 1 :]:
            content = details if entry.id == entry_id else entry.details
            digest = entry_hash(
                prev, entry.id, entry.at, entry.actor, entry.action, entry.subject, content
            )
            conn.execute(
                text(
                    "UPDATE audit_log SET details = :d, prev_hash = :p, hash = :h"
                    + (", mac = NULL" if strip_macs else "")
                    + " WHERE id = :i"
                ),
                {"d": content, "p": prev, "h": digest, "i": entry.id},
            )
            prev = digest
        conn.execute(
            text(
                "UPDATE audit_head SET last_id = :i, last_hash = :h"
                + (", mac = NULL" if strip_macs else "")
            ),
            {"i": entries[-1].id, "h": prev},
        )


def _forged(entry: audit.AuditEntry) -> str:
    """The entry's details with another reason, in canonical form."""
    details = json.loads(entry.details)
    details["reason"] = "approved by the manager"
    return json.dumps(details, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _first(store: Any, action: str) -> audit.AuditEntry:
    return next(e for e in audit.iter_entries(store.engine) if e.action == action)


def test_an_untouched_store_verifies_with_alerts_and_decisions(store: Any) -> None:
    watch = fill(store)
    result = watch.verify_audit()
    assert result.ok, result.summary()
    assert result.state_problems == [] and result.checked > 10
    assert watch.verify_audit(expect=str(watch.audit_head())).ok


def test_tail_cut_with_a_rewritten_head_is_caught_by_the_exported_head(store: Any) -> None:
    watch = fill(store)
    exported = str(watch.audit_head())
    decided = _first(store, "alert.decided")
    _truncate_and_fix_head(store, decided.id - 1)
    assert audit.verify(store.engine).ok  # the chain alone cannot see it: that is the gap
    result = audit.verify(store.engine, expect=exported)
    assert not result.ok and "is not in the log" in result.problem
    assert exported in result.problem
    # The hash alone works too (kept without its number).
    assert not audit.verify(store.engine, expect=exported.split(":")[1]).ok


def test_every_hash_recomputed_is_caught_by_the_exported_head(store: Any) -> None:
    watch = fill(store)
    exported = str(watch.audit_head())
    decided = _first(store, "alert.decided")
    _rewrite_history(store, decided.id, _forged(decided))
    assert audit.verify(store.engine).ok  # consistent chain: only an anchor outside helps
    result = audit.verify(store.engine, expect=exported)
    assert not result.ok
    assert result.broken_id == watch.audit_head().last_id
    assert "the log was rewritten" in result.problem


def test_with_the_key_a_cut_tail_and_a_recomputed_chain_are_caught(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANCTIONS_AUDIT_KEY", KEY)
    fill(store)
    result = audit.verify(store.engine)
    assert result.ok and result.macs == result.checked and "the key" in result.anchored
    decided = _first(store, "alert.decided")
    forged = _forged(decided)
    _rewrite_history(store, decided.id, forged)
    result = audit.verify(store.engine)
    assert (
        not result.ok and result.broken_id == decided.id and "MAC does not match" in result.problem
    )
    _rewrite_history(store, decided.id, forged, strip_macs=True)  # hide the MACs too
    result = audit.verify(store.engine)
    assert not result.ok and result.broken_id == decided.id and "has no MAC" in result.problem


def test_with_the_key_a_cut_tail_is_caught_without_an_exported_head(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANCTIONS_AUDIT_KEY", KEY)
    fill(store)
    _truncate_and_fix_head(store, _first(store, "alert.decided").id - 1)
    result = audit.verify(store.engine)
    assert not result.ok and "does not carry a valid MAC" in result.problem


def test_the_key_vouches_for_entries_written_before_it(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    watch = fill(store)
    before = watch.audit_head().last_id
    monkeypatch.setenv("SANCTIONS_AUDIT_KEY", KEY)
    watch.decide(watch.alerts("open")[0].id, "escalated", "needs a second look", analyst="ana")
    result = audit.verify(store.engine)
    assert result.ok and result.macs == result.checked - before
    # An older entry edited and the chain recomputed up to the first MAC'd one breaks that MAC.
    imported = _first(store, "records.imported")
    assert imported.id <= before
    _rewrite_history(store, imported.id, _forged(imported))
    assert not audit.verify(store.engine).ok


def test_a_wrong_key_and_a_missing_key_are_refused(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANCTIONS_AUDIT_KEY", KEY)
    watch = fill(store)
    assert not audit.verify(store.engine, key=b"another key of enough length").ok
    monkeypatch.delenv("SANCTIONS_AUDIT_KEY")
    before = watch.audit_head()
    with pytest.raises(StoreError, match="sealed with a key"):
        watch.decide(watch.alerts("open")[0].id, "escalated", "look again", analyst="ana")
    assert watch.audit_head() == before  # nothing was written
    monkeypatch.setenv("SANCTIONS_AUDIT_KEY", "short")
    with pytest.raises(ConfigError, match="at least 16 bytes"):
        audit.verify(store.engine)


def test_a_key_file_outside_the_database_works_like_the_variable(
    store: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    key_file = tmp_path / "audit.key"
    key_file.write_text(KEY + "\n")
    monkeypatch.setenv("SANCTIONS_AUDIT_KEY_FILE", str(key_file))
    fill(store)
    monkeypatch.delenv("SANCTIONS_AUDIT_KEY_FILE")
    assert audit.verify(store.engine, key=KEY.encode()).macs > 0


def test_an_alert_row_edited_in_place_is_named(store: Any) -> None:
    watch = fill(store)
    true_match = watch.alerts("true_match")[0]
    sql(store, "UPDATE watch_alerts SET status = 'false_positive' WHERE id = :i", i=true_match.id)
    result = watch.verify_audit()
    assert not result.ok and result.problem is None  # the chain itself is intact
    assert len(result.state_problems) == 1
    problem = result.state_problems[0]
    assert f"alert {true_match.id} differs" in problem and "status is 'false_positive'" in problem
    assert "logged 'true_match'" in problem


def test_an_alert_score_lowered_or_row_deleted_is_named(store: Any) -> None:
    watch = fill(store)
    alerts = watch.alerts("all")
    sql(store, "UPDATE watch_alerts SET score = 0.1 WHERE id = :i", i=alerts[0].id)
    sql(store, "DELETE FROM watch_alerts WHERE id = :i", i=alerts[1].id)
    problems = watch.verify_audit().state_problems
    assert any(f"alert {alerts[0].id} differs" in p and "score" in p for p in problems)
    assert any(f"alert {alerts[1].id} is in the audit log" in p for p in problems)


def test_a_decision_row_edited_in_place_is_named(store: Any) -> None:
    watch = fill(store)
    decision = watch.decisions(watch.alerts("true_match")[0].id)[0]
    sql(
        store,
        "UPDATE watch_decisions SET reason = 'looked fine', analyst = 'eve' WHERE id = :i",
        i=decision.id,
    )
    problems = watch.verify_audit().state_problems
    assert len(problems) == 1 and f"decision {decision.id} differs" in problems[0]
    assert "analyst is 'eve' (logged 'ana')" in problems[0]


def test_a_forged_false_positive_that_would_silence_future_alerts_is_named(store: Any) -> None:
    watch = fill(store)
    target = watch.alerts("open")[0]
    sql(
        store,
        "INSERT INTO watch_suppressions (record_id, record_hash, entity_id, entity_hash, "
        "decision_id) VALUES (:r, :rh, :e, :eh, 999)",
        r=target.record_id,
        rh=target.record_hash,
        e=target.entity_id,
        eh=target.entity_hash,
    )
    problems = watch.verify_audit().state_problems
    assert any("decision 999" in p and "inserted outside" in p for p in problems)


def test_alerts_are_rebuilt_whole_from_the_log(store: Any) -> None:
    from sanctions.watch import schema as t
    from sanctions.watch.integrity import alert_state

    fill(store)
    rebuilt: dict[int, dict[str, Any]] = {}
    for entry in audit.iter_entries(store.engine):
        if entry.action.startswith("alert."):
            row = json.loads(entry.details)["row"]
            rebuilt.setdefault(int(entry.subject.split(":")[1]), {}).update(row)
    with store.engine.connect() as conn:
        table = {r.id: alert_state(r._mapping) for r in conn.execute(select(t.watch_alerts))}
    assert rebuilt == table and len(table) >= 4


def test_cli_head_and_verify_expect(store: Any, tmp_path: Path) -> None:
    fill(store)
    db = store.engine.url.render_as_string(hide_password=False)
    if db.startswith("sqlite:///"):
        db = db.removeprefix("sqlite:///")
    runner = CliRunner()
    head = runner.invoke(main, ["--db", db, "audit", "head"])
    assert head.exit_code == 0, head.output
    exported = head.output.strip()
    assert exported == str(audit.head(store.engine))
    ok = runner.invoke(main, ["--db", db, "audit", "verify", "--expect", exported])
    assert ok.exit_code == 0 and "checked against the exported head" in ok.output
    _truncate_and_fix_head(store, 3)
    bad = runner.invoke(main, ["--db", db, "audit", "verify", "--expect", exported])
    assert bad.exit_code == 1 and "is not in the log" in bad.output
    typo = runner.invoke(main, ["--db", db, "audit", "verify", "--expect", "12:xyz"])
    assert typo.exit_code == 2 and "expected ID:HASH" in typo.output


def _as_before_this_change(store: Any) -> None:
    """Rewrite the log as older versions wrote it: alert events without whole rows."""
    entries = list(audit.iter_entries(store.engine))
    prev = audit.GENESIS
    with store.engine.begin() as conn:
        for entry in entries:
            details = json.loads(entry.details)
            details.pop("row", None)
            details.pop("decision_record", None)
            content = json.dumps(details, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
            digest = entry_hash(
                prev, entry.id, entry.at, entry.actor, entry.action, entry.subject, content
            )
            conn.execute(
                text("UPDATE audit_log SET details = :d, prev_hash = :p, hash = :h WHERE id = :i"),
                {"d": content, "p": prev, "h": digest, "i": entry.id},
            )
            prev = digest
        conn.execute(text("UPDATE audit_head SET last_hash = :h"), {"h": prev})


def test_stores_logged_before_whole_rows_are_checked_on_what_was_logged(store: Any) -> None:
    watch = fill(store)
    _as_before_this_change(store)
    assert watch.verify_audit().ok, watch.verify_audit().summary()
    decided = watch.alerts("true_match")[0]
    decision = watch.decisions(decided.id)[0]
    sql(store, "UPDATE watch_alerts SET status = 'closed' WHERE id = :i", i=decided.id)
    sql(store, "UPDATE watch_decisions SET reason = 'fine' WHERE id = :i", i=decision.id)
    problems = watch.verify_audit().state_problems
    assert any(f"alert {decided.id} differs" in p and "status" in p for p in problems)
    assert any(f"decision {decision.id} differs" in p and "reason" in p for p in problems)
