"""Fictional lists for the by-subject tests (screening, API, watch): one bank listed by the
US, the UK and the EU with one SWIFT/BIC (a strong key: the resolver clusters its listings
without any name evidence), and a namesake with no shared key (another subject)."""

from __future__ import annotations

from typing import Any

from sanctions.model import Entity

BIC = "ACMTRUMMXXX"
BANK = "Acme Trading Bank"
LISTS = {  # dataset -> the authority's id of the bank
    "us_ofac_sdn": "100",
    "gb_hmt_sanctions": "7001",
    "eu_fsf": "EU.55.1",
}
BANK_QUERY = {"schema": "Organization", "properties": {"name": [BANK]}}


def bank(
    dataset: str, authority_id: str, listed_on: str = "2022-03-01", name: str = BANK
) -> Entity:
    entity = Entity.create(dataset, authority_id, "Organization")
    entity.add_name(name)
    entity.add("swiftBic", BIC)
    entity.add("country", "ru")
    entity.listing.programs = [f"RUSSIA-{dataset[:2].upper()}"]
    entity.listing.listed_on = listed_on
    return entity


def namesake(dataset: str) -> Entity:
    """A bank of a close name with no shared key: another subject."""
    entity = Entity.create(dataset, "n-1", "Organization")
    entity.add_name(f"{BANK} Holdings")
    return entity


def bystander(dataset: str) -> Entity:
    """A listing nobody screened here matches (a list is never empty)."""
    entity = Entity.create(dataset, "x-1", "Person")
    entity.add_name("Quentin Marlowe Fairbanks")
    return entity


def save(store: Any, dataset: str, entities: list[Entity], tag: str) -> None:
    store.save_version(
        dataset, {e.id: e for e in entities}, content_hash=f"{dataset}-{tag}", fmt="test"
    )


def save_three_lists(store: Any) -> None:
    """The bank on the three lists (listed in January, February, March 2022), and the
    namesake on the UK list; resolved."""
    from sanctions.coordination import Resolver

    for n, (dataset, authority_id) in enumerate(LISTS.items()):
        extra = [namesake(dataset)] if dataset == "gb_hmt_sanctions" else []
        save(store, dataset, [bank(dataset, authority_id, f"2022-0{n + 1}-01"), *extra], "v1")
    Resolver(store).run()
