"""EU Financial Sanctions Files (FSF), XML v1.1 (``xmlFullSanctionsList_1_1``).

Root ``<export generationDate="...">`` in the namespace
``http://eu.europa.ec/fpi/fsd/export``; one ``<sanctionEntity>`` per listed
subject. The authority id is ``logicalId``; ``unitedNationId`` goes into
``unscId``. The first strong ``nameAlias`` is the primary name, other strong
ones are aliases and ``strong="false"`` ones weak aliases; ``nameLanguage``
becomes the name's language. Elements are matched by local name, so a missing
or changed namespace prefix does not matter.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sanctions.errors import FormatError
from sanctions.model import Entity, parse_date

from .base import decode_head, iter_xml, localname
from .eu_common import (
    DEFAULT_DATASET,
    add_address,
    add_identification,
    add_programme,
    birth_date,
    country,
    name_kind,
    schema_for,
)

__all__ = ["FORMAT", "DEFAULT_DATASET", "detect", "parse", "published"]

FORMAT = "eu_fsf_xml"
NAMESPACE = "http://eu.europa.ec/fpi/fsd/export"


def detect(head: bytes) -> bool:
    text = decode_head(head).lstrip()
    if not text.startswith("<"):
        return False
    return NAMESPACE in text or ("<export" in text and "<sanctionEntity" in text)


def published(path: Path) -> str | None:
    """The ``generationDate`` of the root element, as an ISO date."""
    for _event, elem in iter_xml(path, events=("start",)):
        value = elem.get("generationDate")
        date = parse_date(value[:10]) if value else None
        return date.value if date else None
    return None


def _attr(elem: Any, name: str) -> str | None:
    value = elem.get(name)
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


def _children(elem: Any, name: str) -> list[Any]:
    return [c for c in elem if localname(c.tag) == name]


def _add_names(entity: Entity, elem: Any) -> None:
    for alias in _children(elem, "nameAlias"):
        parts = {
            "firstName": _attr(alias, "firstName"),
            "middleName": _attr(alias, "middleName"),
            "lastName": _attr(alias, "lastName"),
            "title": _attr(alias, "title"),
        }
        whole = _attr(alias, "wholeName") or " ".join(
            p for k in ("firstName", "middleName", "lastName") if (p := parts[k])
        )
        if not whole or any(n.name == whole for n in entity.names):
            continue
        has_primary = any(n.kind == "primary" for n in entity.names)
        kind = name_kind(_attr(alias, "strong"), has_primary)
        lang = (_attr(alias, "nameLanguage") or "").lower() or None
        entity.add_name(whole, kind, lang=lang, **parts)
        entity.add("position", _attr(alias, "function"))
        gender = {"M": "male", "F": "female"}.get((_attr(alias, "gender") or "").upper())
        if entity.schema == "Person":
            entity.add("gender", gender)


def _add_details(entity: Entity, elem: Any) -> None:
    for cit in _children(elem, "citizenship"):
        code = country(_attr(cit, "countryIsoCode"), _attr(cit, "countryDescription"))
        entity.add("citizenship", code)
    for birth in _children(elem, "birthdate"):
        entity.add_date(
            birth_date(
                full=_attr(birth, "birthdate"),
                day=_attr(birth, "dayOfMonth"),
                month=_attr(birth, "monthOfYear"),
                year=_attr(birth, "year"),
                circa=_attr(birth, "circa"),
                range_from=_attr(birth, "yearRangeFrom"),
                range_to=_attr(birth, "yearRangeTo"),
            )
        )
        place = [_attr(birth, k) for k in ("place", "city", "region", "countryDescription")]
        entity.add("birthPlace", ", ".join(p for p in place if p) or None)
        code = _attr(birth, "countryIsoCode")
        if code:
            entity.add("birthCountry", country(code, _attr(birth, "countryDescription")))
    for ident in _children(elem, "identification"):
        add_identification(
            entity,
            _attr(ident, "number"),
            _attr(ident, "identificationTypeCode"),
            _attr(ident, "identificationTypeDescription"),
            _attr(ident, "countryIsoCode"),
        )
    for addr in _children(elem, "address"):
        keys = ("street", "poBox", "place", "city", "zipCode", "region", "countryDescription")
        add_address(entity, [_attr(addr, k) for k in keys], _attr(addr, "countryIsoCode"))


def _entity(elem: Any, dataset: str, path: Path) -> Entity:
    logical_id = _attr(elem, "logicalId")
    if logical_id is None:
        raise FormatError("sanctionEntity without logicalId", path, line=elem.sourceline)
    subject = _children(elem, "subjectType")
    schema = schema_for(subject[0].get("code") if subject else None)
    entity = Entity.create(dataset, logical_id, schema, source_file=path.name)
    entity.add("unscId", _attr(elem, "unitedNationId"))
    ref = _attr(elem, "euReferenceNumber")
    if ref:
        entity.add("notes", f"EU reference number: {ref}")
    for remark in _children(elem, "remark"):
        entity.add("notes", remark.text)
    for regulation in _children(elem, "regulation"):
        add_programme(entity, _attr(regulation, "programme"), _attr(regulation, "publicationDate"))
        for url in _children(regulation, "publicationUrl"):
            entity.add("sourceUrl", url.text)
    designated = parse_date((_attr(elem, "designationDate") or "")[:10])
    if designated is not None:
        entity.listing.listed_on = designated.value
    _add_names(entity, elem)
    _add_details(entity, elem)
    if not entity.names:
        raise FormatError(f"sanctionEntity {logical_id} has no name", path, line=elem.sourceline)
    return entity


def parse(path: Path, dataset: str | None = None) -> Iterator[Entity]:
    """Stream the subjects of an EU FSF XML v1.1 file."""
    path = Path(path)
    dataset = dataset or DEFAULT_DATASET
    seen: set[str] = set()
    for _event, elem in iter_xml(path, tags={"sanctionEntity"}):
        entity = _entity(elem, dataset, path)
        if entity.id in seen:
            raise FormatError(
                f"duplicate logicalId {entity.listing.authority_id}", path, line=elem.sourceline
            )
        seen.add(entity.id)
        elem.clear()
        parent = elem.getparent()
        while parent is not None and elem.getprevious() is not None:
            del parent[0]
        yield entity
