"""Which list a file's content belongs to, told from the content itself (never its name).

Format detection already names the issuing authority for most formats (the UN's
``CONSOLIDATED_LIST``, Canada's SEMA ``data-set``, the EU's ``export`` ...): each
format module maps to its dataset. OFAC is the exception: the SDN list and the
Consolidated (non-SDN) list are published in the *same* formats (legacy CSV set,
classic XML, advanced XML, enhanced XML), so a Consolidated set served under the
SDN file names parses as a valid SDN set. What tells them apart is what the
entries say:

* entries of the non-SDN lists carry programme tags that only those lists use
  (``NS-PLC``: Non-SDN Palestinian Legislative Council; ``CMIC-EO13959``: Non-SDN
  Chinese Military-Industrial Complex; ``561-Related``: the CAPTA/Part 561 list;
  ``NS-ISA``, ``MBS``: menu-based sanctions) or a Sectoral Sanctions
  Identification remark (``Directive Determination - Subject to Directive N``);
* SDN entries are blocked persons under the core programmes (SDGT, SDNTK, IRAN,
  CUBA, ...), and only a few of them (0.5 % of the SDN of 2023-12-28) also carry a
  directive remark.

Measured on the real files (../shared/data/us): the Consolidated CSV set has
98 % of its entries with a non-SDN marker, the SDN sets from 2018 to 2024 at most
0.6 %. :func:`ofac_list_of` calls a file Consolidated above 50 %, SDN below 10 %,
and leaves it undecided in between (the store holds such a version for approval).

:func:`sequence_mark` gives the highest sequential authority number of a version
(OFAC numbers its entries in order of listing): a list that states no
publication date (OFAC's CSV files) but whose highest number is below the
current version's is older content.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sanctions.model import Entity

__all__ = [
    "OFAC_SDN",
    "OFAC_CONS",
    "OFAC_DATASETS",
    "ListEvidence",
    "ofac_list_of",
    "ofac_evidence",
    "sequence_mark",
]

OFAC_SDN = "us_ofac_sdn"
OFAC_CONS = "us_ofac_cons"
OFAC_DATASETS = (OFAC_SDN, OFAC_CONS)

# Programme tags used only on OFAC's non-SDN lists (upper-cased).
NON_SDN_PROGRAMS = frozenset({"NS-PLC", "CMIC-EO13959", "561-RELATED", "NS-ISA", "MBS", "NS-MBS"})
# Remark text of a Sectoral Sanctions Identification (SSI) entry, or of a non-SDN entry.
NON_SDN_REMARKS = ("directive determination", "non-sdn")
CONS_MIN_SHARE = 0.5
SDN_MAX_SHARE = 0.1


@dataclass(frozen=True)
class ListEvidence:
    """How many entries of a version carry a non-SDN marker, out of how many."""

    entries: int
    non_sdn: int

    @property
    def share(self) -> float:
        return self.non_sdn / self.entries if self.entries else 0.0

    def describe(self) -> str:
        return (
            f"{self.non_sdn:,} of {self.entries:,} entries ({self.share:.0%}) carry "
            "non-SDN programme tags or sectoral directive remarks"
        )


def _is_non_sdn(entity: Entity) -> bool:
    if any(p.strip().upper() in NON_SDN_PROGRAMS for p in entity.listing.programs):
        return True
    notes = " ".join(entity.get("notes")).lower()
    return any(marker in notes for marker in NON_SDN_REMARKS)


def ofac_evidence(entities: Iterable[Entity]) -> ListEvidence:
    """Count the entries that carry a marker of OFAC's non-SDN lists."""
    entries = non_sdn = 0
    for entity in entities:
        entries += 1
        non_sdn += _is_non_sdn(entity)
    return ListEvidence(entries, non_sdn)


def ofac_list_of(entities: Iterable[Entity]) -> str | None:
    """``us_ofac_sdn`` or ``us_ofac_cons`` as the entries tell it, or ``None`` if undecided."""
    evidence = ofac_evidence(entities)
    if not evidence.entries:
        return None
    if evidence.share >= CONS_MIN_SHARE:
        return OFAC_CONS
    if evidence.share <= SDN_MAX_SHARE:
        return OFAC_SDN
    return None


def sequence_mark(dataset: str, entity_ids: Iterable[str]) -> int | None:
    """The highest sequential authority number among the ids (OFAC lists only), else ``None``."""
    base = dataset.removesuffix("_partial")
    if base not in OFAC_DATASETS:
        return None
    prefix = f"{dataset}-"
    numbers = [
        int(eid[len(prefix) :])
        for eid in entity_ids
        if eid.startswith(prefix) and eid[len(prefix) :].isdigit()
    ]
    return max(numbers) if numbers else None
