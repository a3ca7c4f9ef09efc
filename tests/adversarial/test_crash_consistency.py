"""kill -9 at random points of a list load, an update, a watch import and a rescreen.

Each trial copies a prepared SQLite store, runs the operation in a subprocess
(:mod:`tests.adversarial.crash_child`) that kills itself before its Nth SQL
statement (N drawn by a seeded RNG from the statements the operation makes when
it runs whole), then checks that:

* ``doctor`` finds no problem in the store left behind;
* the store holds either the state from before the operation or the state it
  has when the operation completes, nothing in between (previous version still
  current and intact, or the new one complete);
* running the operation again (here, in the test's process) completes and
  gives that complete state (caches half-written by the killed process included).

Seed: ``SANCTIONS_CRASH_SEED`` (default 20261205); the failing trial names its
seed, operation and kill point.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from sanctions.doctor import diagnose
from sanctions.store import Store
from sanctions.store import schema as st
from sanctions.watch import schema as wt

from .crash_child import Killer, run
from .watched import WATCH_FIXTURES, customer_map, index_cache  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
UN_FIXTURE = ROOT / "tests" / "fixtures" / "un" / "consolidated_small.xml"
SEED = int(os.environ.get("SANCTIONS_CRASH_SEED", "20261205"))
OPERATIONS = ("load", "update", "import", "rescreen")


def _name(seed: str) -> str:
    """An invented two-word name, different for every seed (so names do not match each other)."""
    rng = random.Random(seed)
    word = "".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(4))
    last = "".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(4))
    return f"{word.title()} {last.title()}"


def _fictional_list(path: Path, count: int, changed: int = 0) -> Path:
    """A FtM list of ``count`` invented people (the first ``changed`` with a new birth date)."""
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(count):
            born = "1971-02-02" if i < changed else "1970-01-01"
            entity = {
                "id": f"crash-{i}",
                "schema": "Person",
                "properties": {"name": [_name(f"listed-{i}")], "birthDate": [born]},
                "datasets": ["fixture"],
            }
            fh.write(json.dumps(entity) + "\n")
    return path


def _customers(path: Path, count: int, renamed: int = 0) -> Path:
    """Customers: every third one is a listed person, the others invented people."""
    rows = ["customer_id,full_name,date_of_birth,nationality,kind"]
    for i in range(count):
        name = _name(f"listed-{i}") if i % 3 == 0 else _name(f"customer-{i}")
        if i < renamed:
            name = _name(f"renamed-{i}")
        rows.append(f"k-{i},{name},1970-01-01,Russia,Person")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _un_mirror(folder: Path, extra: bool) -> Path:
    """A mirror holding our UN fixture, or the fixture with one more (invented) individual."""
    target = folder / "un_sc_sanctions"
    target.mkdir(parents=True)
    xml = UN_FIXTURE.read_text(encoding="utf-8")
    if extra:
        start = xml.index("<INDIVIDUAL>")
        block = xml[start : xml.index("</INDIVIDUAL>", start) + len("</INDIVIDUAL>")]
        copy = block.replace("<DATAID>9000001</DATAID>", "<DATAID>9000999</DATAID>")
        copy = copy.replace("QDi.901", "QDi.999")
        xml = xml.replace(block, block + "\n    " + copy, 1)
        xml = xml.replace('dateGenerated="2030-01-15', 'dateGenerated="2030-02-15')
    (target / "consolidated.xml").write_text(xml, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One prepared store per operation, and the operation's argument."""
    from sanctions.watch import Watch

    root = tmp_path_factory.mktemp("crash")
    os.environ.setdefault("SANCTIONS_INDEX_CACHE", str(root / "cache"))
    files = {
        "v1": _fictional_list(root / "v1.jsonl", 150),
        "v2": _fictional_list(root / "v2.jsonl", 160, changed=20),
        "customers1": _customers(root / "customers1.csv", 200),
        "customers2": _customers(root / "customers2.csv", 220, renamed=30),
        "mirror1": _un_mirror(root / "mirror1", extra=False),
        "mirror2": _un_mirror(root / "mirror2", extra=True),
    }
    base = root / "base.db"
    store = Store.open(base)
    watch = Watch(store, actor="setup")
    store.load(files["v1"], dataset="fixture")
    run("update", store, str(files["mirror1"]))
    watch.import_file(files["customers1"], customer_map())
    watch.rescreen()
    first = watch.alerts("open")[0]
    watch.decide(first.id, "true_match", "same person", analyst="ana")
    store.close()
    ready = root / "ready.db"  # for the rescreen: new list version and changed customers
    shutil.copy(base, ready)
    store = Store.open(ready)
    store.load(files["v2"], dataset="fixture")
    Watch(store, actor="setup").import_file(files["customers2"], customer_map())
    store.close()
    return {
        "load": (base, str(files["v2"])),
        "update": (base, str(files["mirror2"])),
        "import": (base, str(files["customers2"])),
        "rescreen": (ready, None),
    }


