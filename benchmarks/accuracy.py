"""Accuracy of the matcher on ../shared/data/eval, with every list of ../shared/data loaded.

    python benchmarks/accuracy.py [--db /tmp/bench.db] [--threshold 0.70] [--json out.json]
        [--negatives N] [--pairs PATH] [--rebuild-pairs] [--no-nk] [--pairs-only]
        [--alias-queries N] [--alias-nk N]

Measures, at the default threshold (or --threshold):
* the labelled pairs of benchmarks/pairs (generated from the lists + hand-written):
  precision, recall, F1, best F1 and ROC AUC overall and by class and schema,
  side by side with nomenklatura logic-v2 scoring the same pairs in its own
  virtualenv (see _nomenklatura.py; --no-nk to skip it);
* alias queries: each sampled entity queried by one of its aliases against the
  whole index; the share of queries alerting on a wrong entry, with and without
  the same subject on another list, by class of query; logic-v2 on the first
  --alias-nk of them, scoring the same candidates (see _alias_queries.py);
* UN people (original and perturbed rows): recall (their UN entry is a match)
  and top-1 (their UN entry is the best UN result, and scores as high as the
  best result of any list: copies of the same person on other lists may tie);
* UN organisations queried by their listed primary name (entity type check);
* the 50,000 synthetic negatives: share of queries raising any alert;
* the 80 spellings of one person's name (putin_names.txt): how many match his entry;
* the cross-script pairs: scored pair by pair (no store), against the file's minimum.
Results are broken down by entity type and by script of the query.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import multiprocessing
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _nomenklatura  # noqa: E402
import _pairs_eval  # noqa: E402
from _alias_queries import alias_queries  # noqa: E402
from _lists import SHARED, load_all_lists  # noqa: E402
from _targets import print_targets, targets  # noqa: E402

from sanctions.matching import (  # noqa: E402
    DEFAULT_THRESHOLD,
    activate_frequencies,
    compare_records,
    load_frequencies,
)
from sanctions.matching.normalise import name_forms  # noqa: E402
from sanctions.screening import Screener, parse_query  # noqa: E402
from sanctions.store import Store  # noqa: E402

EVAL = SHARED / "eval"
UN = "un_sc_sanctions"
_STATE: dict[str, Any] = {}


def script_of(text: str) -> str:
    """The main non-Latin script of a text (Unicode name prefix), or Latin."""
    counts: Counter[str] = Counter()
    for char in text:
        if char.isalpha():
            name = unicodedata.name(char, "UNKNOWN").split(" ")[0]
            counts["Latin" if name == "LATIN" else name.title()] += 1
    return counts.most_common(1)[0][0] if counts else "none"


def person_query(row: dict[str, str], qid: str) -> dict[str, Any]:
    props: dict[str, list[str]] = {"name": [row["full_name"]]}
    for column, prop in (
        ("date_of_birth", "birthDate"),
        ("nationality", "nationality"),
        ("gender", "gender"),
    ):
        if row.get(column):
            props[prop] = [row[column]]
    return {"id": qid, "schema": "Person", "properties": props}


def _screen_many(queries: list[dict[str, Any]], limit: int) -> list[list[tuple[str, float, bool]]]:
    """Screen in 2 forked workers; per query: (entity id, score, match) of the results."""
    _STATE["limit"] = limit
    context = multiprocessing.get_context("fork")
    with context.Pool(2) as pool:
        return pool.map(_screen_one, queries, chunksize=200)


def _screen_one(query: dict[str, Any]) -> list[tuple[str, float, bool]]:
    screener: Screener = _STATE["screener"]
    result = screener.screen(query, threshold=_STATE["threshold"], limit=_STATE["limit"])
    return [(m.record.id, m.score.score, m.score.match) for m in result.results]


def un_entries(store: Store) -> tuple[dict[str, str], list[Any]]:
    """Folded name -> UN person id, and the UN organisations."""
    by_name: dict[str, str] = {}
    orgs = []
    for entity in store.iter_entities(datasets=[UN]):
        if entity.schema == "Person":
            for variant in entity.names:
                for form in name_forms(variant.name):
                    by_name.setdefault(" ".join(sorted(form.split())), entity.id)
        else:
            orgs.append(entity)
    return by_name, orgs


def eval_un_people(by_name: dict[str, str]) -> dict[str, Any]:
    original = list(csv.DictReader(open(EVAL / "un_people_original.csv", encoding="utf-8")))
    perturbed = list(csv.DictReader(open(EVAL / "un_people_perturbed.csv", encoding="utf-8")))
    expected = []
    for row in original:
        forms = name_forms(row["full_name"])
        key = " ".join(sorted(forms[0].split())) if forms else ""
        expected.append(by_name.get(key))
    report: dict[str, Any] = {"rows": len(original), "not_on_un_list": expected.count(None)}
    for label, rows in (("original", original), ("perturbed", perturbed)):
        queries = [person_query(r, f"{label}-{i}") for i, r in enumerate(rows)]
        results = _screen_many(queries, limit=20)
        report[label] = _recall(results, expected, rows, original)
    return report


def _recall(
    results: list[Any], expected: list[str | None], rows: list[Any], original: list[Any]
) -> dict[str, Any]:
    found = top1 = total = changed = changed_found = 0
    misses = []
    for i, (res, want) in enumerate(zip(results, expected, strict=True)):
        if want is None:
            continue
        total += 1
        is_changed = rows[i]["full_name"] != original[i]["full_name"]
        changed += is_changed
        scores = {eid: (score, match) for eid, score, match in res}
        ok = want in scores and scores[want][1]
        found += ok
        changed_found += ok and is_changed
        un_results = [eid for eid, _, _ in res if eid.startswith(UN)]
        best = max((s for _, s, _ in res), default=0.0)
        if ok and un_results and un_results[0] == want and scores[want][0] >= best:
            top1 += 1
        if not ok and len(misses) < 15:
            misses.append({"query": rows[i]["full_name"], "expected": want, "got": res[:2]})
    return {
        "queries": total,
        "recall": round(found / total, 4) if total else None,
        "top1": round(top1 / total, 4) if total else None,
        "altered_names": changed,
        "altered_recall": round(changed_found / changed, 4) if changed else None,
        "misses": misses,
    }


def eval_un_orgs(orgs: list[Any]) -> dict[str, Any]:
    queries = [{"id": e.id, "schema": e.schema, "properties": {"name": [e.caption]}} for e in orgs]
    results = _screen_many(queries, limit=20)
    found = sum(
        any(eid == q["id"] and m for eid, _, m in r) for q, r in zip(queries, results, strict=True)
    )
    return {"queries": len(queries), "recall": round(found / max(1, len(queries)), 4)}


def eval_negatives(limit_rows: int | None, name_only: bool = False) -> dict[str, Any]:
    """Share of ordinary (unlisted) people raising any alert; ``name_only`` drops their facts."""
    rows = list(csv.DictReader(open(EVAL / "negatives_synthetic_us.csv", encoding="utf-8")))
    rows = rows[:limit_rows] if limit_rows else rows
    if name_only:
        rows = [{"full_name": r["full_name"], "date_of_birth": ""} for r in rows]
    queries = [person_query(r, f"neg-{i}") for i, r in enumerate(rows)]
    started = time.perf_counter()
    results = _screen_many(queries, limit=3)
    seconds = time.perf_counter() - started
    alerts = [i for i, r in enumerate(results) if any(m for _, _, m in r)]
    by_dataset: Counter[str] = Counter()
    examples = []
    for i in alerts:
        top = results[i][0]
        by_dataset[top[0].split("-")[0]] += 1
        if len(examples) < 15:
            examples.append(
                {"query": rows[i]["full_name"], "dob": rows[i]["date_of_birth"], "top": top}
            )
    return {
        "queries": len(rows),
        "alerts": len(alerts),
        "false_alert_rate": round(len(alerts) / max(1, len(rows)), 5),
        "alerts_by_dataset": dict(by_dataset),
        "queries_per_second": round(len(rows) / seconds, 1),
        "examples": examples,
    }


def eval_putin(screener: Screener, threshold: float) -> dict[str, Any]:
    names = [n.strip() for n in open(EVAL / "putin_names.txt", encoding="utf-8") if n.strip()]
    putin_ids = _putin_ids(screener)
    by_script: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    missed = []
    for name in names:
        res = screener.screen(
            {"schema": "Person", "properties": {"name": [name]}}, threshold=threshold, limit=10
        )
        ok = any(m.record.id in putin_ids and m.score.match for m in res.results)
        script = script_of(name)
        by_script[script][0] += ok
        by_script[script][1] += 1
        if not ok:
            best = max(
                (m.score.score for m in res.results if m.record.id in putin_ids), default=0.0
            )
            missed.append({"name": name, "best_score_of_his_entries": best})
    matched = sum(v[0] for v in by_script.values())
    return {
        "spellings": len(names),
        "matched": matched,
        "by_script": dict(by_script),
        "missed": missed,
    }


def _putin_ids(screener: Screener) -> set[str]:
    ids = set()
    for record in screener.index.records:
        if record.schema == "Person" and any(
            {"putin", "vladimir"} <= set(form.tokens) for form in record.names
        ):
            ids.add(record.id)
    return ids


def eval_cross_script(threshold: float) -> dict[str, Any]:
    rows = []
    for line in open(EVAL / "cross_script_pairs.csv", encoding="utf-8"):
        if not line.strip() or line.startswith("#"):
            continue
        query, expected, minimum, description = next(csv.reader([line]))
        pair = [{"schema": "Person", "properties": {"name": [n]}} for n in (query, expected)]
        score = compare_records(parse_query(pair[0]), parse_query(pair[1]), threshold).score
        rows.append((query, expected, float(minimum), score, script_of(query)))
    by_script: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for _, _, _, score, script in rows:
        by_script[script][0] += score >= threshold
        by_script[script][1] += 1
    return {
        "pairs": len(rows),
        "match_at_threshold": sum(r[3] >= threshold for r in rows),
        "at_or_above_file_minimum": sum(r[3] >= r[2] for r in rows),
        "by_script": dict(by_script),
        "scores": [{"query": q, "expected": e, "min": m, "score": s} for q, e, m, s, _ in rows],
    }


def eval_pairs(args: argparse.Namespace) -> dict[str, Any]:
    """Ours and logic-v2 on the labelled pairs (same pairs, same threshold)."""
    pairs = _pairs_eval.load_pairs(args.pairs, rebuild=args.rebuild_pairs)
    ours, seconds = _pairs_eval.scores_ours(pairs, args.threshold)
    scores: dict[str, list[float]] = {"ours": ours}
    meta: dict[str, Any] = {"pairs": len(pairs), "ours_seconds": round(seconds, 2)}
    if not args.no_nk:
        python = _nomenklatura.ensure_venv(args.nk_venv)
        nk = _nomenklatura.pair_scores(python, [(p["query"], p["candidate"]) for p in pairs])
        scores["logic-v2"] = nk["scores"]
        meta |= {
            "logic_v2": f"nomenklatura {nk['version']} (rigour {nk['rigour']})",
            "logic_v2_seconds": round(nk["seconds"], 2),
            "logic_v2_errors": nk["errors"],
        }
    rows = _pairs_eval.report(pairs, scores, args.threshold)
    if args.misses:
        _pairs_eval.print_misses(pairs, scores, args.threshold, args.misses)
    per_pair = [
        {"id": p["id"], "label": p["label"]} | {name: v[i] for name, v in scores.items()}
        for i, p in enumerate(pairs)
    ]
    return meta | {"rows": rows, "scores": per_pair}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="/tmp/sanctions-bench.db")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument(
        "--negatives", type=int, default=None, help="Only the first N negatives (default: all)."
    )
    parser.add_argument("--json", type=Path, default=None, help="Write the full report here.")
    parser.add_argument("--pairs", type=Path, default=_pairs_eval.pair_build.DEFAULT_OUT)
    parser.add_argument("--rebuild-pairs", action="store_true", help="Rebuild the pair cache.")
    parser.add_argument("--no-nk", action="store_true", help="Do not run nomenklatura logic-v2.")
    parser.add_argument("--nk-venv", type=Path, default=Path("/tmp/nk-venv"))
    parser.add_argument(
        "--pairs-only", action="store_true", help="Only the labelled pairs (no lists loaded)."
    )
    parser.add_argument("--alias-queries", type=int, default=2000, help="0 to skip them.")
    parser.add_argument(
        "--alias-nk", type=int, default=600, help="Alias queries also scored by logic-v2 (0: none)."
    )
    parser.add_argument("--markdown", type=Path, default=None, help="Write the pair table here.")
    parser.add_argument(
        "--misses", type=int, default=0, help="Show N wrong decisions of ours per pair class."
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    use_list_frequencies(args.db)
    pairs = eval_pairs(args)
    if args.markdown:
        names = list(pairs["rows"]["all"])
        args.markdown.write_text(_pairs_eval.markdown_table(pairs["rows"], names))
    report = {"threshold": args.threshold, "pairs": pairs}
    if not args.pairs_only:
        report |= eval_lists(args)
    report["targets"] = targets(report)
    print_report(report)
    print_targets(report["targets"])
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False))


def use_list_frequencies(db: str) -> None:
    """Score pairs with the word frequencies of every list, as a screener of them would."""
    load_all_lists(db)
    store = Store.open(db)
    versions = [d.current for d in store.datasets() if d.current is not None]
    activate_frequencies(load_frequencies(store, versions))
    store.close()


def eval_lists(args: argparse.Namespace) -> dict[str, Any]:
    """Every measure that needs the lists loaded and the index built."""
    counts = load_all_lists(args.db)
    store = Store.open(args.db)
    screener = Screener(store, threshold=args.threshold)
    started = time.perf_counter()
    index = screener.index
    _STATE.update(
        screener=Screener(index=index, threshold=args.threshold), threshold=args.threshold
    )
    by_name, orgs = un_entries(store)
    report: dict[str, Any] = {
        "lists": counts,
        "index_records": len(index.records),
        "index_ready_seconds": round(time.perf_counter() - started, 2),
        "un_people": eval_un_people(by_name),
        "un_organisations": eval_un_orgs(orgs),
        "putin": eval_putin(_STATE["screener"], args.threshold),
        "cross_script": eval_cross_script(args.threshold),
        "negatives": eval_negatives(args.negatives),
        "negatives_name_only": eval_negatives(args.negatives, name_only=True),
    }
    if args.alias_queries:
        nk_venv = None if args.no_nk or not args.alias_nk else args.nk_venv
        report["alias_queries"] = alias_queries(
            store, args.alias_queries, _screen_many, nk_venv=nk_venv, nk_sample=args.alias_nk
        )
    return report


def print_report(r: dict[str, Any]) -> None:
    pairs = r["pairs"]
    names = [n for n in ("ours", "logic-v2") if n in pairs["rows"]["all"]]
    print(
        f"Labelled pairs: {pairs['pairs']} at threshold {r['threshold']} "
        f"(ours {pairs['ours_seconds']} s; logic-v2: {pairs.get('logic_v2', 'not run')}, "
        f"{pairs.get('logic_v2_seconds', '-')} s, {len(pairs.get('logic_v2_errors', []))} errors)"
    )
    _pairs_eval.print_pairs_table(pairs["rows"], names)
    if "lists" not in r:
        return
    un = r["un_people"]
    print(
        f"threshold {r['threshold']}; {sum(r['lists'].values()):,} entities in {len(r['lists'])} lists"
    )
    print(f"UN people: {un['rows']} rows, {un['not_on_un_list']} not on this UN list (excluded)")
    for label in ("original", "perturbed"):
        x = un[label]
        print(
            f"  {label:9s}: recall {x['recall']:.4f}  top-1 {x['top1']:.4f}  "
            f"(altered names: {x['altered_names']}, recall {x['altered_recall']})"
        )
    print(
        f"UN organisations by primary name: recall {r['un_organisations']['recall']:.4f} "
        f"of {r['un_organisations']['queries']}"
    )
    p = r["putin"]
    print(f"Putin spellings: {p['matched']}/{p['spellings']} match; by script: {p['by_script']}")
    c = r["cross_script"]
    print(
        f"Cross-script pairs: {c['match_at_threshold']}/{c['pairs']} at threshold, "
        f"{c['at_or_above_file_minimum']}/{c['pairs']} at the file's minimum; {c['by_script']}"
    )
    n = r["negatives"]
    print(
        f"Negatives: {n['alerts']}/{n['queries']} alert -> false-alert rate "
        f"{n['false_alert_rate']:.4%} ({n['queries_per_second']} queries/s on 2 workers)"
    )
    n = r["negatives_name_only"]
    print(
        f"Negatives, name only: {n['alerts']}/{n['queries']} alert -> false-alert rate "
        f"{n['false_alert_rate']:.4%}"
    )
    a = r.get("alias_queries")
    if a:
        print(
            f"Alias queries: {a['queries']} entries queried by one alias: "
            f"{a['wrong_entry_alert_rate']:.2%} alert on a wrong entry, "
            f"{a['right_entry_recall']:.2%} find their own entry; without the same subject on "
            f"another list (same full date of birth): {a['wrong_entry_alert_rate_other_subject']:.2%}"
        )
        for cls, row in a["by_class"].items():
            print(
                f"  {cls:22s} {row['queries']:5d} queries, wrong {row['wrong']:4d}, "
                f"other subject {row['wrong_other_subject']:4d}"
            )
        nk = a.get("logic_v2")
        if nk:
            ours, theirs = nk["ours_same_queries"], nk["logic_v2"]
            print(
                f"  same {theirs['queries']} queries, same candidates ({nk['pairs']} pairs): "
                f"wrong entry ours {ours['wrong_entry_alert_rate']:.2%} "
                f"({ours['wrong_entry_alert_rate_other_subject']:.2%} other subject), "
                f"logic-v2 {theirs['wrong_entry_alert_rate']:.2%} "
                f"({theirs['wrong_entry_alert_rate_other_subject']:.2%}); own entry found: "
                f"ours {ours['right_entry_recall']:.2%}, logic-v2 {theirs['right_entry_recall']:.2%}"
            )


if __name__ == "__main__":
    main()
