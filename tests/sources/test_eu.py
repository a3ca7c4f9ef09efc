"""EU Financial Sanctions Files parsers: XML v1.1, CSV v1.1 and the spreadsheet-saved CSV v1.0."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from sanctions.errors import FormatError
from sanctions.model import Entity, FuzzyDate, NameKind
from sanctions.sources import detect_format, eu_csv, eu_xml

EXCERPT = "eu/fsf-csv/global_excerpt_2018-07-04.csv"


def names_of(entity: Entity, kind: NameKind) -> list[str]:
    return [n.name for n in entity.names if n.kind == kind]


def by_id(entities: list[Entity]) -> dict[str, Entity]:
    return {e.listing.authority_id: e for e in entities}


# -- XML v1.1 -------------------------------------------------------------------


@pytest.fixture(scope="module")
def xml(fixtures: Path) -> dict[str, Entity]:
    return by_id(list(eu_xml.parse(fixtures / "eu" / "fsf_small_1_1.xml")))


def test_xml_ids_schemas_and_un_reference(xml: dict[str, Entity]) -> None:
    assert list(xml) == ["900001", "900002", "900003", "900004", "900005"]
    assert xml["900001"].id == "eu_fsf-900001" and xml["900001"].schema == "Person"
    assert xml["900003"].schema == "Organization"
    assert xml["900002"].get("unscId") == ["QDi.901"]
    assert xml["900001"].get("unscId") == []


def test_xml_names_strong_weak_and_language(xml: dict[str, Entity]) -> None:
    person = xml["900001"]
    primary = person.names[0]
    assert primary.kind == NameKind.PRIMARY and primary.name == "Ivan Fiktivovich Testerov"
    assert dict(primary.parts)["lastName"] == "Testerov"
    russian = person.names[1]
    assert (russian.name, russian.kind, russian.lang) == (
        "Иван Фиктивович Тестеров",
        NameKind.ALIAS,
        "ru",
    )
    assert names_of(person, NameKind.WEAK) == ["Vanya Test"]
    assert person.get("gender") == ["male"] and person.get("position") == [
        "Fictional deputy minister"
    ]
    # no strong name at all: nothing is promoted to primary
    assert names_of(xml["900005"], NameKind.PRIMARY) == []
    assert names_of(xml["900005"], NameKind.WEAK) == ["Fictional Nobody", "Fiktiŭnaja Nichto"]


def test_xml_birth_dates_circa_ranges_and_partial(xml: dict[str, Entity]) -> None:
    assert xml["900001"].dates == [FuzzyDate("1961-05-04")]
    assert xml["900002"].dates == [
        FuzzyDate("1969", circa=True),
        FuzzyDate("1965", end="1968"),
        FuzzyDate("1970-02"),
    ]
    assert xml["900005"].dates == [FuzzyDate("1985")]
    assert xml["900001"].get("birthPlace") == ["Fictionsk, RUSSIAN FEDERATION"]


def test_xml_identifications_by_type_code(xml: dict[str, Entity]) -> None:
    assert xml["900001"].get("passportNumber") == ["FIC0000001"]
    assert xml["900001"].get("idNumber") == ["FIC-ID-77"]
    company = xml["900003"]
    assert company.get("registrationNumber") == ["1000000000001"]
    assert company.get("swiftBic") == ["FICTRUMMXXX"]
    assert company.get("taxNumber") == ["7700000000"]
    assert xml["900004"].get("imoNumber") == ["9999999"]


def test_xml_programme_listing_citizenship_address(xml: dict[str, Entity]) -> None:
    person = xml["900001"]
    assert person.listing.programs == ["RUS"] and person.listing.listed_on == "2022-03-15"
    assert person.get("citizenship") == ["ru"]
    assert xml["900002"].get("address") == ["1 Nowhere Street, Cairo, 00000, EGYPT"]
    assert xml["900002"].get("country") == ["eg"]
    # no designationDate: the regulation's publication date stands in
    assert xml["900005"].listing.listed_on == "2025-01-27"


def test_xml_truncated_raises_format_error_with_line(fixtures: Path, tmp_path: Path) -> None:
    text = (fixtures / "eu" / "fsf_small_1_1.xml").read_text(encoding="utf-8")
    cut = tmp_path / "cut.xml"
    kept = text[: text.index('logicalId="900004"')]
    cut.write_text(kept, encoding="utf-8")
    with pytest.raises(FormatError) as info:
        list(eu_xml.parse(cut))
    assert info.value.line == kept.count("\n") + 1  # the line where the cut file ends


def test_xml_entity_without_logical_id_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text(
        '<export xmlns="http://eu.europa.ec/fpi/fsd/export">\n'
        '<sanctionEntity><nameAlias wholeName="FICTIONAL" strong="true"/></sanctionEntity>'
        "</export>",
        encoding="utf-8",
    )
    with pytest.raises(FormatError, match="logicalId") as info:
        list(eu_xml.parse(bad))
    assert info.value.line == 2


def test_xml_demo_sample_parses() -> None:
    sample = Path(eu_xml.__file__).resolve().parents[1] / "data" / "samples" / "eu_fsf.xml"
    assert len(list(eu_xml.parse(sample))) == 5


# -- CSV v1.1 -------------------------------------------------------------------


def test_csv_v1_1_matches_the_xml_content(fixtures: Path, xml: dict[str, Entity]) -> None:
    path = fixtures / "eu" / "fsf_small_1_1.csv"
    csv_entities = by_id(list(eu_csv.parse(path)))
    assert list(csv_entities) == ["900001", "900002", "900003"]
    person = csv_entities["900001"]
    assert [(n.name, n.kind, n.lang) for n in person.names] == [
        (n.name, n.kind, n.lang) for n in xml["900001"].names
    ]
    assert person.get("passportNumber") == ["FIC0000001"]
    assert person.get("citizenship") == ["ru"]
    assert person.listing.programs == ["RUS"] and person.listing.listed_on == "2022-03-15"
    second = csv_entities["900002"]
    assert second.dates == [FuzzyDate("1969", circa=True), FuzzyDate("1965", end="1968")]
    assert second.get("unscId") == ["QDi.901"]
    assert second.get("address") == ['1 Nowhere Street; Building "B", Cairo, 00000']
    company = csv_entities["900003"]
    assert company.schema == "Organization"
    assert company.get("registrationNumber") == ["1000000000001"]
    assert company.get("swiftBic") == ["FICTRUMMXXX"]


# -- CSV v1.0, saved by a spreadsheet ---------------------------------------------


def test_csv_v1_0_spreadsheet_file_unwrapped(
    fixtures: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = fixtures / "eu" / "fsf_small_1_0_spreadsheet.csv"
    with caplog.at_level(logging.WARNING):
        entities = by_id(list(eu_csv.parse(path)))
    assert list(entities) == ["9001", "9002"]  # 9003's only row is cut: not invented
    person = entities["9001"]
    assert person.caption == "Fictional Zoë Testé"  # cp1252 bytes decoded
    assert names_of(person, NameKind.ALIAS) == ["Zoé Testé"]  # duplicate name not repeated
    assert not any("?" in n.name for n in person.names)  # letters lost to '?' are dropped
    assert person.get("birthPlace") == ["Fictionville, near Testtown"]  # tab back to comma
    assert person.dates == [FuzzyDate("1961-05-04")]
    assert person.get("passportNumber") == ["FX000001"]
    assert person.get("idNumber") == ["FX-ID-9"]
    assert person.get("position") == ["Fictional minister; retired"]
    assert entities["9002"].caption == 'FICTIONAL "GROUP" FOR TESTING'
    assert "cut short" in caplog.text and "replaced their letters" in caplog.text


def test_csv_short_row_in_the_middle_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Entity_LogicalId;NameAlias_WholeName;Entity_SubjectType\n"
        "1;FICTIONAL ONE;P\n2\n3;FICTIONAL THREE;P\n",
        encoding="utf-8",
    )
    with pytest.raises(FormatError) as info:
        list(eu_csv.parse(bad))
    assert info.value.line == 3


def test_csv_rows_of_an_entity_must_be_contiguous(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Entity_LogicalId;NameAlias_WholeName;Entity_SubjectType\n"
        "1;FICTIONAL ONE;P\n2;FICTIONAL TWO;E\n1;FICTIONAL UNO;P\n",
        encoding="utf-8",
    )
    with pytest.raises(FormatError, match="not contiguous") as info:
        list(eu_csv.parse(bad))
    assert info.value.line == 4


# -- the real v1.0 excerpt ---------------------------------------------------------


@pytest.fixture(scope="module")
def excerpt(shared_data: Path) -> dict[str, Entity]:
    return by_id(list(eu_csv.parse(shared_data / EXCERPT)))


def test_excerpt_every_logical_id_appears(shared_data: Path, excerpt: dict[str, Entity]) -> None:
    raw = (shared_data / EXCERPT).read_bytes().decode("cp1252")
    ids = set(re.findall(r'^"\d\d/\d\d/\d{4};(\d+);', raw, flags=re.M))
    assert len(ids) == 93
    assert set(excerpt) == ids
    assert detect_format(shared_data / EXCERPT).name == "eu_fsf_csv"
    assert eu_csv.published(shared_data / EXCERPT) == "2018-07-04"


def test_excerpt_robert_mugabe(excerpt: dict[str, Entity]) -> None:
    person = excerpt["1"]
    assert person.schema == "Person" and person.caption == "Robert Gabriel Mugabe"
    assert dict(person.names[0].parts) == {
        "firstName": "Robert",
        "middleName": "Gabriel",
        "lastName": "Mugabe",
    }
    assert person.dates == [FuzzyDate("1924-02-21")]
    assert person.get("birthPlace") == ["Kutama"]
    assert person.get("passportNumber") == ["AD001095"]
    assert person.listing.programs == ["ZWE"] and person.listing.listed_on == "2002-09-13"
    assert "EU reference number: EU.36.64" in person.get("notes")


def test_excerpt_saddam_hussein(excerpt: dict[str, Entity]) -> None:
    person = excerpt["13"]
    assert person.caption == "Saddam Hussein Al-Tikriti"
    assert [(n.name, n.lang) for n in person.names if n.kind == NameKind.ALIAS] == [
        ("Abu Ali", None),
        ("Abou Ali", "fr"),
    ]
    assert person.dates == [FuzzyDate("1937-04-28")]
    assert person.get("birthPlace") == ["al-Awja, near Tikrit"]
    assert person.get("citizenship")[0] in ("iq", "IRQ")
    assert person.listing.programs == ["IRQ"]


def test_excerpt_grace_mugabe_identifications(excerpt: dict[str, Entity]) -> None:
    person = excerpt["70"]
    assert person.caption == "Grace Mugabe" and person.get("gender") == ["female"]
    assert person.dates == [FuzzyDate("1965-07-23")]
    assert person.get("idNumber") == ["AD001159", "63-646650 Q70"]


def test_excerpt_organisation_with_many_language_names(excerpt: dict[str, Entity]) -> None:
    org = excerpt["481"]
    assert org.schema == "Organization"
    assert org.caption == "Salafist Group for Call and Combat"
    aliases = names_of(org, NameKind.ALIAS)
    assert {"GSPC", "AQIM", "AQMI", "Al Qaïda au Maghreb islamique"} <= set(aliases)
    assert not any("?" in a for a in aliases)
    assert org.listing.programs == ["TAQA"]
