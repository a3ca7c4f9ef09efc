"""Independent minimal readers of the official formats, for the fidelity suite.

Each reader turns a real list file into :class:`Raw` records with the stdlib,
lxml and openpyxl only: it never calls the package's parsers. They read what is
plain in each record (names, simple dates of birth, countries, identifiers,
programmes) and leave out what needs interpretation, so that what they report is
a fact of the file the stored entity must hold.

``READERS`` maps a format name (as the registry knows it) to its reader;
``KEY_BY_NAME`` lists the formats whose records carry no authority id (the
stored entity is then found by its primary name).
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from lxml import etree

__all__ = ["Raw", "READERS", "KEY_BY_NAME", "NO_REAL_FILE", "simple_date"]

# Formats the registry knows but ../shared/data has no file of (see its README).
NO_REAL_FILE = {
    "eu_fsf_xml": "the current EU FSF XML is too large to obtain",
    "uk_fcdo": "the current UK Sanctions List is too large to obtain",
    "ch_seco": "the SECO list is not in shared/data",
    "ftm": "our own export format: covered by the round trip in tests/sources/test_ftm_export.py",
}
KEY_BY_NAME = {"ca_sema", "us_bis_dpl"}


@dataclass
class Raw:
    """The plain facts of one record of a list file."""

    key: str
    names: list[str] = field(default_factory=list)
    dobs: list[str] = field(default_factory=list)  # ISO prefixes, precision as written
    countries: list[str] = field(default_factory=list)  # as written (names or codes)
    ids: list[str] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)


_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}


def simple_date(text: str | None, dayfirst: bool = True) -> str | None:
    """An ISO prefix for the plainly written dates only; None for anything else."""
    text = " ".join((text or "").split()).strip(" .;")
    if re.fullmatch(r"\d{4}", text):
        return text
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
        return text if m[3] != "00" else (m[1] if m[2] == "00" else f"{m[1]}-{m[2]}")
    if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text):
        day, month = (m[1], m[2]) if dayfirst else (m[2], m[1])
        if int(month) == 0:
            return m[3]
        if int(day) == 0:
            return f"{m[3]}-{int(month):02d}"
        return f"{m[3]}-{int(month):02d}-{int(day):02d}"
    if m := re.fullmatch(r"(\d{1,2}) ([A-Za-z]{3}) (\d{4})", text):
        if (month := _MONTHS.get(m[2].lower())) is not None:
            return f"{m[3]}-{month:02d}-{int(m[1]):02d}"
    if m := re.fullmatch(r"([A-Za-z]{3}) (\d{4})", text):
        if (month := _MONTHS.get(m[1].lower())) is not None:
            return f"{m[2]}-{month:02d}"
    return None


def _clean(text: object) -> str:
    return " ".join(str(text or "").split())


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


# -- OFAC legacy CSV (sdn/cons_prim, alt, add) -------------------------------------------

_OFAC_DOB = re.compile(r"\bDOB ([^;]+?)(?:;|\.$|$)")
_OFAC_ID = re.compile(
    r"\b(?:Passport|National ID No\.|SWIFT/BIC|Tax ID No\.|Cedula No\.|IMO)\s+([A-Z0-9][A-Z0-9-]{4,})"
)


def _ofac_rows(path: Path) -> list[list[str]]:
    text = _decode(path.read_bytes())
    return [[_clean(c) for c in row] for row in csv.reader(io.StringIO(text)) if row]


def _value(cell: str) -> str:
    return "" if cell == "-0-" else cell


def read_ofac_csv(path: Path) -> Iterator[Raw]:
    folder = path if path.is_dir() else path.parent
    primary = (
        [path]
        if path.is_file()
        else [p for p in (folder / "sdn.csv", folder / "cons_prim.csv") if p.exists()]
    )
    records: dict[str, Raw] = {}
    for prim in primary:
        for row in _ofac_rows(prim):
            if len(row) < 12:
                continue
            raw = records.setdefault(row[0], Raw(row[0]))
            raw.names.append(row[1])
            raw.programs += [p.strip() for p in re.split(r"\]\s*\[", _value(row[3])) if p.strip()]
            if flag := _value(row[9]):
                raw.countries.append(flag)
            remarks = _value(row[11])
            raw.dobs += [d for m in _OFAC_DOB.finditer(remarks) if (d := simple_date(m[1]))]
            raw.ids += _OFAC_ID.findall(remarks)
    if path.is_dir():
        prefix = "cons_" if (folder / "cons_alt.csv").exists() else ""
        alt, add = folder / f"{prefix}alt.csv", folder / f"{prefix}add.csv"
        for row in _ofac_rows(alt) if alt.exists() else []:
            if len(row) >= 4 and (not primary or row[0] in records):
                records.setdefault(row[0], Raw(row[0])).names.append(row[3])
        for row in _ofac_rows(add) if add.exists() else []:
            if len(row) >= 5 and _value(row[4]) and row[0] in records:
                records[row[0]].countries.append(row[4])
    yield from records.values()


# -- OFAC XML: classic, advanced, enhanced -----------------------------------------------


def _xml_root(path: Path) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    data = path.read_bytes()
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            data = zf.read(max(zf.infolist(), key=lambda m: m.file_size))
    return etree.fromstring(data, parser)


def _local(elem: etree._Element, name: str) -> list[etree._Element]:
    return [e for e in elem.iter() if isinstance(e.tag, str) and etree.QName(e).localname == name]


def _kid_text(elem: etree._Element, name: str) -> str:
    for child in elem:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            return _clean(child.text)
    return ""


def read_ofac_xml(path: Path) -> Iterator[Raw]:
    for entry in _local(_xml_root(path), "sdnEntry"):
        raw = Raw(_kid_text(entry, "uid"))
        for named in [entry, *_local(entry, "aka")]:
            raw.names.append(
                _clean(f"{_kid_text(named, 'firstName')} {_kid_text(named, 'lastName')}")
            )
        raw.programs += [_clean(p.text) for p in _local(entry, "program")]
        raw.dobs += [d for e in _local(entry, "dateOfBirth") if (d := simple_date(e.text))]
        raw.countries += [
            _clean(e.text) for e in _local(entry, "country") + _local(entry, "nationality")
        ]
        for item in _local(
            entry, "id"
        ):  # dates typed as ids ("Organization Established Date") are not
            if "date" not in _kid_text(item, "idType").lower():
                raw.ids.append(_kid_text(item, "idNumber"))
        yield raw


def read_ofac_advanced(path: Path) -> Iterator[Raw]:
    root = _xml_root(path)
    numbers: dict[str, list[str]] = {}  # identity documents sit apart, tied by IdentityID
    for doc in _local(root, "IDRegDocument"):
        for number in _local(doc, "IDRegistrationNo"):
            numbers.setdefault(doc.get("IdentityID", ""), []).append(_clean(number.text))
    for party in _local(root, "DistinctParty"):
        raw = Raw(party.get("FixedRef", ""))
        for identity in _local(party, "Identity"):
            raw.ids += numbers.get(identity.get("ID", ""), [])
        for name in _local(party, "DocumentedName"):
            raw.names.append(_clean(" ".join(v.text or "" for v in _local(name, "NamePartValue"))))
        yield raw


def read_ofac_enhanced(path: Path) -> Iterator[Raw]:
    root = _xml_root(path)
    entities = [
        e for e in _local(root, "entity") if etree.QName(e.getparent()).localname == "entities"
    ]
    for entity in entities:
        raw = Raw(entity.get("id", ""))
        raw.names += [
            _kid_text(t, "formattedFullName")
            for t in _local(entity, "translation")
            if _kid_text(t, "formattedFullName")
        ]
        raw.programs += [_clean(p.text) for p in _local(entity, "sanctionsProgram")]
        raw.ids += [_kid_text(d, "documentNumber") for d in _local(entity, "identityDocument")]
        for feature in _local(entity, "feature"):
            kind = _kid_text(feature, "type").lower()
            if kind in ("nationality country", "citizenship country"):
                raw.countries.append(_kid_text(feature, "value"))
            elif kind == "birthdate" and (d := simple_date(_kid_text(feature, "value"))):
                raw.dobs.append(d)
        raw.countries += [c for a in _local(entity, "address") if (c := _kid_text(a, "country"))]
        yield raw


# -- UN, Canada SEMA ------------------------------------------------------------------------


def read_un_xml(path: Path) -> Iterator[Raw]:
    root = _xml_root(path)
    for elem in [*root.iter("INDIVIDUAL"), *root.iter("ENTITY")]:
        raw = Raw(_clean(elem.findtext("REFERENCE_NUMBER")))
        parts = [
            _clean(elem.findtext(t))
            for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
        ]
        name = " ".join(p for p in parts if p)
        # an entity listed under two names packs them in its name field ("A ; B")
        names = name.split(";") if elem.tag == "ENTITY" else [name]
        raw.names += [v for v in (_clean(n) for n in names) if v]
        for alias in elem.iter("INDIVIDUAL_ALIAS", "ENTITY_ALIAS"):
            # spelling variants packed in one field ("A; B") are each a name
            variants = (_clean(v) for v in (alias.findtext("ALIAS_NAME") or "").split(";"))
            raw.names += [v for v in variants if v]
        if original := _clean(elem.findtext("NAME_ORIGINAL_SCRIPT")):
            raw.names.append(original)
        for dob in elem.iter("INDIVIDUAL_DATE_OF_BIRTH"):
            if (_clean(dob.findtext("TYPE_OF_DATE")) == "EXACT") and (
                d := simple_date(dob.findtext("DATE"))
            ):
                raw.dobs.append(d)
        raw.countries += [
            _clean(v.text) for v in elem.iter("VALUE") if v.getparent().tag == "NATIONALITY"
        ]
        raw.countries += [
            c
            for a in elem.iter("INDIVIDUAL_ADDRESS", "ENTITY_ADDRESS")
            if (c := _clean(a.findtext("COUNTRY")))
        ]
        raw.ids += [
            n for d in elem.iter("INDIVIDUAL_DOCUMENT") if (n := _clean(d.findtext("NUMBER")))
        ]
        if program := _clean(elem.findtext("UN_LIST_TYPE")):
            raw.programs.append(program)
        yield raw


def read_ca_sema(path: Path) -> Iterator[Raw]:
    for record in _xml_root(path).iter("record"):
        given, last = _clean(record.findtext("GivenName")), _clean(record.findtext("LastName"))
        name = _clean(f"{given} {last}") or _clean(
            record.findtext("Entity") or record.findtext("EntityOrShip")
        )
        raw = Raw(name, names=[name])
        dob = record.findtext("DateOfBirth") or record.findtext("DateOfBirthOrShipBuildDate")
        if d := simple_date(dob):
            raw.dobs.append(d)
        raw.programs.append(_clean(record.findtext("Country")))
        yield raw


# -- EU FSF CSV v1.0, UK OFSI ConList, Australia DFAT, US CSL and DPL ----------------------


def read_eu_csv(path: Path) -> Iterator[Raw]:
    records: dict[str, Raw] = {}
    lines = [_decode(line) for line in path.read_bytes().split(b"\n")]
    rows = [next(csv.reader([line]), [""]) for line in lines if line.strip()]
    # The excerpt is re-saved by a spreadsheet: each line is one quoted field.
    for row in rows[1:]:
        cells = [c.strip() for c in "".join(row).rstrip("\t").split(";")]
        if len(cells) < 58 or not cells[1].isdigit():
            continue
        raw = records.setdefault(cells[1], Raw(cells[1]))
        # A spreadsheet replaced the letters of some names by "?": those are not facts.
        if cells[17] and "?" not in cells[17]:
            raw.names.append(cells[17])
        if d := simple_date(cells[40]):
            raw.dobs.append(d)
        if number := cells[49].strip('" ').split(" (")[0]:  # '"AD001159 (other-Other ...) "'
            raw.ids.append(number)
        raw.countries += [c for c in (cells[32], cells[42], cells[57]) if c]
        if cells[6]:
            raw.programs.append(cells[6])
    yield from records.values()


_DOC_NUMBER = re.compile(r"\b(?=[A-Z0-9.\-]*\d)[A-Z0-9][A-Z0-9.\-]{4,}[A-Z0-9]\b")
_NUMERIC_DATE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")


def read_uk_ofsi(path: Path) -> Iterator[Raw]:
    text = _decode(path.read_bytes())
    rows = list(csv.reader(io.StringIO(text)))
    header = [h.strip() for h in rows[1]]
    records: dict[str, Raw] = {}
    for row in rows[2:]:
        data = dict(zip(header, (_clean(c) for c in row), strict=False))
        if not data.get("Group ID"):
            continue
        raw = records.setdefault(data["Group ID"], Raw(data["Group ID"]))
        raw.names.append(
            " ".join(data[f"Name {i}"] for i in (1, 2, 3, 4, 5, 6) if data.get(f"Name {i}"))
        )
        if d := simple_date(data.get("DOB")):
            raw.dobs.append(d)
        raw.countries += [c for c in re.split(r"\s*\d\)\s*", data.get("Nationality", "")) if c]
        for column in ("Passport Details", "NI Number"):  # the numbers in the text, not dates
            found = _DOC_NUMBER.findall(data.get(column, ""))
            raw.ids += [n for n in found if not _NUMERIC_DATE.fullmatch(n)]
        raw.programs.append(data.get("Regime", ""))
    yield from records.values()


def read_au_dfat(path: Path) -> Iterator[Raw]:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [_clean(h) for h in next(rows)]
        records: dict[str, Raw] = {}
        for row in rows:
            data = dict(zip(header, row, strict=False))
            ref = re.match(r"\d+", _clean(data.get("Reference")))
            if not ref:
                continue
            raw = records.setdefault(ref[0], Raw(ref[0]))
            raw.names.append(_clean(data.get("Name of Individual or Entity")))
            dob = data.get("Date of Birth")
            if d := (dob.date().isoformat() if hasattr(dob, "date") else simple_date(_clean(dob))):
                raw.dobs.append(d)
            if citizenship := _clean(data.get("Citizenship")):
                raw.countries.append(citizenship)
            if committee := _clean(data.get("Committees")):
                raw.programs.append(committee)
        yield from records.values()
    finally:
        book.close()


def read_us_csl(path: Path) -> Iterator[Raw]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        records: dict[str, Raw] = {}
        for row in csv.DictReader(handle):
            raw = records.setdefault(row["_id"], Raw(row["_id"]))
            raw.names += [n for n in [row["name"], *row["alt_names"].split("; ")] if n.strip()]
            raw.dobs += [d for v in row["dates_of_birth"].split("; ") if (d := simple_date(v))]
            raw.countries += [
                c for k in ("nationalities", "citizenships") for c in row[k].split("; ") if c
            ]
            raw.programs += [p for p in row["programs"].split("; ") if p]
            for doc in row["ids"].split("; "):
                parts = [p.strip() for p in doc.split(", ")]
                if len(parts) == 3 and re.search(r"\d", parts[1]):
                    raw.ids.append(parts[1])
    yield from records.values()


def read_us_bis_dpl(path: Path) -> Iterator[Raw]:
    text = _decode(path.read_bytes())
    for row in csv.DictReader(io.StringIO(text), delimiter="\t"):
        name = _clean(row["Name"])
        yield Raw(name, names=[name], countries=[c for c in [_clean(row["Country"])] if c])


READERS: dict[str, Callable[[Path], Iterator[Raw]]] = {
    "ofac_csv": read_ofac_csv,
    "ofac_xml": read_ofac_xml,
    "ofac_advanced": read_ofac_advanced,
    "ofac_enhanced": read_ofac_enhanced,
    "un_xml": read_un_xml,
    "ca_sema": read_ca_sema,
    "eu_fsf_csv": read_eu_csv,
    "uk_ofsi_csv": read_uk_ofsi,
    "au_dfat_xlsx": read_au_dfat,
    "us_csl": read_us_csl,
    "us_bis_dpl": read_us_bis_dpl,
}
