"""Australia DFAT Consolidated List: the real workbook and a fictional sample."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from sanctions.countries import is_country_code
from sanctions.errors import FormatError
from sanctions.model import NameKind
from sanctions.sources import au_dfat, detect_format
from sanctions.sources.base import ParseReport, collect_report

SAMPLES = Path(__file__).resolve().parents[2] / "sanctions" / "data" / "samples"
WORKBOOK = "au/dfat/regulation8_consolidated_2024-11-11.xlsx"


@pytest.fixture(scope="module")
def dfat(dfat_report: tuple[dict, ParseReport]) -> dict:
    return dfat_report[0]


def _names(entity, kind):
    return [n.name for n in entity.names if n.kind == kind]


def _dobs(entity):
    return [d for d in entity.dates if d.prop == "birthDate"]


@pytest.mark.slow  # the whole real DFAT workbook (CI runs it)
def test_every_primary_name_of_the_workbook_is_an_entity(shared_data: Path, dfat: dict) -> None:
    path = shared_data / WORKBOOK
    assert detect_format(path).name == "au_dfat_xlsx"
    workbook = openpyxl.load_workbook(path, read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(min_row=2, max_col=4, values_only=True))
    workbook.close()
    primaries = {
        (str(r[0]).strip(), str(r[1]).strip())
        for r in rows
        if r[3] and str(r[3]).strip().lower() == "primary name"
    }
    assert len(primaries) == 3062
    assert len(dfat) == 3062
    parsed = {(k, n) for k, e in dfat.items() for n in _names(e, NameKind.PRIMARY)}
    assert {(k, " ".join(n.split())) for k, n in primaries} == parsed
    assert Counter(len(_names(e, NameKind.PRIMARY)) for e in dfat.values()) == {1: 3062}


@pytest.mark.slow  # the whole real DFAT workbook (CI runs it)
def test_taliban_person_with_circa_ranges_and_original_script(dfat: dict) -> None:
    # 2 | MOHAMMAD HASSAN AKHUND | Individual | Primary Name |
    #   a) Approximately 1955- 1958 b) Approximately 1945-1950 | ... | Afghanistan | NA | ...
    # 2a | محمد حسن أخوند | Original Script ; Committees "1988 (Taliban)"
    entity = dfat["2"]
    assert entity.id == "au_dfat_sanctions-2" and entity.schema == "Person"
    assert _names(entity, NameKind.PRIMARY) == ["MOHAMMAD HASSAN AKHUND"]
    assert _names(entity, NameKind.ORIGINAL) == ["محمد حسن أخوند"]
    assert [(d.value, d.end, d.circa) for d in _dobs(entity)] == [
        ("1955", "1958", True),
        ("1945", "1950", True),
    ]
    assert entity.get("nationality") in (["af"], ["Afghanistan"])
    assert entity.listing.programs == ["1988 (Taliban)"]
    assert entity.listing.listed_on == "2001-01-25"
    assert not entity.get("address")  # "NA" is a placeholder


@pytest.mark.slow  # the whole real DFAT workbook (CI runs it)
def test_aliases_and_former_names(dfat: dict) -> None:
    assert "A. Kabir" in _names(dfat["3"], NameKind.ALIAS)  # 3a, "aka"
    assert [d.value for d in _dobs(dfat["3"])] == ["1963"]  # "Approximately 1963"
    assert _dobs(dfat["3"])[0].circa
    # 2943b "Forces Démocratiques Alliées-..." Formerly known as
    assert "NALU" in _names(dfat["2943"], NameKind.PREVIOUS)


@pytest.mark.slow  # the whole real DFAT workbook (CI runs it)
def test_excel_dates_keep_day_precision(dfat: dict) -> None:
    precisions = Counter(d.precision for e in dfat.values() for d in e.dates)
    assert precisions["day"] > 1900 and precisions["year"] > 400


def test_sample_workbook(tmp_path: Path) -> None:
    path = SAMPLES / "au_dfat.xlsx"
    assert detect_format(path).name == "au_dfat_xlsx"
    person, company, unknown = au_dfat.parse(path)
    assert person.id == "au_dfat_sanctions-1"
    assert [d.value for d in _dobs(person)] == ["1961-07-02"]
    assert _names(person, NameKind.ORIGINAL) == ["Фикционал ЭКЗАМПЛОВ"]
    assert person.listing.listed_on == "2022-03-15"
    assert company.schema == "Organization"
    assert _names(company, NameKind.PREVIOUS) == ["OLD FICTIONAL TRADERS"]
    assert [(d.value, d.end, d.circa) for d in _dobs(unknown)] == [
        ("1955", "1958", True),
        ("1960", None, False),
        ("1957", None, False),
    ]
    assert not unknown.get("nationality")


def test_other_workbook_is_refused_naming_the_column(fixtures: Path) -> None:
    path = fixtures / "au" / "not_dfat.xlsx"
    with pytest.raises(FormatError) as info:
        list(au_dfat.parse(path))
    assert info.value.field == "Reference" and info.value.line == 1
    assert str(path) in str(info.value)


def test_broken_workbook_is_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes((SAMPLES / "au_dfat.xlsx").read_bytes()[:1000])
    with pytest.raises(FormatError):
        list(au_dfat.parse(path))


# -- fidelity (issue 17): nothing dropped, dates as written, countries as codes ----------


@pytest.fixture(scope="module")
def dfat_rows(shared_data: Path) -> list[dict]:
    workbook = openpyxl.load_workbook(shared_data / WORKBOOK, read_only=True, data_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    header = [str(c).strip() if c else "" for c in rows[0]]
    return [dict(zip(header, r, strict=False)) for r in rows[1:] if r[0] is not None]


@pytest.fixture(scope="module")
def dfat_report(shared_data: Path) -> tuple[dict, ParseReport]:
    with collect_report() as report:
        entities = {e.listing.authority_id: e for e in au_dfat.parse(shared_data / WORKBOOK)}
    return entities, report


def _ref(row: dict) -> str:
    return re.match(r"\d+", str(row["Reference"]).strip())[0]


@pytest.mark.slow  # the whole real DFAT workbook (CI runs it)
def test_dates_of_birth_written_as_text_are_read(dfat: dict) -> None:
    def dobs(ref: str) -> list[tuple]:
        return [(d.value, d.end, d.circa) for d in _dobs(dfat[ref])]

    assert dobs("6954") == [("1953-06-05", None, False), ("1953-06-15", None, False)]
    assert dobs("7948") == [("1974-09-12", None, False)]  # "12. Sep 1974"
    assert dobs("23") == [("1963", "1968", False)]  # "Between 1963 to 1968"
    assert dobs("139") == [("1965-03-29", None, False)]  # "1965, 29 March "
    assert ("1977-08", "1977-09", False) in dobs("2529")  # "Between Aug. and Sep 1977"
    # "15 May 1968 (as Yasir ...) 1970 (as Ali ...)": both dates, and the remark kept
    assert dobs("729") == [("1968-05-15", None, False), ("1970", None, False)]
    assert any(n.startswith("birthDate: 15 May 1968 (as Yasir") for n in dfat["729"].get("notes"))


@pytest.mark.slow  # the whole real DFAT workbook (CI runs it)
def test_every_year_of_a_date_of_birth_cell_is_a_date_or_kept_as_text(
    dfat_rows: list[dict], dfat_report: tuple[dict, ParseReport]
) -> None:
    entities, report = dfat_report
    missing = []
    for row in dfat_rows:
        cell = row["Date of Birth"]
        if not isinstance(cell, str):
            continue
        entity = entities[_ref(row)]
        kept = " ".join(d.value + (d.end or "") for d in _dobs(entity))
        notes = " ".join(n for n in entity.get("notes") if n.startswith("birthDate"))
        for year in re.findall(r"\d{4}", cell):
            if year not in kept and year not in notes:
                missing.append((row["Reference"], cell))
    assert missing == []
    notes = [n for e in entities.values() for n in e.get("notes") if "(not understood)" in n]
    assert report.counts["birthDate"] == sum(n.startswith("birthDate") for n in notes) > 0
    assert "birthDate (not understood): 24/06/1402 (Hijri Calendar)" in entities["1254"].get(
        "notes"
    )


@pytest.mark.slow  # the whole real DFAT workbook (CI runs it)
def test_listing_dates_written_with_full_month_names(dfat_rows: list[dict], dfat: dict) -> None:
    assert dfat["579"].listing.listed_on == "2006-08-02"  # "on 2 August 2006"
    assert dfat["590"].listing.listed_on == "2007-08-27"  # "Listed on 27 August 2007"
    month = re.compile(
        r"\b\d{1,2} (January|February|March|April|May|June|July|August|"
        r"September|October|November|December) \d{4}"
    )
    with_dates = {_ref(r) for r in dfat_rows if month.search(str(r["Listing Information"]))}
    assert with_dates and all(dfat[ref].listing.listed_on for ref in with_dates)


@pytest.mark.slow  # the whole real DFAT workbook (CI runs it)
def test_control_date_is_the_latest_of_the_listing_rows(dfat_rows: list[dict], dfat: dict) -> None:
    latest: dict[str, str] = {}
    for row in dfat_rows:
        if row["Control Date"] is not None:
            value = row["Control Date"].strftime("%Y-%m-%d")
            latest[_ref(row)] = max(value, latest.get(_ref(row), value))
    assert len(latest) > 3000
    assert {ref: dfat[ref].get("modifiedAt") for ref in latest} == {
        ref: [value] for ref, value in latest.items()
    }


@pytest.mark.slow  # the whole real DFAT workbook (CI runs it)
def test_nationalities_and_address_countries_are_codes(
    dfat: dict, dfat_report: tuple[dict, ParseReport]
) -> None:
    assert dfat["2974"].get("nationality") == ["ru", "ua"]  # "Russian and Ukrainian"
    assert dfat["633"].get("nationality") == ["cd"]  # "Congolese"
    assert dfat["23"].get("country") == ["qa"]  # address "... Qatar"
    values = [v for e in dfat.values() for p in ("nationality", "country") for v in e.get(p)]
    assert values and all(is_country_code(v) for v in values)
    with_country = sum(1 for e in dfat.values() if e.get("country"))
    assert with_country > 1000  # of ~1,215 entities with an address
    assert dfat_report[1].counts["nationality"] <= 3  # the rest kept as text and counted
