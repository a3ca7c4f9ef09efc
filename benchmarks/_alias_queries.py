"""Alias queries: listed entities queried by one of their aliases against every list.

A query alerts on a wrong entry when an entry other than the right ones
matches. The right ones are the entity itself, the entries of other lists
linked to it by a UN reference, IMO, BIC, LEI or passport number, and the
entries that carry one of its names, folded (its copies on other lists).

Wrong alerts are split in two. An entry of another list of the same type that
has the same full date of birth (persons), or a full name of the queried entity
spelt in another transliteration (the same words once vowels, y/w/h and doubled
letters are dropped: "Dmitry TOLCHINSKY" / "Dmitri TOLCHINSKIY", two words or
more), is most likely the same subject listed twice without a shared identifier:
for a compliance officer that alert is right, so it is counted apart ("same
subject, other list") and the rate without it is given.

logic-v2 is measured on the same queries (a sample of them: it scores a few
hundred pairs per second) and on the same candidates: the best ``CANDIDATES``
entries of our index for the query, whatever their score, as yente scores the
candidates its search proposes. An entry our index does not propose is not
scored by either, so logic-v2's rate is a lower bound where it would alert on
entries our index finds unlike the query.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import _nomenklatura
from _pairs_eval import pair_build
from rapidfuzz import utils
from rigour.text import ascii_text

from sanctions.model import Entity, NameKind

CANDIDATES = 25
NK_THRESHOLD = 0.7  # yente's default for logic-v2
SAME_SUBJECT = "same subject, other list"

ScreenMany = Callable[[list[dict[str, Any]], int], list[list[tuple[str, float, bool]]]]


def _fold(text: str) -> str:
    """Sorted words, case, punctuation and accents folded."""
    return " ".join(sorted(utils.default_process(ascii_text(text)).split()))


def _skeleton(text: str) -> frozenset[str]:
    """The words' consonants (x = ks, doubled letters one): one name in any transliteration."""
    words = set()
    for word in _fold(text).replace("x", "ks").split():
        word = re.sub(r"(.)\1+", r"\1", re.sub(r"[aeiouyhw]", "", word))
        if word:
            words.add(word)
    return frozenset(words)


def _right_entries(entities: list[Entity]) -> Callable[[Entity], set[str]]:
    """Entity -> the entries an alert may rightly name: itself, linked entries, copies."""
    linked: dict[str, set[str]] = defaultdict(set)
    for ids in pair_build.linked_pairs(entities):
        a, b = sorted(ids)
        linked[a].add(b)
        linked[b].add(a)
    by_name: dict[str, set[str]] = defaultdict(set)
    for entity in entities:
        for variant in entity.names:
            by_name[_fold(variant.name)].add(entity.id)

    def right(entity: Entity) -> set[str]:
        same_names = set().union(*(by_name[_fold(v.name)] for v in entity.names))
        return {entity.id} | linked[entity.id] | same_names

    return right


def _alias_pool(entities: list[Entity]) -> list[tuple[Entity, list[str]]]:
    """Entities with their aliases (strong or original-script) unlike the primary name."""
    pool = []
    for entity in entities:
        first = pair_build.primary(entity)
        if first is None:
            continue
        aliases = [
            v.name
            for v in entity.names
            if v.kind in (NameKind.ALIAS, NameKind.ORIGINAL) and _fold(v.name) != _fold(first.name)
        ]
        if aliases:
            pool.append((entity, aliases))
    return pool


def _full_dates(entity: Entity) -> set[str]:
    return {d.value for d in entity.dates if d.prop == "birthDate" and len(d.value) == 10}


def _skeletons(entity: Entity) -> set[frozenset[str]]:
    return {s for s in (_skeleton(v.name) for v in entity.names) if len(s) >= 2}


def same_subject(entity: Entity, other: Entity) -> bool:
    """Another list's entry of the same subject: same full date of birth, or same full name."""
    if entity.listing.dataset == other.listing.dataset or entity.schema != other.schema:
        return False
    if entity.schema == "Person" and _full_dates(entity) & _full_dates(other):
        return True
    return bool(_skeletons(entity) & _skeletons(other))


def query_tags(alias: str, schema: str) -> list[str]:
    """Descriptive classes of a query (a query may have several)."""
    letters = [c for c in alias if c.isalpha()]
    latin = all("LATIN" in unicodedata.name(c, "") for c in letters)
    words = utils.default_process(alias).split()
    tags = ["person" if schema == "Person" else "organisation/other"]
    tags.append("Latin script" if latin else "other script")
    if len(words) == 1:
        tags.append("one word")
    if len(letters) <= 5:
        tags.append("5 letters or fewer")
    return tags


