"""Identifiers: one interface (``is_valid``, ``normalize``, ``format``) per type, one table.

Lenient: ``normalize`` returns ``None`` for a value that is not of the type,
so that a bad identifier is ignored rather than matched. Check digits are
verified where the type defines them (IMO, LEI); formats where it defines one
(BIC, MMSI). Passport, national id, tax and registration numbers have no
universal format: they are reduced to their letters and digits.

    >>> IDENTIFIERS["imo"].normalize("IMO 9176187")
    '9176187'
    >>> IDENTIFIERS["lei"].is_valid("5493001KJTIIGC8Y1R12")
    True
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "IdentifierType",
    "IDENTIFIERS",
    "PROPERTY_TYPES",
    "extract_identifiers",
]

_ALNUM = re.compile(r"[^A-Z0-9]")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9/\-.]*")


class IdentifierType:
    """Base: an identifier is its upper-case letters and digits."""

    name = "id"
    generic = True  # compared with other generic types (a passport may sit in idNumber)

    def clean(self, value: str) -> str:
        return _ALNUM.sub("", value.upper())

    def is_valid(self, value: str) -> bool:
        return self.normalize(value) is not None

    def normalize(self, value: str) -> str | None:
        """The digit-bearing words of the value, joined (``"Libya 428720"`` -> ``"428720"``)."""
        words = [w for w in _WORD.findall(value) if any(ch.isdigit() for ch in w)]
        text = self.clean("".join(words))
        if len(text) < 4 or sum(ch.isdigit() for ch in text) < 3:
            return None
        return text

    def format(self, value: str) -> str:
        return self.normalize(value) or value


class Imo(IdentifierType):
    name = "imo"
    generic = False

    def normalize(self, value: str) -> str | None:
        digits = re.sub(r"\D", "", value)
        if len(digits) != 7:
            return None
        check = sum(int(d) * w for d, w in zip(digits[:6], range(7, 1, -1), strict=True)) % 10
        return digits if check == int(digits[6]) else None

    def format(self, value: str) -> str:
        norm = self.normalize(value)
        return f"IMO {norm}" if norm else value


class Mmsi(IdentifierType):
    name = "mmsi"
    generic = False

    def normalize(self, value: str) -> str | None:
        digits = re.sub(r"\D", "", value)
        return digits if len(digits) == 9 and digits[0] in "2345679" else None


class Bic(IdentifierType):
    name = "bic"
    generic = False
    _RE = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")

    def normalize(self, value: str) -> str | None:
        text = self.clean(value)
        if not self._RE.match(text):
            return None
        # Branch code "XXX" denotes the head office: an 11-character BIC ending in it is
        # the same institution as its 8-character form.
        head_office = "X" * 3
        return text[:8] if text.endswith(head_office) else text


class Lei(IdentifierType):
    name = "lei"
    generic = False
    _RE = re.compile(r"^[A-Z0-9]{18}[0-9]{2}$")

    def normalize(self, value: str) -> str | None:
        text = self.clean(value)
        if not self._RE.match(text):
            return None
        number = int("".join(str(int(ch, 36)) for ch in text))
        return text if number % 97 == 1 else None


@dataclass(frozen=True)
class _Generic(IdentifierType):
    name: str = "id"


IDENTIFIERS: dict[str, IdentifierType] = {
    "imo": Imo(),
    "mmsi": Mmsi(),
    "bic": Bic(),
    "lei": Lei(),
    "passport": _Generic("passport"),
    "national_id": _Generic("national_id"),
    "tax": _Generic("tax"),
    "registration": _Generic("registration"),
}

# FtM property -> identifier type.
PROPERTY_TYPES: dict[str, str] = {
    "imoNumber": "imo",
    "mmsi": "mmsi",
    "swiftBic": "bic",
    "bicCode": "bic",
    "leiCode": "lei",
    "passportNumber": "passport",
    "idNumber": "national_id",
    "nationalId": "national_id",
    "taxNumber": "tax",
    "innCode": "tax",
    "vatCode": "tax",
    "registrationNumber": "registration",
    "ogrnCode": "registration",
}


def extract_identifiers(properties: Mapping[str, Iterable[str]]) -> set[tuple[str, str]]:
    """``(pool, normalised value)`` pairs: generic types share the pool ``"id"``."""
    found: set[tuple[str, str]] = set()
    for prop, type_name in PROPERTY_TYPES.items():
        id_type = IDENTIFIERS[type_name]
        for value in properties.get(prop, ()):
            norm = id_type.normalize(str(value))
            if norm is not None:
                found.add(("id" if id_type.generic else id_type.name, norm))
    return found
