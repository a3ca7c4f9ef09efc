"""Screening payments: SWIFT MT103/MT202/MT202 COV and ISO 20022 pacs.008/pacs.009/pain.001.

    >>> from sanctions.payments import read_messages
    >>> for message in read_messages("payments/"):
    ...     print(message.type, [v.path for v in message.values])

Parsers (:mod:`.mt`, :mod:`.iso`) give a :class:`Payment`: a flat list of values
(names, BICs, countries, address lines, free text), each with its field path.
"""

from __future__ import annotations

from .batch import decode, parse_message, read_messages, read_text
from .model import Kind, Payment, PaymentError, Value

__all__ = [
    "Kind",
    "Payment",
    "PaymentError",
    "Value",
    "decode",
    "parse_message",
    "read_messages",
    "read_text",
]
