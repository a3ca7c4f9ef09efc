"""Every official list file under ../shared/data loads into one store, and the diffs are exact."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from sanctions.store import LoadResult, Store


@pytest.fixture(scope="module")
def loaded(
    real_store_loads: dict[str, Any], shared_data: Path
) -> tuple[Store, dict[Path, LoadResult]]:
    """The session's store of every real list, and what each load returned."""
    store = Store.open(real_store_loads["path"])
    results = {shared_data / name: result for name, result in real_store_loads["results"].items()}
    yield store, results
    store.close()


@pytest.mark.slow  # real lists or a server: CI runs it, the fast loop does not
def test_every_list_file_loads(
    loaded: tuple[Store, dict[Path, LoadResult]], shared_data: Path
) -> None:
    store, results = loaded
    files = {p.relative_to(shared_data).as_posix() for p in results}
    # Every file of the data README is covered, as a file or as its set's folder.
    for expected in (
        "au/dfat/regulation8_consolidated_2024-11-11.xlsx",
        "ca/sema/sema-lmes_2020-04.xml",
        "eu/fsf-csv/global_excerpt_2018-07-04.csv",
        "uk/ofsi/ConList_2018-04-13.csv",
        "un/consolidated_2026-02-27.xml",
        "us/csl/consolidated_2022-04.csv.gz",
        "us/csl/dpl_2023-11.txt",
        "us/ofac-consolidated",
        "us/ofac-consolidated/CONS_ADVANCED_2021-06-03.xml",
        "us/ofac-consolidated/CONS_ENHANCED.ZIP",
        "us/ofac-consolidated/consolidated_2024-02-23.xml",
        *(
            f"us/ofac-sdn/{d}"
            for d in (
                "2018-12-19",
                "2021-07-07",
                "2022-01-10",
                "2022-02-17",
                "2022-02-24",
                "2022-02-25",
                "2022-02-28",
                "2022-04-08",
                "2023-12-28",
                "2025-12-partial",
            )
        ),
    ):
        assert expected in files, f"{expected} was not loaded"
    for path, result in results.items():
        assert result.entity_count > 0, path
    datasets = {d.id for d in store.datasets()}
    assert {
        "us_ofac_sdn",
        "us_ofac_cons",
        "un_sc_sanctions",
        "eu_fsf",
        "gb_hmt_sanctions",
        "ca_dfatd_sema_sanctions",
        "au_dfat_sanctions",
        "us_trade_csl",
        "us_bis_denied",
    } <= datasets


@pytest.mark.slow  # real lists or a server: CI runs it, the fast loop does not
def test_authority_counts(loaded: tuple[Store, dict[Path, LoadResult]], shared_data: Path) -> None:
    _, results = loaded
    by_name = {p.relative_to(shared_data).as_posix(): r for p, r in results.items()}
    assert by_name["us/ofac-sdn/2023-12-28"].entity_count == 13_821
    assert by_name["un/consolidated_2026-02-27.xml"].entity_count == 730 + 273
    assert by_name["uk/ofsi/ConList_2018-04-13.csv"].entity_count == 2_106
    assert by_name["ca/sema/sema-lmes_2020-04.xml"].entity_count == 1_369
    assert by_name["au/dfat/regulation8_consolidated_2024-11-11.xlsx"].entity_count == 3_062
    # A set cut short (no sdn.csv) never becomes the current SDN list.
    partial = by_name["us/ofac-sdn/2025-12-partial"]
    assert partial.dataset == "us_ofac_sdn_partial" and partial.entity_count == 18_494


@pytest.mark.slow  # loads a real SDN set (CI runs it)
def test_sdn_2024_primary_file_alone_loads(shared_data: Path, tmp_path: Path) -> None:
    # Not in the session store: without alt.csv it would replace the complete 2023 set.
    store = Store.open(tmp_path / "sdn2024.db")
    result = store.load(shared_data / "us/ofac-sdn/2024-05-03")
    assert (result.dataset, result.entity_count) == ("us_ofac_sdn", 14_965)
    store.close()


def _ent_nums(path: Path) -> set[str]:
    with open(path, encoding="latin-1", newline="") as fh:
        return {row[0].strip() for row in csv.reader(fh) if row and row[0].strip().isdigit()}


@pytest.mark.slow  # real lists or a server: CI runs it, the fast loop does not
def test_sdn_diff_between_two_dates_is_exact(
    loaded: tuple[Store, dict[Path, LoadResult]], shared_data: Path
) -> None:
    store, _ = loaded
    versions = {v.source_file: v for v in store.versions("us_ofac_sdn")}
    before, after = versions["2022-02-17"], versions["2022-02-28"]
    diff = store.diff("us_ofac_sdn", before.id, after.id)
    old = _ent_nums(shared_data / "us/ofac-sdn/2022-02-17/sdn.csv")
    new = _ent_nums(shared_data / "us/ofac-sdn/2022-02-28/sdn.csv")
    added = {c.entity_id for c in diff.of_kind("added")}
    removed = {c.entity_id for c in diff.of_kind("removed")}
    assert added == {f"us_ofac_sdn-{n}" for n in new - old}
    assert removed == {f"us_ofac_sdn-{n}" for n in old - new}
    assert len(added) == 166
    captions = {c.caption for c in diff.of_kind("added")}
    assert "VTB BANK PUBLIC JOINT STOCK COMPANY" in captions
    # The same range as the stored day-by-day diffs: the sum of what each day added.
    day_added: set[str] = set()
    for version in store.versions("us_ofac_sdn"):
        if before.seq < version.seq <= after.seq:
            day_added |= {
                c.entity_id for c in store.diff("us_ofac_sdn", to_ref=version.id).of_kind("added")
            }
    assert added <= day_added


@pytest.mark.slow  # real lists or a server: CI runs it, the fast loop does not
def test_un_references_are_carried_into_unsc_id(
    loaded: tuple[Store, dict[Path, LoadResult]],
) -> None:
    store, _ = loaded
    un = list(store.iter_entities(["un_sc_sanctions"]))
    assert all(e.first("unscId") == e.listing.authority_id for e in un)
    ofsi = [e for e in store.iter_entities(["gb_hmt_sanctions"]) if e.get("unscId")]
    un_ids = {e.first("unscId") for e in un}
    assert len(ofsi) > 500
    # The 2018 OFSI list still cites many UN listings that the 2026 UN list has dropped.
    assert sum(1 for e in ofsi if e.first("unscId") in un_ids) > 200
