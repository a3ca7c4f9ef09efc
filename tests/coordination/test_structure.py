"""Name links without dates of birth: the lists' structure decides (fictional listings)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from sanctions.cli import main
from sanctions.coordination import Resolver, add_override, get_cluster, stale_datasets
from sanctions.coordination import tables as ct
from sanctions.errors import SanctionsError
from sanctions.store import Store

from .conftest import make_entity, save
from .test_resolve import together

AQ_UN = ("Al-Qaida",)
AQ_UK = ("The ISIL (Da'esh) and Al-Qaida organisations",)


def _reference(store: Store) -> None:
    """A UN-like list: dates of birth, nationalities, regimes."""
    save(
        store,
        "list_un",
        [
            make_entity(
                "list_un", "1", "Quentavius Ardo Brollinger", birth="1970", programmes=AQ_UN
            ),
            make_entity("list_un", "2", "Velimir Ardo Starkhoven", birth="1961", programmes=AQ_UN),
            make_entity("list_un", "3", "Velimir Ardo Starkhoven", birth="1979", programmes=AQ_UN),
            make_entity(
                "list_un", "4", "Ondrej Ardo Quillfeather", birth="1955", programmes=("DPRK",)
            ),
            make_entity(
                "list_un",
                "5",
                "Thessaly Ardo Marrowgate",
                birth="1966",
                programmes=AQ_UN,
                gender="f",
            ),
        ],
    )


def _names_only(store: Store) -> None:
    """A rendering with names and regimes only (no dates of birth, no nationalities), and
    without the middle names: the matcher scores the pairs 0.93, under the old bar of 0.98."""
    save(
        store,
        "list_uk",
        [
            make_entity("list_uk", "a", "Quentavius BROLLINGER", programmes=AQ_UK),
            make_entity("list_uk", "b", "Velimir STARKHOVEN", programmes=AQ_UK),
            make_entity("list_uk", "c", "Ondrej QUILLFEATHER", programmes=("Syria",)),
            make_entity("list_uk", "d", "Thessaly MARROWGATE", programmes=AQ_UK, gender="m"),
        ],
    )


def _joined_by_name(store: Store, listing: str) -> dict[str, Any]:
    """How the member that joined the listing's cluster by a name link joined it."""
    return next(
        item["joined"]
        for item in get_cluster(store, listing)["listings"]
        if item["joined"]["reason"] == "name"
    )


@pytest.fixture
def resolved(small_store: Callable[[], Store]) -> Store:
    store = small_store()
    _reference(store)
    _names_only(store)
    Resolver(store).run()
    return store


def test_name_only_listing_links_when_the_structure_supports_it(resolved: Store) -> None:
    assert together(resolved, "list_un-1", "list_uk-a")
    joined = _joined_by_name(resolved, "list_uk-a")
    evidence = joined["evidence"]
    assert evidence["structure"] and evidence["checks"] == {
        "strong_name": True,
        "mutual_best": True,
        "margin": True,
        "rare_token": True,
        "regimes": True,
        "same_type": True,
        "no_document_conflict": True,
    }
    assert evidence["common_regimes"] == ["AQ", "TERR"] and not evidence["base_rule"]
    assert "mutual best" in joined["detail"]


def test_a_tie_between_two_listings_of_one_list_links_neither(resolved: Store) -> None:
    assert not together(resolved, "list_un-2", "list_uk-b")
    assert not together(resolved, "list_un-3", "list_uk-b")


def test_different_regimes_and_conflicting_gender_forbid_the_link(resolved: Store) -> None:
    assert not together(resolved, "list_un-4", "list_uk-c")  # DPRK vs Syria
    assert not together(resolved, "list_un-5", "list_uk-d")  # female vs male


def test_common_name_tokens_are_not_distinctive(small_store: Callable[[], Store]) -> None:
    store = small_store()
    common = [f"Kalden Orvath {x}" for x in ("Abel", "Bors", "Cato", "Dace")]
    save(
        store,
        "list_un",
        [make_entity("list_un", str(i), n, programmes=AQ_UN) for i, n in enumerate(common)]
        + [make_entity("list_un", "x", "Kalden Ardo Orvath", birth="1980", programmes=AQ_UN)],
    )
    save(
        store,
        "list_uk",
        [make_entity("list_uk", str(i), n + " Ulm", programmes=AQ_UK) for i, n in enumerate(common)]
        + [make_entity("list_uk", "x", "Kalden ORVATH", programmes=AQ_UK)],
    )
    Resolver(store).run()
    assert not together(store, "list_un-x", "list_uk-x")