def _state(db: Path) -> dict[str, Any]:
    """What the operations change, by content (not by row ids or times)."""
    store = Store.open(db)
    with store.engine.connect() as conn:
        current = conn.execute(
            select(st.versions.c.dataset, st.versions.c.content_hash, st.versions.c.entity_count)
            .join(st.datasets, st.datasets.c.current_version_id == st.versions.c.id)
            .order_by(st.versions.c.dataset)
        ).all()
        r, a = wt.watch_records, wt.watch_alerts
        records = conn.execute(select(r.c.id, r.c.hash, r.c.status).order_by(r.c.id)).all()
        alerts = conn.execute(
            select(
                a.c.record_id, a.c.entity_id, a.c.record_hash, a.c.entity_hash, a.c.status
            ).order_by(a.c.record_id, a.c.entity_id, a.c.record_hash, a.c.entity_hash, a.c.status)
        ).all()
        runs = conn.execute(select(func.count()).select_from(wt.watch_runs)).scalar()
    store.close()
    return {
        "current": [tuple(x) for x in current],
        "records": [tuple(x) for x in records],
        "alerts": [tuple(x) for x in alerts],
        "runs": runs,
    }


def _child(op: str, db: Path, kill_at: int, arg: str | None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "tests.adversarial.crash_child", op, str(db), str(kill_at)]
    return subprocess.run(
        command + ([arg] if arg else []), cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def _copy(template: Path, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(template, dest)
    return dest


def _run_whole(op: str, db: Path, arg: str | None) -> int:
    """Run the operation here, to the end; return how many statements it made."""
    store = Store.open(db)
    killer = Killer(0)
    event.listen(store.engine, "before_cursor_execute", killer.tick)
    event.listen(store.engine, "commit", killer.tick)
    event.listen(store.engine, "reset", killer.tick)
    run(op, store, arg)
    store.close()
    return killer.count


def _reference(op: str, templates: dict[str, Any], folder: Path) -> tuple[int, dict[str, Any]]:
    """Run the operation whole: how many statements it makes, and the state it leaves.

    The first run may build the index cache (reads from the store that later runs
    skip), so the count is taken from a second, identical run in a subprocess.
    """
    template, arg = templates[op]
    db = _copy(template, folder / "reference.db")
    _run_whole(op, db, arg)
    after = _state(db)
    dry = _child(op, _copy(template, folder / "dry-run.db"), 0, arg)
    assert dry.returncode == 0, dry.stderr
    return json.loads(dry.stdout.splitlines()[-1])["statements"], after


def _trials(op: str, templates: dict[str, Any], folder: Path, trials: int) -> None:
    template, arg = templates[op]
    before = _state(template)
    total, after = _reference(op, templates, folder)
    assert after != before, f"{op} changes nothing: the test would prove nothing"
    rng = random.Random(f"{SEED}-{op}")
    outcomes = {"before": 0, "after": 0}
    for trial in range(trials):
        kill_at = rng.randint(1, total)
        where = f"seed {SEED}, {op}, trial {trial}, killed before statement {kill_at}/{total}"
        db = _copy(template, folder / f"trial-{trial}.db")
        killed = _child(op, db, kill_at, arg)
        assert killed.returncode == -9, f"{where}: not killed ({killed.stderr[-500:]})"
        store = Store.open(db)
        report = diagnose(store)
        store.close()
        assert report.ok, f"{where}: {report.problems}"
        state = _state(db)
        assert state in (before, after), f"{where}: a state between before and after"
        outcomes["before" if state == before else "after"] += 1
        _run_whole(op, db, arg)
        assert _state(db) == after, f"{where}: running it again gives another state"
        store = Store.open(db)
        assert diagnose(store).ok, f"{where}: problems after running it again"
        store.close()
    print(f"\n{op}: {trials} kills among {total} statements (seed {SEED}): {outcomes}")


@pytest.mark.slow  # the 100-kill suite covers the same; both run in CI
@pytest.mark.parametrize("op", OPERATIONS)
def test_one_kill_during_each_operation_leaves_a_consistent_store(
    op: str, templates: dict[str, Any], tmp_path: Path
) -> None:
    _trials(op, templates, tmp_path, trials=1)


@pytest.mark.slow
@pytest.mark.parametrize("op", OPERATIONS)
def test_25_kills_during_each_operation_leave_consistent_stores(
    op: str, templates: dict[str, Any], tmp_path: Path
) -> None:
    _trials(op, templates, tmp_path, trials=25)
