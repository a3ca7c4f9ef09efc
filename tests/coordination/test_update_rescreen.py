"""`sanctions update --rescreen` resolves first when the store's subjects are in use.

Once the lists were resolved, alerts are per subject: the update's rescreen must see the
clusters of the new versions, as `rescreen --resolve` does. A store never resolved is
not resolved by an update (a first resolve of every list is an explicit step).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

from sanctions.cli import main
from sanctions.coordination import Resolver, ever_resolved, stale_datasets
from sanctions.store import Store
from tests.screening.subject_lists import bank, bystander, save

SAMPLES = Path(__file__).resolve().parents[2] / "sanctions" / "data" / "samples"


def _update_rescreen(tmp_path: Path, db: Path) -> Result:
    mirror = tmp_path / "mirror" / "un_sc_sanctions"
    mirror.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLES / "un_sc.xml", mirror / "consolidated.xml")
    args = ["--db", str(db), "update", "un_sc_sanctions", "--mirror", str(tmp_path / "mirror")]
    return CliRunner().invoke(
        main,
        [*args, "--rescreen"],
        env={"SANCTIONS_DATA_DIR": str(tmp_path / "data")},
        terminal_width=200,
    )


def _watched_store(small_store: Callable[..., Store], resolve: bool) -> Path:
    from sanctions.watch import Watch

    store = small_store()
    save(store, "us_ofac_sdn", [bystander("us_ofac_sdn"), bank("us_ofac_sdn", "100")], "v1")
    if resolve:
        Resolver(store).run()
    Watch(store).add("c-1", {"name": ["Acme Trading Bank"]}, schema="Organization")
    path = Path(str(store.engine.url.database))
    store.close()
    return path


def test_update_rescreen_resolves_first_once_the_lists_were_resolved(
    small_store: Callable[..., Store], tmp_path: Path
) -> None:
    db = _watched_store(small_store, resolve=True)
    result = _update_rescreen(tmp_path, db)
    assert result.exit_code == 0, result.output
    assert "clusters resolved first (incremental: un_sc_sanctions" in result.output
    assert "rescreen: run 1" in result.stdout
    store = Store.open(db)
    assert stale_datasets(store) == []  # the clusters hold the new UN version
    store.close()


def test_update_rescreen_does_not_resolve_a_store_never_resolved(
    small_store: Callable[..., Store], tmp_path: Path
) -> None:
    db = _watched_store(small_store, resolve=False)
    result = _update_rescreen(tmp_path, db)
    assert result.exit_code == 0, result.output
    assert "clusters resolved first" not in result.output
    assert "rescreen: run 1" in result.stdout
    store = Store.open(db)
    assert not ever_resolved(store)
    store.close()
