"""What a parsed payment message holds: the values to screen, each with its field path.

A parser (:mod:`.mt`, :mod:`.iso`) turns one message into a :class:`Payment`: a flat
list of :class:`Value` (a party or agent name, a BIC, a country code, an address
line, a line of free text), each carrying the path of the field it came from
(``59F/1``, ``CdtTrfTxInf/Cdtr/Nm``) so that every finding can say where it is.
A message that cannot be parsed raises :class:`PaymentError`, naming the
message and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sanctions.countries import is_country_code
from sanctions.errors import SanctionsError

__all__ = ["BIC_RE", "Kind", "Payment", "PaymentError", "Value", "check_bic", "check_country"]

# ISO 9362: 4 letters (institution), 2 letters (country), 2 alphanumerics (location),
# optionally 3 alphanumerics (branch; XXX is the head office).
BIC_RE = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$")


class PaymentError(SanctionsError):
    """A payment message cannot be parsed: names the message and, where known, the field."""

    def __init__(self, message: str, source: str | None = None, field: str | None = None) -> None:
        self.message = message
        self.source = source
        self.field = field
        self.fingerprint: str | None = None  # sha256 of the raw message, set by the reader
        super().__init__(self.describe())

    def describe(self) -> str:
        where = [w for w in (self.source, f"field {self.field}" if self.field else None) if w]
        return f"{', '.join(where)}: {self.message}" if where else self.message


class Kind(StrEnum):
    """What a value is, and so which checks it gets."""

    NAME = "name"  # a party or agent name: screened against every list
    BIC = "bic"  # a BIC: checked against listed swiftBic values (and its country)
    COUNTRY = "country"  # an ISO country code: checked against the embargo table
    ADDRESS = "address"  # an address line or town: checked for sanctioned regions
    TEXT = "text"  # remittance, sender-to-receiver, purpose: regions, BICs, names


@dataclass(frozen=True)
class Value:
    """One value of a message to screen, with the path of its field."""

    path: str
    kind: Kind
    text: str
    role: str = ""  # ordering_customer, beneficiary, debtor_agent, ...
    schema: str = "LegalEntity"  # for names: Person, Organization or LegalEntity

    def to_dict(self) -> dict[str, Any]:
        data = {"path": self.path, "kind": str(self.kind), "text": self.text}
        if self.role:
            data["role"] = self.role
        return data


@dataclass
class Payment:
    """One parsed message: its type, reference, fingerprint and the values to screen."""

    source: str  # where it came from: file, file#3, <stdin>#2
    type: str  # MT103, MT202, MT202COV, pacs.008.001.08, pain.001.001.09 ...
    reference: str  # field 20 or MsgId
    fingerprint: str  # sha256 of the canonical message content (transport headers left out)
    values: list[Value] = field(default_factory=list)
    currency: str | None = None
    amount: str | None = None

    def of_kind(self, kind: Kind) -> list[Value]:
        return [v for v in self.values if v.kind == kind]


def check_bic(value: str, source: str, path: str) -> str:
    """The BIC in upper case, or :class:`PaymentError` naming the field."""
    bic = value.strip().upper()
    if not BIC_RE.match(bic):
        raise PaymentError(f"{value!r} is not a BIC (8 or 11 characters, ISO 9362)", source, path)
    if not is_country_code(bic[4:6].lower()):
        raise PaymentError(f"BIC {bic}: {bic[4:6]!r} is not a country code", source, path)
    return bic


def check_country(value: str, source: str, path: str) -> str:
    """The ISO 3166 alpha-2 code in lower case, or :class:`PaymentError` naming the field."""
    code = value.strip().lower()
    if len(code) != 2 or not is_country_code(code):
        raise PaymentError(f"{value!r} is not an ISO 3166 country code", source, path)
    return code
