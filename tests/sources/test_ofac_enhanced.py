"""OFAC enhanced XML (SDN_ENHANCED schema): fictional fixture units, the real CONS zip,
and the cross-format check that one OFAC entity number gives one entity id."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from lxml import etree

from sanctions.errors import FormatError
from sanctions.model import Entity, FuzzyDate, ListMembership, NameKind
from sanctions.sources import detect_format, ofac_advanced, ofac_enhanced, ofac_xml
from sanctions.sources.base import open_stream

REAL = "us/ofac-consolidated/CONS_ENHANCED.ZIP"
CONS = "us/ofac-consolidated"


@pytest.fixture(scope="module")
def fixture_path(fixtures: Path) -> Path:
    return fixtures / "ofac_xml" / "enhanced.xml"


@pytest.fixture(scope="module")
def fixture_entities(fixture_path: Path) -> dict[str, Entity]:
    return {e.listing.authority_id: e for e in ofac_enhanced.parse(fixture_path)}


@pytest.fixture(scope="module")
def real_entities(shared_data: Path) -> dict[str, Entity]:
    return {e.listing.authority_id: e for e in ofac_enhanced.parse(shared_data / REAL)}


def names(entity: Entity, kind: NameKind) -> list[str]:
    return [n.name for n in entity.names if n.kind == kind]


# -- fixture units ----------------------------------------------------------------


def test_detect_recognises_the_enhanced_root(fixture_path: Path) -> None:
    assert ofac_enhanced.detect(fixture_path.read_bytes()[:4096])
    assert not ofac_enhanced.detect(b'<sdnList xmlns="http://tempuri.org/sdnList.xsd">')
    assert not ofac_enhanced.detect(b"<sanctionsData><entities/></sanctionsData>")


def test_names_kinds_and_original_scripts(fixture_entities: dict[str, Entity]) -> None:
    person = fixture_entities["900001"]
    assert person.schema == "Person"
    assert names(person, NameKind.PRIMARY) == ["TESTOV, Ivan Fictivich"]
    assert names(person, NameKind.ALIAS) == ["TESTOFF, Ivan"]
    assert names(person, NameKind.WEAK) == ["VANYA"]
    assert names(person, NameKind.PREVIOUS) == ["PROBOV, Ivan"]
    (cyrillic,) = [n for n in person.names if n.kind == NameKind.ORIGINAL]
    assert (cyrillic.name, cyrillic.script) == ("Иван Фиктивич ТЕСТОВ", "Cyrillic")
    (chinese,) = [n for n in fixture_entities["900002"].names if n.kind == NameKind.ORIGINAL]
    assert (chinese.name, chinese.script, chinese.lang) == (
        "虚构航运有限公司",
        "Chinese Simplified",
        "zh",
    )


def test_value_dates_keep_precision(fixture_entities: dict[str, Entity]) -> None:
    assert fixture_entities["900001"].dates == [
        FuzzyDate("1961", "birthDate", circa=True),
        FuzzyDate("1963", "birthDate", end="1965"),
    ]
    assert fixture_entities["900004"].dates == [FuzzyDate("1970-02", "birthDate")]


def test_features_documents_addresses_relations(fixture_entities: dict[str, Entity]) -> None:
    person = fixture_entities["900001"]
    assert person.get("passportNumber") == ["FX1234567"]
    assert person.get("nationality") == ["ru"]
    assert person.get("gender") == ["male"]
    assert person.get("address") == ["1 Fictional Street, Moscow, Russia"]
    assert "Owned or Controlled By: FICTIONAL SHIPPING LTD" in person.get("notes")
    company = fixture_entities["900002"]
    assert company.schema == "Company"
    assert company.get("swiftBic") == ["FICTXX22"]
    assert company.get("registrationNumber") == ["FIC-0042"]
    assert company.get("country") == ["cn"]
    vessel = fixture_entities["900003"]
    assert vessel.schema == "Vessel"
    assert vessel.get("imoNumber") == ["IMO9999991"]
    assert vessel.get("flag") == ["pa"]


def test_programmes_and_earliest_publication(fixture_entities: dict[str, Entity]) -> None:
    assert fixture_entities["900001"].listing.programs == ["RUSSIA-EO14024", "SDGT"]
    assert fixture_entities["900001"].listing.listed_on == "2022-02-24"
    assert fixture_entities["900004"].listing.listed_on == "2012-03-09"


def test_truncated_file_raises_format_error_with_line(fixture_path: Path, tmp_path: Path) -> None:
    data = fixture_path.read_bytes()
    broken = tmp_path / "truncated.xml"
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(FormatError) as info:
        list(ofac_enhanced.parse(broken))
    assert (
        info.value.line == data[: len(data) // 2].count(b"\n") + 1
    )  # the line where the cut file ends


def test_entity_without_id_raises(fixture_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "noid.xml"
    bad.write_text(
        fixture_path.read_text(encoding="utf-8").replace('<entity id="900002">', "<entity>")
    )
    with pytest.raises(FormatError) as info:
        list(ofac_enhanced.parse(bad))
    assert info.value.field == "id"


def test_demo_sample_parses() -> None:
    sample = Path(ofac_enhanced.__file__).parents[1] / "data" / "samples" / "ofac_enhanced.xml"
    entities = list(ofac_enhanced.parse(sample))
    assert len(entities) == 4
    assert all("FICTIONAL ENTRY FOR DEMONSTRATION" in e.get("notes") for e in entities)


# -- the real consolidated enhanced zip -----------------------------------------


def test_real_zip_count_date_and_dataset(shared_data: Path, real_entities: dict) -> None:
    path = shared_data / REAL
    assert detect_format(path).name == "ofac_enhanced"
    assert len(real_entities) == 443
    assert ofac_enhanced.published(path) == "2025-01-10"
    assert ofac_enhanced.dataset_for(path) == "us_ofac_cons"
    for entity in real_entities.values():
        assert entity.id.startswith("us_ofac_cons-")
        assert len(names(entity, NameKind.PRIMARY)) == 1, entity.id
        assert entity.listing.programs and entity.listing.listed_on, entity.id


def test_real_person_weak_aliases_nationality_gender(real_entities: dict) -> None:
    e = real_entities["9647"]
    assert names(e, NameKind.PRIMARY) == ["ZAHHAR, Mahmoud Khaled"]
    assert names(e, NameKind.WEAK) == ["ZAHAR, Mahmoud", "AL-ZAHAR, Mahmoud"]
    assert e.dates == [FuzzyDate("1945", "birthDate")]
    assert e.get("nationality") == ["ps"]
    assert e.get("gender") == ["male"]
    assert e.listing.programs == ["NS-PLC", "SDGT"]
    assert e.listing.listed_on == "2006-04-12"
    assert "Acting for or on behalf of: HAMAS" in e.get("notes")


def test_real_passport_and_day_birth_date(real_entities: dict) -> None:
    e = real_entities["26182"]
    assert e.get("passportNumber") == ["U00242309"]
    assert e.dates == [FuzzyDate("1980-02-08", "birthDate")]


def test_real_chinese_original_name(real_entities: dict) -> None:
    e = real_entities["33091"]
    assert names(e, NameKind.PRIMARY) == ["MEGVII TECHNOLOGY LIMITED"]
    (original,) = [n for n in e.names if n.kind == NameKind.ORIGINAL]
    assert (original.name, original.script, original.lang) == (
        "旷视科技有限公司",
        "Chinese Simplified",
        "zh",
    )
    assert e.get("country") == ["ky", "cn"]
    assert e.listing.programs == ["CMIC-EO13959"]


def test_real_cyrillic_names_of_vtb(real_entities: dict) -> None:
    e = real_entities["17013"]
    assert names(e, NameKind.PRIMARY) == ["VTB BANK PUBLIC JOINT STOCK COMPANY"]
    originals = names(e, NameKind.ORIGINAL)
    assert "БАНК ВТБ ПУБЛИЧНОЕ АКЦИОНЕРНОЕ ОБЩЕСТВО" in originals
    assert "БАНК ВТБ ПАО" in originals
    assert e.get("swiftBic") == ["VTBRRUMM"]
    assert e.get("leiCode") == ["253400V1H6ART1UQ0N98"]
    assert FuzzyDate("1990-10-17", "incorporationDate") in e.dates


def test_real_every_non_latin_translation_is_an_original_name(
    shared_data: Path, real_entities: dict
) -> None:
    expected: set[tuple[str, str]] = set()
    with open_stream(shared_data / REAL) as stream:
        root = etree.parse(stream, etree.XMLParser(resolve_entities=False, no_network=True))
    ns = {"e": root.getroot().nsmap[None]}
    for entity in root.iterfind(".//e:entities/e:entity", ns):
        for tr in entity.iterfind(".//e:names//e:translation", ns):
            script = tr.findtext("e:script", namespaces=ns)
            if script != "Latin":
                first = tr.findtext("e:formattedFirstName", namespaces=ns)
                last = tr.findtext("e:formattedLastName", namespaces=ns)
                expected.add((entity.get("id"), " ".join(p for p in (first, last) if p)))
    found = {
        (k, n.name)
        for k, e in real_entities.items()
        for n in e.names
        if n.kind == NameKind.ORIGINAL
    }
    assert found == expected
    assert len(found) == 45


# -- one OFAC entity number, one entity id, whatever the format --------------------


def test_same_uid_gives_same_entity_across_formats(shared_data: Path, real_entities: dict) -> None:
    classic = {
        e.listing.authority_id: e
        for e in ofac_xml.parse(shared_data / CONS / "consolidated_2024-02-23.xml")
    }
    advanced = {
        e.listing.authority_id: e
        for e in ofac_advanced.parse(shared_data / CONS / "CONS_ADVANCED_2021-06-03.xml")
    }
    with open(shared_data / CONS / "cons_prim.csv", encoding="utf-8", errors="replace") as handle:
        csv_names = {r[0]: r[1] for r in csv.reader(handle) if r and r[0].isdigit()}
    assert len(csv_names) == 442
    assert len(set(classic) & set(real_entities) & set(csv_names)) == 441
    in_all = set(classic) & set(advanced) & set(real_entities) & set(csv_names)
    assert len(in_all) == 425
    for uid in in_all:
        ids = {classic[uid].id, advanced[uid].id, real_entities[uid].id}
        assert ids == {f"us_ofac_cons-{uid}"}
        assert classic[uid].schema == advanced[uid].schema == real_entities[uid].schema
        births = [
            sorted(d.value for d in x[uid].dates if d.prop == "birthDate")
            for x in (classic, advanced, real_entities)
        ]
        assert births[0] == births[1] == births[2], uid
    # the CSV writes "LAST, First"; the XML parsers build "First LAST" from the parts
    assert csv_names["9639"] == "HANIYA, Ismail Abdul Salah"
    assert {
        classic["26182"].caption,
        advanced["26182"].caption,
        real_entities["26182"].caption,
    } == {"KAYAKIRAN, Evren"}


def test_every_ofac_format_gives_the_same_names_and_schemas(shared_data: Path) -> None:
    """The same listing reads the same from the CSV set and each XML schema."""
    from sanctions.sources import detect_format

    folder = shared_data / "us" / "ofac-consolidated"

    def read(path: Path) -> dict[str, Entity]:
        fmt = detect_format(path)
        return {e.id: e for e in fmt.parse(path, dataset="us_ofac_cons")}

    csv_set = read(folder)
    for name in (
        "consolidated_2024-02-23.xml",
        "CONS_ADVANCED_2021-06-03.xml",
        "CONS_ENHANCED.ZIP",
    ):
        other = read(folder / name)
        common = set(csv_set) & set(other)
        assert len(common) > 400
        people = [i for i in common if csv_set[i].schema == "Person"]
        assert people and all(csv_set[i].caption == other[i].caption for i in people), name
        same_schema = sum(1 for i in common if csv_set[i].schema == other[i].schema)
        assert same_schema / len(common) > 0.97, (name, same_schema, len(common))


# -- issue 17, finding 6: lists, sanction types and legal authorities -------------------


def test_lists_with_dates_types_and_authorities_on_the_fixture(fixture_entities: dict) -> None:
    listing = fixture_entities["900001"].listing
    assert listing.lists == [
        ListMembership("Sectoral Sanctions Identifications List", "2023-01-10"),
        ListMembership("SDN List", "2022-02-24"),
    ]
    assert listing.listed_on == "2022-02-24"  # the earliest list date
    assert listing.provisions == ["Block"]
    assert listing.legal_basis == ["Executive Order 14024 (Russia)"]


def test_real_lists_with_dates_sanction_types_and_legal_authorities(
    shared_data: Path, real_entities: dict[str, Entity]
) -> None:
    vtb = real_entities["18721"].listing
    assert ListMembership("Sectoral Sanctions Identifications List", "2015-12-22") in vtb.lists
    assert ListMembership("SDN List", "2022-02-24") in vtb.lists
    assert vtb.listed_on == "2015-12-22"
    assert vtb.provisions == ["13662 Sectoral Directive 1", "Block"]
    assert vtb.legal_basis == ["Executive Order 13662 (Ukraine)", "Executive Order 14024 (Russia)"]
    # every entity: what the raw file says reaches the listing
    with open_stream(shared_data / REAL) as stream:
        tree = etree.parse(stream)
    ns = {"e": tree.getroot().nsmap[None]}
    raw = tree.getroot().findall(".//e:entities/e:entity", ns)
    assert len(raw) == len(real_entities) == 443
    for elem in raw:
        listing = real_entities[elem.get("id")].listing

        def texts(path: str, elem: etree._Element = elem) -> set[str]:
            return {" ".join(x.text.split()) for x in elem.findall(path, ns)}

        assert {m.name for m in listing.lists} == texts("e:sanctionsLists/e:sanctionsList")
        for lst in elem.findall("e:sanctionsLists/e:sanctionsList", ns):
            assert ListMembership(lst.text.strip(), lst.get("datePublished")[:10]) in listing.lists
        assert set(listing.provisions) == texts("e:sanctionsTypes/e:sanctionsType")
        assert set(listing.legal_basis) == texts("e:legalAuthorities/e:legalAuthority")
        assert listing.lists and listing.provisions and listing.legal_basis
