"""Resolution on fictional listings: strong keys, look-alikes, overrides, incremental runs."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from sanctions.coordination import Resolver, add_override, get_cluster
from sanctions.coordination import tables as ct
from sanctions.store import Store

from .conftest import make_entity, save


def clusters_of(store: Store) -> dict[str, str]:
    with store.engine.connect() as conn:
        return dict(conn.execute(select(ct.members.c.entity_id, ct.members.c.cluster_id)).all())


def together(store: Store, a: str, b: str) -> bool:
    where = clusters_of(store)
    return where[a] == where[b]


def test_shared_passport_imo_bic_lei_link_across_lists(small_store: Callable[[], Store]) -> None:
    store = small_store()
    save(
        store,
        "list_a",
        [
            make_entity(
                "list_a", "1", "Ivan Fictional", birth="1970-01-01", passportNumber="P1234567"
            ),
            make_entity("list_a", "2", "Sea Fiction", "Vessel", imoNumber="IMO 9176187"),
            make_entity("list_a", "3", "Fiction Bank", "Company", swiftBic="FICTXXPY"),
            make_entity(
                "list_a", "4", "Fictive Holding", "Company", leiCode="5493001KJTIIGC8Y1R12"
            ),
        ],
    )
    save(
        store,
        "list_b",
        [
            make_entity(
                "list_b", "A", "Johann Fiktiv", birth="1970-01-01", passportNumber="P-123-4567"
            ),
            make_entity("list_b", "B", "Mar Ficcion", "Vessel", imoNumber="9176187"),
            make_entity("list_b", "C", "Banque Fictive", "Company", notes="SWIFT: FICTXXPY"),
            make_entity("list_b", "D", "Holding Fiktiv", "Company", leiCode="5493001KJTIIGC8Y1R12"),
        ],
    )
    result = Resolver(store).run()
    assert result.mode == "full"
    for a, b, reason in [
        ("1", "A", "document"),
        ("2", "B", "imo"),
        ("3", "C", "bic"),
        ("4", "D", "lei"),
    ]:
        assert together(store, f"list_a-{a}", f"list_b-{b}")
        cluster = get_cluster(store, f"list_b-{b}")
        joined = [item["joined"]["reason"] for item in cluster["listings"]]
        assert reason in joined, cluster


def test_document_number_with_different_nationalities_does_not_link(
    small_store: Callable[[], Store],
) -> None:
    store = small_store()
    save(
        store,
        "list_a",
        [make_entity("list_a", "1", "Ana One", passportNumber="X9988776", nationality="fr")],
    )
    save(
        store,
        "list_b",
        [make_entity("list_b", "1", "Bea Two", passportNumber="X9988776", nationality="br")],
    )
    Resolver(store).run()
    assert not together(store, "list_a-1", "list_b-1")


def test_look_alikes_with_different_birth_dates_stay_apart(
    small_store: Callable[[], Store],
) -> None:
    store = small_store()
    save(
        store,
        "list_a",
        [
            make_entity(
                "list_a", "1", "Mohammed Ali Fictitious", birth="1961-03-02", nationality="iq"
            ),
            make_entity("list_a", "2", "Kasimir Fakename", birth="1975-06-30", nationality="ru"),
        ],
    )
    save(
        store,
        "list_b",
        [
            make_entity(
                "list_b", "1", "Mohammed Ali Fictitious", birth="1984-11-20", nationality="iq"
            ),
            make_entity("list_b", "2", "FAKENAME, Kasimir", birth="1975-06-30", nationality="ru"),
        ],
    )
    Resolver(store).run()
    assert not together(store, "list_a-1", "list_b-1")
    assert together(store, "list_a-2", "list_b-2")
    detail = get_cluster(store, "list_b-2")["listings"][1]["joined"]["detail"]
    assert "score" in detail and "birth date" in detail


def test_two_listings_of_one_list_never_merge_by_name(small_store: Callable[[], Store]) -> None:
    store = small_store()
    save(
        store,
        "list_a",
        [
            make_entity("list_a", "1", "Zora Imaginary", birth="1966-05-05", nationality="rs"),
            make_entity("list_a", "2", "Zora Imaginary", birth="1966-05-05", nationality="rs"),
        ],
    )
    Resolver(store).run()
    assert not together(store, "list_a-1", "list_a-2")


def test_manual_overrides_survive_recomputation(small_store: Callable[[], Store]) -> None:
    store = small_store()
    save(
        store,
        "list_a",
        [
            make_entity("list_a", "1", "Petra Madeup", birth="1980-02-02", nationality="de"),
            make_entity("list_a", "2", "Orbis Trading Fictional", "Company"),
        ],
    )
    save(
        store,
        "list_b",
        [
            make_entity("list_b", "1", "Petra Madeup", birth="1980-02-02", nationality="de"),
            make_entity("list_b", "2", "Globe Invented Commerce", "Company"),
        ],
    )
    Resolver(store).run()
    assert together(store, "list_a-1", "list_b-1")
    assert not together(store, "list_a-2", "list_b-2")
    add_override(store, "split", "list_a-1", "list_b-1", note="different people")
    add_override(store, "merge", "list_a-2", "list_b-2", note="same firm, renamed")
    Resolver(store).run()
    assert not together(store, "list_a-1", "list_b-1")
    assert together(store, "list_a-2", "list_b-2")
    merged_id = clusters_of(store)["list_a-2"]
    # a new version of list_b: the run is incremental and the overrides still hold
    save(
        store,
        "list_b",
        [
            make_entity("list_b", "1", "Petra Madeup", birth="1980-02-02", nationality="de"),
            make_entity("list_b", "2", "Globe Invented Commerce", "Company"),
            make_entity("list_b", "3", "Newly Listed Person", birth="1990-09-09"),
        ],
        tag="v2",
    )
    result = Resolver(store).run()
    assert result.mode == "incremental" and result.dirty_datasets == ["list_b"]
    assert not together(store, "list_a-1", "list_b-1")
    assert together(store, "list_a-2", "list_b-2")
    assert clusters_of(store)["list_a-2"] == merged_id  # stable cluster id
    assert Resolver(store).run(full=True).clusters == result.clusters


def test_incremental_run_rescores_only_changed_listings(small_store: Callable[[], Store]) -> None:
    store = small_store()
    people = [
        make_entity("list_a", str(i), f"Person Number{i} Fictional", birth=f"19{50 + i}-01-01")
        for i in range(20)
    ]
    save(store, "list_a", people)
    save(
        store,
        "list_b",
        [
            make_entity("list_b", str(i), f"Person Number{i} Fictional", birth=f"19{50 + i}-01-01")
            for i in range(20)
        ],
    )
    first = Resolver(store).run()
    assert first.merged == 20
    ids_before = clusters_of(store)
    unchanged = Resolver(store).run()
    assert unchanged.mode == "unchanged" and unchanged.rescored_pairs == 0
    save(
        store,
        "list_b",
        [
            make_entity("list_b", str(i), f"Person Number{i} Fictional", birth=f"19{50 + i}-01-01")
            for i in range(21)
        ],
        tag="v2",
    )
    again = Resolver(store).run()
    assert again.mode == "incremental" and again.rescored_pairs < first.rescored_pairs
    assert again.merged == 20
    after = clusters_of(store)
    assert all(after[eid] == cid for eid, cid in ids_before.items())


def test_override_of_unknown_entity_is_refused(small_store: Callable[[], Store]) -> None:
    from sanctions.errors import SanctionsError

    store = small_store()
    save(store, "list_a", [make_entity("list_a", "1", "Solo Fictional")])
    with pytest.raises(SanctionsError):
        add_override(store, "merge", "list_a-1", "nowhere-9")
