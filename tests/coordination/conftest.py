"""Fixtures for coordination: small hand-made stores, and the real lists resolved once."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sanctions.coordination import tables as ct
from sanctions.model import Entity
from sanctions.store import Store

REAL_DATASETS = (
    "un_sc_sanctions",
    "gb_hmt_sanctions",
    "us_ofac_sdn",
    "au_dfat_sanctions",
    "ca_dfatd_sema_sanctions",
)


def make_entity(
    dataset: str,
    authority_id: str,
    name: str,
    schema: str = "Person",
    birth: str | None = None,
    programmes: tuple[str, ...] = (),
    listed_on: str | None = None,
    **props: Any,
) -> Entity:
    """A fictional listing."""
    entity = Entity.create(dataset, authority_id, schema)
    entity.add_name(name)
    if birth:
        entity.add_date(birth)
    entity.listing.programs = list(programmes)
    entity.listing.listed_on = listed_on
    for prop, value in props.items():
        entity.add(prop, value)
    return entity


def save(store: Store, dataset: str, entities: list[Entity], tag: str = "v1") -> None:
    store.save_version(
        dataset, {e.id: e for e in entities}, content_hash=f"{dataset}-{tag}", fmt="test"
    )


@pytest.fixture
def small_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Store]:
    """A fresh store in a temporary folder (and a private matcher cache)."""
    monkeypatch.setenv("SANCTIONS_INDEX_CACHE", str(tmp_path / "cache"))

    def open_store() -> Store:
        return Store.open(tmp_path / "coord.db")

    return open_store


@pytest.fixture(scope="session")
def resolved_real_store(real_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """A copy of the real store with UN, UK, SDN, Australia and Canada resolved."""
    from sanctions.coordination import Resolver

    path = tmp_path_factory.mktemp("coord-real") / "lists.db"
    shutil.copy(real_store_path, path)
    store = Store.open(path)
    Resolver(store, REAL_DATASETS).run()
    return store


def amend_list(
    store: Store, dataset: str, changed: int, removed: int, added: int, tag: str = "bench"
) -> None:
    """A new version of a list the size of a busy designation day: some listings amended
    (a new alias), some delisted, some new (fictional names)."""
    entities = {e.id: e for e in store.iter_entities([dataset])}
    ids = sorted(entities)
    for eid in ids[:changed]:
        entities[eid].add("alias", f"{entities[eid].caption} Trading Branch")
    for eid in ids[changed : changed + removed]:
        del entities[eid]
    for i in range(added):
        entity = Entity.create(dataset, f"{tag}-{i}", "Person")
        entity.add_name(f"Zorvath Benchmarkov Quillan{i}")
        entities[entity.id] = entity
    store.save_version(dataset, entities, content_hash=f"{dataset}-{tag}-update", fmt="test")


def snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Everything a resolve stores (clusters, members, scored pairs), less its timestamps."""
    out = {}
    with store.engine.connect() as conn:
        for name, table in (
            ("clusters", ct.clusters),
            ("members", ct.members),
            ("links", ct.links),
        ):
            columns = [c for c in table.c if c.name not in ("created_at", "updated_at")]
            out[name] = sorted(tuple(r) for r in conn.execute(select(*columns)))
    return out
