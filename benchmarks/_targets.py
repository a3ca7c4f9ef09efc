"""Issue 10's accuracy targets checked on an accuracy report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from _pairs_eval import handwritten_classes

UN_TARGET = 0.99
NEGATIVES_TARGET = 0.005
PUTIN_TARGET = 78
CROSS_SCRIPT_TARGET = 18
F1_MARGIN, AUC_MARGIN = 0.05, 0.03


def _row(name: str, value: Any, target: str, met: bool | None) -> dict[str, Any]:
    return {"target": name, "value": value, "wanted": target, "met": met}


def pair_targets(rows: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """F1 and AUC over all pairs vs logic-v2's, and every hand-written class vs logic-v2."""
    out = []
    nk, ours = rows["all"].get("logic-v2"), rows["all"]["ours"]
    for key, margin, label in (
        ("f1", F1_MARGIN, "F1 at threshold"),
        ("auc", AUC_MARGIN, "ROC AUC"),
    ):
        if nk is None or ours[key] is None or nk[key] is None:
            value = None if ours[key] is None else round(ours[key], 4)
            out.append(_row(f"pairs {label}", value, f">= logic-v2 + {margin}", None))
            continue
        wanted = nk[key] + margin
        out.append(
            _row(
                f"pairs {label} (logic-v2 {nk[key]:.3f})",
                round(ours[key], 4),
                f">= {wanted:.3f}",
                ours[key] >= wanted,
            )
        )
    if nk is not None:
        for cls, per in handwritten_classes(rows):
            a, b = per["ours"]["accuracy"], per["logic-v2"]["accuracy"]
            out.append(
                _row(f"hand-written {cls}: correct decisions", round(a, 3), f">= {b:.3f}", a >= b)
            )
    return out


def list_targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The measures on the lists and eval files (ours only)."""
    out = []
    for label in ("original", "perturbed"):
        for key in ("recall", "top1"):
            value = report["un_people"][label][key]
            out.append(
                _row(f"UN people {label} {key}", value, f">= {UN_TARGET}", value >= UN_TARGET)
            )
    rate = report["negatives"]["false_alert_rate"]
    out.append(
        _row(
            "synthetic negatives alerting", rate, f"<= {NEGATIVES_TARGET}", rate <= NEGATIVES_TARGET
        )
    )
    putin, cross = report["putin"], report["cross_script"]
    out.append(
        _row(
            "Putin spellings matched",
            f"{putin['matched']}/{putin['spellings']}",
            f">= {PUTIN_TARGET}",
            putin["matched"] >= PUTIN_TARGET,
        )
    )
    out.append(
        _row(
            "cross-script pairs at threshold",
            f"{cross['match_at_threshold']}/{cross['pairs']}",
            f">= {CROSS_SCRIPT_TARGET}",
            cross["match_at_threshold"] >= CROSS_SCRIPT_TARGET,
        )
    )
    if "alias_queries" in report:
        alias = report["alias_queries"]
        rate = alias["wrong_entry_alert_rate"]
        out.append(_row("alias queries alerting on a wrong entry", rate, "lower is better", None))
        nk = alias.get("logic_v2")
        if nk is not None:
            ours = nk["ours_same_queries"]["wrong_entry_alert_rate"]
            theirs = nk["logic_v2"]["wrong_entry_alert_rate"]
            out.append(
                _row(
                    f"alias sample ({nk['logic_v2']['queries']}) wrong entry vs logic-v2",
                    ours,
                    f"<= {theirs:.4f}",
                    ours <= theirs,
                )
            )
    return out


def targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of issue 10 with our value and whether it is met (None: not measured)."""
    out = pair_targets(report["pairs"]["rows"])
    if "un_people" in report:
        out += list_targets(report)
    return out


def print_targets(rows: list[dict[str, Any]], out: Callable[[str], None] = print) -> None:
    out("")
    out(f"{'target (issue 10)':58s} {'ours':>10s} {'wanted':>14s}  verdict")
    for row in rows:
        verdict = {True: "met", False: "MISSED", None: "-"}[row["met"]]
        out(f"{row['target'][:58]:58s} {row['value']!s:>10s} {row['wanted']:>14s}  {verdict}")
    measured = [r for r in rows if r["met"] is not None]
    out(f"{sum(r['met'] for r in measured)}/{len(measured)} targets met")
