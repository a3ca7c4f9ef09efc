"""The resolver's per-entity input cache changes its speed, never its results."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sanctions.coordination import Resolver, inputs, resolve
from sanctions.coordination import tables as ct
from sanctions.coordination.records import LazyRecords, record_tokens
from sanctions.demo import load_samples
from sanctions.matching import cache_dir, load_records
from sanctions.matching.index import cached_records
from sanctions.screening import parallel
from sanctions.store import Store

from .conftest import REAL_DATASETS, amend_list, snapshot


def count_workers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of workers of each ``map_ordered`` call made from now on."""
    calls: list[int] = []
    real_map = parallel.map_ordered

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[3])
        return real_map(*args, **kwargs)

    monkeypatch.setattr(parallel, "map_ordered", counting)
    return calls


def update(store: Store, dataset: str, changed: int = 3, removed: int = 2, added: int = 2) -> None:
    amend_list(store, dataset, changed, removed, added, tag="cache-test")


def assert_same_inputs(store: Store, datasets: Any = None) -> None:
    facts, records, versions = inputs.load_inputs(store, datasets)
    ref_facts, ref_records, ref_versions = inputs.load_inputs_uncached(store, datasets)
    assert list(facts) == list(ref_facts) and facts == ref_facts
    assert list(records) == list(ref_records) and records == ref_records
    assert [v.id for v in versions] == [v.id for v in ref_versions]


