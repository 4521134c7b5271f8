"""The gate reads a page's tags in linear time (issue 17, item 6).

The tag pattern (`readers.HTML_TAG`), tried at every `<` with no `>` after it, read to the end of
the page each time: 20,000 unclosed `<a` took ~11 s. The scanner that replaces it finds exactly the
tags the pattern finds (a property test), and a hostile page's gate time grows linearly with the
page: each planted page is read at two sizes, four times apart, and the larger may take about four
times as long, not sixteen (a ratio of two runs in one process, never a fixed number of seconds).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.gate.readers import HTML_TAG, HtmlScan, read_path
from helpers.gate.rules.active_content import ActiveContentRule, active_markup
from helpers.gate.rules.base import Context
from helpers.gate.rules.external_link import ExternalLinkRule

#: hostile pages: a unit repeated; each made a tag pattern read on to the end of the page
HOSTILE_UNITS = {
    "unclosed <a": "<a ",
    "unclosed <a with an unmatched quote": "<a title=\"x ",
    "unclosed <script": "<script ",
    "<script> never closed": "<script>x ",
    "<style> never closed": "<style>x ",
}


@given(st.text(alphabet="<a/>\"' =b\n!-:?sScript", max_size=60))
@settings(max_examples=3000, deadline=None)
def test_the_scanner_finds_exactly_the_tags_the_tag_pattern_finds(text):
    expected = [
        (m.start(), m.end(), m.group(1), m.group(2), m.group(3)) for m in HTML_TAG.finditer(text)
    ]
    found = [(t.start, t.end, t.closing, t.name, t.attributes) for t in HtmlScan(text).tags]
    assert found == expected


@given(st.text(alphabet="<a/>\"' =b\n!-sStyleScript", max_size=60))
@settings(max_examples=2000, deadline=None)
def test_the_scanner_reads_script_and_style_bodies_as_their_pattern_did(text):
    from helpers.gate.rules.external_link import _RAW_TEXT_ELEMENT  # the pattern it replaced

    expected = [
        (m.start(), m.group(1), m.group(3)) for m in _RAW_TEXT_ELEMENT.finditer(text)
    ]
    found = [(r.start, r.kind, r.body) for r in HtmlScan(text).raw_text_elements()]
    assert found == expected


def _gate_seconds(page: str, tmp_path: Path) -> float:
    """The best of three reads of `page` by the gate, with both markup rules."""
    path = tmp_path / "briefing.html"
    path.write_text(page, encoding="utf-8")
    rules = [ActiveContentRule(), ExternalLinkRule()]
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        content = read_path(path, "briefing.html")
        for rule in rules:
            rule.check([content], Context(10, None))
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("unit", HOSTILE_UNITS.values(), ids=HOSTILE_UNITS.keys())
def test_a_hostile_page_is_gated_in_time_linear_in_its_size(unit, tmp_path):
    # no `>` after the units: each unclosed tag start reads on to the end of the page
    small = _gate_seconds("<p>" + unit * 5_000, tmp_path)
    large = _gate_seconds("<p>" + unit * 20_000, tmp_path)
    # four times the page: linear is about 4 times as long, the old pattern 16 times
    assert large < 8 * max(small, 2e-3), (small, large)


def test_megabytes_of_tag_starts_are_gated_in_linear_time(tmp_path):
    small = _gate_seconds("<" * 750_000, tmp_path)
    large = _gate_seconds("<" * 3_000_000, tmp_path)
    assert large < 8 * max(small, 2e-3), (small, large)


def test_the_rules_still_find_active_content_after_a_hostile_run():
    page = "<a " * 1_000 + "<p>x</p><script>alert(1)</script>"
    assert any("<script>" in what for _, what in active_markup(page))


def test_the_two_markup_rules_share_one_scan_of_the_page(tmp_path, monkeypatch):
    from helpers.gate import readers

    scans = []
    original = readers.HtmlScan._event_ends
    monkeypatch.setattr(readers.HtmlScan, "_event_ends", lambda self: (scans.append(self), original(self))[1])
    path = tmp_path / "briefing.html"
    path.write_text('<p title="a">x</p><a href="#top">top</a><style>p{}</style>', encoding="utf-8")
    content = read_path(path, "briefing.html")
    for rule in (ActiveContentRule(), ExternalLinkRule()):
        rule.check([content], Context(10, None))
    # the readers' own scan (of the page with its comment marks blanked) and one for both rules
    assert len(scans) == 2
