"""The UN Security Council consolidated XML parser, on a hand-written fixture and the real list."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from sanctions.errors import FormatError, UnsafeInputError
from sanctions.model import Entity, FuzzyDate, NameKind
from sanctions.sources import un_xml

UN_FILE = "un/consolidated_2026-02-27.xml"


def names_of(entity: Entity, kind: NameKind) -> list[str]:
    return [n.name for n in entity.names if n.kind == kind]


@pytest.fixture(scope="module")
def small(fixtures: Path) -> dict[str, Entity]:
    return {
        e.listing.authority_id: e for e in un_xml.parse(fixtures / "un" / "consolidated_small.xml")
    }


@pytest.fixture(scope="module")
def real(shared_data: Path) -> dict[str, Entity]:
    return {e.listing.authority_id: e for e in un_xml.parse(shared_data / UN_FILE)}


# -- hand-written fixture -------------------------------------------------------


def test_another_xml_root_is_not_un_xml() -> None:  # detection: tests/sources/test_contract.py
    assert not un_xml.detect(b'<?xml version="1.0"?><export xmlns="x">')


def test_ids_are_reference_numbers_and_unsc_ids(small: dict[str, Entity]) -> None:
    assert set(small) == {"QDi.901", "KPi.901", "QDi.902", "KPe.901"}
    person = small["QDi.901"]
    assert person.id == "un_sc_sanctions-QDi.901"
    assert person.schema == "Person"
    assert person.get("unscId") == ["QDi.901"]
    assert small["KPe.901"].schema == "Organization"
    assert person.listing.source_file == "consolidated_small.xml"


def test_individual_names_parts_and_original_script(small: dict[str, Entity]) -> None:
    person = small["QDi.901"]
    primary = person.names[0]
    assert primary.name == "FICTIONAL AHMAD TESTMAN" and primary.kind == NameKind.PRIMARY
    assert dict(primary.parts) == {
        "firstName": "FICTIONAL",
        "middleName": "AHMAD",
        "lastName": "TESTMAN",
    }
    assert names_of(person, NameKind.ALIAS) == ["Abu Fiction"]
    assert names_of(person, NameKind.WEAK) == ["The Tester"]
    (original,) = [n for n in person.names if n.kind == NameKind.ORIGINAL]
    assert original.name == "فكشنال أحمد تستمان"
    assert original.script == "Arabic" and original.lang == "ara"
    russian = [n for n in small["QDi.902"].names if n.kind == NameKind.ORIGINAL][0]
    assert (russian.script, russian.lang) == ("Cyrillic", "rus")


def test_korean_names_put_family_name_last_name(small: dict[str, Entity]) -> None:
    assert dict(small["KPi.901"].names[0].parts) == {"lastName": "KIM", "firstName": "FICTION-SU"}


def test_birth_dates_keep_precision_circa_and_ranges(small: dict[str, Entity]) -> None:
    dates = small["QDi.901"].dates
    assert FuzzyDate("1970-01-02") in dates
    assert FuzzyDate("1969", circa=True) in dates
    assert FuzzyDate("1965", circa=True, end="1968") in dates
    assert FuzzyDate("1971-02-03") in dates  # from the alias
    assert len(dates) == 4  # the Hijri date is kept as a note, not guessed
    note = "birthDate (not understood): 24/06/1402 (Hijri Calendar)"
    assert note in small["QDi.901"].get("notes")  # kept and counted in the load report
    assert small["KPi.901"].dates == [FuzzyDate("1961-09")]  # YEAR 1961 + NOTE "Sep."
    assert small["QDi.902"].dates == [FuzzyDate("1977-08", end="1977-09")]


def test_individual_details(small: dict[str, Entity]) -> None:
    person = small["QDi.901"]
    assert person.get("nationality") == ["eg", "Atlantis"]  # unknown country kept as text
    assert person.get("passportNumber") == ["X0000001"]
    assert person.get("idNumber") == ["29001010000000"]
    assert person.get("gender") == ["male"]
    assert person.get("title") == ["Maulavi"]
    assert person.get("position") == ["Fictional commander"]
    assert person.get("birthPlace") == ["Giza, Egypt"]
    assert person.get("address") == ["1 Nowhere Street, Cairo, Egypt (as of 2020)"]
    assert person.get("modifiedAt") == ["2022-06-30"]
    assert person.listing.programs == ["Al-Qaida"]
    assert person.listing.listed_on == "2020-03-05"
    assert small["KPi.901"].listing.listed_on == "2017-08-05"  # "-04:00" suffix dropped
    assert small["KPi.901"].get("passportNumber") == ["FIC-654321"]


def test_entity_aliases_and_former_names(small: dict[str, Entity]) -> None:
    org = small["KPe.901"]
    assert org.caption == "FICTIONAL TRADING LLC"
    assert names_of(org, NameKind.ALIAS) == ["FICTIONAL TRADING COMPANY"]
    assert names_of(org, NameKind.PREVIOUS) == ["OLD FICTIONAL TRADERS"]
    assert org.get("imoNumber") == ["5999999"]
    assert org.get("country") == ["kp"]


def test_truncated_xml_raises_format_error_with_line(fixtures: Path, tmp_path: Path) -> None:
    text = (fixtures / "un" / "consolidated_small.xml").read_text(encoding="utf-8")
    cut = tmp_path / "truncated.xml"
    kept = text[: text.index("<ENTITY>") + 60]
    cut.write_text(kept, encoding="utf-8")
    with pytest.raises(FormatError) as info:
        list(un_xml.parse(cut))
    assert info.value.line == kept.count("\n") + 1  # the line where the cut file ends
    assert "truncated.xml" in str(info.value)


def test_entry_without_reference_number_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "noref.xml"
    bad.write_text(
        "<CONSOLIDATED_LIST><INDIVIDUALS>\n<INDIVIDUAL><FIRST_NAME>FICTIONAL</FIRST_NAME>"
        "</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>",
        encoding="utf-8",
    )
    with pytest.raises(FormatError, match="REFERENCE_NUMBER") as info:
        list(un_xml.parse(bad))
    assert info.value.line == 2


def test_entity_declarations_are_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
        "<CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>",
        encoding="utf-8",
    )
    with pytest.raises(UnsafeInputError):
        list(un_xml.parse(bomb))


def test_spelling_variants_packed_in_one_alias_are_names_of_their_own(tmp_path: Path) -> None:
    packed = tmp_path / "packed.xml"
    packed.write_text(
        "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><REFERENCE_NUMBER>QDi.999</REFERENCE_NUMBER>"
        "<FIRST_NAME>FICTIONAL</FIRST_NAME><SECOND_NAME>PACKED</SECOND_NAME>"
        "<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY>"
        "<ALIAS_NAME>Fictio Packer; Fiktio  Pakker;; Fictio Pakar</ALIAS_NAME></INDIVIDUAL_ALIAS>"
        "</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>",
        encoding="utf-8",
    )
    (person,) = list(un_xml.parse(packed))
    assert names_of(person, NameKind.ALIAS) == ["Fictio Packer", "Fiktio Pakker", "Fictio Pakar"]


# -- the real list ----------------------------------------------------------------


def test_real_list_counts(real: dict[str, Entity]) -> None:
    assert Counter(e.schema for e in real.values()) == {"Person": 730, "Organization": 273}
    assert all(e.names and e.get("unscId") == [e.listing.authority_id] for e in real.values())


def test_real_list_published(shared_data: Path) -> None:
    assert un_xml.published(shared_data / UN_FILE) == "2026-02-27"


def test_real_eric_badege_year_only(real: dict[str, Entity]) -> None:
    person = real["CDi.001"]
    assert person.caption == "ERIC BADEGE"
    assert person.dates == [FuzzyDate("1971")]
    assert person.get("nationality") == ["cd"]
    assert person.listing.programs == ["DRC"] and person.listing.listed_on == "2012-12-31"


def test_real_gaston_iyamuremye_good_and_low_aliases(real: dict[str, Entity]) -> None:
    person = real["CDi.003"]
    assert names_of(person, NameKind.WEAK) == ["Rumuli"]
    assert names_of(person, NameKind.ALIAS) == [
        "Byiringiro Victor Rumuli",
        "Victor Rumuri",
        "Michel Byiringiro",
    ]
    assert person.dates == [FuzzyDate("1948")]
    assert "FDLR Interim President" in person.get("position")


def test_real_qdi_001_arabic_original_and_two_exact_dates(real: dict[str, Entity]) -> None:
    person = real["QDi.001"]
    assert person.caption == "MOHAMMED SALAHALDIN ABD EL HALIM ZIDANE"
    assert [n.name for n in person.names if n.kind == NameKind.ORIGINAL] == [
        "محمد صلاح الدين عبدالحليم زيدان"
    ]
    # The alias note "In Arabic: سيف العدل" gives the alias in Arabic script too.
    assert names_of(person, NameKind.ALIAS) == [
        "Sayf-Al Adl",
        "سيف العدل",
        "Muhamad Ibrahim Makkawi",
    ]
    assert names_of(person, NameKind.WEAK) == ["Ibrahim al-Madani", "Saif Al-'Adil", "Seif al Adel"]
    assert person.dates == [FuzzyDate("1963-04-11"), FuzzyDate("1960-04-11")]
    assert person.get("nationality") == ["eg"]
    assert person.listing.programs == ["Al-Qaida"] and person.listing.listed_on == "2001-01-25"


def test_real_tai_002_approximate_ranges(real: dict[str, Entity]) -> None:
    person = real["TAi.002"]
    assert person.caption == "MOHAMMAD HASSAN AKHUND"
    assert person.dates == [
        FuzzyDate("1955", circa=True, end="1958"),
        FuzzyDate("1945", circa=True, end="1950"),
    ]
    assert person.get("title") == ["Mullah", "Haji"]
    assert person.listing.programs == ["Taliban"]
    assert [n.script for n in person.names if n.kind == NameKind.ORIGINAL] == ["Arabic"]


def test_real_qdi_290_cyrillic_passport_and_alias_dates(real: dict[str, Entity]) -> None:
    person = real["QDi.290"]
    (original,) = [n for n in person.names if n.kind == NameKind.ORIGINAL]
    assert original.name == "Умаров Доку Хаматович" and original.script == "Cyrillic"
    assert person.get("passportNumber") == ["96 03 464086"]
    assert set(person.get("birthDate")) == {"1964-04-13", "1965-04-13", "1964-05-12", "1955"}
    assert person.get("nationality")[0] == "ru"
    assert "Dokka Umarov" in names_of(person, NameKind.ALIAS)


def test_real_lyi_019_approximately_and_national_id(real: dict[str, Entity]) -> None:
    person = real["LYi.019"]
    assert person.dates == [FuzzyDate("1952", circa=True)]
    assert person.get("passportNumber") == ["03825239"]
    assert person.get("idNumber") == ["98606491"]
    assert person.listing.programs == ["Libya"]


def test_real_qdi_306_month_range_from_note(real: dict[str, Entity]) -> None:
    person = real["QDi.306"]
    assert FuzzyDate("1977-08", end="1977-09") in person.dates
    assert FuzzyDate("1976") in person.dates
    assert person.get("nationality") == ["pk", "sa"]


def test_real_qdi_395_month_from_note_and_id_numbers(real: dict[str, Entity]) -> None:
    person = real["QDi.395"]
    assert person.dates == [FuzzyDate("1958-09")]
    assert person.get("idNumber") == ["3311092409580002", "3311092409580003"]


def test_real_kpe_028_entity_former_name(real: dict[str, Entity]) -> None:
    org = real["KPe.028"]
    assert org.schema == "Organization" and org.caption == "MUNITIONS INDUSTRY DEPARTMENT"
    assert names_of(org, NameKind.ALIAS) == ["Military Supplies Industry Department", "MID"]
    assert names_of(org, NameKind.PREVIOUS) == ["MACHINE INDUSTRY DEPARTMENT"]
    assert org.listing.listed_on == "2016-03-02" and org.listing.programs == ["DPRK"]


def test_real_qde_168_cyrillic_entity_name(real: dict[str, Entity]) -> None:
    org = real["QDe.168"]
    (original,) = [n for n in org.names if n.kind == NameKind.ORIGINAL]
    assert original.name == "Катиба ат-Таухид валь-Джихад"
    assert "JANNAT OSHIKLARI" in names_of(org, NameKind.PREVIOUS)


# -- issue 17, finding 4: nothing of the UN record is left behind ------------------


@pytest.fixture(scope="module")
def raw_tree(shared_data: Path) -> etree._ElementTree:
    return etree.parse(str(shared_data / UN_FILE))


def _raw_text(elem: etree._Element, tag: str) -> str:
    return " ".join((elem.findtext(tag) or "").split())


def test_real_addresses_given_only_as_a_note_are_kept(
    real: dict[str, Entity], raw_tree: etree._ElementTree
) -> None:
    note_only = [
        (addr.getparent().findtext("REFERENCE_NUMBER"), _raw_text(addr, "NOTE"))
        for addr in raw_tree.iter("INDIVIDUAL_ADDRESS", "ENTITY_ADDRESS")
        if [c.tag for c in addr if (c.text or "").strip()] == ["NOTE"]
    ]
    assert len(note_only) > 60  # 68 in the 2026-02-27 file
    for ref, note in note_only:
        assert note in real[ref].get("address"), (ref, note)
    assert "Believed location - Egypt" in real["LYi.019"].get("address")
    assert "eg" in real["LYi.019"].get("country")
    assert {"af", "pk"} <= set(real["QDi.192"].get("country"))


def test_countries_in_a_note_are_names_not_two_letter_words() -> None:
    assert un_xml.countries_in_text("Nazimabad No. 4, Karachi, Pakistan") == ["pk"]
    assert un_xml.countries_in_text("Branch Office 14: Dubai, United Arab Emirates") == ["ae"]
    assert un_xml.countries_in_text("Known address: Tripoli, Tarig sure no. 51") == []
    assert un_xml.countries_in_text("Reportedly in prison in Uganda") == ["ug"]  # not "in"
    assert un_xml.countries_in_text("Bosnia and Herzegovina") == ["ba"]


def test_real_alias_forms_in_another_script_given_in_notes_are_names(
    real: dict[str, Entity], raw_tree: etree._ElementTree
) -> None:
    found = 0
    for alias in raw_tree.iter("INDIVIDUAL_ALIAS", "ENTITY_ALIAS"):
        note = _raw_text(alias, "NOTE")
        label = next(
            (
                m
                for m in ("original script:", "In Arabic:", "in Arabic script:", "in Arabic:")
                if m in note
            ),
            None,
        )
        if label is None:
            continue
        written = note.split(label, 1)[1].strip()
        entity = real[alias.getparent().findtext("REFERENCE_NUMBER")]
        assert written in entity.get("alias") + entity.get("weakAlias"), written
        found += 1
    assert found >= 30
    (oduev,) = [n for n in real["QDi.366"].names if n.name == "Рамзан Одуев"]
    assert oduev.script == "Cyrillic" and oduev.lang == "rus" and oduev.kind == NameKind.ALIAS
    (kawthar,) = [n for n in real["QDe.157"].names if n.name == "شركة الكوثر"]
    assert kawthar.script == "Arabic"


def test_real_document_issue_dates_places_and_countries_are_kept(
    real: dict[str, Entity], raw_tree: etree._ElementTree
) -> None:
    checked = 0
    for doc in raw_tree.iter("INDIVIDUAL_DOCUMENT"):
        facts = [
            _raw_text(doc, t)
            for t in ("DATE_OF_ISSUE", "CITY_OF_ISSUE", "ISSUING_COUNTRY", "COUNTRY_OF_ISSUE")
        ]
        if not any(facts):
            continue
        notes = " | ".join(real[doc.getparent().findtext("REFERENCE_NUMBER")].get("notes"))
        for fact in filter(None, facts):
            assert fact in notes, fact
        checked += 1
    assert checked > 300  # 329 documents on 201 people in the 2026-02-27 file
    assert any(
        n.startswith("Passport D00002264: issued 2013-06-11;") for n in real["CFi.001"].get("notes")
    )


def test_real_names_in_arabic_script_on_documents_are_names(real: dict[str, Entity]) -> None:
    # INDIVIDUAL_DOCUMENT NOTE "name in Arabic script: عمر محمود إرحيم الفياض"
    (name,) = [n for n in real["QDi.412"].names if n.name == "عمر محمود إرحيم الفياض"]
    assert name.script == "Arabic" and name.kind == NameKind.ALIAS
    assert "سالم مصطفى محمد ال منصور" in real["QDi.411"].get("alias")


def test_real_addresses_without_country_field_get_the_countries_they_name(
    real: dict[str, Entity],
) -> None:
    # CDi.015: <CITY>Reportedly in prison in Uganda</CITY><NOTE>as of September 2016</NOTE>
    person = real["CDi.015"]
    assert person.get("address") == ["Reportedly in prison in Uganda (as of September 2016)"]
    assert person.get("country") == ["ug"]


def test_script_name_in_note_takes_only_non_latin_forms() -> None:
    assert un_xml.script_name_in_note("original script: Рамзан Одуев") == "Рамзан Одуев"
    assert un_xml.script_name_in_note("Previously listed as. In Arabic: رياض") == "رياض"
    assert un_xml.script_name_in_note("in Arabic script: شركة الكوثر") == "شركة الكوثر"
    assert un_xml.script_name_in_note("original script: Abu Banat") is None
    assert un_xml.script_name_in_note("formerly listed as") is None
    assert un_xml.script_name_in_note(None) is None


def test_real_no_alias_keeps_packed_variants(real: dict[str, Entity]) -> None:
    aliases = (NameKind.ALIAS, NameKind.WEAK, NameKind.PREVIOUS)
    packed = [n.name for e in real.values() for n in e.names if ";" in n.name and n.kind in aliases]
    assert packed == []
    # one listing whose variants the UN packs into one alias field has each as a name
    with_variants = [e for e in real.values() if len(names_of(e, NameKind.ALIAS)) >= 3]
    assert with_variants


def test_entity_listed_under_two_names_has_both_as_listed_names(tmp_path: Path) -> None:
    packed = tmp_path / "packed-entity.xml"
    packed.write_text(
        "<CONSOLIDATED_LIST><ENTITIES><ENTITY><REFERENCE_NUMBER>CDe.999</REFERENCE_NUMBER>"
        "<FIRST_NAME>FICTIONAL AIR LINES (FAL) ; INVENTED CARGO COMPANY (ICC)</FIRST_NAME>"
        "</ENTITY></ENTITIES></CONSOLIDATED_LIST>",
        encoding="utf-8",
    )
    (org,) = list(un_xml.parse(packed))
    assert names_of(org, NameKind.PRIMARY) == [
        "FICTIONAL AIR LINES (FAL)",
        "INVENTED CARGO COMPANY (ICC)",
    ]
    assert org.caption == "FICTIONAL AIR LINES (FAL)"


def test_real_no_listed_name_packs_two_names(real: dict[str, Entity]) -> None:
    assert [n.name for e in real.values() for n in e.names if ";" in n.name] == []
