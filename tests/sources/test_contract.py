"""The contract every format module keeps (sanctions/sources/__init__.py), on one
hand-written file per format: the registry detects it from its content, names its
dataset and publication date, and the parser streams entities whose ids are
``{dataset}-{authority id}``, unique, with a name and a known schema, the same
on every parse. The per-format test files keep what is particular to each format."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctions.model import SCHEMA_PARENTS
from sanctions.sources import FORMAT_MODULES, detect_format

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sanctions" / "data" / "samples"
FIXTURES = ROOT / "tests" / "fixtures"

# module: (hand-written file, format name, dataset, publication date it states, entities)
CASES: dict[str, tuple[Path, str, str, str | None, int]] = {
    "ofac_csv": (FIXTURES / "ofac_csv", "ofac_csv", "us_ofac_sdn", None, 6),
    "ofac_xml": (
        FIXTURES / "ofac_xml/sdn_classic.xml",
        "ofac_xml",
        "us_ofac_cons",
        "2024-03-15",
        4,
    ),
    "ofac_advanced": (
        FIXTURES / "ofac_xml/advanced.xml",
        "ofac_advanced",
        "us_ofac_sdn",
        "2024-03-15",
        4,
    ),
    "ofac_enhanced": (
        FIXTURES / "ofac_xml/enhanced.xml",
        "ofac_enhanced",
        "us_ofac_sdn",
        "2024-03-15",
        4,
    ),
    "un_xml": (
        FIXTURES / "un/consolidated_small.xml",
        "un_xml",
        "un_sc_sanctions",
        "2030-01-15",
        4,
    ),
    "eu_xml": (FIXTURES / "eu/fsf_small_1_1.xml", "eu_fsf_xml", "eu_fsf", "2030-02-01", 5),
    "eu_csv": (FIXTURES / "eu/fsf_small_1_1.csv", "eu_fsf_csv", "eu_fsf", "2030-02-01", 3),
    "uk_fcdo": (SAMPLES / "uk_fcdo.csv", "uk_fcdo", "gb_fcdo_sanctions", "2024-03-05", 3),
    "uk_ofsi": (
        SAMPLES / "uk_ofsi_conlist.csv",
        "uk_ofsi_csv",
        "gb_hmt_sanctions",
        "2024-03-05",
        2,
    ),
    "ca_sema": (SAMPLES / "ca_sema.xml", "ca_sema", "ca_dfatd_sema_sanctions", None, 3),
    "au_dfat": (SAMPLES / "au_dfat.xlsx", "au_dfat_xlsx", "au_dfat_sanctions", "2026-12-01", 3),
    "ch_seco": (FIXTURES / "seco/seco_small.xml", "ch_seco", "ch_seco_sanctions", "2030-02-01", 3),
    "us_csl": (SAMPLES / "us_csl.csv", "us_csl", "us_trade_csl", None, 4),
    "us_bis_dpl": (FIXTURES / "csl/dpl_sample.txt", "us_bis_dpl", "us_bis_denied", None, 1),
    "ftm": (FIXTURES / "ftm/v1.jsonl", "ftm", "opensanctions", None, 3),
}


def test_every_registered_format_has_a_contract_case() -> None:
    assert set(CASES) == set(FORMAT_MODULES)


@pytest.mark.parametrize("module", sorted(CASES))
def test_the_format_is_detected_and_names_its_dataset_and_date(module: str) -> None:
    path, name, dataset, published, _count = CASES[module]
    fmt = detect_format(path)
    assert fmt.module.__name__ == f"sanctions.sources.{module}"
    assert (fmt.name, fmt.dataset_for(path), fmt.published(path)) == (name, dataset, published)


@pytest.mark.parametrize("module", sorted(CASES))
def test_the_parser_streams_identified_named_entities_the_same_each_time(module: str) -> None:
    path, _name, dataset, _published, count = CASES[module]
    fmt = detect_format(path)
    entities = list(fmt.parse(path, dataset=dataset))
    assert len(entities) == count
    ids = [e.id for e in entities]
    assert len(set(ids)) == count, "entity ids repeat"
    for entity in entities:
        authority_id = entity.listing.authority_id
        # FtM files carry their publisher's ids (OpenSanctions'), kept as they are
        assert entity.id == (authority_id if module == "ftm" else f"{dataset}-{authority_id}")
        assert entity.schema in SCHEMA_PARENTS, entity.schema
        assert entity.names, f"{entity.id} has no name"
    again = [e.to_dict() for e in fmt.parse(path, dataset=dataset)]
    assert again == [e.to_dict() for e in entities]
