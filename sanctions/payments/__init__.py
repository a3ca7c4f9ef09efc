"""Screening payments: SWIFT MT103/MT202/MT202 COV and ISO 20022 pacs.008/pacs.009/pain.001.

    >>> from sanctions.payments import PaymentScreener
    >>> payments = PaymentScreener(Screener(Store.open("lists.db")))
    >>> for result in payments.screen_path("outgoing/"):
    ...     print(result.source, result.decision, [f.reason for f in result.findings])

Parsers (:mod:`.mt`, :mod:`.iso`) give a :class:`Payment`: a flat list of values
(names, BICs, countries, address lines, free text), each with its field path;
:class:`PaymentScreener` runs the checks (:mod:`.checks`) and decides pass,
review or hold under a :class:`Policy` (``data/policy.yml``), using the table
of embargoed countries and sanctioned regions (``data/regions.yml``).
"""

from __future__ import annotations

from .batch import decode, parse_message, read_messages, read_text
from .checks import Finding
from .goodguys import GoodGuy, GoodGuyList, load_good_guys, parse_good_guys
from .model import Kind, Payment, PaymentError, Value
from .policy import Policy, load_policy, parse_policy
from .regions import Gazetteer, RegionTable, load_regions
from .screen import CHECKS, PaymentResult, PaymentScreener, audit_results, entity_hashes

__all__ = [
    "CHECKS",
    "Finding",
    "Gazetteer",
    "GoodGuy",
    "GoodGuyList",
    "Kind",
    "Payment",
    "PaymentError",
    "PaymentResult",
    "PaymentScreener",
    "Policy",
    "RegionTable",
    "Value",
    "audit_results",
    "entity_hashes",
    "decode",
    "load_good_guys",
    "load_policy",
    "load_regions",
    "parse_message",
    "parse_good_guys",
    "parse_policy",
    "read_messages",
    "read_text",
]
