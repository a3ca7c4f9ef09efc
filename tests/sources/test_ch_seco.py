"""The Swiss SECO XML parser, on a hand-written fixture (no real sample is available)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctions.errors import FormatError
from sanctions.model import Entity, FuzzyDate, NameKind
from sanctions.sources import ch_seco


@pytest.fixture(scope="module")
def seco(fixtures: Path) -> dict[str, Entity]:
    return {e.listing.authority_id: e for e in ch_seco.parse(fixtures / "seco" / "seco_small.xml")}


def test_targets_ids_and_schemas(seco: dict[str, Entity]) -> None:
    assert {k: e.schema for k, e in seco.items()} == {
        "1001": "Person",
        "2001": "Organization",
        "3001": "Vessel",
    }
    assert seco["1001"].id == "ch_seco_sanctions-1001"


def test_names_parts_kinds_and_spelling_variants(seco: dict[str, Entity]) -> None:
    person = seco["1001"]
    primary = person.names[0]
    assert primary.name == "Ivan Fiktivovich Testerov" and primary.kind == NameKind.PRIMARY
    assert dict(primary.parts) == {
        "firstName": "Ivan",
        "fatherName": "Fiktivovich",
        "lastName": "Testerov",
    }
    (original,) = [n for n in person.names if n.kind == NameKind.ORIGINAL]
    assert (original.name, original.lang, original.script) == (
        "Иван Фиктивович Тестеров",
        "rus",
        "Cyrillic",
    )
    assert [n.name for n in person.names if n.kind == NameKind.ALIAS] == ["Ivan Testerow"]
    assert [n.name for n in person.names if n.kind == NameKind.WEAK] == ["Vanya"]
    assert [n.name for n in seco["2001"].names if n.kind == NameKind.PREVIOUS] == [
        "OLD FICTIONAL TRADERS"
    ]


def test_person_details(seco: dict[str, Entity]) -> None:
    person = seco["1001"]
    assert person.dates == [FuzzyDate("1961-05-04"), FuzzyDate("1962")]
    assert person.get("nationality") == ["ru"]
    assert person.get("passportNumber") == ["FIC0000001"]
    assert person.get("idNumber") == ["FIC-ID-77"]
    assert person.get("gender") == ["male"]
    assert person.get("birthPlace") == ["Fictionsk, Russia"]
    assert person.listing.programs == ["FIC"]
    assert person.listing.listed_on == "2022-03-01"  # the "listed" modification, not "amended"


def test_entity_and_vessel_details(seco: dict[str, Entity]) -> None:
    assert seco["2001"].get("unscId") == ["QDe.901"]
    assert seco["2001"].listing.programs == ["TST"]
    assert seco["2001"].get("address") == ["1 Nowhere Street, Cairo, Egypt"]
    assert seco["3001"].get("imoNumber") == ["9999999"]


def test_target_without_subject_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text(
        '<swiss-sanctions-list date="2030-01-01">\n<target ssid="1"></target>'
        "</swiss-sanctions-list>",
        encoding="utf-8",
    )
    with pytest.raises(FormatError, match="individual, entity or object") as info:
        list(ch_seco.parse(bad))
    assert info.value.line == 2


def test_truncated_file_raises_format_error(fixtures: Path, tmp_path: Path) -> None:
    text = (fixtures / "seco" / "seco_small.xml").read_text(encoding="utf-8")
    cut = tmp_path / "cut.xml"
    kept = text[: text.index('<target ssid="2001"')]
    cut.write_text(kept, encoding="utf-8")
    with pytest.raises(FormatError) as info:
        list(ch_seco.parse(cut))
    assert info.value.line == kept.count("\n") + 1  # the line where the cut file ends
