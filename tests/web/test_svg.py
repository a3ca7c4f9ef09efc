"""The SVG charts escape every label and draw one mark per value."""

from __future__ import annotations

from sanctions.web.svg import heatmap, intersection_bars, timeline_lines


def test_chart_labels_are_escaped():
    evil = '<script>alert("x")</script>'
    pairs = {evil: {evil: 2, "b": 1}, "b": {evil: 1, "b": 3}}
    chart = str(heatmap([evil, "b"], {evil: 2, "b": 3}, pairs))
    assert "<script>" not in chart and "&lt;script&gt;" in chart
    assert chart.count("<rect") == 4 and "50%" in chart  # 1 of evil's 2 is on b
    bars = str(intersection_bars([{"datasets": [evil, "b"], "subjects": 7}]))
    assert "<script>" not in bars and ">7<" in bars
    lines = str(timeline_lines({evil: [("2020-01-02", 1, 1), ("2021-05-01", 2, 3)]}))
    assert "<script>" not in lines and lines.count("<polyline") == 1


def test_a_timeline_without_dated_designations_says_so():
    assert "No dated designation" in str(timeline_lines({"un_sc_sanctions": []}))
