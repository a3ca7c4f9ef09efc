"""OFAC's legacy headerless CSV file sets (SDN and Consolidated non-SDN lists).

A set is four files in one folder (any letter case):

* SDN (``us_ofac_sdn``): ``sdn.csv``, ``add.csv``, ``alt.csv``, ``sdn_comments.csv``;
* Consolidated (``us_ofac_cons``): ``cons_prim.csv``, ``cons_add.csv``,
  ``cons_alt.csv``, ``cons_comments.csv``.

Columns, without header row: primary ``ent_num, SDN_Name, SDN_Type, Program,
Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks``;
addresses ``ent_num, add_num, address, city/state/zip, country, add_remarks``;
aliases ``ent_num, alt_num, alt_type, alt_name, alt_remarks``; comments
``ent_num, remarks continuation``. ``-0-`` means empty. Files may end with a
line holding one ``\\x1a`` (DOS end-of-file); they are ASCII in practice, and
are read as UTF-8 falling back to cp1252 / latin-1 for older files.

Decisions:

* Remarks are cut at 1,000 characters in the primary file; the comments file
  carries the rest, concatenated *without* a separator (``PROMO RAI`` +
  ``Z S.A.S.``). Comments of entries absent from the primary file are stale
  (OFAC leaves them behind): they are skipped with a warning.
* Aliases: alt.csv ``aka``/``nka`` -> :attr:`NameKind.ALIAS`, ``fka`` ->
  :attr:`NameKind.PREVIOUS` (``WEAK`` if the alias remark says weak/low quality).
  Names quoted in the remarks (``a.k.a. 'BNC'``, ``n.k.a. '...'``) are OFAC's
  low-quality aliases (the XML files mark them ``<category>weak``): ->
  :attr:`NameKind.WEAK`; the ones quoted after ``f.k.a.`` are former names ->
  :attr:`NameKind.PREVIOUS` (weak too in OFAC's terms, but "former" is the fact
  that matters). So the ALIAS names of a set are exactly its ``aka``/``nka``
  alt.csv rows, and its PREVIOUS names its ``fka`` rows plus the remarks' f.k.a.
  names, counted as distinct (entity, name, kind).
* ``Linked To: X`` goes to the property ``linkedTo`` (text; FtM models such
  links as UnknownLink relations, which would need ids we do not have).
  Digital currency addresses go to ``cryptoWallet`` (text). Both are our
  additions to the FtM vocabulary.
* The raw remark text always stays in ``notes``; what can be read from it is
  copied into properties (see :func:`apply_remarks`).
* A folder with add/alt files but no primary file (a partial download) still
  loads: entities carry ids, aliases and addresses, no primary name, schema
  ``LegalEntity``; a warning is logged.
"""

from __future__ import annotations

import csv
import logging
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sanctions.countries import to_country_code
from sanctions.errors import FormatError
from sanctions.model import Entity, NameKind, clean_text, parse_date

from .base import decode_head, iter_csv, open_stream, sniff
from .ofac_common import refine_schema

__all__ = [
    "FORMAT",
    "DEFAULT_DATASET",
    "detect",
    "detect_dir",
    "dataset_for",
    "published",
    "parse",
    "apply_remarks",
    "split_remarks",
    "RemarkStats",
]

log = logging.getLogger(__name__)

FORMAT = "ofac_csv"
DEFAULT_DATASET = "us_ofac_sdn"
CONS_DATASET = "us_ofac_cons"

PRIM, ADD, ALT, COMMENTS = "prim", "add", "alt", "comments"
_COLUMNS = {PRIM: 12, ADD: 6, ALT: 5, COMMENTS: 2}
_FILE_NAMES = {
    DEFAULT_DATASET: {
        PRIM: "sdn.csv",
        ADD: "add.csv",
        ALT: "alt.csv",
        COMMENTS: "sdn_comments.csv",
    },
    CONS_DATASET: {
        PRIM: "cons_prim.csv",
        ADD: "cons_add.csv",
        ALT: "cons_alt.csv",
        COMMENTS: "cons_comments.csv",
    },
}
_ROLE_BY_NAME = {
    name: (ds, role) for ds, files in _FILE_NAMES.items() for role, name in files.items()
}
_SDN_TYPES = {
    "individual": "Person",
    "vessel": "Vessel",
    "aircraft": "Airplane",
    "-0-": "Organization",
}
_ALT_KINDS = {"aka": NameKind.ALIAS, "nka": NameKind.ALIAS, "fka": NameKind.PREVIOUS}
_EOF = "\x1a"


