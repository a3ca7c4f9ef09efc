"""ISO 20022 pacs.008, pacs.009 and pain.001 (any version): parties, agents, addresses, texts.

Parsed with lxml, entity expansion, network access and DTDs off: a document with a
DTD is refused. The parser is namespace-agnostic: it reads the message type and
version from the ``Document`` namespace (``urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08``)
and then works on local element names, which have kept their meaning across the
versions (``BIC`` became ``BICFI`` in 2019; both are read). A business application
header envelope (``AppHdr`` + ``Document``) is accepted.

Why lxml and not ``pyiso20022`` (dataclasses generated from the official XSDs): it
pins one generated class set per version, weighs several MB, pulls in xsdata, and
screening needs only a dozen element names that are the same in every version;
an unknown version would be refused by a generated-class parser, although its
parties read the same. Validating against the XSD is the sending bank's job; here
the limits that matter for screening (lengths of names, text and address lines,
BIC and country formats) are checked, and a breach is an error naming the path.

Paths are local names from the message's top (``GrpHdr``, ``CdtTrfTxInf``,
``PmtInf``), with ``[n]`` for the second and later repetitions:
``CdtTrfTxInf/Cdtr/Nm``, ``PmtInf/CdtTrfTxInf[2]/CdtrAgt/FinInstnId/BICFI``.
"""

from __future__ import annotations

import hashlib
import re

from lxml import etree

from .model import Kind, Payment, PaymentError, Value, check_bic, check_country

__all__ = ["SUPPORTED", "is_xml", "parse_iso"]

# message -> (root element, oldest and newest version read)
SUPPORTED = {
    "pacs.008": ("FIToFICstmrCdtTrf", 1, 13),
    "pacs.009": ("FICdtTrf", 1, 12),
    "pain.001": ("CstmrCdtTrfInitn", 1, 12),
}
_NS = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:(pacs\.00[89]|pain\.001)\.001\.(\d{2})$")
PARTIES = {
    "Dbtr": "debtor",
    "Cdtr": "creditor",
    "UltmtDbtr": "ultimate_debtor",
    "UltmtCdtr": "ultimate_creditor",
    "InitgPty": "initiating_party",
    "Invcr": "invoicer",
    "Invcee": "invoicee",
    "DbtrAgt": "debtor_agent",
    "CdtrAgt": "creditor_agent",
    "InstgAgt": "instructing_agent",
    "InstdAgt": "instructed_agent",
    "IntrmyAgt1": "intermediary_agent",
    "IntrmyAgt2": "intermediary_agent",
    "IntrmyAgt3": "intermediary_agent",
    "PrvsInstgAgt1": "previous_instructing_agent",
    "PrvsInstgAgt2": "previous_instructing_agent",
    "PrvsInstgAgt3": "previous_instructing_agent",
    "FwdgAgt": "forwarding_agent",
}
NAME_PARENTS = {"FinInstnId", "Pty", *PARTIES}
TAX_PARENTS = {"Tax", "TaxRmt"}  # their Cdtr/Dbtr are tax parties (ids, no names)
ADDRESS_PARTS = {"StrtNm", "BldgNm", "TwnNm", "TwnLctnNm", "DstrctNm", "CtrySubDvsn", "AdrLine"}
ADDRESS_PARTS |= {"PstCd", "Dept", "SubDept", "Room", "Flr", "PstBx"}
TEXTS = {"Ustrd", "AddtlRmtInf", "InstrInf", "Inf", "AddtlInf", "Prtry", "Cd", "Nb"}
TEXT_PARENTS = {"RmtInf", "Purp", "InstrForCdtrAgt", "InstrForNxtAgt", "RgltryRptg", "Strd"}
# Longest value per element (the schemas' MaxNNText); anything longer is refused.
MAX_CHARS = {"Nm": 140, "Ustrd": 140, "AdrLine": 70, "TwnNm": 35, "StrtNm": 70, "InstrInf": 140}
DEFAULT_MAX = 350
MAX_BYTES = 10_000_000


def is_xml(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n").startswith("<")


def _local(el: etree._Element) -> str:
    """The element's name without its namespace ("" for comments and processing instructions)."""
    tag = el.tag
    return tag[tag.rfind("}") + 1 :] if isinstance(tag, str) else ""


def _parse_tree(text: str, source: str) -> etree._Element:
    data = text.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise PaymentError(f"{len(data):,} bytes (limit {MAX_BYTES:,})", source)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True
    )
    try:
        root = etree.fromstring(re.sub(rb"^<\?xml[^>]*\?>", b"", data.lstrip()), parser)
    except etree.XMLSyntaxError as exc:
        raise PaymentError(f"XML is not well-formed: {exc}", source) from exc
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise PaymentError("XML with a DTD (or entities) is refused", source)
    return root


