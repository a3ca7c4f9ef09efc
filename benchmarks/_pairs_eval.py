"""Accuracy on labelled pairs: ours and nomenklatura logic-v2 scored on the same pairs.

Pairs come from ``benchmarks/pairs`` (the generated set, built from the real
lists into a git-ignored cache, and the committed hand-written set). Every pair
is scored by both matchers; the figures are precision, recall and F1 at the
threshold, the best F1 over all thresholds, ROC AUC and the share of correct
decisions, overall and by class and schema.

Ours is scored through the public API: the query goes through
``sanctions.screening.parse_query`` (as a screening query does), the candidate
is an ``Entity`` turned into a ``Record`` with ``sanctions.matching.record_from_entity``
(as a listed entry is), and ``sanctions.matching.compare_records`` scores them.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any


def _load_builder() -> ModuleType:
    """benchmarks/pairs/build.py under a name of its own (``build`` is a common name)."""
    path = Path(__file__).resolve().parent / "pairs" / "build.py"
    spec = importlib.util.spec_from_file_location("sanctions_pairs_build", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


pair_build = _load_builder()

from sanctions.matching import compare_records, record_from_entity  # noqa: E402
from sanctions.model import NAME_PROPERTY, Entity, NameKind  # noqa: E402
from sanctions.screening import parse_query  # noqa: E402
from sanctions.screening.query import query_entity  # noqa: E402

log = logging.getLogger("benchmarks.pairs")

NAME_KINDS = {prop: kind for kind, prop in NAME_PROPERTY.items() if kind != NameKind.ORIGINAL}
PARTS = ("firstName", "middleName", "fatherName", "lastName")
HANDWRITTEN = "handwritten"
GENERATED = "generated"


# -- the pairs -------------------------------------------------------------------------


def load_pairs(path: Path, rebuild: bool = False) -> list[dict[str, Any]]:
    """The generated pairs (built from ../shared/data when missing) and the hand-written ones."""
    if rebuild or not path.exists():
        started = time.perf_counter()
        count = pair_build.write_pairs(pair_build.build_pairs(pair_build.load_entities()), path)
        log.warning("built %d pairs into %s (%.0fs)", count, path, time.perf_counter() - started)
    generated = [p | {"group": GENERATED} for p in pair_build.read_pairs(path)]
    handwritten = [p.to_dict() | {"group": HANDWRITTEN} for p in pair_build.handwritten_pairs()]
    return generated + handwritten


# -- ours -------------------------------------------------------------------------------


def candidate_entity(data: dict[str, Any]) -> Entity:
    """A listed-side Entity: names with their kinds, parts on the first name."""
    props = data["properties"]
    rest = {k: v for k, v in props.items() if k not in NAME_KINDS and k not in PARTS}
    entity = query_entity({"id": data["id"], "schema": data["schema"], "properties": rest})
    parts = {k: " ".join(props[k]) for k in PARTS if props.get(k)}
    first = True
    for prop, kind in NAME_KINDS.items():
        for value in props.get(prop, ()):
            entity.add_name(value, kind, **(parts if first else {}))
            first = False
    if first and parts:  # named by its parts only
        entity.add_name(" ".join(parts.values()), NameKind.PRIMARY, **parts)
    return entity


def score_ours(pair: dict[str, Any], threshold: float) -> float:
    """Our score of one pair through the public matching and screening API."""
    query = parse_query(pair["query"])
    candidate = record_from_entity(candidate_entity(pair["candidate"]))
    return compare_records(query, candidate, threshold).score


def scores_ours(pairs: Sequence[dict[str, Any]], threshold: float) -> tuple[list[float], float]:
    started = time.perf_counter()
    scores = [score_ours(p, threshold) for p in pairs]
    return scores, time.perf_counter() - started


# -- metrics ------------------------------------------------------------------------------


def decisions(labels: Sequence[bool], scores: Sequence[float], threshold: float) -> dict[str, Any]:
    """Precision, recall, F1 and accuracy of the decisions score >= threshold."""
    tp = sum(1 for y, s in zip(labels, scores, strict=True) if y and s >= threshold)
    fp = sum(1 for y, s in zip(labels, scores, strict=True) if not y and s >= threshold)
    fn = sum(1 for y, s in zip(labels, scores, strict=True) if y and s < threshold)
    tn = len(labels) - tp - fp - fn
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "accuracy": (tp + tn) / len(labels) if labels else None,
    }


def best_f1(labels: Sequence[bool], scores: Sequence[float]) -> tuple[float | None, float | None]:
    """The best F1 over every threshold, and the (lowest) threshold reaching it."""
    positives = sum(labels)
    if not positives:
        return None, None
    ranked = sorted(zip(scores, labels, strict=True), key=lambda x: -x[0])
    best, best_at, tp, fp, i = 0.0, None, 0, 0, 0
    while i < len(ranked):
        value = ranked[i][0]
        while i < len(ranked) and ranked[i][0] == value:  # ties move together
            tp += ranked[i][1]
            fp += not ranked[i][1]
            i += 1
        f1 = 2 * tp / (tp + fp + positives)
        if f1 > best:
            best, best_at = f1, value
    return best, best_at


def roc_auc(labels: Sequence[bool], scores: Sequence[float]) -> float | None:
    """Area under the ROC curve (Mann-Whitney; a tie counts one half); None with one class."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = sorted(s for s, y in zip(scores, labels, strict=True) if not y)
    if not pos or not neg:
        return None
    import bisect

    wins = 0.0
    for s in pos:
        below = bisect.bisect_left(neg, s)
        ties = bisect.bisect_right(neg, s) - below
        wins += below + ties / 2
    return wins / (len(pos) * len(neg))