# -- detection --------------------------------------------------------------------


def _head_rows(head: bytes, limit: int = 5) -> list[list[str]]:
    text = decode_head(head)
    lines = [ln for ln in text.splitlines()[: limit + 1] if ln.strip() and ln.strip() != _EOF]
    if len(lines) > limit:  # the last line may be cut off by the head size
        lines = lines[:limit]
    try:
        return list(csv.reader(lines))
    except csv.Error:
        return []


def _row_role(row: list[str]) -> str | None:
    cells = [c.strip() for c in row]
    if not cells or not cells[0].isdigit():
        return None
    if len(cells) == 12 and cells[2] in _SDN_TYPES:
        return PRIM
    if len(cells) == 6 and cells[1].isdigit():
        return ADD
    if len(cells) == 5 and cells[1].isdigit() and cells[2].lower() in _ALT_KINDS:
        return ALT
    return None


def detect(head: bytes) -> bool:
    """A primary, address or alias file of an OFAC legacy CSV set (by content)."""
    if b"-0-" not in head:
        return False
    rows = _head_rows(head)
    if not rows:
        return False
    roles = {_row_role(row) for row in rows}
    return len(roles) == 1 and roles != {None}


def _list_files(folder: Path) -> dict[str, Path]:
    return {p.name.lower(): p for p in folder.iterdir() if p.is_file()}


def detect_dir(path: Path) -> bool:
    """A folder holding an OFAC CSV set (a primary file, or add and alt files)."""
    path = Path(path)
    if not path.is_dir():
        return False
    files = _list_files(path)
    for names in _FILE_NAMES.values():
        if names[PRIM] in files or (names[ADD] in files and names[ALT] in files):
            return True
    return False


def dataset_for(path: Path) -> str:
    """``us_ofac_cons`` for cons_* files or a folder of them, else ``us_ofac_sdn``.

    A folder without its primary file (OFAC never publishes one, but copies get
    cut) goes to ``<dataset>_partial``, so that it can never become the current
    version of the real list: it has aliases and addresses but no primary names.
    """
    path = Path(path)
    if path.is_dir():
        files = _list_files(path)
        dataset = DEFAULT_DATASET
        if not any(name in files for name in _FILE_NAMES[DEFAULT_DATASET].values()):
            cons = _FILE_NAMES[CONS_DATASET]
            if any(name in files for name in cons.values()):
                dataset = CONS_DATASET
        if _FILE_NAMES[dataset][PRIM] not in files:
            return f"{dataset}_partial"
        return dataset
    return CONS_DATASET if path.name.lower().startswith("cons") else DEFAULT_DATASET


def published(path: Path) -> str | None:
    """These files state no publication date."""
    return None


# -- the file set ------------------------------------------------------------------


@dataclass
class FileSet:
    """The files of one OFAC CSV set (any may be missing but not all)."""

    folder: Path
    prim: Path | None = None
    add: Path | None = None
    alt: Path | None = None
    comments: Path | None = None


def _role_of(path: Path) -> tuple[str, str]:
    known = _ROLE_BY_NAME.get(path.name.lower())
    if known:
        return known
    rows = _head_rows(sniff(path))
    role = _row_role(rows[0]) if rows else None
    if role is None:
        raise FormatError("not a file of an OFAC legacy CSV set", path, line=1)
    return dataset_for(path), role


def find_files(path: Path) -> FileSet:
    """The set a folder holds, or the set a file belongs to (siblings by name)."""
    path = Path(path)
    if path.is_dir():
        folder, given = path, None
        dataset = dataset_for(path)
    else:
        folder = path.parent
        dataset, role = _role_of(path)
        given = (role, path)
    files = _list_files(folder)
    found = FileSet(folder=folder)
    for role, name in _FILE_NAMES[dataset.removesuffix("_partial")].items():
        setattr(found, role, files.get(name))
    if given is not None:
        setattr(found, given[0], given[1])
    if not any((found.prim, found.add, found.alt)):
        raise FormatError("no OFAC CSV files (sdn/add/alt or cons_*) found", path)
    return found


# -- reading rows --------------------------------------------------------------------


def _encoding(path: Path) -> str:
    """UTF-8 if the bytes decode so, else cp1252 (else latin-1, which always decodes)."""
    with open_stream(path) as stream:
        data = stream.read()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            data.decode(encoding)
            return encoding
        except UnicodeDecodeError:
            continue
    return "latin-1"


