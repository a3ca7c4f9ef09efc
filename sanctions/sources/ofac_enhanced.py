"""OFAC's "enhanced" XML (``SDN_ENHANCED.ZIP`` and ``CONS_ENHANCED.ZIP``, a zipped XML).

Root ``<sanctionsData>`` in the ``.../exports/ENHANCED_XML`` namespace:
``publicationInfo`` (``dataAsOf``, and ``filters/sanctionsLists`` naming the
list the file holds), ``referenceValues`` (countries with ``isoCode``...),
``featureTypes`` and ``entities``. Each ``<entity id="...">`` (the id is the
entity number, the same as the classic ``uid`` and the CSV ``ent_num``) has
``generalInfo`` (``entityType``, ``remarks``), ``sanctionsLists`` (with
``datePublished``: the listing date is the earliest; each list is kept with its
date in ``Listing.lists``), ``sanctionsPrograms``, ``sanctionsTypes`` (kept as
``Listing.provisions``), ``legalAuthorities`` (kept as ``Listing.legal_basis``),
``names`` → ``translations`` (one per script: Latin, Cyrillic, Chinese...),
``addresses``, ``features`` (birth date with a ``valueDate`` period,
nationality, SWIFT/BIC...), ``identityDocuments`` and ``relationships``.

Names in a non-Latin script are kept as :attr:`NameKind.ORIGINAL` with the
script the file names. The dataset comes from the publication filter
("Consolidated List" → ``us_ofac_cons``, otherwise ``us_ofac_sdn``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sanctions.errors import FormatError
from sanctions.model import Entity, ListMembership, NameKind, clean_text, iter_unique, parse_date

from . import ofac_common as common
from .base import decode_head, iter_xml, localname, not_understood, sniff

__all__ = ["FORMAT", "DEFAULT_DATASET", "detect", "parse", "dataset_for", "published"]

FORMAT = "ofac_enhanced"
DEFAULT_DATASET = common.SDN

_NS_HINT = "ENHANCED_XML"
_ADDRESS_ORDER = ("ADDRESS1", "ADDRESS2", "ADDRESS3", "CITY", "STATE/PROVINCE", "POSTAL CODE")


def detect(head: bytes) -> bool:
    """True for a ``<sanctionsData>`` root in OFAC's ENHANCED_XML namespace."""
    name, attrs = common.root_element(head)
    return name == "sanctionsData" and _NS_HINT in attrs


def _publication_info(path: Path) -> str:
    text = decode_head(sniff(Path(path)))
    match = re.search(r"<(?:\w+:)?publicationInfo>(.*?)</(?:\w+:)?publicationInfo>", text, re.S)
    return match[1] if match else ""


def published(path: Path) -> str | None:
    """The ``dataAsOf`` date of the publication."""
    match = re.search(r"<(?:\w+:)?dataAsOf>\s*(\d{4}-\d{2}-\d{2})", _publication_info(path))
    return match[1] if match else None


def dataset_for(path: Path) -> str:
    """``us_ofac_cons`` when the publication is filtered to the Consolidated List."""
    lists = re.findall(r"<(?:\w+:)?sanctionsList\b[^>]*>([^<]*)<", _publication_info(path))
    return common.dataset_from_lists(lists, DEFAULT_DATASET)


# -- helpers over the namespaced tree -------------------------------------------


def _kids(elem: Any, name: str) -> list[Any]:
    return [c for c in elem if localname(c.tag) == name]


def _kid(elem: Any, name: str) -> Any | None:
    return next((c for c in elem if localname(c.tag) == name), None)


def _items(elem: Any, list_name: str, item_name: str) -> list[Any]:
    found = _kid(elem, list_name)
    return [] if found is None else _kids(found, item_name)


def _flag(elem: Any, name: str) -> bool:
    return (common.text_of(elem, name) or "").lower() == "true"


# -- entity parts ----------------------------------------------------------------


