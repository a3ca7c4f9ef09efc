"""Run one store operation and kill this process with SIGKILL before its Nth SQL statement.

    python -m tests.adversarial.crash_child OP DB KILL_AT [ARG]

OP is ``load`` (ARG: a list file), ``update`` (ARG: a mirror folder), ``import``
(ARG: a customers CSV, with ``remove_missing``) or ``rescreen``. Statements are
counted by SQLAlchemy event hooks (every cursor execute, each COMMIT before it
happens, and each connection handed back to the pool, i.e. after a transaction
ended);
when the count reaches KILL_AT the process kills itself, so the kill lands at a
point chosen by the caller's seeded RNG, in units of work, not of time. With
KILL_AT 0 the operation runs to the end and the number of statements is printed
as JSON (``{"statements": N}``) so that the caller can choose points within it.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import event

from sanctions.errors import SanctionsError
from sanctions.store import Store
from sanctions.update import update_datasets
from sanctions.watch import ColumnMap, ImportOptions, Watch


class Killer:
    def __init__(self, kill_at: int) -> None:
        self.kill_at = kill_at
        self.count = 0

    def tick(self, *_args: Any, **_kw: Any) -> None:
        self.count += 1
        if self.count == self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)


def run(op: str, store: Store, arg: str | None) -> None:
    watch = Watch(store, actor="crash-test")
    if op == "load":
        store.load(Path(str(arg)), dataset="fixture")
    elif op == "update":
        data_dir = Path(store.engine.url.database or ".").parent / "downloads"
        update_datasets(store, ["un_sc_sanctions"], data_dir=data_dir, mirror=arg, retries=0)
    elif op == "import":
        watch.import_file(
            Path(str(arg)), ColumnMap(schema_column="kind"), ImportOptions(remove_missing=True)
        )
    elif op == "rescreen":
        watch.rescreen()
    else:
        raise SystemExit(f"unknown operation {op!r}")


def main() -> None:
    op, db, kill_at = sys.argv[1], sys.argv[2], int(sys.argv[3])
    arg = sys.argv[4] if len(sys.argv) > 4 else None
    store = Store.open(db)
    killer = Killer(kill_at)
    event.listen(store.engine, "before_cursor_execute", killer.tick)
    event.listen(store.engine, "commit", killer.tick)
    event.listen(store.engine, "reset", killer.tick)
    try:
        run(op, store, arg)
        outcome = "done"
    except SanctionsError as exc:  # refused by a gate or a check: still a clean end
        outcome = f"refused: {exc}"
    store.close()
    print(json.dumps({"statements": killer.count, "outcome": outcome}))


if __name__ == "__main__":
    main()