def _judge(
    alerts: list[str], right: set[str], entity: Entity, by_id: dict[str, Entity]
) -> tuple[bool, bool, bool]:
    """(found its own entry, any wrong alert, any wrong alert not on the same subject)."""
    bad = [eid for eid in alerts if eid not in right]
    strict = [eid for eid in bad if not same_subject(entity, by_id[eid])]
    return any(eid in right for eid in alerts), bool(bad), bool(strict)


def _rates(judged: list[tuple[bool, bool, bool]]) -> dict[str, Any]:
    total = max(1, len(judged))
    return {
        "queries": len(judged),
        "wrong_entry_alert_rate": round(sum(j[1] for j in judged) / total, 4),
        "wrong_entry_alert_rate_other_subject": round(sum(j[2] for j in judged) / total, 4),
        "right_entry_recall": round(sum(j[0] for j in judged) / total, 4),
    }


def alias_queries(
    store: Any,
    count: int,
    screen_many: ScreenMany,
    seed: int = pair_build.SEED,
    nk_venv: Path | None = None,
    nk_sample: int = 600,
) -> dict[str, Any]:
    """Our wrong-entry rate on ``count`` alias queries, by class; logic-v2's on a sample.

    ``screen_many(queries, limit)`` gives (entry id, score, match) per query;
    ``nk_venv`` None skips logic-v2.
    """
    entities = sorted(store.iter_entities(), key=lambda e: e.id)
    by_id = {e.id: e for e in entities}
    right_of = _right_entries(entities)
    rng = random.Random(seed)
    pool = _alias_pool(entities)
    chosen = pool if len(pool) <= count else rng.sample(pool, count)
    queries, rights = [], []
    for i, (entity, aliases) in enumerate(chosen):
        alias = rng.choice(aliases)
        queries.append(
            {"id": f"alias-{i}", "schema": entity.schema, "properties": {"name": [alias]}}
        )
        rights.append(right_of(entity))
    results = screen_many(queries, CANDIDATES)
    judged = []
    tagged: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    examples = []
    for query, right, res, (entity, _) in zip(queries, rights, results, chosen, strict=True):
        alerts = [eid for eid, _, match in res if match]
        verdict = _judge(alerts, right, entity, by_id)
        judged.append(verdict)
        alias = query["properties"]["name"][0]
        for tag in query_tags(alias, entity.schema):
            tagged[tag][0] += 1
            tagged[tag][1] += verdict[1]
            tagged[tag][2] += verdict[2]
        if verdict[2] and len(examples) < 40:
            bad = [eid for eid in alerts if eid not in right]
            examples.append(
                {"query": alias, "of": entity.id, "wrong": [by_id[e].caption for e in bad[:3]]}
            )
    report = _rates(judged) | {
        "wrong_entry_alerts": sum(j[1] for j in judged),
        "same_subject_only": sum(j[1] and not j[2] for j in judged),
        "by_class": {
            k: {"queries": v[0], "wrong": v[1], "wrong_other_subject": v[2]}
            for k, v in sorted(tagged.items())
        },
        "examples": examples,
    }
    if nk_venv is not None and queries:
        report["logic_v2"] = _logic_v2(
            nk_venv, queries[:nk_sample], results, rights, chosen, by_id, judged
        )
    return report


def _logic_v2(
    venv: Path,
    queries: list[dict[str, Any]],
    results: list[list[tuple[str, float, bool]]],
    rights: list[set[str]],
    chosen: list[tuple[Entity, list[str]]],
    by_id: dict[str, Entity],
    judged: list[tuple[bool, bool, bool]],
) -> dict[str, Any]:
    """logic-v2 and ours on the first queries, each on our index's best candidates."""
    python = _nomenklatura.ensure_venv(venv)
    pairs, owner = [], []
    for i, query in enumerate(queries):
        for eid, _, _ in results[i]:
            pairs.append((query, pair_build.full_candidate(by_id[eid])))
            owner.append((i, eid))
    nk = _nomenklatura.pair_scores(python, pairs)
    alerts: dict[int, list[str]] = defaultdict(list)
    for (i, eid), score in zip(owner, nk["scores"], strict=True):
        if score >= NK_THRESHOLD:
            alerts[i].append(eid)
    theirs = [_judge(alerts[i], rights[i], chosen[i][0], by_id) for i in range(len(queries))]
    both: Counter[str] = Counter()
    for ours, lv2 in zip(judged, theirs, strict=False):
        both[f"ours {'wrong' if ours[2] else 'ok'} / logic-v2 {'wrong' if lv2[2] else 'ok'}"] += 1
    return {
        "version": f"nomenklatura {nk['version']} (rigour {nk['rigour']})",
        "threshold": NK_THRESHOLD,
        "pairs": len(pairs),
        "seconds": round(nk["seconds"], 1),
        "errors": len(nk["errors"]),
        "logic_v2": _rates(theirs),
        "ours_same_queries": _rates(judged[: len(queries)]),
        "agreement_other_subject": dict(both),
    }
