"""Pictures of the reports (matplotlib, Agg backend: no display needed).

* :func:`plot_coverage`: an overlap heatmap (subjects listed by both of each pair
  of lists) beside an UpSet-style chart (bars: subjects per exact combination of
  lists; dots below: which lists the combination is);
* :func:`plot_timeline`: cumulative designations per list over time, from
  listing dates, and from the version history where a list has several versions.

Every list is labelled with its as-of date (the date of its current version: the
lists compared are of different years), every timeline line with how many of its
listings are dated and from which field, and the lists a timeline leaves out are
named below it with the reason.

The file type follows the extension (``.png``, ``.svg``, ``.pdf``).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.layout_engine import ConstrainedLayoutEngine  # noqa: E402

from .dates import NO_LISTING_DATE  # noqa: E402
from .reports import Coverage, Timeline  # noqa: E402

__all__ = ["plot_coverage", "plot_timeline", "short_label", "dated_label"]

LABELS = {
    "us_ofac_sdn": "US OFAC SDN",
    "us_ofac_sdn_partial": "US OFAC SDN (partial)",
    "us_ofac_cons": "US OFAC non-SDN",
    "us_trade_csl": "US CSL",
    "us_bis_denied": "US BIS DPL",
    "un_sc_sanctions": "UN SC",
    "eu_fsf": "EU FSF",
    "gb_fcdo_sanctions": "UK FCDO",
    "gb_hmt_sanctions": "UK OFSI",
    "ca_dfatd_sema_sanctions": "Canada SEMA",
    "au_dfat_sanctions": "Australia DFAT",
    "ch_seco_sanctions": "Swiss SECO",
}
MAX_COMBINATIONS = 20


def short_label(dataset: str) -> str:
    return LABELS.get(dataset, dataset)


def dated_label(dataset: str, as_of: dict[str, str], compact: bool = False) -> str:
    """``UK OFSI (as of 2018-04-13)``, or ``UK OFSI (2018-04-13)`` when compact."""
    day = as_of.get(dataset)
    if not day:
        return short_label(dataset)
    return f"{short_label(dataset)} ({'' if compact else 'as of '}{day})"


def _scope(programme: str | None, schema: str | None) -> str:
    parts = [f"programme {programme}" if programme else "all programmes"]
    parts.append(f"{schema} only" if schema else "all subject types")
    return ", ".join(parts)


def _heatmap(fig: Figure, ax: plt.Axes, cov: Coverage) -> None:
    names = cov.datasets
    matrix = [[cov.pairs[a][b] for b in names] for a in names]
    image = ax.imshow(matrix, cmap="Blues")
    labels = [dated_label(d, cov.as_of, compact=True) for d in names]
    ax.set_xticks(range(len(names)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(names)), labels)
    peak = max((max(row) for row in matrix), default=0) or 1
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            colour = "white" if value > peak / 2 else "black"
            ax.text(j, i, str(value), ha="center", va="center", fontsize=8, color=colour)
    ax.set_title(
        "Subjects listed by both lists (diagonal: subjects each list has)\n"
        "each list as of the date in brackets: 'not listed' may mean 'not yet' or 'no longer'",
        fontsize=10,
    )
    ax.set_xlabel("list")
    ax.set_ylabel("list")
    fig.colorbar(image, ax=ax, shrink=0.7, label="subjects")


def _upset(fig: Figure, spec: object, cov: Coverage) -> None:
    grid = spec.subgridspec(2, 1, height_ratios=[3, 2], hspace=0.05)  # type: ignore[attr-defined]
    bars, dots = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
    combos = cov.intersections[:MAX_COMBINATIONS]
    xs = range(len(combos))
    bars.bar(xs, [n for _c, n in combos], color="#3b6ea8", label="subjects in exactly these lists")
    for x, (_c, n) in zip(xs, combos, strict=True):
        bars.text(x, n, str(n), ha="center", va="bottom", fontsize=7)
    bars.set_xticks([])
    bars.set_ylabel("subjects")
    bars.set_title(f"Intersections: which lists name the same subject (top {len(combos)})")
    bars.legend(loc="upper right", fontsize=8)
    names = cov.datasets
    for x, (combo, _n) in enumerate(combos):
        ys = [names.index(d) for d in combo]
        dots.scatter([x] * len(names), range(len(names)), color="#dddddd", s=30)
        dots.scatter([x] * len(ys), ys, color="#222222", s=30)
        if len(ys) > 1:
            dots.plot([x, x], [min(ys), max(ys)], color="#222222", linewidth=1.5)
    dots.set_yticks(range(len(names)), [dated_label(d, cov.as_of, compact=True) for d in names])
    dots.set_xticks([])
    dots.set_xlim(bars.get_xlim())
    dots.set_xlabel("combination of lists (dark dots: listed by)")


def plot_coverage(cov: Coverage, path: str | Path) -> Path:
    """Overlap heatmap + UpSet-style intersections chart of a coverage report."""
    fig = plt.figure(figsize=(16, 7.5), layout="constrained")
    outer = fig.add_gridspec(1, 2, width_ratios=[1, 1.4])
    _heatmap(fig, fig.add_subplot(outer[0]), cov)
    _upset(fig, outer[1], cov)
    fig.suptitle(f"Who lists whom: {cov.subjects} subjects ({_scope(cov.programme, cov.schema)})")
    out = Path(path)
    fig.savefig(out, dpi=90)
    plt.close(fig)
    return out


def _in_order(points: list[Any]) -> bool:
    """Versions with publication dates, loaded in date order (a load date dates no list)."""
    return all(p.date_basis != "loaded" for p in points) and all(
        a.date <= b.date for a, b in zip(points, points[1:], strict=False)
    )


def _line_label(tl: Timeline, dataset: str, from_versions: bool) -> str:
    head = dated_label(dataset, tl.as_of)
    dating = tl.dating.get(dataset)
    if from_versions:
        points = tl.versions[dataset]
        why = f"; {NO_LISTING_DATE[dataset]}" if dataset in NO_LISTING_DATE else ""
        return f"{head}: its {len(points)} versions in the store ({points[0].date} to {points[-1].date}){why}"
    if dating is None:
        return head
    how = []
    if dating.by_field:
        how.append(dating.source)
    if dating.by_first_seen:
        how.append("first later version of the store holding them")
    return f"{head}: {dating.dated:,} of {dating.listings:,} dated ({'; '.join(how)})"


def _day(text: str) -> Any:
    from datetime import date

    parts = [int(p) for p in text.split("-")] + [1, 1]
    return date(parts[0], parts[1] or 1, parts[2] or 1)


def plot_timeline(tl: Timeline, path: str | Path, start: str | None = None) -> Path:
    """Cumulative designations per list: from listing dates (solid) and versions (dashed)."""
    fig, ax = plt.subplots(figsize=(12, 6.5), layout="constrained")
    drawn = {ds for ds, v in tl.versions.items() if len(v) > 1 and _in_order(v)}
    for ds, points in tl.designations.items():
        if ds in drawn:
            continue  # its dates come from the versions: drawn once, below
        pts = [p for p in points if start is None or p[0] >= start]
        as_of = tl.as_of.get(ds, "")
        if pts and as_of[:1].isdigit() and as_of > pts[-1][0]:
            pts.append((as_of, 0, pts[-1][2]))  # the count holds until the list's as-of date
        if pts:
            ax.step(
                [_day(p[0]) for p in pts],
                [p[2] for p in pts],
                where="post",
                label=_line_label(tl, ds, from_versions=False),
            )
    for ds, vpoints in tl.versions.items():
        if ds not in drawn:
            continue  # one version, or versions loaded out of date order: no meaningful line
        vps = [p for p in vpoints if start is None or p.date >= start]
        ax.plot(
            [_day(p.date) for p in vps],
            [p.total for p in vps],
            linestyle="--",
            marker="o",
            label=_line_label(tl, ds, from_versions=True),
        )
    ax.set_title(f"Cumulative designations per list ({_scope(tl.programme, tl.schema)})")
    ax.set_xlabel(
        "listing date, from each list's own field (solid); date of each version in the store (dashed)"
    )
    ax.set_ylabel("subjects listed (cumulative)")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=7)
    left_out = [f"{dated_label(ds, tl.as_of)}: {why}" for ds, why in tl.left_out.items()]
    if left_out:
        lines = textwrap.wrap("Left out: " + "; ".join(left_out), 210)
        fig.text(0.01, 0.005, "\n".join(lines), fontsize=7, va="bottom")
        height = 0.02 * len(lines) + 0.01
        engine = fig.get_layout_engine()
        assert isinstance(engine, ConstrainedLayoutEngine)  # layout="constrained" above
        engine.set(rect=(0, height, 1, 1 - height))
    out = Path(path)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out
