"""Resolution and reports on the real lists of ../shared/data (the session's real store)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from sanctions.cli import main
from sanctions.coordination import coverage, gaps, timeline
from sanctions.coordination.evaluate import RecallReport, evaluate_hidden_un
from sanctions.coordination.reports import version_history
from sanctions.store import Store

REVIEWED = Path(__file__).resolve().parent / "fixtures" / "reviewed_clusters.json"
REVIEWED_LINKS = Path(__file__).resolve().parent / "fixtures" / "reviewed_name_links.json"


pytestmark = pytest.mark.slow  # resolves every real list: CI runs it, the fast loop does not


@pytest.fixture(scope="module")
def hidden_un(real_store_path: Path) -> RecallReport:
    store = Store.open(real_store_path, migrate_schema=False)
    try:
        return evaluate_hidden_un(store)
    finally:
        store.close()


@pytest.fixture(scope="module")
def names_only(real_store_path: Path) -> RecallReport:
    store = Store.open(real_store_path, migrate_schema=False)
    try:
        return evaluate_hidden_un(store, condition="names_regime")
    finally:
        store.close()


def _reviewed_links() -> dict[str, object]:
    return json.loads(REVIEWED_LINKS.read_text(encoding="utf-8"))


def _wrong_beyond_citation_errors(report: RecallReport) -> list[tuple[str, str, str, str]]:
    """Wrong links, less those whose UK citation was found wrong by hand (the link is right)."""
    errors = {item["listing"] for item in _reviewed_links()["citation_errors"]}
    return [w for w in report.wrong if not {w[2], w[3]} & errors]


def test_names_and_regime_only_find_un_linked_pairs(names_only: RecallReport) -> None:
    """Issue 11 target: names + regime only, UN reference hidden: recall >= 0.98 of the
    one-to-one pairs, wrong links <= 0.2% of the checkable links."""
    assert names_only.one_to_one_pairs >= 500
    assert names_only.one_to_one_recall >= 0.98, names_only.missed
    assert len(_wrong_beyond_citation_errors(names_only)) <= 0.002 * names_only.linked_pairs


def test_names_only_wrong_link_classes_stay_apart(names_only: RecallReport) -> None:
    """Names and regime only: links the base rule made by name alone and that were wrong
    (read in the full records): a ministry of defence under North Korea and one under
    Syria; the Houthis and Hizballah (both "Ansar Allah"); the UN's Kim Yong Chol (a
    KOMID representative, born 1962) and the UK's other one (an RGB general, born 1946).
    And what the regimes now tell apart: the UN listing goes with the UK listing of the
    same subject under the same regime (Hejazi under Iran nuclear, not human rights) and
    with the UK's renamed North Korean ministry."""
    where = {m.entity_id: c.id for c in names_only.result_clusters for m in c.members}
    apart = [
        ("un_sc_sanctions-KPe.054", "gb_hmt_sanctions-12691"),
        ("un_sc_sanctions-YEe.001", "us_ofac_sdn-4697"),
        ("un_sc_sanctions-KPi.024", "gb_hmt_sanctions-12439"),
    ]
    assert all(where[a] != where[b] for a, b in apart)
    together = [
        ("un_sc_sanctions-IRi.017", "gb_hmt_sanctions-9061"),
        ("un_sc_sanctions-KPe.054", "gb_hmt_sanctions-13575"),
    ]
    assert all(where[a] == where[b] for a, b in together)


def test_hand_reviewed_name_only_links_hold(
    names_only: RecallReport, hidden_un: RecallReport
) -> None:
    links = _reviewed_links()["links"]
    assert len(links) == 100 and all(
        x["reason"] and x["verdict"] in ("correct", "wrong") for x in links
    )
    where = {m.entity_id: c.id for c in names_only.result_clusters for m in c.members}
    correct = [x for x in links if x["verdict"] == "correct"]
    assert all(where[x["a"]] == where[x["b"]] for x in correct)
    # every field: the one wrong link (passports differ, one only in the notes) is not
    # made; one correct pair is kept apart by OFAC's 1 January standing for a year of birth
    where = {m.entity_id: c.id for c in hidden_un.result_clusters for m in c.members}
    assert all(where[x["a"]] != where[x["b"]] for x in links if x["verdict"] == "wrong")
    assert sum(where[x["a"]] == where[x["b"]] for x in correct) >= len(correct) - 1
    assert not _wrong_beyond_citation_errors(hidden_un)


def test_un_linked_pairs_are_found_without_the_un_reference(hidden_un: RecallReport) -> None:
    # Pairs whose reference one list cites on several of its listings are ambiguous
    # (and, checked by hand, mostly wrong citations): measured apart.
    assert hidden_un.one_to_one_pairs >= 500
    assert hidden_un.one_to_one_recall >= 0.99, hidden_un.missed
    assert hidden_un.recall >= 0.97


