"""The good-guy list: (party, listed entity) pairs an analyst has cleared.

A payment filter flags the same false hit on every payment of a customer whose name
resembles a listed one. An analyst who has checked that the customer is not the listed
subject records the pair in a good-guy file (YAML, see docs/payments.md)::

    entries:
      - id: gg-0001
        name: JOHN WANG                 # the party's name as written in messages
        entity: us_ofac_sdn-12345        # the listed entity it was cleared against
        entity_hash: 9b2e...c41d         # that entity as cleared (a finding's entity.hash:
                                         # the store's content hash, 64 hex characters)
        cleared_by: j.smith
        cleared_at: 2026-11-30
        reason: customer since 2009; born 1975, the listed person 1950
        expires: 2027-05-30

A finding the entry matches is still reported, with action ``cleared`` and who cleared
it, when and why; it no longer reviews or holds the message. An entry is narrow on
purpose, and fails closed:

* it clears only name findings (a party name, or a name found in free text) against
  *its* listed entity: never another entity, never a listed BIC, country or region;
* the party must be the one cleared: its ``name`` (case, spacing and punctuation
  aside) and, if given, its ``bic`` (a BIC of the same party in the message; an
  8-character or ``XXX`` BIC covers the branches);
* it applies until ``expires`` (that day included), and only while the listed entity
  is as it was cleared (``entity_hash``, the content hash the store keeps of each listed
  entity, :meth:`sanctions.model.Entity.content_hash`): an entity whose content changed
  in a new list version is screened afresh. An expired or stale entry leaves the finding
  as it was and says so in its reason. A finding whose entity hash is unknown (a
  screener over no store and given no hashes) is cleared by no entry.
* entries written before the store's content hash was used carry a 16-character digest
  of the payments package's own; such an entry is read (the file is not refused) but
  never applied: the finding says to clear it again with the finding's ``entity.hash``.

A file with any bad entry is refused whole, every problem named (:class:`ConfigError`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sanctions.errors import ConfigError

from .model import BIC_RE, Kind, Payment

__all__ = [
    "CLEARABLE",
    "GoodGuy",
    "GoodGuyList",
    "load_good_guys",
    "normalise_party",
    "parse_good_guys",
]

CLEARABLE = ("name", "text_name")  # the checks an entry may clear
_REQUIRED = ("entity", "entity_hash", "cleared_by", "cleared_at", "reason", "expires")
_KEYS = {"id", "name", "bic", *_REQUIRED}
_PUNCT = re.compile(r"[^\w]+", re.UNICODE)
_HASH = re.compile(r"[0-9a-f]{64}")  # Entity.content_hash(): what the store keeps per entity
_OLD_HASH = re.compile(r"[0-9a-f]{16}")  # the payments digest of earlier releases: never applied


def normalise_party(name: str) -> str:
    """A party name as compared: NFKC, case-folded, punctuation and spacing collapsed
    (``Wang,  John`` and ``WANG JOHN`` are one party; accents are kept)."""
    return " ".join(_PUNCT.sub(" ", unicodedata.normalize("NFKC", name).casefold()).split())


@dataclass(frozen=True)
class GoodGuy:
    """One cleared (party, listed entity) pair."""

    id: str
    entity: str
    entity_hash: str
    cleared_by: str
    cleared_at: str
    reason: str
    expires: dt.date
    name: str | None = None  # normalised (normalise_party)
    bic: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "cleared_by": self.cleared_by,
            "cleared_at": self.cleared_at,
            "reason": self.reason,
            "expires": self.expires.isoformat(),
        }

    @property
    def outdated(self) -> bool:
        """Written with the 16-character payments digest of earlier releases: never applied."""
        return len(self.entity_hash) != 64

    def fits_bic(self, bics: list[str]) -> bool:
        if self.bic is None:
            return True
        if len(self.bic) == 8 or self.bic.endswith("XXX"):
            return any(b[:8] == self.bic[:8] for b in bics)
        return self.bic in bics


def _date(value: Any, where: str, problems: list[str]) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(f"{where}: {value!r} is not a date (YYYY-MM-DD)")
        return None


def _entry(data: Any, where: str, problems: list[str]) -> GoodGuy | None:
    if not isinstance(data, dict):
        problems.append(f"{where}: expected a mapping")
        return None
    before = len(problems)
    problems += [f"{where}: unknown key {k!r}" for k in sorted(set(data) - _KEYS)]
    for key in _REQUIRED:
        if data.get(key) in (None, ""):
            problems.append(f"{where}: {key!r} is missing")
    name = normalise_party(str(data["name"])) if data.get("name") is not None else None
    bic = str(data["bic"]).strip().upper() if data.get("bic") is not None else None
    if not name and not bic:
        problems.append(f"{where}: needs the party's 'name' or 'bic'")
    if bic is not None and not BIC_RE.match(bic):
        problems.append(f"{where}: bic {data['bic']!r} is not a BIC")
    digest = str(data.get("entity_hash") or "").strip().lower()
    if digest and not (_HASH.fullmatch(digest) or _OLD_HASH.fullmatch(digest)):
        problems.append(
            f"{where}: entity_hash {data['entity_hash']!r} is not an entity hash "
            "(64 hex characters: the entity.hash of the finding cleared)"
        )
    expires = (
        _date(data.get("expires"), f"{where}: expires", problems) if "expires" in data else None
    )
    cleared = data.get("cleared_at")
    if cleared is not None and not isinstance(cleared, dt.date):
        _date(cleared, f"{where}: cleared_at", problems)
    if len(problems) > before or expires is None:
        return None
    return GoodGuy(
        str(data.get("id") or where),
        str(data["entity"]),
        digest,
        str(data["cleared_by"]),
        cleared.isoformat() if isinstance(cleared, dt.date) else str(cleared),
        str(data["reason"]),
        expires,
        name,
        bic,
    )


class GoodGuyList:
    """Entries by listed entity; :meth:`apply` marks the findings they clear."""

    def __init__(self, entries: list[GoodGuy], source: str = "good-guys") -> None:
        self.source = source
        self.entries: list[GoodGuy] = []
        self.sha256: str | None = None  # of the file it was read from
        self.by_entity: dict[str, list[GoodGuy]] = defaultdict(list)
        for entry in entries:
            self.add(entry)

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, entry: GoodGuy) -> None:
        """One more entry (an analyst's clearance during a run)."""
        self.entries.append(entry)
        self.by_entity[entry.entity].append(entry)

    def describe(self) -> dict[str, Any]:
        """What a run's evidence records of the list: its file, digest and size."""
        return {"file": self.source, "sha256": self.sha256, "entries": len(self.entries)}

    def apply(self, findings: list[Any], payment: Payment, today: dt.date) -> list[Any]:
        """Mark, in place, each finding an entry clears (``action = "cleared"``, with the
        entry); a finding whose only entries are expired or stale says so in its reason.
        The listed entity as screened is the finding's ``entity.hash``. Returns the
        findings cleared."""
        cleared = []
        for finding in findings:
            if finding.check not in CLEARABLE or not finding.entity:
                continue
            candidates = self.by_entity.get(finding.entity["id"], ())
            party = [e for e in candidates if self._fits(e, finding, payment)]
            if not party:
                continue
            current = finding.entity.get("hash")
            valid = [
                e for e in party if current and e.entity_hash == current and e.expires >= today
            ]
            if valid:
                finding.cleared = valid[0].to_dict()
                finding.action = "cleared"
                cleared.append(finding)
                continue
            entry = party[0]
            why = _why(entry, today, current)
            finding.reason += f" [good-guy entry {entry.id} not applied: {why}]"
        return cleared

    @staticmethod
    def _fits(entry: GoodGuy, finding: Any, payment: Payment) -> bool:
        said = finding.span if finding.check == "text_name" else finding.value
        if entry.name is not None and normalise_party(said) != entry.name:
            return False
        if entry.bic is None:
            return True
        if finding.check != "name":
            return False  # a name in free text belongs to no party with a BIC
        return entry.fits_bic(party_bics(payment, finding.path))


def _why(entry: GoodGuy, today: dt.date, current: str | None) -> str:
    """Why an entry for the party and entity of a finding does not clear it."""
    if not current:
        return "the listed entity's hash is unknown (a screener without a store)"
    if entry.expires < today:
        return f"expired {entry.expires.isoformat()}"
    if entry.outdated:
        return (
            "its entity_hash is the digest of an earlier release: clear the finding again "
            "with its entity.hash"
        )
    return "stale: the listed entity changed since it was cleared"


def party_bics(payment: Payment, name_path: str) -> list[str]:
    """The BICs of the party whose name is at ``name_path``: the values under the
    name's parent element (``.../CdtrAgt/FinInstnId/Nm`` -> ``.../CdtrAgt/FinInstnId/BICFI``,
    ``.../Cdtr/Nm`` -> ``.../Cdtr/Id/OrgId/AnyBIC``)."""
    parent = name_path.rsplit("/", 1)[0] + "/" if "/" in name_path else None
    if parent is None:
        return []
    return [v.text for v in payment.values if v.kind == Kind.BIC and v.path.startswith(parent)]


def parse_good_guys(data: Any, source: str = "good-guys") -> GoodGuyList:
    """A :class:`GoodGuyList` from parsed YAML; every problem is reported at once."""
    if data is None:
        data = {"entries": []}
    if not isinstance(data, dict) or set(data) - {"entries"}:
        raise ConfigError(f"{source}: expected a mapping with 'entries' (see docs/payments.md)")
    items = data.get("entries") or []
    if not isinstance(items, list):
        raise ConfigError(f"{source}: 'entries' must be a list")
    problems: list[str] = []
    entries: list[GoodGuy] = []
    seen: set[str] = set()
    for n, item in enumerate(items, 1):
        where = f"entry {n}" + (
            f" ({item['id']})" if isinstance(item, dict) and "id" in item else ""
        )
        entry = _entry(item, where, problems)
        if entry is None:
            continue
        if entry.id in seen:
            problems.append(f"{where}: id {entry.id!r} is used twice")
        seen.add(entry.id)
        entries.append(entry)
    if problems:
        raise ConfigError(f"{source}: " + "; ".join(problems))
    return GoodGuyList(entries, source)


def load_good_guys(path: str | Path) -> GoodGuyList:
    """The good-guy list of a YAML file (:class:`ConfigError` naming every bad entry);
    its ``sha256`` is the file's, for the run's evidence."""
    path = Path(path)
    try:
        raw = path.read_bytes()
        data = yaml.safe_load(raw.decode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the good-guy list: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 (byte {exc.start + 1})") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    found = parse_good_guys(data, str(path))
    found.sha256 = hashlib.sha256(raw).hexdigest()
    return found