def summary(labels: Sequence[bool], scores: Sequence[float], threshold: float) -> dict[str, Any]:
    out = decisions(labels, scores, threshold)
    out["best_f1"], out["best_f1_threshold"] = best_f1(labels, scores)
    out["auc"] = roc_auc(labels, scores)
    out["n"], out["positives"] = len(labels), sum(labels)
    return out


def group_keys(pair: dict[str, Any]) -> list[str]:
    """The report rows a pair belongs to."""
    group, cls, schema = pair["group"], pair["class"], pair["schema"]
    keys = ["all", f"{group}"]
    if all(_has_parts(pair[side]) for side in ("query", "candidate")):
        keys.append(f"{group} with name parts")
    return keys + [
        f"{group} class {cls}",
        f"{group} schema {schema}",
        f"{group} class {cls} / {schema}",
    ]


def _has_parts(data: dict[str, Any]) -> bool:
    props = data["properties"]
    return bool(props.get("lastName")) and bool(props.get("firstName") or props.get("middleName"))


def report(
    pairs: Sequence[dict[str, Any]],
    scores: dict[str, Sequence[float]],
    threshold: float,
) -> dict[str, dict[str, Any]]:
    """{row: {matcher: summary}} for every row of :func:`group_keys`."""
    members: dict[str, list[int]] = defaultdict(list)
    for i, pair in enumerate(pairs):
        for key in group_keys(pair):
            members[key].append(i)
    out: dict[str, dict[str, Any]] = {}
    for key in sorted(members, key=_row_order):
        idx = members[key]
        labels = [pairs[i]["label"] == "match" for i in idx]
        out[key] = {
            name: summary(labels, [values[i] for i in idx], threshold)
            for name, values in scores.items()
        }
    return out


def _row_order(key: str) -> tuple[int, str]:
    rank = 0 if key == "all" else 1 if " class " not in key and " schema " not in key else 2
    rank += " class " in key
    if " / " in key:
        rank = 4
    return rank, key


# -- printing -----------------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def print_pairs_table(
    rows: dict[str, dict[str, Any]], names: Sequence[str], out: Callable[[str], None] = print
) -> None:
    """One line per row: n, positives, then P R F1 bestF1 AUC acc for each matcher."""
    head = f"{'pairs':46s} {'n':>5s} {'pos':>5s}"
    for name in names:
        head += f" | {name[:9]:>9s}: P     R     F1    bestF1 AUC   acc  "
    out(head)
    for key, per in rows.items():
        if " / " in key:
            continue  # class x schema rows: in the JSON report only
        first = per[names[0]]
        line = f"{key[:46]:46s} {first['n']:5d} {first['positives']:5d}"
        for name in names:
            s = per[name]
            line += " | " + " ".join(
                _fmt(s[k]) for k in ("precision", "recall", "f1", "best_f1", "auc", "accuracy")
            )
        out(line)


def markdown_table(rows: dict[str, dict[str, Any]], names: Sequence[str]) -> str:
    """The pair rows (without class x schema) as a Markdown table, for the README."""
    keys = ("precision", "recall", "f1", "best_f1", "auc", "accuracy")
    heads = ("P", "R", "F1", "best F1", "AUC", "correct")
    lines = [
        "| pairs | n | pos | " + " | ".join(f"{n} {h}" for n in names for h in heads) + " |",
        "|---|---|---|" + "---|" * (len(names) * len(keys)),
    ]
    for key, per in rows.items():
        if " / " in key:
            continue
        first = per[names[0]]
        cells = [_fmt(per[name][k]).strip() for name in names for k in keys]
        lines.append(f"| {key} | {first['n']} | {first['positives']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def print_misses(
    pairs: Sequence[dict[str, Any]],
    scores: dict[str, Sequence[float]],
    threshold: float,
    per_class: int,
    out: Callable[[str], None] = print,
) -> None:
    """Up to ``per_class`` pairs of each class that ours decides wrong, with every score."""
    shown: dict[str, int] = defaultdict(int)
    out(f"Wrong decisions of ours (at most {per_class} per class):")
    for i, pair in enumerate(pairs):
        wrong = (scores["ours"][i] >= threshold) != (pair["label"] == "match")
        if not wrong or shown[pair["class"]] >= per_class:
            continue
        shown[pair["class"]] += 1
        values = " ".join(f"{name} {v[i]:.2f}" for name, v in scores.items())
        query = pair["query"]["properties"].get("name", ["?"])[0]
        cand = pair["candidate"]["properties"].get("name", ["?"])[0]
        out(f"  {pair['class']:24s} {pair['label']:8s} {values}  {query!r} ~ {cand!r}")


def handwritten_classes(rows: dict[str, dict[str, Any]]) -> Iterable[tuple[str, dict[str, Any]]]:
    prefix = f"{HANDWRITTEN} class "
    for key, per in rows.items():
        if key.startswith(prefix) and " / " not in key:
            yield key[len(prefix) :], per
