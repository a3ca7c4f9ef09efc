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
    "STRONG_POOLS",
    "LABELS",
    "extract_identifiers",
    "identifier_properties",
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

    def _matching(self, value: str, pattern: re.Pattern[str]) -> str | None:
        """The cleaned value if it has the type's format, else None."""
        text = self.clean(value)
        return text if pattern.match(text) else None


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
        text = self._matching(value, self._RE)
        if text is None:
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
        text = self._matching(value, self._RE)
        if text is None:
            return None
        number = int("".join(str(int(ch, 36)) for ch in text))
        return text if number % 97 == 1 else None


class UnReference(IdentifierType):
    """A UN Security Council reference (``QDi.001``, ``KPe.033``): case and dots ignored."""

    name = "unsc"
    generic = False
    _RE = re.compile(r"^[A-Z]{2}[EI]\d{3}$")

    def normalize(self, value: str) -> str | None:
        return self._matching(value, self._RE)

    def format(self, value: str) -> str:
        norm = self.normalize(value)
        return f"{norm[:2]}{norm[2].lower()}.{norm[3:]}" if norm else value


@dataclass(frozen=True)
class _Generic(IdentifierType):
    name: str = "id"


IDENTIFIERS: dict[str, IdentifierType] = {
    "imo": Imo(),
    "mmsi": Mmsi(),
    "bic": Bic(),
    "lei": Lei(),
    "unsc": UnReference(),
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
    "unscId": "unsc",
    "passportNumber": "passport",
    "idNumber": "national_id",
    "nationalId": "national_id",
    "taxNumber": "tax",
    "innCode": "tax",
    "vatCode": "tax",
    "registrationNumber": "registration",
    "ogrnCode": "registration",
}


# Pools whose exact match identifies an entity on its own: each value is unique
# world-wide and checked (IMO, LEI check digits; BIC, MMSI, UN reference formats).
# The pool "id" (passports, national ids, tax and registration numbers) is only
# unique within a country: it is strong when the two sides share a country.
STRONG_POOLS = frozenset({"imo", "mmsi", "bic", "lei", "unsc"})
LABELS = {
    "imo": "IMO",
    "mmsi": "MMSI",
    "bic": "BIC",
    "lei": "LEI",
    "unsc": "UN reference",
    "id": "identity/registration number",
}

# The specific type of a free-form identifier (``--id-number``, a search text), tried in
# this order: the property it is listed under for each type it is valid as.
_QUERY_PROPERTIES = (
    ("imo", "imoNumber"),
    ("mmsi", "mmsi"),
    ("lei", "leiCode"),
    ("bic", "swiftBic"),
    ("unsc", "unscId"),
)


def extract_identifiers(
    properties: Mapping[str, Iterable[str]], query: bool = False
) -> set[tuple[str, str]]:
    """``(pool, normalised value)`` pairs: generic types share the pool ``"id"``.

    On the query side (``query=True``) a branch BIC (11 characters) also yields
    its head office (first 8): a listed head office covers its branches, so a
    payment through a branch of a listed bank matches it. A listed branch
    yields only itself: it does not make its head office (or its sibling
    branches) listed.
    """
    found: set[tuple[str, str]] = set()
    for prop, type_name in PROPERTY_TYPES.items():
        id_type = IDENTIFIERS[type_name]
        for value in properties.get(prop, ()):
            norm = id_type.normalize(str(value))
            if norm is None:
                continue
            found.add(("id" if id_type.generic else id_type.name, norm))
            if query and type_name == "bic" and len(norm) == 11:
                found.add(("bic", norm[:8]))
    return found


def identifier_properties(value: str) -> dict[str, list[str]]:
    """The properties a free-form identifier is compared under.

    Always ``idNumber`` (passports and national ids share its pool) when the
    value has digits, and every specific property whose type the value is valid
    as: ``"9187629"`` is also an ``imoNumber``, ``"DEUTDEFF"`` a ``swiftBic``,
    ``"QDi.001"`` a ``unscId``.
    """
    text = value.strip()
    props: dict[str, list[str]] = {}
    if IDENTIFIERS["national_id"].normalize(text) is not None:
        props["idNumber"] = [text]
    for type_name, prop in _QUERY_PROPERTIES:
        if IDENTIFIERS[type_name].normalize(text) is not None:
            props[prop] = [text]
    return props
