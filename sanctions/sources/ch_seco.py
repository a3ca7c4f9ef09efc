"""Switzerland, SECO consolidated sanctions list, XML.

Root ``<swiss-sanctions-list date="...">``; ``<sanctions-program>`` elements
(each with ``<program-key>`` and ``<sanctions-set ssid>`` children) come before
the ``<target ssid sanctions-set-id>`` elements, which hold one
``<individual>``, ``<entity>`` or ``<object>`` with ``<identity>`` blocks.
The authority id is the target's ``ssid``.

Names are ``<name name-type="primary-name|alias|formerly-known-as" quality>``
made of ``<name-part name-part-type order>`` with a ``<value>`` and optional
``<spelling-variant lang script>`` (original script, kept as ``original``
names). The listing date is the ``listed`` modification's effective date.
This parser is modest: no real sample was available, so it follows the
published description and reads only the fields listed above.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sanctions.countries import to_country_code
from sanctions.errors import FormatError
from sanctions.model import Entity, FuzzyDate, NameKind, parse_date

from .base import decode_head, iter_xml, localname

__all__ = ["FORMAT", "DEFAULT_DATASET", "detect", "parse", "published"]

FORMAT = "ch_seco"
DEFAULT_DATASET = "ch_seco_sanctions"

_PART_PROPS = {
    "given-name": "firstName",
    "further-given-name": "middleName",
    "father-name": "fatherName",
    "family-name": "lastName",
    "maiden-name": "lastName",
    "title": "title",
}
_OBJECT_SCHEMATA = {"vessel": "Vessel", "aircraft": "Airplane"}
_DOCUMENT_PROPS = {"passport": "passportNumber", "diplomatic-passport": "passportNumber"}
_IMO = re.compile(r"IMO(?: number| No\.?)?:?\s*(\d{7})\b", re.I)
_UN_REF = re.compile(r"\b([A-Z]{2}[ei]\.\d{3})\b")


def detect(head: bytes) -> bool:
    return "<swiss-sanctions-list" in decode_head(head)


def published(path: Path) -> str | None:
    """The ``date`` of the root element, as an ISO date."""
    for _event, elem in iter_xml(path, events=("start",)):
        value = elem.get("date")
        date = parse_date(value[:10]) if value else None
        return date.value if date else None
    return None


def _children(elem: Any, name: str) -> list[Any]:
    return [c for c in elem if localname(c.tag) == name]


def _text(elem: Any) -> str | None:
    text = " ".join("".join(elem.itertext()).split()) if elem is not None else ""
    return text or None


def _country(elem: Any) -> str | None:
    for country in _children(elem, "country"):
        code = (country.get("iso-code") or "").strip()
        if len(code) == 2:
            return code.lower()
        return to_country_code(_text(country)) or _text(country)
    return None


def _name_kind(name: Any, has_primary: bool) -> NameKind:
    kind = name.get("name-type", "")
    if kind == "primary-name":
        return NameKind.ALIAS if has_primary else NameKind.PRIMARY
    if kind == "formerly-known-as":
        return NameKind.PREVIOUS
    return NameKind.WEAK if name.get("quality") == "low" else NameKind.ALIAS


def _add_name(entity: Entity, name: Any) -> None:
    parts = sorted(_children(name, "name-part"), key=lambda p: int(p.get("order") or 0))
    values: list[str] = []
    props: dict[str, str] = {}
    variants: dict[tuple[str | None, str | None], list[str]] = {}
    for part in parts:
        value = _text(next(iter(_children(part, "value")), None))
        if not value:
            continue
        values.append(value)
        prop = _PART_PROPS.get(part.get("name-part-type", ""))
        if prop and prop not in props:
            props[prop] = value
        for variant in _children(part, "spelling-variant"):
            key = (variant.get("lang"), variant.get("script"))
            variants.setdefault(key, []).append(_text(variant) or "")
    if not values:
        return
    has_primary = any(n.kind == NameKind.PRIMARY for n in entity.names)
    entity.add_name(" ".join(values), _name_kind(name, has_primary), **props)
    for (lang, script), texts in variants.items():
        entity.add_name(
            " ".join(t for t in texts if t), NameKind.ORIGINAL, lang=lang, script=script
        )


def _day_month_year(elem: Any) -> FuzzyDate | None:
    """A date from year / month / day attributes, as precise as given (year required)."""
    value = ""
    for key, width in (("year", 4), ("month", 2), ("day", 2)):
        part = (elem.get(key) or "").strip()
        if not part.isdigit() or int(part) == 0:
            break
        value += ("-" if value else "") + part.zfill(width)
    return parse_date(value) if len(value) >= 4 else None


def _add_identity(entity: Entity, identity: Any) -> None:
    for name in _children(identity, "name"):
        _add_name(entity, name)
    for dmy in _children(identity, "day-month-year"):
        entity.add_date(_day_month_year(dmy))
    for place in _children(identity, "place-of-birth"):
        location = [_text(c) for c in place if localname(c.tag) in ("location", "country")]
        entity.add("birthPlace", ", ".join(p for p in location if p) or None)
    for nationality in _children(identity, "nationality"):
        entity.add("nationality", _country(nationality))
    for doc in _children(identity, "identification-document"):
        number = _text(next(iter(_children(doc, "number")), None))
        entity.add(_DOCUMENT_PROPS.get(doc.get("document-type", ""), "idNumber"), number)
    for address in _children(identity, "address"):
        lines = [_text(c) for c in address if localname(c.tag) != "country"]
        lines.append(_text(next(iter(_children(address, "country")), None)))
        entity.add("address", ", ".join(p for p in lines if p) or None)
        entity.add("country", _country(address))


def _subject(target: Any, path: Path) -> tuple[str, Any]:
    for child in target:
        tag = localname(child.tag)
        if tag == "individual":
            return "Person", child
        if tag == "entity":
            return "Organization", child
        if tag == "object":
            return _OBJECT_SCHEMATA.get(child.get("object-type", ""), "LegalEntity"), child
    raise FormatError("target without individual, entity or object", path, line=target.sourceline)


def _target(target: Any, programs: dict[str, str], dataset: str, path: Path) -> Entity:
    ssid = (target.get("ssid") or "").strip()
    if not ssid:
        raise FormatError("target without ssid", path, line=target.sourceline)
    schema, subject = _subject(target, path)
    entity = Entity.create(dataset, ssid, schema, source_file=path.name)
    sex = subject.get("sex")
    entity.add("gender", sex if sex in ("male", "female") else None)
    identities = sorted(_children(subject, "identity"), key=lambda i: i.get("main") != "true")
    for identity in identities:
        _add_identity(entity, identity)
    for info in _children(subject, "other-information") + _children(subject, "justification"):
        text = _text(info)
        entity.add("notes", text)
        entity.add("unscId", _UN_REF.findall(text or ""))
        if schema == "Vessel":
            entity.add("imoNumber", _IMO.findall(text or ""))
    program = programs.get(target.get("sanctions-set-id", ""))
    if program:
        entity.listing.programs.append(program)
    for mod in _children(target, "modification"):
        if mod.get("modification-type") == "listed":
            value = mod.get("effective-date") or mod.get("enactment-date") or ""
            date = parse_date(value[:10])
            entity.listing.listed_on = date.value if date else None
    if not entity.names:
        raise FormatError(f"target {ssid} has no name", path, line=target.sourceline)
    return entity


def _program_sets(program: Any) -> dict[str, str]:
    keys = [_text(k) for k in _children(program, "program-key")]
    key = next((k for k in keys if k), None) or _text(
        next(iter(_children(program, "program-name")), None)
    )
    return {s.get("ssid", ""): key or "" for s in _children(program, "sanctions-set")}


def parse(path: Path, dataset: str | None = None) -> Iterator[Entity]:
    """Stream the targets of a SECO XML file."""
    path = Path(path)
    dataset = dataset or DEFAULT_DATASET
    programs: dict[str, str] = {}
    for _event, elem in iter_xml(path, tags={"sanctions-program", "target"}):
        if localname(elem.tag) == "sanctions-program":
            programs.update(_program_sets(elem))
        else:
            yield _target(elem, programs, dataset, path)
        elem.clear()