def test_incremental_run_judges_stored_pairs_again(small_store: Callable[[], Store]) -> None:
    """A new rival listing in one list takes away a structural link it made ambiguous."""
    store = small_store()
    _reference(store)
    _names_only(store)
    Resolver(store).run()
    assert together(store, "list_un-1", "list_uk-a")
    rival = make_entity("list_uk", "z", "Quentavius BROLLINGER", programmes=AQ_UK)
    entities = [
        make_entity("list_uk", "a", "Quentavius BROLLINGER", programmes=AQ_UK),
        make_entity("list_uk", "b", "Velimir STARKHOVEN", programmes=AQ_UK),
        rival,
    ]
    save(store, "list_uk", entities, tag="v2")
    assert stale_datasets(store) == ["list_uk"]
    result = Resolver(store).run()
    assert result.mode == "incremental"
    assert not together(store, "list_un-1", "list_uk-a")
    assert not together(store, "list_un-1", "list_uk-z")


def _overrides(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(ct.overrides)).scalar_one())


def test_bad_overrides_are_refused_and_change_nothing(resolved: Store) -> None:
    with pytest.raises(SanctionsError, match="no listing 'list_uk-nowhere'"):
        add_override(resolved, "merge", "list_un-1", "list_uk-nowhere")
    with pytest.raises(SanctionsError, match="both listings of list_un"):
        add_override(resolved, "merge", "list_un-2", "list_un-3")
    # list_uk-a is already with list_un-1: merging it with list_un-2 would join two UN listings
    with pytest.raises(SanctionsError, match="list_un-1 and list_un-2, two listings of list_un"):
        add_override(resolved, "merge", "list_uk-a", "list_un-2")
    assert _overrides(resolved) == 0


