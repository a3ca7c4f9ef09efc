"""SWIFT MT103, MT202 and MT202 COV: a small parser of the block structure.

A message is ``{1:...}{2:...}{3:{108:...}{119:COV}}{4:<CRLF>:20:...<CRLF>-}{5:...}``.
Block 2 gives the type (``I103...``/``O103...``); block 4 holds the fields, each
starting on a line with ``:TAG:`` (two digits and an optional option letter).
Only the fields the screening needs are interpreted; every tag must be one the
message type allows, lines keep to the standard's lengths, and BICs and country
codes are checked, so a malformed message is refused with the field named.

Field paths are the tags (``50K``, ``59F/1`` for line ``1/`` of 59F, ``72``); in
an MT202 COV the underlying customer credit transfer (sequence B, from field 50a
on) is prefixed ``B/`` (``B/59F/1``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from .model import Kind, Payment, PaymentError, Value, check_bic, check_country

__all__ = ["is_mt", "parse_mt", "split_mt"]

_TAG = re.compile(r"^:(\d{2}[A-Z]?):", re.M)
# Tags each type may carry (the option letter is checked with the tag).
_COMMON = {"20", "13C", "32A", "52A", "52D", "53A", "53B", "53D", "54A", "54B", "54D"}
_COMMON |= {"56A", "56C", "56D", "57A", "57B", "57C", "57D", "72"}
ALLOWED = {
    "103": _COMMON
    | {"23B", "23E", "26T", "33B", "36", "50A", "50F", "50K", "51A", "55A", "55B", "55D"}
    | {"59", "59A", "59F", "70", "71A", "71F", "71G", "77B", "77T"},
    "202": _COMMON | {"21", "58A", "58D"},
    "202COV": _COMMON | {"21", "58A", "58D", "50A", "50F", "50K", "59", "59A", "59F", "70", "33B"},
}
REQUIRED = {
    "103": ("20", "23B", "32A", "50", "59", "71A"),
    "202": ("20", "21", "32A", "58"),
    "202COV": ("20", "21", "32A", "58", "50", "59"),
}
# Lines x characters per field (Network Validated Rules); anything longer is refused.
SIZES = {"70": (4, 35), "72": (6, 35), "77B": (3, 35), "77T": (1, 9000)}
DEFAULT_SIZE = (5, 35)
ROLES = {
    "50": "ordering_customer",
    "51": "sending_institution",
    "52": "ordering_institution",
    "53": "senders_correspondent",
    "54": "receivers_correspondent",
    "55": "third_reimbursement_institution",
    "56": "intermediary",
    "57": "account_with_institution",
    "58": "beneficiary_institution",
    "59": "beneficiary",
}
_STRUCTURED_LINE = re.compile(r"^([1-8])/(.*)$")


def is_mt(text: str) -> bool:
    """Whether the text starts like a SWIFT FIN message (block 1 or block 4)."""
    head = text.lstrip("\ufeff \t\r\n")
    return head.startswith("{1:") or head.startswith("{4:")


def split_mt(text: str, source: str) -> Iterator[tuple[str, str]]:
    """The messages of a file holding one or many, each with its source (``file#n``)."""
    starts = [m.start() for m in re.finditer(r"\{1:", text)]
    if not starts:
        starts = [text.find("{")]
    many = len(starts) > 1
    for n, (start, end) in enumerate(zip(starts, [*starts[1:], len(text)], strict=True), 1):
        chunk = text[start:end].strip().rstrip("$").strip()
        yield chunk, f"{source}#{n}" if many else source


def _blocks(text: str, source: str) -> dict[str, str]:
    """Top-level blocks ``{n:...}`` by their number; braces nest (block 3 and 5)."""
    blocks: dict[str, str] = {}
    i = 0
    text = text.strip()
    while i < len(text):
        if text[i] in " \r\n\t":
            i += 1
            continue
        match = re.match(r"\{([1-5]):", text[i:])
        if not match:
            raise PaymentError(f"expected a block '{{n:' at character {i + 1}", source)
        name, depth, j = match.group(1), 0, i
        while j < len(text):
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if depth != 0:
            raise PaymentError(f"block {name} is truncated (no closing brace)", source)
        if name in blocks:
            raise PaymentError(f"block {name} appears twice", source)
        blocks[name] = text[i + len(match.group(0)) : j]
        i = j + 1
    if "4" not in blocks:
        raise PaymentError("no block 4 (the message text)", source)
    return blocks


def _type(blocks: dict[str, str], source: str) -> str:
    head = blocks.get("2", "")
    match = re.match(r"^[IO](\d{3})", head)
    if not match:
        raise PaymentError(f"block 2 {head[:20]!r} does not give a message type", source)
    mtype = match.group(1)
    if mtype not in ("103", "202"):
        raise PaymentError(f"MT{mtype} is not supported (MT103, MT202, MT202 COV)", source)
    if mtype == "202" and re.search(r"\{119:COV\}", blocks.get("3", "")):
        return "202COV"
    return mtype


def _fields(body: str, source: str) -> list[tuple[str, str]]:
    body = body.replace("\r\n", "\n")
    if not body.rstrip().endswith("\n-") and body.rstrip() != "-":
        raise PaymentError("block 4 is truncated (does not end with '-')", source)
    body = body.rstrip()[:-1]
    matches = list(_TAG.finditer(body))
    if not matches or body[: matches[0].start()].strip():
        raise PaymentError("block 4 does not start with a field tag ':NN:'", source)
    out = []
    for m, nxt in zip(matches, [*matches[1:], None], strict=True):
        end = nxt.start() if nxt else len(body)
        out.append((m.group(1), body[m.end() : end].strip("\n")))
    return out


def _check_size(tag: str, value: str, source: str) -> list[str]:
    lines = value.split("\n")
    count, width = SIZES.get(tag, DEFAULT_SIZE)
    if len(lines) > count:
        raise PaymentError(f"{len(lines)} lines (at most {count})", source, tag)
    for n, line in enumerate(lines, 1):
        if len(line) > width:
            raise PaymentError(
                f"line {n} has {len(line):,} characters (at most {width})", source, tag
            )
    return lines


def _party_lines(lines: list[str]) -> list[str]:
    """Drop the leading account / party-identifier line (``/123``, ``/D/123``)."""
    return lines[1:] if lines and lines[0].startswith("/") else lines


def _structured(tag: str, path: str, role: str, lines: list[str], source: str) -> list[Value]:
    """50F/59F: numbered lines ``1/name``, ``2/address``, ``3/CC/town``, ``4/`` birth date..."""
    out: list[Value] = []
    # the first line is the party identifier (/account, or CODE/CC/id), optional in 59F
    rest = lines if lines and _STRUCTURED_LINE.match(lines[0]) else lines[1:]
    numbered = [(m.group(1), m.group(2)) for m in map(_STRUCTURED_LINE.match, rest) if m]
    if len(numbered) != len(rest) or not any(num == "1" for num, _ in numbered):
        raise PaymentError("expected a name line '1/' and lines '2/' to '8/'", source, tag)
    person = any(num in ("4", "5", "6", "7") for num, _ in numbered) and tag.startswith("50")
    names = " ".join(text for num, text in numbered if num == "1")
    if names:
        out.append(
            Value(f"{path}/1", Kind.NAME, names, role, "Person" if person else "LegalEntity")
        )
    for num, text in numbered:
        if num == "2":
            out.append(Value(f"{path}/2", Kind.ADDRESS, text, role))
        elif num in ("3", "5", "6", "7"):
            country, _, place = text.partition("/")
            out.append(
                Value(
                    f"{path}/{num}",
                    Kind.COUNTRY,
                    check_country(country, source, f"{path}/{num}"),
                    role,
                )
            )
            if num in ("3", "5") and place:
                out.append(Value(f"{path}/{num}", Kind.ADDRESS, place, role))
        elif num == "8":
            out.append(Value(f"{path}/8", Kind.ADDRESS, text, role))
    return out


def _field_values(tag: str, path: str, value: str, source: str) -> list[Value]:
    lines = _check_size(tag, value, source)
    role = ROLES.get(tag[:2], "")
    option = tag[2:]
    if tag in ("70", "72", "77B", "77T"):
        return [Value(path, Kind.TEXT, " ".join(line.strip() for line in lines), role)]
    if not role:
        return []
    if option == "F":
        return _structured(tag, path, role, lines, source)
    rest = _party_lines(lines)
    if option == "A" or (tag == "59A"):
        if len(rest) != 1:
            raise PaymentError(
                "option A holds one BIC (after an optional /account line)", source, tag
            )
        return [Value(path, Kind.BIC, check_bic(rest[0], source, path), role)]
    if option in ("D", "K", "") and not rest:
        raise PaymentError("no name (only an account line)", source, tag)
    if option in ("D", "K", ""):
        # an institution (52D...) or a customer of unknown type (50K, 59): name, then address
        schema = "Organization" if tag[:2] not in ("50", "59") else "LegalEntity"
        out = [Value(path, Kind.NAME, rest[0].strip(), role, schema)]
        out += [Value(path, Kind.ADDRESS, line.strip(), role) for line in rest[1:] if line.strip()]
        return out
    if option in ("B", "C"):
        return [Value(path, Kind.ADDRESS, line.strip(), role) for line in rest if line.strip()]
    return []


def _fingerprint(mtype: str, fields: list[tuple[str, str]]) -> str:
    canonical = "MT" + mtype + "\n" + "\n".join(f":{t}:{v.strip()}" for t, v in fields)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def parse_mt(text: str, source: str = "<message>") -> Payment:
    """One MT103/MT202/MT202 COV message as a :class:`Payment`; :class:`PaymentError` if bad."""
    blocks = _blocks(text, source)
    mtype = _type(blocks, source)
    fields = _fields(blocks["4"], source)
    allowed, tags = ALLOWED[mtype], [t for t, _ in fields]
    for tag in tags:
        if tag not in allowed:
            raise PaymentError(f"tag {tag} is not a field of MT{mtype}", source, tag)
    for need in REQUIRED[mtype]:
        if not any(t.startswith(need) for t in tags):
            raise PaymentError(f"required field {need} is missing", source, need)
    payment = Payment(source, f"MT{mtype}", "", _fingerprint(mtype, fields))
    seq_b = False
    for tag, value in fields:
        seq_b = seq_b or (mtype == "202COV" and tag.startswith("50"))
        path = f"B/{tag}" if seq_b else tag
        if tag == "20":
            payment.reference = value.strip()
        elif tag == "32A" or (tag == "33B" and not payment.currency):
            match = re.match(r"^(?:\d{6})?([A-Z]{3})([\d,]+)$", value.strip())
            if not match:
                raise PaymentError(f"{value!r} is not [date]currency amount", source, path)
            payment.currency, payment.amount = match.group(1), match.group(2)
        payment.values.extend(_field_values(tag, path, value, source))
    # The sender (block 1) and receiver (block 2) BICs are agents too.
    sender = re.match(r"^F01([A-Z0-9]{8})[A-Z0-9]([A-Z0-9]{3})", blocks.get("1", ""))
    if sender:
        bic = sender.group(1) + sender.group(2)
        payment.values.append(Value("1/sender", Kind.BIC, check_bic(bic, source, "1"), "sender"))
    receiver = re.match(r"^I\d{3}([A-Z0-9]{8})[A-Z0-9]([A-Z0-9]{3})", blocks.get("2", ""))
    if receiver:
        bic = receiver.group(1) + receiver.group(2)
        payment.values.append(
            Value("2/receiver", Kind.BIC, check_bic(bic, source, "2"), "receiver")
        )
    return payment