def _rows(path: Path, role: str) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of one file; the DOS end-of-file line and blank lines are skipped."""
    width = _COLUMNS[role]
    for line, row in iter_csv(path, encoding=_encoding(path)):
        if not row or (len(row) == 1 and row[0].strip() in ("", _EOF)):
            continue
        if len(row) != width:
            raise FormatError(f"expected {width} columns, found {len(row)}", path, line=line)
        if not row[0].strip().isdigit():
            raise FormatError(
                f"ent_num is not a number: {row[0]!r}", path, line=line, field="ent_num"
            )
        yield line, row


# -- remarks ---------------------------------------------------------------------------


@dataclass
class RemarkStats:
    """How many remark segments were read into properties, kept as statements, or not understood."""

    segments: int = 0
    extracted: int = 0  # copied into a structured property
    statements: int = 0  # known informational statements, kept in notes only
    unknown: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def recognised(self) -> int:
        return self.extracted + self.statements

    def unknown_count(self) -> int:
        return sum(self.unknown.values())


# A remark's final word that ends in an abbreviation's own dot ("S.A.", "LTD.").
_ABBREVIATION = re.compile(r"(?:[A-Za-z]{1,5}\.){2,}|(?:LTD|INC|CORP|CO|LTDA|JR|SR)\.")


def split_remarks(text: str) -> list[str]:
    """The ``;``-separated segments of a remark (a ``;`` inside parentheses does not split)."""
    text = text.strip()
    if text.endswith(".") and not _ABBREVIATION.fullmatch(text.rsplit(None, 1)[-1]):
        text = text[:-1]
    segments: list[str] = []
    pending = ""
    for part in text.split(";"):
        pending = f"{pending};{part}" if pending else part
        if pending.count("(") > pending.count(")"):
            continue
        if pending.strip():
            segments.append(pending.strip())
        pending = ""
    if pending.strip():
        segments.append(pending.strip())
    return segments


_NAME_SEGMENT = re.compile(r"^(?:alt\.\s+)?([afn])\.k\.a\.,?\s+'(.+)'$", re.I)
_ALT_PREFIX = re.compile(r"^alt\.\s+", re.I)
_ID_TAIL = re.compile(
    r"^(?P<value>.+?)(?:\s*\((?P<country>[^()]*)\))?"
    r"(?:,?\s+(?:issued|expires|expiring|valid|Issue Date|Expire Date)\b.*)?$",
    re.I,
)

# Identifier labels -> property. Longest labels are tried first.
_ID_LABELS: dict[str, str] = {
    "Passport": "passportNumber",
    "Diplomatic Passport": "passportNumber",
    "Passport No.": "passportNumber",
    "National ID No.": "idNumber",
    "National ID Number": "idNumber",
    "Cedula No.": "idNumber",
    "C.U.R.P.": "idNumber",
    "CURP": "idNumber",
    "D.N.I.": "idNumber",
    "Identification Number": "idNumber",
    "Personal ID Card": "idNumber",
    "National Foreign ID Number": "idNumber",
    "Electoral Registry No.": "idNumber",
    "Birth Certificate Number": "idNumber",
    "Driver's License No.": "idNumber",
    "Residency Number": "idNumber",
    "SSN": "idNumber",
    "Kenyan ID No.": "idNumber",
    "Stateless Person ID Card": "idNumber",
    "Stateless Person Passport": "passportNumber",
    "Refugee ID Card": "idNumber",
    "Personal Numerical Code": "idNumber",
    "Aircraft Construction Number (also called L/N or S/N or F/N)": "idNumber",
    "Aircraft Mode S Transponder Code": "idNumber",
    "Tax ID No.": "taxNumber",
    "R.F.C.": "taxNumber",
    "RFC": "taxNumber",
    "V.A.T. Number": "taxNumber",
    "Italian Fiscal Code": "taxNumber",
    "NIT #": "taxNumber",
    "RUC #": "taxNumber",
    "RIF #": "taxNumber",
    "Registration Number": "registrationNumber",
    "Registration ID": "registrationNumber",
    "Business Registration Number": "registrationNumber",
    "Business Registration Document #": "registrationNumber",
    "Business Number": "registrationNumber",
    "Company Number": "registrationNumber",
    "Commercial Registry Number": "registrationNumber",
    "Commercial Registration Number": "registrationNumber",
    "C.R. No.": "registrationNumber",
    "Folio Mercantil No.": "registrationNumber",
    "Matricula Mercantil No": "registrationNumber",
    "Matricula Mercantil No.": "registrationNumber",
    "Trade License No.": "registrationNumber",
    "License": "registrationNumber",
    "Government Gazette Number": "registrationNumber",
    "Unified Social Credit Code (USCC)": "registrationNumber",
    "Central Registration System Number": "registrationNumber",
    "Istanbul Chamber of Comm. No.": "registrationNumber",
    "Chamber of Commerce Number": "registrationNumber",
    "Enterprise Number": "registrationNumber",
    "Economic Register Number (CBLS)": "registrationNumber",
    "Public Registration Number": "registrationNumber",
    "Certificate of Incorporation Number": "registrationNumber",
    "Aircraft Tail Number": "registrationNumber",
    "Previous Aircraft Tail Number": "registrationNumber",
    "Aircraft Manufacturer's Serial Number (MSN)": "serialNumber",
    "Legal Entity Number": "leiCode",
    "Legal Entity Number (LEI)": "leiCode",
    "SWIFT/BIC": "swiftBic",
    "BIK (RU)": "bikCode",
    "D-U-N-S Number": "dunsCode",
    "Vessel Registration Identification IMO": "imoNumber",
    "IMO": "imoNumber",
    "MMSI": "mmsi",
    "ISIN": "isin",
    "UK Company Number": "registrationNumber",
    "Credencial electoral": "idNumber",
    "Cartilla de Servicio Militar": "idNumber",
    "C.U.I.": "idNumber",
    "C.U.I.P.": "idNumber",
    "C.U.I.T.": "taxNumber",
    "I.F.E.": "idNumber",
    "Permit Number": "idNumber",
    "SRE Permit No.": "idNumber",
    "Dubai Chamber of Commerce Membership No.": "registrationNumber",
    "Branch Unit Number": "registrationNumber",
    "Registered Charity No.": "registrationNumber",
    "Romanian C.R.": "registrationNumber",
    "Turkish Identification Number": "idNumber",
    "Numero de Identidad": "idNumber",
    "Citizen's Card Number": "idNumber",
    "United Social Credit Code Certificate (USCCC)": "registrationNumber",
    "Travel Document Number": "idNumber",
    "VisaNumberID": "idNumber",
    "Tazkira National ID Card": "idNumber",
    "File Number": "idNumber",
    "Serial No.": "serialNumber",
    "RTN": "taxNumber",
    "US FEIN": "taxNumber",
    "Paraguayan tax identification number": "taxNumber",
    "Numero Unico de Identificacao Tributaria (NUIT)": "taxNumber",
    "LE Number": "idNumber",
    "Organization Code": "registrationNumber",
    "Aircraft Serial Identification": "serialNumber",
    "Vessel Registration Identification": "registrationNumber",
}
_ID_RE = re.compile(
    r"^(?P<label>"
    + "|".join(re.escape(k) for k in sorted(_ID_LABELS, key=len, reverse=True))
    + r")(?::|\s)\s*(?P<rest>\S.*)$"
)
# "Label value" segments: (label regex, kind, property). Kinds: "text" keeps the value,
# "country" maps it to an ISO-2 code when known, "date" parses it keeping its precision.
_LABEL_RULES: list[tuple[str, str, str]] = [
    (r"DOB:?\s+", "date", "birthDate"),
    (r"Organization Established Date\s+", "date", "incorporationDate"),
    (r"Vessel Year of Build\s+", "date", "buildDate"),
    (r"Aircraft Manufacture Date\s+", "date", "buildDate"),
    (r"Nationality of Registration\s+", "country", "jurisdiction"),
    (r"(?i:nationality):?\s+", "country", "nationality"),
    (r"(?i:citizen(?:ship)?):?\s+", "country", "citizenship"),
    (r"Former Vessel Flag\s+", "country", "pastFlags"),
    (r"(?:Other )?Vessel Flag\s+", "country", "flag"),
    (r"POB:?\s+", "text", "birthPlace"),
    (r"Linked To:\s*", "text", "linkedTo"),
    (r"(?i:Website):?\s+", "text", "website"),
    (r"(?i:Email(?: Address)?):?\s+", "text", "email"),
    (r"(?i:Phone Number|Telephone(?: Number)?|Tel\.?|Phone):?\s+", "text", "phone"),
    (r"Organization Type:\s*", "text", "sector"),
    (r"Target Type\s+", "text", "classification"),
    (r"Aircraft Model\s+", "text", "model"),
    (r"Aircraft Operator\s+", "text", "operator"),
    (r"Other Vessel Call Sign\s+", "text", "callSign"),
    (r"(?:Other )?Vessel Type\s+", "text", "type"),
    (r"Digital Currency Address - \w+\s+", "text", "cryptoWallet"),
    (r"Gender\s+(?=(?i:male|female)$)", "gender", "gender"),
    (r"ethnicity\s+", "text", "ethnicity"),
    (r"(?:Alternate )?(?:Position|Title)[:,]?\s+", "text", "position"),
]
_LABEL_RE = re.compile(
    "^(?:" + "|".join(f"(?P<r{i}>{label})" for i, (label, _, _) in enumerate(_LABEL_RULES)) + ")"
)
# Statements with no FtM property: recognised, kept in notes only.
_STATEMENTS = re.compile(
    r"^(?:Additional Sanctions Information -|Secondary sanctions risk:|"
    r"Transactions Prohibited For Persons Owned or Controlled By U\.S\. Financial Institutions:|"
    r"Executive Order \d+|Listing Date \(|Effective Date \(|For more information on directives|"
    r"Purchase/Sales For Divestment Date|Equity Ticker|Issuer Name|CAATSA - |IFCA Determination|"
    r"ICTY indictee|all offices worldwide|Subject to Directive|Prohibited Transactions|"
    r"Related To:|Fax:?\s|CAATSA Section|arrested\s|and all other locations|"
    r"All Branches Worldwide|Tribe:|UN/LOCODE\s|Chinese Commercial Code\s|"
    r"(?:wife|husband|daughter|son|child|brother|half-brother|sister|father|mother) of\s)",
    re.I,
)
# Unlabelled segments that state a function or rank.
_POSITION = re.compile(
    r"^(?:Member|Minister|Deputy|Chairman|Chairperson|Vice|President|Governor|Director|"
    r"Head of|Commander|Chief|Ambassador|Senator|Judge|Secretary|Prime Minister|Advis[eo]r|"
    r"Leader|(?:Brigadier|Major|Lieutenant) General|General|Colonel|Magistrate|Rector|Aide|"
    r"First|Second|Managing|Supervisory|Former|Co-founder|Principal|"
    r"Scientific Studies and Research Center)\b"
    r"|\b(?:[Rr]epresentative|[Oo]fficial|[Ee]mployee|[Mm]ember|[Aa]dvisor|Colonel|General)\b"
)
# Honorifics and religious titles standing alone as a segment.
_TITLE = re.compile(
    r"(?:Doctor|Dr|Haji|Hajji|Maulana|Maulawi|Mawlawi|Mullah|Hojjatoleslam|Shaykh|Sheikh|Ustad"
    r"|Lt\. Col)\.?"
)


def _add_country(entity: Entity, prop: str, text: str) -> None:
    entity.add(prop, to_country_code(text) or text)


def _apply_label(entity: Entity, rule: tuple[str, str, str], value: str) -> str | None:
    _, kind, prop = rule
    value = value.strip()
    if not value:
        return None
    if kind == "date":
        date = parse_date(value, prop=prop)
        if date is None:
            return None
        entity.add_date(date)
    elif kind == "country":
        _add_country(entity, prop, value)
    elif kind == "gender":
        entity.add(prop, value.lower())
    else:
        entity.add(prop, value)
    return "extracted"


def _apply_segment(entity: Entity, segment: str) -> str | None:
    """Copy one remark segment into properties; 'extracted', 'statement' or None."""
    m = _NAME_SEGMENT.match(segment)
    if m:
        # f.k.a. names are former names; a.k.a./n.k.a. ones OFAC's weak aliases
        former = m[1].lower() == "f"
        entity.add_name(m[2], NameKind.PREVIOUS if former else NameKind.WEAK)
        return "extracted"
    body = _ALT_PREFIX.sub("", segment)
    m = _ID_RE.match(body)
    if m:
        tail = _ID_TAIL.match(m["rest"])
        value = tail["value"] if tail else m["rest"]
        entity.add(_ID_LABELS[m["label"]], value.strip())
        return "extracted"
    m = _LABEL_RE.match(body)
    if m and m.lastgroup:
        return _apply_label(entity, _LABEL_RULES[int(m.lastgroup[1:])], body[m.end() :])
    if _STATEMENTS.match(body):
        return "statement"
    if _TITLE.fullmatch(body):
        entity.add("title", body)
        return "extracted"
    if _POSITION.search(body):
        entity.add("position", body)
        return "extracted"
    return None


_UNKNOWN_KEY = re.compile(r"^(?:alt\.\s+)?([A-Za-z.'/\- ]+?)(?=[:\d(#]|\s[A-Z0-9]{2,}|\s'|$)")


def apply_remarks(entity: Entity, text: str | None, stats: RemarkStats | None = None) -> None:
    """Keep the remark in ``notes`` and copy what it states into properties."""
    remark = clean_text(text)
    if remark is None:
        return
    entity.add("notes", remark)
    for segment in split_remarks(remark):
        outcome = _apply_segment(entity, segment)
        if stats is None:
            continue
        stats.segments += 1
        if outcome == "extracted":
            stats.extracted += 1
        elif outcome == "statement":
            stats.statements += 1
        else:
            key = _UNKNOWN_KEY.match(segment)
            stats.unknown[" ".join((key[1] if key else segment).split()[:4])] += 1


# -- entities ------------------------------------------------------------------------------


def _schema(sdn_type: str, name: str, remarks: str) -> str:
    schema = _SDN_TYPES.get(sdn_type.strip().lower())
    if schema is None:
        raise ValueError(f"unknown SDN_Type {sdn_type!r}")
    return schema  # Organization may become Company: common.refine_schema, once parsed


def _name_parts(name: str) -> dict[str, str]:
    """``LAST, First Middle`` -> lastName / firstName (the given names as written)."""
    last, sep, first = name.partition(",")
    if not sep or not last.strip() or not first.strip():
        return {}
    return {"lastName": last.strip(), "firstName": first.strip()}


def split_programs(text: str | None) -> list[str]:
    """``[SDGT] [IRGC]`` or ``SDGT] [IFSR`` -> ``["SDGT", "IRGC"]``."""
    if not text:
        return []
    parts = (p.strip() for p in re.split(r"[\[\]]", text))
    return [p for p in parts if p and p != "-0-"]


# Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner -> FtM properties.
_PRIM_PROPS = ("position", "callSign", "type", "tonnage", "grossRegisteredTonnage", "flag", "owner")


_TITLE_LABEL = re.compile(r"^(?:Alt(?:ernate|\.)?\s+)?(?:Position|Title):\s*", re.I)


def _primary_entity(row: list[str], dataset: str, source: str, remarks: str) -> Entity:
    ent_num, name, sdn_type, program = (c.strip() for c in row[:4])
    schema = _schema(sdn_type, name, remarks)
    entity = Entity.create(dataset, ent_num, schema, source_file=source)
    parts = _name_parts(name) if schema == "Person" else {}
    entity.add_name(name, NameKind.PRIMARY, **parts)
    entity.listing.programs = split_programs(clean_text(program))
    for prop, cell in zip(_PRIM_PROPS, row[4:11], strict=True):
        if cell.strip() == "-0-":  # the common case, skipped cheaply
            continue
        if prop == "flag":
            _add_country(entity, prop, cell.strip())
        elif prop == "position":  # "Position: X; Alt. Position: Y" or plain titles
            entity.add(prop, [_TITLE_LABEL.sub("", t.strip()) for t in cell.split(";")])
        else:
            entity.add(prop, cell)
    return entity


def _cell(text: str) -> str | None:
    """A cell's text; None for empty and ``-0-`` (cheaper than clean_text for the common case)."""
    text = text.strip()
    return None if not text or text == "-0-" else text


def _add_alias(entity: Entity, row: list[str]) -> bool:
    """Attach one alt.csv row; False when it carries no name."""
    _, _, alt_type, alt_name, alt_remarks = row
    kind = _ALT_KINDS.get(alt_type.strip().lower())
    if kind is None:
        raise ValueError(f"unknown alt_type {alt_type!r}")
    remark = _cell(alt_remarks)
    if remark and re.search(r"\bweak\b|low quality", remark, re.I):
        kind = NameKind.WEAK
    name = _cell(alt_name)
    if name is None:
        return False
    parts = _name_parts(name) if entity.schema == "Person" else {}
    entity.add_name(name, kind, **parts)
    if remark:
        entity.add("notes", f"{name}: {remark}")
    return True


def _add_address(entity: Entity, row: list[str]) -> None:
    _, _, street, city, country, remarks = (_cell(c) for c in row)
    if street or city:  # an address of a country alone says no more than `country`
        entity.add("address", ", ".join(p for p in (street, city, country) if p))
    if country:
        _add_country(entity, "country", country)
    if remarks:
        entity.add("notes", remarks)


# -- parsing -----------------------------------------------------------------------------

_Rows = dict[str, list[tuple[int, list[str]]]]


def _group(path: Path | None, role: str) -> _Rows:
    grouped: _Rows = defaultdict(list)
    if path is not None:
        for line, row in _rows(path, role):
            grouped[row[0].strip()].append((line, row))
    return grouped


def _comments(path: Path | None) -> dict[str, str]:
    """ent_num -> remark continuation (several rows of one entry are concatenated)."""
    found: dict[str, str] = {}
    if path is not None:
        for _, row in _rows(path, COMMENTS):
            key = row[0].strip()
            found[key] = found.get(key, "") + row[1]
    return found


def _attach(entity: Entity, ent_num: str, alts: _Rows, adds: _Rows, files: FileSet) -> int:
    """Attach the alias and address rows of one entry; the number of aliases attached."""
    attached = 0
    for line, row in alts.pop(ent_num, []):
        try:
            attached += _add_alias(entity, row)
        except ValueError as exc:
            raise FormatError(str(exc), files.alt, line=line, field="alt_type") from exc
    for _, row in adds.pop(ent_num, []):
        _add_address(entity, row)
    return attached


def _warn_orphans(files: FileSet, alts: _Rows, adds: _Rows, comments: dict[str, str]) -> None:
    for path, rows in ((files.alt, alts), (files.add, adds), (files.comments, comments)):
        if rows and path is not None:
            sample = ", ".join(sorted(rows)[:5])
            log.warning(
                "%s: %d entries not in the primary file were skipped (ent_num %s...)",
                path,
                len(rows),
                sample,
            )


def _parse_full(files: FileSet, dataset: str, stats: RemarkStats) -> Iterator[Entity]:
    assert files.prim is not None
    alts, adds = _group(files.alt, ALT), _group(files.add, ADD)
    comments = _comments(files.comments)
    entries = aliases = 0
    source = files.prim.name
    for line, row in _rows(files.prim, PRIM):
        ent_num = row[0].strip()
        remarks = row[11].strip()
        if ent_num in comments:
            remarks = row[11] + comments.pop(ent_num)
        try:
            entity = _primary_entity(row, dataset, source, remarks)
        except ValueError as exc:
            raise FormatError(str(exc), files.prim, line=line, field="SDN_Type") from exc
        apply_remarks(entity, remarks, stats)
        aliases += _attach(entity, ent_num, alts, adds, files)
        entries += 1
        yield refine_schema(entity)
    _warn_orphans(files, alts, adds, comments)
    log.info("%s: %d entries, %d alias rows attached", files.folder, entries, aliases)


def _parse_partial(files: FileSet, dataset: str) -> Iterator[Entity]:
    log.warning(
        "%s: no primary file (sdn.csv / cons_prim.csv): entities carry ids, aliases and "
        "addresses but no primary name, schema or programme",
        files.folder,
    )
    alts, adds = _group(files.alt, ALT), _group(files.add, ADD)
    comments = _comments(files.comments)
    source = (files.alt or files.add or files.folder).name
    for ent_num in sorted(set(alts) | set(adds), key=int):
        entity = Entity.create(dataset, ent_num, "LegalEntity", source_file=source)
        _attach(entity, ent_num, alts, adds, files)
        # A continuation starts mid-sentence: keep it as a note, read nothing from it.
        if ent_num in comments:
            entity.add("notes", comments.pop(ent_num))
        yield entity
    _warn_orphans(files, alts, adds, comments)


def parse(
    path: Path, dataset: str | None = None, stats: RemarkStats | None = None
) -> Iterator[Entity]:
    """Stream the entities of an OFAC CSV set (given its folder or one of its files).

    ``stats``, if given, is filled with counts of the remark segments understood.
    """
    path = Path(path)
    files = find_files(path)
    dataset = dataset or dataset_for(path)
    if files.prim is None:
        yield from _parse_partial(files, dataset)
    else:
        yield from _parse_full(files, dataset, stats if stats is not None else RemarkStats())
