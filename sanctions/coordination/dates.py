"""Which date a report may call a listing date, and how old each list is.

Each authority dates its listings in its own field, at its own precision; the
reports use that date and say which field it is. Where a file carries no listing
date, a *first seen* date from the store's version history stands in, and only
when that version is not the dataset's first (a listing already in the first
loaded version may have been designated at any time before). The date a version
was loaded is never a listing date.

* :data:`LISTING_DATE_FIELDS`: per dataset, the field its listing dates come from;
* :func:`listing_date`: an entity's listing date and its basis;
* :func:`as_of_dates`: per dataset, the publication date of its current version.
"""

from __future__ import annotations

from dataclasses import dataclass

from sanctions.model import Entity
from sanctions.store import Store

from .history import version_date_basis

__all__ = [
    "LISTING_DATE_FIELDS",
    "NO_LISTING_DATE",
    "Dating",
    "as_of_dates",
    "dated_versions",
    "listing_date",
    "listing_field",
]

# The field each list's listing dates come from (see the parsers in sanctions/sources).
LISTING_DATE_FIELDS = {
    "un_sc_sanctions": "LISTED_ON",
    "gb_hmt_sanctions": "Listed On",
    "gb_fcdo_sanctions": "Date Designated",
    "au_dfat_sanctions": "date in Listing Information, else Control Date",
    "ca_dfatd_sema_sanctions": "DateOfListing",
    "eu_fsf": "designation date, else the regulation's publication date",
    "ch_seco_sanctions": "date of the 'listed' modification",
    "us_ofac_cons": "list publication date (enhanced/advanced XML)",
    "us_trade_csl": "start_date",
    "us_bis_denied": "Effective_Date",
}
# Lists whose files carry no per-entry listing date in any format read here.
NO_LISTING_DATE = {
    "us_ofac_sdn": "OFAC's SDN files carry no per-entry designation date",
    "us_ofac_sdn_partial": "OFAC's SDN files carry no per-entry designation date",
}
# DFAT's "Control Date" is the date of the listing's last change: the listing is no later.
CONTROL_DATE = {"au_dfat_sanctions": "Control Date"}


def listing_date(entity: Entity) -> tuple[str | None, str | None]:
    """The listing date from the list's own fields (at its precision), and the field it is from."""
    dataset = entity.listing.dataset
    if entity.listing.listed_on:
        return entity.listing.listed_on, _own_field(dataset)
    if dataset in CONTROL_DATE:
        control = sorted(d.value for d in entity.dates if d.prop == "modifiedAt")
        if control:
            return control[-1], f"{CONTROL_DATE[dataset]} (last change: listed no later)"
    return None, None


def _own_field(dataset: str) -> str:
    text = LISTING_DATE_FIELDS.get(dataset, "listing date")
    return text.split(", else ")[0]


def listing_field(dataset: str) -> str:
    """Where a dataset's listing dates come from, in words (for tables and legends)."""
    if dataset in NO_LISTING_DATE:
        return NO_LISTING_DATE[dataset]
    return LISTING_DATE_FIELDS.get(dataset, "the list's listing date")


def as_of_dates(store: Store) -> dict[str, str]:
    """Dataset -> the date its current version stands for (its publication date, else the date
    in its file name); ``unknown, loaded DATE`` when it has neither."""
    out = {}
    for info in store.datasets():
        if info.current is not None:
            day, basis = version_date_basis(info.current)
            out[info.id] = day if basis != "loaded" else f"unknown, loaded {day}"
    return out


def dated_versions(store: Store) -> dict[str, set[str]]:
    """Dataset -> the dates of its versions that have a publication date (or one in the file name)."""
    out: dict[str, set[str]] = {}
    for version in store.versions():
        day, basis = version_date_basis(version)
        if basis != "loaded":
            out.setdefault(version.dataset, set()).add(day)
    return out


@dataclass
class Dating:
    """How a report dated one dataset's listings in a scope."""

    dataset: str
    as_of: str
    listings: int  # in the scope
    by_field: int  # dated by the list's own field
    by_first_seen: int  # dated by the first later version of the store that held them
    source: str  # the field, in words
    left_out: str | None = None  # why none is dated (the dataset is then left out)

    @property
    def dated(self) -> int:
        return self.by_field + self.by_first_seen

    def describe(self) -> str:
        """``1,395 of 3,062 dated (LISTED_ON)``, or why the list is left out."""
        if self.left_out:
            return f"left out: {self.left_out}"
        parts = [f"{self.by_field:,} by {self.source}"] if self.by_field else []
        if self.by_first_seen:
            parts.append(
                f"{self.by_first_seen:,} by the first later version of the store holding them"
            )
        if self.dataset in NO_LISTING_DATE:
            parts.append(NO_LISTING_DATE[self.dataset])
        return f"{self.dated:,} of {self.listings:,} dated: {'; '.join(parts)}"
