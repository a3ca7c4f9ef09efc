"""Screening by subject: one result per subject (its listings across lists), never a listing
dropped; clusters that are stale or missing fall back to one subject per listing.

Fictional lists (fast) and the real lists (slow: Sberbank, listed by several jurisdictions).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sanctions.cli import main
from sanctions.coordination.subjects import load_subjects
from sanctions.screening import Screener, screen_by_subject
from sanctions.screening.evidence import find_run
from sanctions.screening.subjects import group_matches
from sanctions.store import Store
from tests.coordination.conftest import resolved_real_store  # noqa: F401 - the fixture

from .subject_lists import BANK_QUERY, LISTS, bank, namesake, save, save_three_lists


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three lists naming the bank, resolved; the UK list also names a namesake."""
    monkeypatch.setenv("SANCTIONS_INDEX_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "lists.db"
    store = Store.open(path)
    save_three_lists(store)
    store.close()
    return path


def _ids(matches: list[Any]) -> list[str]:
    return sorted(m.record.id for m in matches)


def test_one_subject_leads_with_every_matched_listing_and_its_jurisdictions(db: Path) -> None:
    store = Store.open(db)
    screener = Screener(store)
    query = BANK_QUERY
    by_listing = screener.screen(query, limit=20)
    grouped = screen_by_subject(screener, query, load_subjects(store), limit=20)
    assert grouped.note is None
    bank = grouped.subjects[0]
    assert _ids(bank.matches) == sorted(f"{ds}-{a}" for ds, a in LISTS.items())
    assert bank.lead.score.score == max(m.score.score for m in bank.matches)
    assert bank.jurisdictions == ["EU", "UK", "US"]
    assert bank.listed_on == {
        "us_ofac_sdn": "2022-01-01",
        "gb_hmt_sanctions": "2022-02-01",
        "eu_fsf": "2022-03-01",
    }
    assert bank.programmes == ["RUSSIA-EU", "RUSSIA-GB", "RUSSIA-US"]
    assert len(grouped.subjects) == 2  # the namesake is its own subject
    # never a listing dropped: the subjects hold exactly the listings screened
    grouped_ids = sorted(m.record.id for s in grouped.subjects for m in s.matches)
    assert grouped_ids == _ids(by_listing.results)
    data = grouped.to_dict()
    assert data["group"] == "subject" and "results" not in data
    assert data["subjects"][0]["listings"][0]["id"] == bank.lead.record.id


def test_stale_clusters_are_said_and_their_listings_are_their_own_subjects(
    db: Path,
) -> None:
    store = Store.open(db)
    uk = bank("gb_hmt_sanctions", "7001", "2022-02-01")
    uk.add("notes", "amended")
    save(store, "gb_hmt_sanctions", [uk, namesake("gb_hmt_sanctions")], "v2")
    subjects = load_subjects(store)
    assert subjects.note and "gb_hmt_sanctions" in subjects.note
    assert "sanctions resolve" in subjects.note
    screener = Screener(store)
    query = BANK_QUERY
    grouped = screen_by_subject(screener, query, subjects, limit=20)
    uk_subject = next(s for s in grouped.subjects if s.lead.record.id == "gb_hmt_sanctions-7001")
    assert len(uk_subject.matches) == 1 and uk_subject.subject_id == "gb_hmt_sanctions-7001"
    us_eu = next(s for s in grouped.subjects if "us_ofac_sdn-100" in _ids(s.matches))
    assert _ids(us_eu.matches) == ["eu_fsf-EU.55.1", "us_ofac_sdn-100"]
    total = sum(len(s.matches) for s in grouped.subjects)
    assert total == len(screener.screen(query, limit=20).results)


def test_without_clusters_every_listing_is_its_own_subject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANCTIONS_INDEX_CACHE", str(tmp_path / "cache"))
    store = Store.open(tmp_path / "bare.db")
    for dataset, authority_id in LISTS.items():
        save(store, dataset, [bank(dataset, authority_id, "2022-01-01")], "v1")
    subjects = load_subjects(store)
    assert subjects.note and subjects.note.startswith("no current clusters")
    query = BANK_QUERY
    grouped = screen_by_subject(Screener(store), query, subjects, limit=20)
    assert [len(s.matches) for s in grouped.subjects] == [1, 1, 1]


def _cli(db: Path, *args: str, stdin: str | None = None) -> Any:
    return CliRunner().invoke(main, ["--db", str(db), *args], input=stdin)


def test_cli_table_defaults_to_subjects_and_json_to_listings(db: Path) -> None:
    table = _cli(db, "screen", "Acme Trading Bank", "--schema", "Organization")
    assert table.exit_code == 0, table.output
    assert "Screening by subject" in table.output and "EU, UK, US" in table.output
    listing = _cli(db, "screen", "Acme Trading Bank", "--schema", "Organization", "--json")
    assert "results" in json.loads(listing.stdout)
    subject = _cli(db, "screen", "Acme Trading Bank", "--json", "--by", "subject")
    data = json.loads(subject.stdout)
    assert data["group"] == "subject"
    assert data["subjects"][0]["jurisdictions"] == ["EU", "UK", "US"]
    evidence = find_run(Store.open(db).engine, data["run_id"])
    assert evidence["group"] == "subject"


def test_cli_by_typo_is_a_usage_error(db: Path) -> None:
    result = _cli(db, "screen", "Acme Trading Bank", "--by", "subjects")
    assert result.exit_code == 2
    assert "Invalid value for '--by'" in result.output and "'subject'" in result.output


def test_match_by_subject_json_lines(db: Path) -> None:
    query = {"id": "q1", "schema": "Organization", "properties": {"name": ["Acme Trading Bank"]}}
    result = _cli(db, "match", "--by", "subject", stdin=json.dumps(query) + "\n")
    assert result.exit_code == 0, result.output
    line = json.loads(result.stdout.splitlines()[0])
    assert line["id"] == "q1" and line["group"] == "subject"
    assert len(line["subjects"][0]["listings"]) == 3


def test_screen_file_by_subject_writes_one_row_per_subject(db: Path, tmp_path: Path) -> None:
    source = tmp_path / "customers.csv"
    source.write_text("id,name\nc-1,Acme Trading Bank\nc-2,Nobody Known At All\n")
    out = tmp_path / "out.csv"
    result = _cli(db, "screen", "--file", str(source), "--out", str(out), "--by", "subject")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    bank = [r for r in rows if "us_ofac_sdn-100" in r["subject_listings"]]
    assert len(bank) == 1 and bank[0]["match"] == "True" and bank[0]["query_id"] == "c-1"
    assert bank[0]["subject_jurisdictions"] == "EU;UK;US"
    assert len(bank[0]["subject_listings"].split("; ")) == 3
    assert [r["rank"] for r in rows if r["query_id"] == "c-2"] == ["0"]


def test_show_lists_the_subjects_other_listings(db: Path) -> None:
    result = _cli(db, "show", "us_ofac_sdn-100", "--json")
    assert result.exit_code == 0, result.output
    subject = json.loads(result.stdout)["subject"]
    assert {x["id"] for x in subject["other_listings"]} == {
        "gb_hmt_sanctions-7001",
        "eu_fsf-EU.55.1",
    }
    table = _cli(db, "show", "us_ofac_sdn-100")
    assert (
        "other listings of this subject" in table.output and "gb_hmt_sanctions-7001" in table.output
    )


# -- the real lists -------------------------------------------------------------------------


@pytest.mark.slow
def test_real_sberbank_is_one_subject_with_its_listings_on_several_lists(
    resolved_real_store: Store,  # noqa: F811 - the fixture imported above
) -> None:
    subjects = load_subjects(resolved_real_store)
    assert subjects.note and "never resolved" in subjects.note  # the lists left out
    screener = Screener(resolved_real_store)
    query = {"schema": "Organization", "properties": {"name": ["Sberbank"]}}
    by_listing = screener.screen(query, limit=50)
    regrouped = group_matches(by_listing.results, subjects)
    assert len(regrouped) < len(by_listing.results)  # some subjects are on several lists
    assert sorted(m.record.id for s in regrouped for m in s.matches) == sorted(
        m.record.id for m in by_listing.results
    )  # and none of the listings is dropped
    top = screen_by_subject(screener, query, subjects, limit=10).subjects
    assert len(top) == 10
    multi = [s for s in top if len({m.record.datasets[0] for m in s.matches}) > 1]
    assert multi, [(s.subject_id, _ids(s.matches)) for s in top]
    for subject in top:
        members = {x.entity_id for x in subjects.members(subject.subject_id)}
        for match in subject.matches:  # each matched listing is in its subject's cluster
            assert match.record.id in members or subject.subject_id == match.record.id
        assert set(subject.datasets) >= {m.record.datasets[0] for m in subject.matches}
        assert subject.lead.score.score == max(m.score.score for m in subject.matches)