def _name_kind(name: Any) -> NameKind:
    if _flag(name, "isPrimary"):
        return NameKind.PRIMARY
    alias_type = (common.text_of(name, "aliasType") or "").upper()
    if alias_type == "F.K.A.":
        return NameKind.PREVIOUS  # a low-quality f.k.a. stays a former name
    return NameKind.WEAK if _flag(name, "isLowQuality") else NameKind.ALIAS


def _add_translation(entity: Entity, translation: Any, kind: NameKind) -> None:
    first = common.text_of(translation, "formattedFirstName")
    last = common.text_of(translation, "formattedLastName")
    full = clean_text(" ".join(p for p in (first, last) if p)) or common.text_of(
        translation, "formattedFullName"
    )
    if full is None:
        return
    script = common.text_of(translation, "script") or "Latin"
    if script != "Latin":
        lang = "zh" if script.lower().startswith("chinese") else None
        entity.add_name(full, NameKind.ORIGINAL, lang=lang, script=script)
        return
    if kind == NameKind.PRIMARY and not _flag(translation, "isPrimary"):
        kind = NameKind.ALIAS
    parts: dict[str, str] = {}
    if entity.schema == "Person":  # formattedFirstName holds the middle names too
        parts = {k: v for k, v in (("firstName", first), ("lastName", last)) if v}
        full = common.person_name(first, last) or full
    entity.add_name(full, kind, **parts)


def _add_names(entity: Entity, elem: Any) -> None:
    for name in _items(elem, "names", "name"):
        kind = _name_kind(name)
        for translation in _items(name, "translations", "translation"):
            _add_translation(entity, translation, kind)


def _add_addresses(entity: Entity, elem: Any, isos: dict[str, str]) -> None:
    for address in _items(elem, "addresses", "address"):
        country_elem = _kid(address, "country")
        country_name = common.text_of(address, "country")
        iso = isos.get(country_elem.get("refId", "")) if country_elem is not None else None
        entity.add("country", common.to_country(country_name, iso))
        for translation in _items(address, "translations", "translation"):
            parts: dict[str, list[str]] = {}
            for part in _items(translation, "addressParts", "addressPart"):
                key = (common.text_of(part, "type") or "").upper()
                if value := common.text_of(part, "value"):
                    parts.setdefault(key, []).append(value)
            ordered = [p for key in _ADDRESS_ORDER for p in parts.pop(key, [])]
            ordered += [p for values in parts.values() for p in values]
            if ordered:
                entity.add("address", ", ".join(ordered + ([country_name] if country_name else [])))


def _add_features(entity: Entity, elem: Any, isos: dict[str, str]) -> None:
    for feature in _items(elem, "features", "feature"):
        type_name = common.text_of(feature, "type") or ""
        prop = common.TYPED_PROPS.get(type_name.lower())
        value = common.text_of(feature, "value")
        period = _kid(feature, "valueDate")
        if period is not None:
            start = common.iso_tuple(common.text_of(period, "fromDateBegin"))
            end = common.iso_tuple(common.text_of(period, "toDateEnd"))
            date_prop = prop if prop in common.DATE_PROPS else "birthDate"
            circa = _flag(period, "isApproximate")
            date = common.period_date(start, end, prop=date_prop, circa=circa)
            common.add_typed_value(entity, type_name, value, date=date)
        elif prop in common.COUNTRY_PROPS:
            iso = isos.get(common.text_of(feature, "valueRefId") or "")
            entity.add(prop, common.to_country(value, iso))
        else:
            common.add_typed_value(entity, type_name, value)


def _add_documents_and_links(entity: Entity, elem: Any) -> None:
    for doc in _items(elem, "identityDocuments", "identityDocument"):
        doc_type = common.text_of(doc, "type") or "Identification Number"
        common.add_typed_value(entity, doc_type, common.text_of(doc, "documentNumber"))
    for rel in _items(elem, "relationships", "relationship"):
        related = _kid(rel, "relatedEntity")
        if related is not None and (name := clean_text(related.text)):
            entity.add("notes", f"{common.text_of(rel, 'type') or 'Related to'}: {name}")