def _document(root: etree._Element, source: str) -> tuple[etree._Element, str, str]:
    docs = [root] if _local(root) == "Document" else list(root.iter("{*}Document"))
    if len(docs) != 1:
        raise PaymentError("expected one ISO 20022 <Document>", source)
    doc = docs[0]
    ns = etree.QName(doc).namespace or ""
    match = _NS.match(ns)
    if not match:
        raise PaymentError(f"namespace {ns!r} is not pacs.008, pacs.009 or pain.001", source)
    name, version = match.group(1), int(match.group(2))
    element, oldest, newest = SUPPORTED[name]
    if not oldest <= version <= newest:
        raise PaymentError(f"{name}.001.{version:02d} is not a supported version", source)
    body = [c for c in doc if _local(c) == element]
    if len(body) != 1:
        raise PaymentError(f"no <{element}> in the {name} document", source)
    return body[0], f"{name}.001.{version:02d}", ns


class _Reader:
    def __init__(self, payment: Payment) -> None:
        self.payment = payment
        self.source = payment.source

    def add(self, path: str, kind: Kind, text: str, role: str = "", schema: str = "") -> None:
        self.payment.values.append(Value(path, kind, text, role, schema or "LegalEntity"))

    def text_of(self, el: etree._Element, path: str, name: str = "") -> str:
        text = " ".join((el.text or "").split())
        limit = MAX_CHARS.get(name or _local(el), DEFAULT_MAX)
        if len(text) > limit:
            raise PaymentError(f"{len(text):,} characters (at most {limit})", self.source, path)
        return text

    def walk(self, el: etree._Element, path: str, role: str = "", schema: str = "") -> None:
        counts: dict[str, int] = {}
        parent = _local(el)
        for child in el:
            name = _local(child)
            if not name:
                continue
            counts[name] = counts.get(name, 0) + 1
            step = name if counts[name] == 1 else f"{name}[{counts[name]}]"
            sub = f"{path}/{step}" if path else step
            if name in PARTIES and parent not in TAX_PARENTS:
                self.party(child, sub, PARTIES[name])
            elif len(child):
                self.walk(child, sub, role, schema)
            else:
                self.leaf(child, name, sub, role, schema, parent)

    def party(self, el: etree._Element, path: str, role: str) -> None:
        """A party (PartyIdentification) or an agent (BranchAndFinancialInstitutionIdentification)."""
        agent = any(_local(c) == "FinInstnId" for c in el)
        if agent:
            schema = "Organization"
        elif el.find(".//{*}PrvtId") is not None:
            schema = "Person"
        elif el.find(".//{*}OrgId") is not None:
            schema = "Organization"
        else:
            schema = "LegalEntity"
        before = len(self.payment.values)
        self.walk(el, path, role, schema)  # (early versions nest the party in <Pty>)
        added = self.payment.values[before:]
        if not agent and not any(v.kind in (Kind.NAME, Kind.BIC) for v in added):
            raise PaymentError(
                "a party without a name (Nm) or BIC cannot be screened", self.source, path
            )

    def leaf(
        self, el: etree._Element, name: str, path: str, role: str, schema: str, parent: str
    ) -> None:
        text = self.text_of(el, path, name)
        if not text:
            return
        if name in ("BICFI", "BIC", "AnyBIC", "BICOrBEI"):
            self.add(path, Kind.BIC, check_bic(text, self.source, path), role)
        elif name in ("Ctry", "CtryOfRes", "CtryOfBirth"):
            self.add(path, Kind.COUNTRY, check_country(text, self.source, path), role)
        elif name == "Nm" and role and parent in NAME_PARENTS:
            self.add(path, Kind.NAME, text, role, schema)
        elif name in ADDRESS_PARTS or name == "CityOfBirth":
            self.add(path, Kind.ADDRESS, text, role)
        elif name in TEXTS or parent in TEXT_PARENTS:
            self.add(path, Kind.TEXT, text, role)
        elif name == "MsgId" and not self.payment.reference:
            self.payment.reference = text
        elif name in ("IntrBkSttlmAmt", "InstdAmt") and self.payment.currency is None:
            self.payment.currency, self.payment.amount = el.get("Ccy"), text


def parse_iso(text: str, source: str = "<message>") -> Payment:
    """One pacs.008/pacs.009/pain.001 document as a :class:`Payment`; :class:`PaymentError` if bad."""
    root = _parse_tree(text, source)
    body, mtype, _ = _document(root, source)
    canonical = etree.tostring(body, method="c14n")
    payment = Payment(source, mtype, "", hashlib.sha256(canonical).hexdigest())
    _Reader(payment).walk(body, "")
    if not payment.of_kind(Kind.NAME) and not payment.of_kind(Kind.BIC):
        raise PaymentError("no party or agent found (no Nm, BICFI)", source)
    return payment
