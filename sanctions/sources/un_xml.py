"""UN Security Council Consolidated List, XML (``consolidated.xml``).

Root ``<CONSOLIDATED_LIST dateGenerated="...">`` with ``<INDIVIDUALS>`` and
``<ENTITIES>``. The authority id is the UN reference number (``QDi.001``,
``CDe.002``...): it is present and unique on every entry, it is what the UN and
the other lists cite, and it also goes into ``unscId``. ``DATAID`` (the UN's
internal row id) is not kept: FtM has no property for it.

Names: ``FIRST_NAME`` .. ``FOURTH_NAME`` are positional parts with no fixed
meaning (given name, father's name, tribe...); we keep the first as
``firstName``, the last as ``lastName`` and anything between as ``middleName``,
except on the DPRK list, whose Korean names put the family name first.
``NAME_ORIGINAL_SCRIPT`` becomes an ``original`` name whose script is detected
from its characters and whose language is a best-effort guess from letters
specific to one language (see :func:`guess_script`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sanctions.countries import to_country_code
from sanctions.errors import FormatError
from sanctions.model import Entity, FuzzyDate, NameKind, iter_unique, parse_date

from .base import decode_head, iter_xml, not_understood

__all__ = [
    "FORMAT",
    "DEFAULT_DATASET",
    "detect",
    "parse",
    "published",
    "guess_script",
    "script_name_in_note",
    "countries_in_text",
]

FORMAT = "un_xml"
DEFAULT_DATASET = "un_sc_sanctions"

_ALIAS_KINDS = {
    "good": NameKind.ALIAS,
    "a.k.a.": NameKind.ALIAS,
    "low": NameKind.WEAK,
    "f.k.a.": NameKind.PREVIOUS,
}
_IMO = re.compile(r"IMO(?: number| No\.?)?:?\s*(\d{7})\b", re.I)
_BETWEEN_MONTHS = re.compile(r"between\s+(\w+)\.?\s+and\s+(\w+)\.?\s+(\d{4})", re.I)
_PASHTO = set("ټډړږښځڅېۍ")
_PERSIAN = set("پچژگکی")
_UKRAINIAN = set("іїєґІЇЄҐ")


def detect(head: bytes) -> bool:
    return "<CONSOLIDATED_LIST" in decode_head(head)


def published(path: Path) -> str | None:
    """The ``dateGenerated`` of the root element, as an ISO date."""
    for _event, elem in iter_xml(path, events=("start",)):
        value = elem.get("dateGenerated")
        date = parse_date(value[:10]) if value else None
        return date.value if date else None
    return None


def country(text: str | None) -> str | None:
    """ISO code when the countries module knows the name, else the text as given."""
    if not text:
        return None
    return to_country_code(text) or text


def guess_script(text: str) -> tuple[str | None, str | None]:
    """(script, language) of a name from its letters; either may be None.

    The language is only a guess: Arabic script is ``fas`` or ``pus`` when the
    name uses letters only those alphabets have, else ``ara``; Cyrillic is
    ``ukr`` with Ukrainian-only letters, else ``rus``.
    """
    scripts: Counter[str] = Counter()
    for char in text:
        if char.isalpha():
            word = unicodedata.name(char, "UNKNOWN").split()[0]
            scripts[{"CJK": "Han"}.get(word, word.title())] += 1
    if not scripts:
        return None, None
    script = scripts.most_common(1)[0][0]
    letters = set(text)
    if script == "Arabic":
        lang = "pus" if letters & _PASHTO else "fas" if letters & _PERSIAN else "ara"
    elif script == "Cyrillic":
        lang = "ukr" if letters & _UKRAINIAN else "rus"
    elif script == "Hangul":
        lang = "kor"
    else:
        lang = None
    return script, lang


def _text(elem: Any, tag: str) -> str | None:
    value = elem.findtext(tag)
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


def _values(elem: Any, tag: str) -> list[str]:
    group = elem.find(tag)
    if group is None:
        return []
    return [v for v in (" ".join((c.text or "").split()) for c in group.iter("VALUE")) if v]


def _joined(elem: Any, tags: tuple[str, ...]) -> str | None:
    parts = [p for tag in tags if (p := _text(elem, tag))]
    return ", ".join(parts) or None


def _add_name_with_script(entity: Entity, name: str, kind: NameKind) -> None:
    script, lang = guess_script(name)
    if script in (None, "Latin"):
        entity.add_name(name, kind)
    else:
        entity.add_name(name, kind, lang=lang, script=script)


_SCRIPT_NOTE = re.compile(
    r"(?:original script|in arabic(?: script)?|in cyrillic(?: script)?)\s*:\s*(?P<name>[^:]+)$",
    re.I,
)
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")


def script_name_in_note(note: str | None) -> str | None:
    """The name form in another script that a UN alias or document note gives, if any.

    The UN writes ``original script: Рамзан Одуев``, ``In Arabic: سيف العدل`` or
    ``in Arabic script: شركة الكوثر`` in the NOTE of an alias or document. Only a name in a
    non-Latin script is returned: a Latin text after the label is not a name form.
    """
    if not note:
        return None
    match = _SCRIPT_NOTE.search(note)
    if match is None:
        return None
    name = " ".join(match["name"].split())
    script, _lang = guess_script(name)
    return name if script not in (None, "Latin") else None


def _add_aliases(entity: Entity, elem: Any, tag: str) -> None:
    for alias in elem.iter(tag):
        name = _text(alias, "ALIAS_NAME")
        if name is None:
            continue
        quality = (_text(alias, "QUALITY") or "").lower()
        kind = _ALIAS_KINDS.get(quality, NameKind.ALIAS)
        note = _text(alias, "NOTE")
        if note and "formerly listed as" in note.lower():
            kind = NameKind.PREVIOUS
        # The UN packs spelling variants of one alias into one field ("Azim Adhajani;
        # Azim Agha-Jani"): each is a name of its own, as the list means it.
        for variant in _alias_variants(name):
            _add_name_with_script(entity, variant, kind)
        other_script = script_name_in_note(note)
        if other_script is not None:
            _add_name_with_script(entity, other_script, kind)
        if note:
            entity.add("notes", f"{name}: {note}")
        dob = parse_date(_text(alias, "DATE_OF_BIRTH"))
        if dob is not None:
            entity.add_date(dob)
        entity.add("birthPlace", _joined(alias, ("CITY_OF_BIRTH", "COUNTRY_OF_BIRTH")))


def _alias_variants(name: str) -> list[str]:
    """The names of one packed field: its ``;``-separated variants, else the name whole."""
    variants = [" ".join(part.split()) for part in name.split(";")]
    variants = [v for v in variants if v]
    return variants or [name]


_NAME_JOINERS = {"and", "of", "the"}


def _looks_like_country_name(words: list[str]) -> bool:
    """Capitalised words (joined by "and"/"of"/"the"), never a bare code ("No. 4" is not Norway)."""
    if len(words[0]) < 3 or not words[0][:1].isupper() or not words[-1][:1].isupper():
        return False
    return all(w[:1].isupper() or w in _NAME_JOINERS for w in words)


def countries_in_text(text: str) -> list[str]:
    """ISO codes of the country names a free text mentions (``Afghanistan/Pakistan border``).

    Runs of one to four words are looked up, longest first, so that ``United Arab
    Emirates`` is one country and not three words.
    """
    words = _WORD.findall(text)
    codes: list[str] = []
    i = 0
    while i < len(words):
        for size in (4, 3, 2, 1):
            chunk = words[i : i + size]
            if len(chunk) < size or not _looks_like_country_name(chunk):
                continue
            code = to_country_code(" ".join(chunk))
            if code is not None:
                if code not in codes:
                    codes.append(code)
                i += size
                break
        else:
            i += 1
    return codes


def _add_addresses(entity: Entity, elem: Any, tag: str) -> None:
    for addr in elem.iter(tag):
        text = _joined(addr, ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY"))
        note = _text(addr, "NOTE")
        if text and note:
            text = f"{text} ({note})"
        elif note:
            # An address the UN gives only as a note ("Believed location - Egypt"):
            # the note is the address (its countries are read from the text below).
            text = note
        entity.add("address", text)
        if _text(addr, "COUNTRY"):
            entity.add("country", country(_text(addr, "COUNTRY")))
        elif text:  # no COUNTRY field: the countries the address names ("Kabul, Afghanistan")
            entity.add("country", countries_in_text(text))


def _date_from_note(note: str, year: str | None) -> FuzzyDate | None:
    """Dates the UN writes in the NOTE: ``Nov. 1973``, ``Sep.`` + YEAR, ``Between Aug. and Sep. 1977``."""
    match = _BETWEEN_MONTHS.search(note)
    if match:
        start = parse_date(f"{match[1]} {match[3]}")
        end = parse_date(f"{match[2]} {match[3]}")
        if start and end:
            return FuzzyDate(start.value, end=end.value)
    date = parse_date(f"{note} {year}" if year else note)
    if date is not None and (year is None or date.value.startswith(year)):
        return date
    return None


def _birth_date(dob: Any) -> tuple[FuzzyDate | None, str | None]:
    """The date of one INDIVIDUAL_DATE_OF_BIRTH, and its note when the note is not the date."""
    kind = (_text(dob, "TYPE_OF_DATE") or "").upper()
    note = _text(dob, "NOTE")
    circa = kind == "APPROXIMATELY" or (note or "").lower().startswith("approx")
    year = _text(dob, "YEAR")
    date: FuzzyDate | None = None
    if kind == "BETWEEN":
        start, end = _text(dob, "FROM_YEAR"), _text(dob, "TO_YEAR")
        if start and end:
            date = FuzzyDate(start, circa=circa, end=end)
        elif start or end:
            date = FuzzyDate(start or end or "", circa=True)
    elif (value := _text(dob, "DATE") or year) is not None:
        parsed = parse_date(value)
        if parsed is not None:
            date = FuzzyDate(parsed.value, circa=circa)
    if note and (date is None or (year and date.value == year)):
        from_note = _date_from_note(note, year)
        if from_note is not None:
            return FuzzyDate(from_note.value, circa=circa, end=from_note.end), None
    if note and note.lower().strip() == "approximately":
        note = None
    return date, note


def _document_note(doc: Any, number: str | None, kind: str) -> str | None:
    """What the UN says about a document beyond its number, as one note."""
    facts = []
    issued = parse_date(_text(doc, "DATE_OF_ISSUE"))
    if issued is not None:
        facts.append(f"issued {issued.value}")
    elif raw := _text(doc, "DATE_OF_ISSUE"):
        facts.append(f"issued {raw}")
    if city := _text(doc, "CITY_OF_ISSUE"):
        facts.append(f"place of issue {city}")
    issuers = iter_unique(
        v for t in ("ISSUING_COUNTRY", "COUNTRY_OF_ISSUE") if (v := _text(doc, t))
    )
    if issuers:
        facts.append(f"issuing country {', '.join(issuers)}")
    if note := _text(doc, "NOTE"):
        facts.append(note)
    if not facts:
        return None
    label = kind or "Document"
    return f"{label} {number}: {'; '.join(facts)}" if number else f"{label}: {'; '.join(facts)}"


def _add_documents(entity: Entity, elem: Any) -> None:
    for doc in elem.iter("INDIVIDUAL_DOCUMENT"):
        number = _text(doc, "NUMBER")
        kind = _text(doc, "TYPE_OF_DOCUMENT") or _text(doc, "TYPE_OF_DOCUMENT2") or ""
        if number:
            is_passport = any(w in kind.lower() for w in ("passport", "passeport", "pasaporte"))
            entity.add("passportNumber" if is_passport else "idNumber", number)
        entity.add("notes", _document_note(doc, number, kind))
        # "name in Arabic script: ...": the name the document was issued under
        other_script = script_name_in_note(_text(doc, "NOTE"))
        if other_script is not None:
            _add_name_with_script(entity, other_script, NameKind.ALIAS)


def _name_parts(parts: list[str], program: str | None) -> dict[str, str]:
    """Positional UN name parts as FtM parts (family name first on the DPRK list)."""
    if len(parts) < 2:
        return {"firstName": parts[0]}
    if program == "DPRK":
        return {"lastName": parts[0], "firstName": " ".join(parts[1:])}
    result = {"firstName": parts[0], "lastName": parts[-1]}
    if len(parts) > 2:
        result["middleName"] = " ".join(parts[1:-1])
    return result


def _individual(elem: Any, entity: Entity) -> None:
    program = _text(elem, "UN_LIST_TYPE")
    parts = [
        p
        for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
        if (p := _text(elem, t))
    ]
    if parts:
        entity.add_name(" ".join(parts), NameKind.PRIMARY, **_name_parts(parts, program))
    entity.add("title", _values(elem, "TITLE"))
    entity.add("position", _values(elem, "DESIGNATION"))
    entity.add("nationality", [country(v) for v in _values(elem, "NATIONALITY")])
    gender = (_text(elem, "GENDER") or "").lower()
    entity.add("gender", gender if gender in ("male", "female") else None)
    _add_aliases(entity, elem, "INDIVIDUAL_ALIAS")
    _add_addresses(entity, elem, "INDIVIDUAL_ADDRESS")
    for dob in elem.iter("INDIVIDUAL_DATE_OF_BIRTH"):
        date, note = _birth_date(dob)
        entity.add_date(date)
        if note and date is None:  # "30-35 years old", a Hijri date: kept and counted
            not_understood(entity, "birthDate", note)
        elif note:
            entity.add("notes", f"Date of birth: {note}")
    for pob in elem.iter("INDIVIDUAL_PLACE_OF_BIRTH"):
        entity.add(
            "birthPlace", _joined(pob, ("STREET", "CITY", "STATE_PROVINCE", "COUNTRY", "NOTE"))
        )
        entity.add("birthCountry", country(_text(pob, "COUNTRY")))
    _add_documents(entity, elem)


def _organization(elem: Any, entity: Entity) -> None:
    # An entity the UN lists under two names packs them into its one name field
    # ("COMPAGNIE AERIENNE DES GRANDS LACS (CAGL) ; GREAT LAKES BUSINESS COMPANY (GLBC)"):
    # each is a listed name of its own, the first leads.
    name = _text(elem, "FIRST_NAME")
    for variant in _alias_variants(name) if name else []:
        _add_name_with_script(entity, variant, NameKind.PRIMARY)
    _add_aliases(entity, elem, "ENTITY_ALIAS")
    _add_addresses(entity, elem, "ENTITY_ADDRESS")
    entity.add("imoNumber", _IMO.findall(_text(elem, "COMMENTS1") or ""))


def _entity(elem: Any, dataset: str, path: Path) -> Entity:
    tag = elem.tag
    ref = _text(elem, "REFERENCE_NUMBER")
    if ref is None:
        raise FormatError(f"{tag} without REFERENCE_NUMBER", path, line=elem.sourceline)
    schema = "Person" if tag == "INDIVIDUAL" else "Organization"
    entity = Entity.create(dataset, ref, schema, source_file=path.name)
    entity.add("unscId", ref)
    (_individual if tag == "INDIVIDUAL" else _organization)(elem, entity)
    original = _text(elem, "NAME_ORIGINAL_SCRIPT")
    if original:
        script, lang = guess_script(original)
        entity.add_name(original, NameKind.ORIGINAL, lang=lang, script=script)
    if not entity.names:
        raise FormatError(f"{tag} {ref} has no name", path, line=elem.sourceline)
    program = _text(elem, "UN_LIST_TYPE")
    if program:
        entity.listing.programs.append(program)
    listed = parse_date((_text(elem, "LISTED_ON") or "")[:10])
    entity.listing.listed_on = listed.value if listed else None
    entity.add("notes", _text(elem, "COMMENTS1"))
    updated = sorted(v[:10] for v in _values(elem, "LAST_DAY_UPDATED"))
    entity.add("modifiedAt", updated[-1] if updated else None)
    return entity


def parse(path: Path, dataset: str | None = None) -> Iterator[Entity]:
    """Stream the individuals and entities of a UN consolidated XML file."""
    path = Path(path)
    dataset = dataset or DEFAULT_DATASET
    seen: set[str] = set()
    root_checked = False
    for _event, elem in iter_xml(path, tags={"INDIVIDUAL", "ENTITY"}):
        if not root_checked:
            root = elem.getroottree().getroot()
            if root.tag != "CONSOLIDATED_LIST":
                raise FormatError(f"root element is <{root.tag}>, not <CONSOLIDATED_LIST>", path)
            root_checked = True
        entity = _entity(elem, dataset, path)
        if entity.id in seen:
            raise FormatError(
                f"duplicate REFERENCE_NUMBER {entity.listing.authority_id}",
                path,
                line=elem.sourceline,
            )
        seen.add(entity.id)
        elem.clear()
        parent = elem.getparent()
        while parent is not None and elem.getprevious() is not None:
            del parent[0]
        yield entity