def _texts(elem: Any, list_name: str, item_name: str) -> list[str]:
    return iter_unique(
        text for item in _items(elem, list_name, item_name) if (text := clean_text(item.text))
    )


def _add_listing(entity: Entity, elem: Any) -> None:
    """Lists with their dates, programmes, sanction types and legal authorities."""
    listing = entity.listing
    for lst in _items(elem, "sanctionsLists", "sanctionsList"):
        name = clean_text(lst.text)
        raw = lst.get("datePublished") or ""
        since = parse_date(raw[:10], prop="listingDate")
        if since is None and raw.strip():
            not_understood(entity, "listingDate", f"{name}: {raw}")
        if name:
            membership = ListMembership(name, since.value if since else None)
            if membership not in listing.lists:
                listing.lists.append(membership)
    dates = [m.since for m in listing.lists if m.since]
    listing.listed_on = min(dates) if dates else None
    for program in _texts(elem, "sanctionsPrograms", "sanctionsProgram"):
        if program not in listing.programs:
            listing.programs.append(program)
    listing.provisions = _texts(elem, "sanctionsTypes", "sanctionsType")
    listing.legal_basis = _texts(elem, "legalAuthorities", "legalAuthority")
    entity.add("program", listing.programs)


def _entity(elem: Any, dataset: str, path: Path, isos: dict[str, str]) -> Entity:
    entity_id = elem.get("id")
    if not entity_id:
        raise FormatError("entity without id", path, line=common.line_of(elem), field="id")
    info = _kid(elem, "generalInfo")
    entity_type = (common.text_of(info, "entityType") if info is not None else None) or ""
    schema = common.SCHEMA_BY_TYPE.get(entity_type.lower(), "LegalEntity")
    entity = Entity.create(dataset, entity_id, schema, source_file=path.name)
    _add_names(entity, elem)
    _add_listing(entity, elem)
    if info is not None:
        for remark in _kids(info, "remarks"):
            entity.add("notes", remark.text)
    _add_addresses(entity, elem, isos)
    _add_features(entity, elem, isos)
    _add_documents_and_links(entity, elem)
    if not any(n.kind == NameKind.PRIMARY for n in entity.names):
        raise FormatError(
            f"entity {entity_id} has no primary name", path, line=common.line_of(elem)
        )
    return entity


def _read_countries(elem: Any) -> dict[str, str]:
    isos: dict[str, str] = {}
    for value in _kids(elem, "referenceValue"):
        iso = common.text_of(value, "isoCode")
        if iso and value.get("refId"):
            isos[value.get("refId")] = iso
    return isos


def parse(path: Path, dataset: str | None = None) -> Iterator[Entity]:
    """Stream the entities of an enhanced-schema file (plain XML or its zip)."""
    path = Path(path)
    dataset = dataset or dataset_for(path)
    isos: dict[str, str] = {}
    ns: str | None = None
    for _, elem in iter_xml(path):
        if ns is None:
            tag = elem.tag if isinstance(elem.tag, str) else ""
            ns = tag[: tag.index("}") + 1] if tag.startswith("{") else ""
            entity_tag, refs_tag = ns + "entity", ns + "referenceValues"
        if elem.tag == entity_tag and localname(elem.getparent().tag) == "entities":
            try:
                entity = _entity(elem, dataset, path, isos)
            except ValueError as exc:
                raise FormatError(f"bad entity: {exc}", path, line=common.line_of(elem)) from exc
            yield common.refine_schema(entity)
            common.clear_element(elem)
        elif elem.tag == refs_tag:
            isos = _read_countries(elem)
            common.clear_element(elem)
