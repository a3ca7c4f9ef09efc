"""Australia DFAT Consolidated List: the real workbook and a fictional sample."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from sanctions.errors import FormatError
from sanctions.model import NameKind
from sanctions.sources import au_dfat, detect_format

SAMPLES = Path(__file__).resolve().parents[2] / "sanctions" / "data" / "samples"
WORKBOOK = "au/dfat/regulation8_consolidated_2024-11-11.xlsx"


@pytest.fixture(scope="module")
def dfat(shared_data: Path) -> dict:
    return {e.listing.authority_id: e for e in au_dfat.parse(shared_data / WORKBOOK)}


def _names(entity, kind):
    return [n.name for n in entity.names if n.kind == kind]


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


def test_taliban_person_with_circa_ranges_and_original_script(dfat: dict) -> None:
    # 2 | MOHAMMAD HASSAN AKHUND | Individual | Primary Name |
    #   a) Approximately 1955- 1958 b) Approximately 1945-1950 | ... | Afghanistan | NA | ...
    # 2a | محمد حسن أخوند | Original Script ; Committees "1988 (Taliban)"
    entity = dfat["2"]
    assert entity.id == "au_dfat_sanctions-2" and entity.schema == "Person"
    assert _names(entity, NameKind.PRIMARY) == ["MOHAMMAD HASSAN AKHUND"]
    assert _names(entity, NameKind.ORIGINAL) == ["محمد حسن أخوند"]
    assert [(d.value, d.end, d.circa) for d in entity.dates] == [
        ("1955", "1958", True),
        ("1945", "1950", True),
    ]
    assert entity.get("nationality") in (["af"], ["Afghanistan"])
    assert entity.listing.programs == ["1988 (Taliban)"]
    assert entity.listing.listed_on == "2001-01-25"
    assert not entity.get("address")  # "NA" is a placeholder


def test_aliases_and_former_names(dfat: dict) -> None:
    assert "A. Kabir" in _names(dfat["3"], NameKind.ALIAS)  # 3a, "aka"
    assert [d.value for d in dfat["3"].dates] == ["1963"]  # "Approximately 1963"
    assert dfat["3"].dates[0].circa
    # 2943b "Forces Démocratiques Alliées-..." Formerly known as
    assert "NALU" in _names(dfat["2943"], NameKind.PREVIOUS)


def test_excel_dates_keep_day_precision(dfat: dict) -> None:
    precisions = Counter(d.precision for e in dfat.values() for d in e.dates)
    assert precisions["day"] > 1900 and precisions["year"] > 400


def test_sample_workbook(tmp_path: Path) -> None:
    path = SAMPLES / "au_dfat.xlsx"
    assert detect_format(path).name == "au_dfat_xlsx"
    person, company, unknown = au_dfat.parse(path)
    assert person.id == "au_dfat_sanctions-1"
    assert [d.value for d in person.dates] == ["1961-07-02"]
    assert _names(person, NameKind.ORIGINAL) == ["Фикционал ЭКЗАМПЛОВ"]
    assert person.listing.listed_on == "2022-03-15"
    assert company.schema == "Organization"
    assert _names(company, NameKind.PREVIOUS) == ["OLD FICTIONAL TRADERS"]
    assert [(d.value, d.end, d.circa) for d in unknown.dates] == [
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
