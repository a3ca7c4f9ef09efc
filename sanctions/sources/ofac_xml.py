"""OFAC's classic ``sdnList`` XML (``SDN.XML`` and ``CONSOLIDATED.XML``).

Root ``<sdnList xmlns="http://tempuri.org/sdnList.xsd">`` with a
``<publshInformation>`` (sic: ``Publish_Date`` as MM/DD/YYYY, ``Record_Count``)
and one ``<sdnEntry>`` per listed subject: ``uid`` (the entity number, the same
as ``ent_num`` in the legacy CSV and the ids of the advanced and enhanced
schemas), ``firstName``, ``lastName``, ``title``, ``sdnType``, ``remarks``,
``programList``, ``idList``, ``akaList``, ``addressList``, ``nationalityList``,
``citizenshipList``, ``dateOfBirthList``, ``placeOfBirthList``, ``vesselInfo``.

Which list a file is: the schema is the same for the SDN and the Consolidated
(non-SDN) list and neither names itself. The Consolidated list has always had
well under :data:`CONS_MAX_RECORDS` entries and the SDN list (thousands) well over,
so :func:`dataset_for` decides from ``Record_Count``; without it the dataset is
``us_ofac_sdn``. Pass ``dataset`` to :func:`parse` to override.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sanctions.errors import FormatError
from sanctions.model import Entity, NameKind, clean_text, parse_date

from . import ofac_common as common
from .base import decode_head, iter_xml, localname, sniff

__all__ = ["FORMAT", "DEFAULT_DATASET", "detect", "parse", "dataset_for", "published"]

FORMAT = "ofac_xml"
DEFAULT_DATASET = common.SDN
CONS_MAX_RECORDS = 3000

log = logging.getLogger(__name__)

_ALIAS_KINDS = {"a.k.a.": NameKind.ALIAS, "f.k.a.": NameKind.PREVIOUS, "n.k.a.": NameKind.ALIAS}
_ADDRESS_PARTS = ("address1", "address2", "address3", "city", "stateOrProvince", "postalCode")


def detect(head: bytes) -> bool:
    """True for a document whose root element is ``sdnList``."""
    name, _ = common.root_element(head)
    return name == "sdnList"


def _head_value(path: Path, tag: str) -> str | None:
    match = re.search(rf"<(?:\w+:)?{tag}>\s*([^<]*?)\s*<", decode_head(sniff(path)))
    return match[1] if match else None


def published(path: Path) -> str | None:
    """The ``Publish_Date`` (MM/DD/YYYY in the file) as an ISO date."""
    date = parse_date(_head_value(Path(path), "Publish_Date"), dayfirst=False)
    return date.value if date else None


def dataset_for(path: Path) -> str:
    """``us_ofac_cons`` for a file of fewer than CONS_MAX_RECORDS records, else ``us_ofac_sdn``."""
    count = _head_value(Path(path), "Record_Count")
    if count and count.isdigit():
        return common.CONS if int(count) < CONS_MAX_RECORDS else common.SDN
    return DEFAULT_DATASET


def _children(elem: Any, name: str) -> list[Any]:
    return [c for c in elem if localname(c.tag) == name]


def _items(elem: Any, list_name: str, item_name: str) -> list[Any]:
    found = _children(elem, list_name)
    return [item for lst in found for item in _children(lst, item_name)]


def _join_name(first: str | None, last: str | None) -> str | None:
    return clean_text(" ".join(p for p in (first, last) if p))


def _add_name(entity: Entity, elem: Any, kind: NameKind) -> None:
    first, last = common.text_of(elem, "firstName"), common.text_of(elem, "lastName")
    name = _join_name(first, last)
    if entity.schema == "Person" and (first or (last and "," not in last)):
        name = common.person_name(first, last)
        entity.add_name(name, kind, firstName=first, lastName=last)
    else:  # entity names, and weak aliases written whole ("ZAHAR, Mahmoud")
        entity.add_name(name, kind)


def _add_names(entity: Entity, elem: Any) -> None:
    _add_name(entity, elem, NameKind.PRIMARY)
    entity.add("position", common.text_of(elem, "title"))  # OFAC titles are offices
    for aka in _items(elem, "akaList", "aka"):
        kind = _ALIAS_KINDS.get((common.text_of(aka, "type") or "a.k.a.").lower(), NameKind.ALIAS)
        if kind != NameKind.PREVIOUS and (common.text_of(aka, "category") or "").lower() == "weak":
            kind = NameKind.WEAK  # a weak f.k.a. stays a former name
        _add_name(entity, aka, kind)


def _add_ids(entity: Entity, elem: Any) -> None:
    for item in _items(elem, "idList", "id"):
        id_type = common.text_of(item, "idType")
        number = common.text_of(item, "idNumber")
        common.add_typed_value(entity, id_type, number)


def _add_places(entity: Entity, elem: Any) -> None:
    for addr in _items(elem, "addressList", "address"):
        country = common.text_of(addr, "country")
        parts = [common.text_of(addr, p) for p in _ADDRESS_PARTS] + [country]
        entity.add("address", ", ".join(p for p in parts if p))
        entity.add("country", common.to_country(country))
    for item in _items(elem, "nationalityList", "nationality"):
        entity.add("nationality", common.to_country(common.text_of(item, "country")))
    for item in _items(elem, "citizenshipList", "citizenship"):
        entity.add("citizenship", common.to_country(common.text_of(item, "country")))
    for item in _items(elem, "placeOfBirthList", "placeOfBirthItem"):
        entity.add("birthPlace", common.text_of(item, "placeOfBirth"))
    for item in _items(elem, "dateOfBirthList", "dateOfBirthItem"):
        text = common.text_of(item, "dateOfBirth")
        date = parse_date(text, prop="birthDate")
        if date is not None:
            entity.add_date(date)
        elif text:
            entity.add("notes", f"DOB {text}")


_VESSEL_FIELDS = {
    "callSign": "Vessel Call Sign",
    "vesselType": "Vessel Type",
    "vesselFlag": "Vessel Flag",
    "vesselOwner": "Vessel Owner",
    "tonnage": "Vessel Tonnage",
    "grossRegisteredTonnage": "Vessel Gross Registered Tonnage",
}


def _add_vessel(entity: Entity, elem: Any) -> None:
    for info in _children(elem, "vesselInfo"):
        for tag, type_name in _VESSEL_FIELDS.items():
            common.add_typed_value(entity, type_name, common.text_of(info, tag))


def _entry(elem: Any, dataset: str, path: Path) -> Entity:
    uid = common.text_of(elem, "uid")
    if uid is None:
        raise FormatError("sdnEntry without uid", path, line=common.line_of(elem), field="uid")
    sdn_type = (common.text_of(elem, "sdnType") or "").lower()
    schema = common.SCHEMA_BY_TYPE.get(sdn_type)
    if schema is None:
        log.warning("%s: uid %s has unknown sdnType %r, kept as LegalEntity", path, uid, sdn_type)
        schema = "LegalEntity"
    entity = Entity.create(dataset, uid, schema, source_file=path.name)
    _add_names(entity, elem)
    for program in _items(elem, "programList", "program"):
        if (text := clean_text(program.text)) and text not in entity.listing.programs:
            entity.listing.programs.append(text)
    entity.add("program", entity.listing.programs)
    entity.add("notes", common.text_of(elem, "remarks"))
    _add_ids(entity, elem)
    _add_places(entity, elem)
    _add_vessel(entity, elem)
    if not entity.names:
        raise FormatError(
            f"sdnEntry {uid} has no name", path, line=common.line_of(elem), field="lastName"
        )
    return entity


def parse(path: Path, dataset: str | None = None) -> Iterator[Entity]:
    """Stream the entities of a classic ``sdnList`` file."""
    path = Path(path)
    dataset = dataset or dataset_for(path)
    seen_root = False
    for event, elem in iter_xml(path, events=("start", "end")):
        if not seen_root:
            seen_root = True
            if localname(elem.tag) != "sdnList":
                raise FormatError(
                    f"root element is <{localname(elem.tag)}>, not <sdnList>",
                    path,
                    line=common.line_of(elem),
                )
        elif event == "end" and localname(elem.tag) == "sdnEntry":
            yield common.refine_schema(_entry(elem, dataset, path))
            common.clear_element(elem)
