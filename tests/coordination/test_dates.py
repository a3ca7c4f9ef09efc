"""Honest dates in the coordination reports: listing dates from each list's own field,
as-of dates per list, lists left out of a timeline named, load dates never used."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import matplotlib
import pytest
from click.testing import CliRunner

from sanctions.cli import main
from sanctions.coordination import Resolver, coverage, gaps, get_cluster, timeline
from sanctions.coordination.history import version_date
from sanctions.store import Store

from .conftest import make_entity

DFAT = "au_dfat_sanctions"
SDN = "us_ofac_sdn"
SEMA = "ca_dfatd_sema_sanctions"
PUTIN_DFAT = "au_dfat_sanctions-6678"


def _version_dates(store: Store, dataset: str) -> list[str]:
    return [version_date(v) for v in store.versions(dataset)]


# -- real lists -----------------------------------------------------------------------


@pytest.mark.slow
def test_dfat_timeline_is_dated_by_its_own_fields_and_runs_past_2019(
    resolved_real_store: Store,
) -> None:
    tl = timeline(resolved_real_store, datasets=[DFAT])
    dating = tl.dating[DFAT]
    # Every DFAT listing carries a Control Date: all are dated, most after 2019 (Russia 2022-).
    assert dating.dated == dating.listings == resolved_real_store.current_version(DFAT).entity_count
    days = [d for d, _n, _c in tl.designations[DFAT]]
    assert days[-1] >= "2024-01-01"
    after_2019 = sum(n for d, n, _c in tl.designations[DFAT] if d >= "2020")
    assert after_2019 > dating.listings / 3
    # never the file's date: the 2024-11-11 file's date is not a listing date of every entry
    (file_date,) = _version_dates(resolved_real_store, DFAT)
    assert sum(n for d, n, _c in tl.designations[DFAT] if d == file_date) < 50
    assert "Control Date" in dating.source and tl.as_of[DFAT] == file_date


@pytest.mark.slow
def test_ofac_is_dated_from_its_versions_and_undated_lists_are_named(
    resolved_real_store: Store, tmp_path: Path
) -> None:
    from sanctions.coordination.plots import plot_timeline

    tl = timeline(resolved_real_store, programme="RUS")
    sdn = tl.dating[SDN]
    first_sdn = _version_dates(resolved_real_store, SDN)[0]
    assert sdn.by_field == 0 and 0 < sdn.by_first_seen < sdn.listings
    assert "no per-entry designation date" in sdn.describe()
    # listings already in the first SDN version (2018-12-19) are not given its date
    assert all(d > first_sdn for d, _n, _c in tl.designations[SDN])
    assert SEMA in tl.left_out and "DateOfListing" in tl.left_out[SEMA]
    assert SEMA not in tl.designations
    matplotlib.rcParams["svg.fonttype"] = "none"  # text as text, to read it back
    try:
        svg = plot_timeline(tl, tmp_path / "t.svg").read_text(encoding="utf-8")
    finally:
        matplotlib.rcParams["svg.fonttype"] = "path"
    assert "Left out: Canada SEMA (as of 2020-04)" in svg
    assert "US OFAC SDN (as of 2023-12-28)" in svg and "no per-entry designation date" in svg


@pytest.mark.slow
def test_reports_carry_each_lists_as_of_date(resolved_real_store: Store) -> None:
    cov = coverage(resolved_real_store, programme="RUS")
    for ds in cov.datasets:
        assert cov.as_of[ds] == version_date(resolved_real_store.current_version(ds))
    assert cov.as_of["gb_hmt_sanctions"] == "2018-04-13" and cov.as_of[SEMA] == "2020-04"
    assert {r["as_of"] for r in cov.to_rows()} == set(cov.as_of.values())
    report = gaps(resolved_real_store, SDN, SEMA, programme="RUS")
    assert report.as_of == {SDN: cov.as_of[SDN], SEMA: "2020-04"}
    row = report.rows[0]
    assert row.listed_on is None and "no per-entry designation date" in row.listing_date_field
    assert (row.dataset, row.as_of) == (SDN, cov.as_of[SDN])
    with pytest.raises(Exception, match="not among the resolved lists"):
        coverage(resolved_real_store, datasets=["us_ofac_sdnx"])


@pytest.mark.slow
def test_cluster_of_putin_separates_listed_on_from_first_seen(resolved_real_store: Store) -> None:
    store = resolved_real_store
    dfat = store.get_entity(PUTIN_DFAT)
    assert dfat is not None and dfat.listing.listed_on is None  # no date in Listing Information
    (control,) = [d.value for d in dfat.dates if d.prop == "modifiedAt"]
    (dfat_file,) = _version_dates(store, DFAT)
    data = get_cluster(store, PUTIN_DFAT)
    by_id = {item["id"]: item for item in data["listings"]}
    mine = by_id[PUTIN_DFAT]
    assert mine["listed_on"] == control != dfat_file
    assert mine["listed_on_field"].startswith("Control Date")
    assert mine["first_seen"] == dfat_file == mine["as_of"]
    (sdn_id,) = [i for i in by_id if i.startswith(f"{SDN}-")]
    sdn_seen = [h for h in store.entity_history(sdn_id) if h["change"] == "added"][0]
    sdn_dates = {v.seq: version_date(v) for v in store.versions(SDN)}
    assert by_id[sdn_id]["listed_on"] is None
    assert by_id[sdn_id]["first_seen"] == sdn_dates[sdn_seen["seq"]]
    assert "no per-entry designation date" in by_id[sdn_id]["listed_on_field"]
    db = store.url.removeprefix("sqlite:///")
    out = CliRunner().invoke(main, ["--db", db, "cluster", PUTIN_DFAT])
    assert out.exit_code == 0, out.output
    assert "first seen in this store" in out.output
    dfat_row = next(
        line for line in out.output.splitlines() if PUTIN_DFAT in line and control in line
    )
    assert "Control Date" in dfat_row and dfat_row.count(dfat_file) == 2  # first seen, as of


# -- small stores ---------------------------------------------------------------------


def _two_versions(store: Store, published: str | None) -> None:
    """Version 1 published 2022-02-17; version 2 (one listing more) published as given."""
    one = make_entity("xx_test", "1", "Ivan Petrovich Sidorov", birth="1960-01-01")
    two = make_entity("xx_test", "2", "Olga Ivanovna Smirnova", birth="1970-02-02")
    store.save_version(
        "xx_test", {one.id: one}, content_hash="h1", fmt="test", published="2022-02-17"
    )
    store.save_version(
        "xx_test", {one.id: one, two.id: two}, content_hash="h2", fmt="test", published=published
    )
    Resolver(store).run()


def test_a_load_date_never_dates_a_listing(small_store: Callable[..., Store]) -> None:
    store = small_store()
    _two_versions(store, published=None)
    tl = timeline(store)
    assert tl.designations == {}
    assert "xx_test" in tl.left_out and "no later dated version" in tl.left_out["xx_test"]
    assert tl.as_of["xx_test"].startswith("unknown, loaded ")


def test_a_published_later_version_dates_its_new_listings(
    small_store: Callable[..., Store],
) -> None:
    store = small_store()
    _two_versions(store, published="2022-02-24")
    tl = timeline(store)
    dating = tl.dating["xx_test"]
    assert (dating.by_field, dating.by_first_seen, dating.listings) == (0, 1, 2)
    assert tl.designations["xx_test"] == [("2022-02-24", 1, 1)]


# -- unknown dataset ids on the command line -------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["export", "--dataset", "xx_tset"],
        ["export", "--dataset", "xx_tset", "-o", "{out}"],
        ["diff", "xx_tset"],
        ["lists", "--dataset", "xx_tset"],
        ["show", "xx_tset-1"],
        ["resolve", "--dataset", "xx_tset"],
        ["coverage", "--dataset", "xx_tset"],
        ["timeline", "--dataset", "xx_tset"],
    ],
)
def test_an_unknown_dataset_is_an_error_not_an_empty_result(
    small_store: Callable[..., Store], tmp_path: Path, args: list[str]
) -> None:
    store = small_store()
    _two_versions(store, published="2022-02-24")
    db = store.url.removeprefix("sqlite:///")
    out_file = tmp_path / "export.jsonl"
    args = [a.replace("{out}", str(out_file)) for a in args]
    result = CliRunner().invoke(main, ["--db", db, *args])
    assert result.exit_code == 2, result.output
    assert "'xx_tset'" in result.output and "did you mean 'xx_test'" in result.output
    assert not out_file.exists()


def test_a_known_dataset_filter_still_works(small_store: Callable[..., Store]) -> None:
    store = small_store()
    _two_versions(store, published="2022-02-24")
    db = store.url.removeprefix("sqlite:///")
    result = CliRunner().invoke(main, ["--db", db, "export", "--dataset", "xx_test"])
    assert result.exit_code == 0
    assert {json.loads(line)["id"] for line in result.output.splitlines()} >= {
        "xx_test-1",
        "xx_test-2",
    }
    result = CliRunner().invoke(main, ["--db", db, "timeline", "--dataset", "xx_test", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["dating"]["xx_test"]["by_first_seen"] == 1