def _cli(db: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--db", str(db), *args])
    return result.exit_code, result.stdout, result.stderr


def test_reports_resolve_first_when_a_list_changed(
    small_store: Callable[[], Store], tmp_path: Path
) -> None:
    store = small_store()
    _reference(store)
    db = tmp_path / "coord.db"
    code, out, err = _cli(db, "coverage", "--json")
    assert code == 0, err
    assert "resolved first (full)" in err and "list_un changed" in err
    assert json.loads(out)["subjects"] == 5
    _names_only(store)
    code, out, err = _cli(db, "cluster", "list_uk-a", "--json")
    assert code == 0, err
    assert "resolved first (incremental): list_uk changed" in err
    assert {item["id"] for item in json.loads(out)["listings"]} == {"list_un-1", "list_uk-a"}
    code, _out, err = _cli(db, "gaps", "--listed-by", "list_un", "--not-listed-by", "list_uk")
    assert code == 0 and "resolved first" not in err


def test_unknown_programme_is_an_error_before_any_work(
    small_store: Callable[[], Store], tmp_path: Path
) -> None:
    store = small_store()
    _reference(store)
    for command in ("coverage", "timeline"):
        code, _out, err = _cli(tmp_path / "coord.db", command, "--programme", "Atlantis")
        assert code == 2 and "unknown programme 'Atlantis'" in err
    assert stale_datasets(store) == ["list_un"]  # nothing was resolved


def test_regimes_of_two_countries_need_the_structure_too(
    small_store: Callable[[], Store],
) -> None:
    """A ministry of defence listed under North Korea is not one listed under Syria, though
    the names are identical (common words); a firm listed under Russia by one list and
    under Iran by the other (a supplier of Russia's drones) keeps its link: its name is
    rare in both lists and each listing is the other's best match."""
    store = small_store()
    others = ["Ministry of Health", "Ministry of Energy", "Ministry of Oil", "Ministry of Culture"]
    others += ["Defence Industries Organisation", "Defence Research Centre", "Defence Board"]
    save(
        store,
        "list_un",
        [make_entity("list_un", "mod", "Ministry of Defence", "Organization", programmes=("DPRK",))]
        + [make_entity("list_un", f"o{i}", n, "Organization") for i, n in enumerate(others)]
        + [
            make_entity(
                "list_un", "zt", "Zorvanthic Turbine Works", "Organization", programmes=("Iran",)
            )
        ],
    )
    save(
        store,
        "list_uk",
        [
            make_entity(
                "list_uk", "mod", "MINISTRY OF DEFENCE", "Organization", programmes=("Syria",)
            )
        ]
        + [make_entity("list_uk", f"o{i}", n.upper(), "Organization") for i, n in enumerate(others)]
        + [
            make_entity(
                "list_uk",
                "zt",
                "ZORVANTHIC TURBINE WORKS",
                "Organization",
                programmes=("Autonomous (Russia)",),
            )
        ],
    )
    Resolver(store).run()
    assert not together(store, "list_un-mod", "list_uk-mod")
    assert together(store, "list_un-zt", "list_uk-zt")
    joined = _joined_by_name(store, "list_uk-zt")
    assert joined["evidence"]["country_regimes_conflict"] and joined["evidence"]["base_rule"]
    assert "regimes of different countries" in joined["detail"]


def test_a_tie_forbids_even_a_base_rule_link(small_store: Callable[[], Store]) -> None:
    """Two listings of one list with the very name of a listing of the other, and no date of
    birth to tell them apart (two Kim Yong Chols): the base rule's near-identical name is
    no evidence of which one is the subject, so neither is linked. Alone, it links."""
    store = small_store()
    save(
        store,
        "list_un",
        [
            make_entity("list_un", "1", "Kalden Voss Tarrow", birth="1962", programmes=("DPRK",)),
            make_entity("list_un", "2", "Mirela Voss Quandt", birth="1970", programmes=("DPRK",)),
        ],
    )
    north_korea = ("North Korea (Democratic People's Republic of Korea)",)
    save(
        store,
        "list_uk",
        [
            make_entity("list_uk", "a", "Kalden Voss TARROW", programmes=north_korea),
            make_entity("list_uk", "b", "Kalden Voss TARROW", programmes=north_korea),
            make_entity("list_uk", "c", "Mirela Voss QUANDT", programmes=north_korea),
        ],
    )
    Resolver(store).run()
    assert not together(store, "list_un-1", "list_uk-a")
    assert not together(store, "list_un-1", "list_uk-b")
    assert together(store, "list_un-2", "list_uk-c")
    joined = _joined_by_name(store, "list_uk-c")
    assert joined["evidence"]["base_rule"] and joined["evidence"]["checks"]["mutual_best"]


def test_a_list_listing_one_subject_per_regime_links_the_one_under_the_same_regime(
    small_store: Callable[[], Store],
) -> None:
    """The UK lists one commander twice, under its Iran nuclear and Iran human rights
    regimes; the UN's Iran list is a non-proliferation regime: the UN listing joins the
    UK listing under the nuclear regime, and the other stays apart (one list, two)."""
    from sanctions.coordination.programmes import regime_codes

    assert regime_codes(["Iran"], "un_sc_sanctions") == {"IRN", "WMD"}
    assert regime_codes(["Iran"], "ca_dfatd_sema_sanctions") == {"IRN"}
    assert regime_codes(["DPRK"], "un_sc_sanctions") == {"PRK", "WMD"}
    assert regime_codes(["1718 (DPRK)"]) == {"PRK", "WMD"}
    store = small_store()
    save(
        store,
        "un_sc_sanctions",
        [make_entity("un_sc_sanctions", "IRi.900", "Baharan Tezhvar Qomi", programmes=("Iran",))],
    )
    save(
        store,
        "gb_hmt_sanctions",
        [
            make_entity(
                "gb_hmt_sanctions", "1", "Baharan TEZHVAR QOMI", programmes=("Iran (human rights)",)
            ),
            make_entity(
                "gb_hmt_sanctions",
                "2",
                "Baharan TEZHVAR QOMI",
                programmes=("Iran (nuclear proliferation)",),
            ),
        ],
    )
    Resolver(store).run()
    assert together(store, "un_sc_sanctions-IRi.900", "gb_hmt_sanctions-2")
    assert not together(store, "un_sc_sanctions-IRi.900", "gb_hmt_sanctions-1")
