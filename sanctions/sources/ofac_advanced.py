"""OFAC's "advanced" XML (``SDN_ADVANCED.XML`` and ``CONS_ADVANCED.XML``).

Root ``<Sanctions xmlns="http://www.un.org/sanctions/1.0">``: ``DateOfIssue``,
``ReferenceValueSets`` (every ``...ID`` attribute elsewhere points into them),
``Locations``, ``IDRegDocuments``, ``DistinctParties``, ``ProfileRelationships``
and ``SanctionsEntries``. A ``DistinctParty`` (``FixedRef`` = the entity number,
the same as the classic ``uid`` and the CSV ``ent_num``) holds a ``Profile``
with ``Identity`` → ``Alias`` (``Primary``, ``LowQuality``, ``AliasTypeID``) →
``DocumentedName`` → ``NamePartValue`` (``ScriptID``, ``NamePartGroupID``), and
``Feature`` elements (birth date as a ``DatePeriod``, place of birth,
nationality, vessel flag, SWIFT/BIC...).

Documents and sanctions entries (list, listing date, programmes) sit outside
the parties, partly after them, so the file is read twice: pass one collects
reference values, locations, documents and entries (small: tens of MB for the
full SDN file), pass two streams the parties and stops at their end.

The dataset is decided from the entries: a file whose entries are mostly on
the "Consolidated List" is ``us_ofac_cons``, else ``us_ofac_sdn``.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sanctions.errors import FormatError
from sanctions.model import Entity, FuzzyDate, NameKind, clean_text

from . import ofac_common as common
from .base import decode_head, iter_xml, localname, open_stream, sniff

__all__ = ["FORMAT", "DEFAULT_DATASET", "detect", "parse", "dataset_for", "published"]

FORMAT = "ofac_advanced"
DEFAULT_DATASET = common.SDN

log = logging.getLogger(__name__)

_NS_HINT = "www.un.org/sanctions/1.0"
_PART_PROPS = {
    "first name": "firstName",
    "middle name": "middleName",
    "patronymic": "fatherName",
    "last name": "lastName",
}
_PART_ORDER = ("first name", "middle name", "patronymic", "matronymic", "last name")
_ADDRESS_ORDER = ("ADDRESS1", "ADDRESS2", "ADDRESS3", "CITY", "STATE/PROVINCE", "POSTAL CODE")


def detect(head: bytes) -> bool:
    """True for a ``<Sanctions>`` root in the UN/OFAC sanctions 1.0 namespace."""
    name, attrs = common.root_element(head)
    return name == "Sanctions" and (_NS_HINT in attrs or "sdn_advanced" in attrs.lower())


def published(path: Path) -> str | None:
    """The ``DateOfIssue`` of the file, as an ISO date."""
    text = decode_head(sniff(Path(path)))
    match = re.search(r"<(?:\w+:)?DateOfIssue\b[^>]*>(.*?)</(?:\w+:)?DateOfIssue>", text, re.S)
    if match is None:
        return None
    return _ymd_text(*(_tag_int(match[1], t) for t in ("Year", "Month", "Day")))


def _tag_int(text: str, tag: str) -> int | None:
    match = re.search(rf"<(?:\w+:)?{tag}>\s*(\d+)\s*<", text)
    return int(match[1]) if match else None


def _ymd_text(year: int | None, month: int | None = None, day: int | None = None) -> str | None:
    if not year:
        return None
    if not month:
        return f"{year:04d}"
    return f"{year:04d}-{month:02d}" if not day else f"{year:04d}-{month:02d}-{day:02d}"


_LIST_RE = re.compile(rb'<(?:\w+:)?List\s+ID="(\d+)"[^>]*>([^<]*)')
_ENTRY_RE = re.compile(rb'<(?:\w+:)?SanctionsEntry\s[^>]*ListID="(\d+)"')


def dataset_for(path: Path) -> str:
    """``us_ofac_cons`` if most sanctions entries are on the Consolidated List.

    A byte scan (no XML parse) of the list names and the entries' ``ListID``.
    """
    lists: dict[bytes, str] = {}
    entry_lists: list[bytes] = []
    tail = b""
    with open_stream(Path(path)) as stream:
        while chunk := stream.read(1 << 20):
            buffer = tail + chunk
            cut = buffer.rfind(b"<")
            cut = len(buffer) if cut <= 0 else cut
            block, tail = buffer[:cut], buffer[cut:]
            lists.update((m[1], m[2].decode("utf-8", "replace")) for m in _LIST_RE.finditer(block))
            entry_lists.extend(m[1] for m in _ENTRY_RE.finditer(block))
        lists.update((m[1], m[2].decode("utf-8", "replace")) for m in _LIST_RE.finditer(tail))
    return common.dataset_from_lists(lists.get(i, "") for i in entry_lists)


# -- pass one: everything but the parties -----------------------------------------


@dataclass
class _Context:
    """What pass one collects: reference values, locations, documents, entries."""

    refs: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    country_iso: dict[str, str] = field(default_factory=dict)
    locations: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    documents: dict[str, list[tuple[str, str, str | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    programs: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    listed_on: dict[str, str] = field(default_factory=dict)
    entry_lists: list[str] = field(default_factory=list)

    def ref(self, kind: str, ref_id: str | None) -> str | None:
        return self.refs[kind].get(ref_id or "")


def _read_reference_values(ctx: _Context, elem: Any) -> None:
    for value_set in elem:
        for value in value_set:
            name, ref_id = localname(value.tag), value.get("ID")
            if not name or ref_id is None:
                continue
            ctx.refs[name][ref_id] = (value.text or "").strip()
            for key, attr in value.attrib.items():
                if key != "ID" and key.endswith("ID"):
                    ctx.refs[f"{name}.{key}"][ref_id] = attr
            if name == "Country" and value.get("ISO2"):
                ctx.country_iso[ref_id] = value.get("ISO2")
            elif name == "AreaCode" and value.get("CountryID") and value.text:
                ctx.country_iso.setdefault(value.get("CountryID"), value.text.strip())


def _country(ctx: _Context, country_id: str | None) -> str | None:
    if not country_id:
        return None
    return common.to_country(ctx.ref("Country", country_id), ctx.country_iso.get(country_id))


def _read_location(ctx: _Context, elem: Any) -> None:
    parts: dict[str, list[str]] = defaultdict(list)
    country_id = None
    for child in elem:
        name = localname(child.tag)
        if name == "LocationCountry":
            country_id = child.get("CountryID")
        elif name == "LocationAreaCode" and country_id is None:
            country_id = ctx.refs["AreaCode.CountryID"].get(child.get("AreaCodeID", ""))
        elif name == "LocationPart":
            part_type = ctx.ref("LocPartType", child.get("LocPartTypeID")) or ""
            for value in child.iter("{*}Value"):
                if text := clean_text(value.text):
                    parts[part_type.upper()].append(text)
    ordered = [p for key in _ADDRESS_ORDER for p in parts.pop(key, [])]
    ordered += [p for values in parts.values() for p in values]
    country_name = ctx.ref("Country", country_id)
    address = ", ".join(ordered + ([country_name] if country_name and ordered else []))
    ctx.locations[elem.get("ID", "")] = (address or None, _country(ctx, country_id))


def _read_document(ctx: _Context, elem: Any) -> None:
    doc_type = ctx.ref("IDRegDocType", elem.get("IDRegDocTypeID")) or "Identification Number"
    number = common.text_of(elem, "IDRegistrationNo")
    if number:
        country = _country(ctx, elem.get("IssuedBy-CountryID"))
        ctx.documents[elem.get("IdentityID", "")].append((doc_type, number, country))


def _read_entry(ctx: _Context, elem: Any) -> None:
    profile = elem.get("ProfileID", "")
    ctx.entry_lists.append(ctx.ref("List", elem.get("ListID")) or "")
    for child in elem:
        name = localname(child.tag)
        if name == "EntryEvent":
            date = _date_children(child)
            if date and (profile not in ctx.listed_on or date < ctx.listed_on[profile]):
                ctx.listed_on[profile] = date
        elif name == "SanctionsMeasure":
            if ctx.ref("SanctionsType", child.get("SanctionsTypeID")) != "Program":
                continue
            program = common.text_of(child, "Comment")
            if program and program not in ctx.programs[profile]:
                ctx.programs[profile].append(program)


def _date_children(elem: Any) -> str | None:
    for child in elem:
        if localname(child.tag) == "Date":
            values = [common.text_of(child, t) for t in ("Year", "Month", "Day")]
            return _ymd_text(*(int(v) if v and v.isdigit() else None for v in values))
    return None


_PASS_ONE = {
    "ReferenceValueSets": _read_reference_values,
    "Location": _read_location,
    "IDRegDocument": _read_document,
    "SanctionsEntry": _read_entry,
}


def _namespace(tag: Any) -> str:
    return tag[: tag.index("}") + 1] if isinstance(tag, str) and tag.startswith("{") else ""


def _collect(path: Path) -> _Context:
    ctx = _Context()
    handlers: dict[str, Any] | None = None
    skipped: set[str] = set()
    for _, elem in iter_xml(path):
        if handlers is None:  # qualified tag names, so that no event pays for localname()
            ns = _namespace(elem.tag)
            handlers = {ns + name: handler for name, handler in _PASS_ONE.items()}
            skipped = {ns + "DistinctParty", ns + "ProfileRelationship"}
        handler = handlers.get(elem.tag)
        if handler is not None:
            try:
                handler(ctx, elem)
            except (ValueError, TypeError) as exc:
                name = localname(elem.tag)
                raise FormatError(f"bad <{name}>: {exc}", path, line=common.line_of(elem)) from exc
            common.clear_element(elem)
        elif elem.tag in skipped:
            common.clear_element(elem)
    return ctx


# -- pass two: the parties ------------------------------------------------------


def _schema(ctx: _Context, profile: Any) -> str:
    subtype_id = profile.get("PartySubTypeID")
    subtype = (ctx.ref("PartySubType", subtype_id) or "").lower()
    party_type_id = ctx.refs["PartySubType.PartyTypeID"].get(subtype_id or "")
    party_type = (ctx.ref("PartyType", party_type_id) or "").lower()
    schema = common.SCHEMA_BY_TYPE.get(subtype) or common.SCHEMA_BY_TYPE.get(party_type)
    return schema or "LegalEntity"


def _name_kind(ctx: _Context, alias: Any) -> NameKind:
    alias_type = (ctx.ref("AliasType", alias.get("AliasTypeID")) or "").upper()
    if alias.get("Primary") == "true":
        return NameKind.PRIMARY
    if alias_type == "F.K.A.":
        return NameKind.PREVIOUS  # a low-quality f.k.a. stays a former name
    return NameKind.WEAK if alias.get("LowQuality") == "true" else NameKind.ALIAS


def _add_documented_name(
    ctx: _Context, entity: Entity, doc_name: Any, kind: NameKind, groups: dict[str, str]
) -> None:
    parts: dict[str, list[str]] = defaultdict(list)
    scripts: set[str] = set()
    for value in doc_name.iter("{*}NamePartValue"):
        text = clean_text(value.text)
        if text is None:
            continue
        parts[groups.get(value.get("NamePartGroupID", ""), "").lower()].append(text)
        scripts.add(ctx.ref("Script", value.get("ScriptID")) or "Latin")
    ordered = [p for key in _PART_ORDER for p in parts.get(key, [])]
    ordered += [p for key, values in parts.items() if key not in _PART_ORDER for p in values]
    script = next((s for s in sorted(scripts) if s != "Latin"), None)
    if script is not None:
        lang = "zh" if script.lower().startswith("chinese") else None
        entity.add_name(" ".join(ordered), NameKind.ORIGINAL, lang=lang, script=script)
        return
    status = ctx.ref("DocNameStatus", doc_name.get("DocNameStatusID")) or ""
    if kind == NameKind.PRIMARY and status and status != "Primary Latin":
        kind = NameKind.ALIAS
    name_parts = {}
    full = " ".join(ordered)
    if entity.schema == "Person":
        name_parts = {
            prop: " ".join(parts[key]) for key, prop in _PART_PROPS.items() if key in parts
        }
        last = " ".join(parts.get("last name", []))
        given = " ".join(p for key in _PART_ORDER if key != "last name" for p in parts.get(key, []))
        full = common.person_name(given, last) or full
    entity.add_name(full, kind, **name_parts)


def _add_identity(ctx: _Context, entity: Entity, identity: Any) -> None:
    groups = {
        g.get("ID", ""): ctx.ref("NamePartType", g.get("NamePartTypeID")) or ""
        for g in identity.iter("{*}NamePartGroup")
    }
    for alias in identity:
        if localname(alias.tag) != "Alias":
            continue
        kind = _name_kind(ctx, alias)
        for doc_name in alias:
            if localname(doc_name.tag) == "DocumentedName":
                _add_documented_name(ctx, entity, doc_name, kind, groups)
    for doc_type, number, _country in ctx.documents.get(identity.get("ID", ""), []):
        common.add_typed_value(entity, doc_type, number)


def _period(elem: Any, prop: str) -> FuzzyDate | None:
    bounds: dict[str, tuple[int, int, int]] = {}
    circa = False
    for side in elem:
        side_name = localname(side.tag)
        if side_name not in ("Start", "End"):
            continue
        circa = circa or side.get("Approximate") == "true"
        for edge in side:
            values = [common.text_of(edge, t) for t in ("Year", "Month", "Day")]
            if values[0]:
                key = f"{side_name}{localname(edge.tag)}"
                bounds[key] = (int(values[0]), int(values[1] or 1), int(values[2] or 1))
    start = bounds.get("StartFrom") or bounds.get("StartTo")
    end = bounds.get("EndTo") or bounds.get("EndFrom")
    return common.period_date(start, end, prop=prop, circa=circa)


def _add_feature(ctx: _Context, entity: Entity, feature: Any) -> None:
    type_name = ctx.ref("FeatureType", feature.get("FeatureTypeID")) or ""
    prop = common.TYPED_PROPS.get(type_name.lower())
    for version in feature.iter("{*}FeatureVersion"):
        for child in version:
            name = localname(child.tag)
            if name == "DatePeriod":
                date = _period(child, prop if prop in common.DATE_PROPS else "birthDate")
                if date is not None:
                    common.add_typed_value(entity, type_name, None, date=date)
            elif name == "VersionLocation":
                address, country = ctx.locations.get(child.get("LocationID", ""), (None, None))
                if prop in common.COUNTRY_PROPS:
                    entity.add(prop, country)
                else:
                    entity.add("address", address)
                    entity.add("country", country)
            elif name == "VersionDetail":
                text = clean_text(child.text)
                if text is None and child.get("DetailReferenceID"):
                    text = ctx.ref("DetailReference", child.get("DetailReferenceID"))
                common.add_typed_value(entity, type_name, text)


def _party(ctx: _Context, elem: Any, dataset: str, path: Path) -> Entity:
    fixed_ref = elem.get("FixedRef")
    if not fixed_ref:
        raise FormatError("DistinctParty without FixedRef", path, line=common.line_of(elem))
    profile = next((c for c in elem if localname(c.tag) == "Profile"), None)
    if profile is None:
        raise FormatError(f"DistinctParty {fixed_ref} has no Profile", path, common.line_of(elem))
    entity = Entity.create(dataset, fixed_ref, _schema(ctx, profile), source_file=path.name)
    entity.add("notes", common.text_of(elem, "Comment"))
    for child in profile:
        name = localname(child.tag)
        if name == "Identity":
            _add_identity(ctx, entity, child)
        elif name == "Feature":
            _add_feature(ctx, entity, child)
    profile_id = profile.get("ID", "")
    entity.listing.programs = list(ctx.programs.get(profile_id, []))
    entity.listing.listed_on = ctx.listed_on.get(profile_id)
    entity.add("program", entity.listing.programs)
    if not any(n.kind == NameKind.PRIMARY for n in entity.names):
        raise FormatError(
            f"DistinctParty {fixed_ref} has no primary name", path, line=common.line_of(elem)
        )
    return entity


def parse(path: Path, dataset: str | None = None) -> Iterator[Entity]:
    """Stream the parties of an advanced-schema file (two passes, see the module doc)."""
    path = Path(path)
    ctx = _collect(path)
    if not ctx.refs:
        raise FormatError("no ReferenceValueSets: not an OFAC advanced file", path)
    dataset = dataset or common.dataset_from_lists(ctx.entry_lists, DEFAULT_DATASET)
    ns: str | None = None
    for _, elem in iter_xml(path):
        if ns is None:
            ns = _namespace(elem.tag)
            party, parties = ns + "DistinctParty", ns + "DistinctParties"
            done_with = {ns + n for n in ("ReferenceValueSets", "Location", "IDRegDocument")}
        tag = elem.tag
        if tag == party:
            try:
                entity = _party(ctx, elem, dataset, path)
            except (ValueError, TypeError) as exc:
                raise FormatError(f"bad DistinctParty: {exc}", path, common.line_of(elem)) from exc
            yield common.refine_schema(entity)
            common.clear_element(elem)
        elif tag in done_with:
            common.clear_element(elem)
        elif tag == parties:
            return