def test_hand_reviewed_clusters_hold_and_none_is_wrong(hidden_un: RecallReport) -> None:
    reviewed = json.loads(REVIEWED.read_text(encoding="utf-8"))["clusters"]
    assert len(reviewed) == 100
    assert all(item["verdict"] == "correct" and item["reason"] for item in reviewed)
    where = {m.entity_id: c.id for c in hidden_un.result_clusters for m in c.members}
    for item in reviewed:
        assert len({where[eid] for eid in item["members"]}) == 1, item


def test_sdn_versions_show_the_late_february_2022_jump(resolved_real_store: Store) -> None:
    points = {
        p.date: p
        for p in version_history(resolved_real_store, "RUS", datasets=["us_ofac_sdn"])[
            "us_ofac_sdn"
        ]
    }
    before = points["2022-01-10"].added + points["2022-02-17"].added  # 2021-07-07 .. 2022-02-17
    week = sum(points[d].added for d in ("2022-02-24", "2022-02-25", "2022-02-28"))
    assert week >= 3 * before and week >= 100
    assert points["2022-04-08"].total > points["2022-02-28"].total > points["2022-02-17"].total
    every = version_history(resolved_real_store, datasets=["us_ofac_sdn"])["us_ofac_sdn"]
    assert [p.added for p in every if "2022-02-17" <= p.date <= "2022-02-28"] == [42, 67, 91, 8]


def test_coverage_is_consistent_and_fast(resolved_real_store: Store) -> None:
    started = time.perf_counter()
    cov = coverage(resolved_real_store)
    assert time.perf_counter() - started < 5.0
    for a in cov.datasets:
        assert cov.pairs[a][a] == cov.totals[a]
        for b in cov.datasets:
            assert cov.pairs[a][b] == cov.pairs[b][a] <= min(cov.totals[a], cov.totals[b])
    assert sum(n for _c, n in cov.intersections) == cov.subjects
    rus = coverage(resolved_real_store, programme="RUS", schema="Person")
    assert 0 < rus.totals["ca_dfatd_sema_sanctions"] < rus.totals["us_ofac_sdn"]
    assert rus.pairs["us_ofac_sdn"]["au_dfat_sanctions"] > 500


def test_gaps_list_what_one_authority_lists_and_the_other_does_not(
    resolved_real_store: Store,
) -> None:
    report = gaps(resolved_real_store, "us_ofac_sdn", "ca_dfatd_sema_sanctions", programme="RUS")
    assert len(report.rows) > 1000
    row = report.rows[0]
    assert (
        row.entity_id.startswith("us_ofac_sdn-")
        and "ca_dfatd_sema_sanctions" not in row.also_listed_by
    )
    by_jurisdiction = gaps(resolved_real_store, "ca", "us", programme="RUS")
    assert all("us_ofac_sdn" not in r.also_listed_by for r in by_jurisdiction.rows)


def test_timeline_leads_and_plots(resolved_real_store: Store, tmp_path: Path) -> None:
    from sanctions.coordination.plots import plot_coverage, plot_timeline

    tl = timeline(resolved_real_store, programme="AQ")
    assert tl.leads and tl.summary["un_sc_sanctions"]["listed_first"] > 0
    assert tl.designations["un_sc_sanctions"][-1][2] > 100
    for ext in ("png", "svg"):
        assert plot_timeline(tl, tmp_path / f"t.{ext}").stat().st_size > 5000
        cov = coverage(resolved_real_store, programme="RUS")
        assert plot_coverage(cov, tmp_path / f"c.{ext}").stat().st_size > 5000


def test_cli_reports(resolved_real_store: Store) -> None:
    db = resolved_real_store.url.removeprefix("sqlite:///")
    runner = CliRunner()
    out = runner.invoke(main, ["--db", db, "coverage", "--programme", "RUS", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["programme"] == "RUS"
    out = runner.invoke(
        main,
        [
            "--db",
            db,
            "gaps",
            "--listed-by",
            "us_ofac_sdn",
            "--not-listed-by",
            "ca_dfatd_sema_sanctions",
            "--programme",
            "RUS",
            "--csv",
        ],
    )
    assert out.exit_code == 0 and out.output.startswith("cluster_id,caption")
    out = runner.invoke(main, ["--db", db, "cluster", "un_sc_sanctions-QDi.244", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert {i["dataset"] for i in data["listings"]} >= {"un_sc_sanctions", "gb_hmt_sanctions"}
    out = runner.invoke(main, ["--db", db, "coverage", "--programme", "NOPE"])
    assert out.exit_code == 2 and "unknown programme" in out.output