def count_prepared(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    prepared: list[int] = []
    real = inputs.prepare_records

    def counting(entities: Any) -> Any:
        out = real(entities)
        prepared.append(1)
        return out

    monkeypatch.setattr(inputs, "prepare_records", counting)
    return prepared


def test_cached_inputs_equal_a_fresh_read_and_only_changed_listings_are_prepared(
    small_store: Callable[[], Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = small_store()
    list(load_samples(store))
    prepared = count_prepared(monkeypatch)
    listings = len(inputs.load_inputs(store)[0])  # cold cache: every listing prepared
    assert len(prepared) == listings
    assert_same_inputs(store)
    prepared.clear()
    inputs.load_inputs(store)  # warm cache: nothing prepared
    assert prepared == []
    update(store, "us_ofac_sdn")
    inputs.load_inputs(store)
    assert len(prepared) == 3 + 2  # the amended and the new listings only
    assert_same_inputs(store)
    prepared.clear()
    inputs.load_inputs(store, ["us_ofac_sdn"])
    assert prepared == []
    assert_same_inputs(store, ["us_ofac_sdn"])


def test_the_matchers_record_cache_is_read_not_prepared_again(
    small_store: Callable[[], Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = small_store()
    list(load_samples(store))
    versions = inputs._current_versions(store, None)
    before = set(cache_dir().iterdir())
    assert all(cached_records(v) is None for v in versions)
    assert set(cache_dir().iterdir()) == before  # a look-up writes nothing
    load_records(store, versions)  # what a screen or a server after the load does
    monkeypatch.setattr(inputs, "MATCHER_CACHE_MIN", 1)  # the sample lists are small
    prepared = count_prepared(monkeypatch)
    facts, records, _ = inputs.load_inputs(store)  # empty resolver cache
    assert prepared == []  # every record came from the matcher's cache
    ref_facts, ref_records, _ = inputs.load_inputs_uncached(store)
    assert facts == ref_facts and list(records) == list(ref_records)
    assert dict(records) == ref_records


def test_cached_records_are_unpickled_only_when_read(small_store: Callable[[], Store]) -> None:
    store = small_store()
    list(load_samples(store))
    inputs.load_inputs(store)
    _facts, records, _ = inputs.load_inputs(store)  # from the cache file
    assert isinstance(records, LazyRecords)
    rid = next(iter(records))
    assert all(isinstance(item, bytes) for item in records._items.values())
    assert records.tokens(rid) == record_tokens(records[rid])  # the stored tokens are right
    assert sum(not isinstance(item, bytes) for item in records._items.values()) == 1
    _ref_facts, ref_records, _ = inputs.load_inputs_uncached(store)
    assert all(records.tokens(r) == record_tokens(ref_records[r]) for r in ref_records)


def test_incremental_blocking_unpickles_only_records_sharing_a_token(
    small_store: Callable[[], Store],
) -> None:
    from sanctions.coordination.linking import candidate_pairs

    store = small_store()
    list(load_samples(store))
    inputs.load_inputs(store)
    facts, records, _ = inputs.load_inputs(store)  # from the cache file: nothing unpickled
    rid = next(iter(records))
    candidate_pairs(records, {r: facts[r].dataset for r in records}, {rid})
    read = {r for r, item in records._items.items() if not isinstance(item, bytes)}
    assert rid in read and len(read) < len(records)
    assert all(records.tokens(r) & records.tokens(rid) for r in read)


def test_a_tampered_or_missing_cache_is_rebuilt(small_store: Callable[[], Store]) -> None:
    store = small_store()
    list(load_samples(store))
    inputs.load_inputs(store)
    path = inputs.inputs_cache_file()
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    assert_same_inputs(store)
    path.unlink()
    assert_same_inputs(store)


def test_incremental_blocking_gives_the_full_blocking_pairs_that_touch_dirty_listings(
    small_store: Callable[[], Store],
) -> None:
    from sanctions.coordination.linking import candidate_pairs

    store = small_store()
    list(load_samples(store))
    facts, records, _ = inputs.load_inputs(store)
    datasets = {rid: facts[rid].dataset for rid in records}
    every = candidate_pairs(records, datasets)
    assert every
    for dirty in ({a for a, _b in sorted(every)[::3]}, {b for _a, b in sorted(every)[:2]}, set()):
        touching = {(a, b) for a, b in every if a in dirty or b in dirty}
        assert candidate_pairs(records, datasets, dirty) == touching


def resolve_twice(path: Path, dataset: str, datasets: Any = None) -> dict[str, Any]:
    """A full resolve, a list update, an incremental resolve: what is stored after each."""
    store = Store.open(path)
    Resolver(store, datasets).run(full=True)
    after_full = snapshot(store)
    update(store, dataset, changed=20, removed=10, added=20)
    result = Resolver(store, datasets).run()
    assert result.mode == "incremental"
    return {"full": after_full, "incremental": snapshot(store), "pairs": result.rescored_pairs}


def assert_resolve_unchanged(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dataset: str, datasets: Any = None
) -> None:
    reference_db = tmp_path / "reference.db"
    shutil.copy(path, reference_db)
    cached = resolve_twice(path, dataset, datasets)
    with monkeypatch.context() as patch:
        patch.setattr(resolve, "load_inputs", inputs.load_inputs_uncached)
        reference = resolve_twice(reference_db, dataset, datasets)
    assert cached["full"]["links"] and cached["incremental"]["members"]
    assert cached == reference


def test_resolve_with_the_cache_stores_what_a_fresh_read_stores(
    small_store: Callable[[], Store], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = small_store()
    list(load_samples(store))
    path = Path(str(store.engine.url.database))
    store.close()
    assert_resolve_unchanged(path, tmp_path, monkeypatch, "us_ofac_sdn")


@pytest.mark.slow
def test_resolve_of_real_lists_is_unchanged_by_the_cache(
    real_store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANCTIONS_INDEX_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "lists.db"
    shutil.copy(real_store_path, path)
    assert_resolve_unchanged(path, tmp_path, monkeypatch, "us_ofac_sdn", REAL_DATASETS)


def test_incremental_writes_only_what_changed_and_stores_what_a_full_run_stores(
    small_store: Callable[[], Store],
) -> None:
    """The tables are synced, not rewritten: clusters an update leaves alone keep their
    rows (their ``updated_at``), and the result equals a full run's."""
    from sqlalchemy import update as sql_update

    store = small_store()
    list(load_samples(store))
    Resolver(store).run()
    with store.engine.begin() as conn:
        conn.execute(sql_update(ct.clusters).values(updated_at="2000-01-01T00:00:00+00:00"))
    before = snapshot(store)
    update(store, "us_ofac_sdn")
    assert Resolver(store).run().mode == "incremental"
    incremental = snapshot(store)
    with store.engine.connect() as conn:
        stamps = [r.updated_at for r in conn.execute(select(ct.clusters.c.updated_at))]
    touched = sum(1 for s in stamps if not s.startswith("2000"))
    assert 0 < touched < len(stamps) / 2, (touched, len(stamps))
    assert incremental != before
    Resolver(store).run(full=True)
    assert snapshot(store) == incremental
    assert Resolver(store).run().mode == "unchanged"
    assert snapshot(store) == incremental


@pytest.mark.slow  # worker processes (CI runs it)
def test_two_worker_processes_store_what_one_process_stores(
    small_store: Callable[[], Store], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Preparing the listings (empty cache) and scoring the pairs on forked workers, in
    small chunks here, changes nothing that is stored."""
    from sanctions.coordination import linking

    store = small_store()
    list(load_samples(store))
    path = Path(str(store.engine.url.database))
    store.close()
    reference_db = tmp_path / "reference.db"
    shutil.copy(path, reference_db)
    monkeypatch.setattr(linking, "PARALLEL_PAIRS", 1)
    monkeypatch.setattr(linking, "PAIR_CHUNK", 7)
    monkeypatch.setattr(inputs, "PARALLEL_LISTINGS", 1)
    monkeypatch.setattr(inputs, "BLOB_CHUNK", 5)
    calls = count_workers(monkeypatch)
    store = Store.open(path)
    Resolver(store, workers=2).run(full=True)
    assert calls == [2, 2]  # the listings prepared, then the pairs scored, on 2 workers
    two = snapshot(store)
    monkeypatch.setenv("SANCTIONS_INDEX_CACHE", str(tmp_path / "other-cache"))
    reference = Store.open(reference_db)
    Resolver(reference, workers=1).run(full=True)
    assert calls == [2, 2]
    assert two["links"] and two == snapshot(reference)


@pytest.mark.postgres
def test_incremental_sync_on_postgresql(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The synced writes (deletes by key through the driver) on PostgreSQL: an incremental
    run stores what a full run stores, and an unchanged run changes nothing."""
    from sqlalchemy import text

    from tests.store.test_store import postgres_url
    from tests.watch.test_postgres import empty_lists_and_watch

    monkeypatch.setenv("SANCTIONS_INDEX_CACHE", str(tmp_path / "cache"))
    store = Store.open(postgres_url())
    with store.engine.begin() as conn:
        for table in ("members", "clusters", "links", "state", "overrides"):
            conn.execute(text(f"DELETE FROM coordination_{table}"))
        empty_lists_and_watch(conn)  # the audit head too: later tests verify the chain
    list(load_samples(store))
    Resolver(store).run()
    update(store, "us_ofac_sdn")
    assert Resolver(store).run().mode == "incremental"
    incremental = snapshot(store)
    assert incremental["links"] and incremental["members"]
    Resolver(store).run(full=True)
    assert snapshot(store) == incremental
    assert Resolver(store).run().mode == "unchanged"
    assert snapshot(store) == incremental
    store.close()


def test_resolve_cli_takes_the_number_of_workers(small_store: Callable[[], Store]) -> None:
    import json

    from click.testing import CliRunner

    from sanctions.cli import main

    store = small_store()
    list(load_samples(store))
    db = str(store.engine.url.database)
    store.close()
    result = CliRunner().invoke(main, ["--db", db, "resolve", "--workers", "1", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["mode"] == "full"
    bad = CliRunner().invoke(main, ["--db", db, "resolve", "--workers", "0"])
    assert bad.exit_code == 2 and "--workers" in bad.output


@pytest.mark.slow  # worker processes and three real lists (CI runs it)
def test_resolve_of_real_lists_is_the_same_on_workers_from_cache_and_incremental(
    real_store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On UN, UK OFSI and Australia: a full resolve with an empty cache on two workers
    stores what one process reading every listing afresh stores; after an update, the
    incremental resolve stores what a full one stores."""
    from sanctions.coordination import linking

    datasets = ("un_sc_sanctions", "gb_hmt_sanctions", "au_dfat_sanctions")
    paths = {name: tmp_path / f"{name}.db" for name in ("workers", "reference")}
    for path in paths.values():
        shutil.copy(real_store_path, path)
    monkeypatch.setattr(linking, "PARALLEL_PAIRS", 1_000)  # the workers do run
    monkeypatch.setattr(inputs, "PARALLEL_LISTINGS", 1_000)
    monkeypatch.setenv("SANCTIONS_INDEX_CACHE", str(tmp_path / "cache"))
    calls = count_workers(monkeypatch)
    workers = Store.open(paths["workers"])
    Resolver(workers, datasets, workers=2).run(full=True)
    assert calls == [2, 2]
    with monkeypatch.context() as patch:
        patch.setattr(resolve, "load_inputs", inputs.load_inputs_uncached)
        reference = Store.open(paths["reference"])
        Resolver(reference, datasets, workers=1).run(full=True)
    full = snapshot(workers)
    assert len(full["links"]) > 1_000 and full == snapshot(reference)
    update(workers, "gb_hmt_sanctions", changed=20, removed=10, added=20)
    result = Resolver(workers, datasets).run()
    assert result.mode == "incremental" and 0 < result.rescored_pairs < len(full["links"])
    incremental = snapshot(workers)
    assert incremental != full
    Resolver(workers, datasets).run(full=True)
    assert snapshot(workers) == incremental
