"""Tests for helpers.disclosure: primary and secondary suppression, the HiGHS audit
(disclosure/audit.py), outcome groups and the method note.

The brute-force attacker below is written from the rules' definitions, independently of the
module's constraint-building code, and enumerates every integer assignment of the withheld cells.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from helpers.disclosure.audit import audit
from helpers.disclosure.describe import describe_protection
from helpers.disclosure.outcomes import group_outcomes
from helpers.disclosure.suppression import protect
from helpers.disclosure.tables import TOTAL, Link, Protection, Table
from helpers.errors import DisclosureError

# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def table(name, rows, index, columns, title=None) -> Table:
    return Table(name, title or name, pd.DataFrame(rows, index=index, columns=columns))


def with_totals(name, body, index, columns, total_row=True, total_col=True, title=None) -> Table:
    df = pd.DataFrame(body, index=index, columns=columns, dtype="int64")
    if total_col:
        df[TOTAL] = df.sum(axis=1)
    if total_row:
        df.loc[TOTAL] = df.sum(axis=0)
    return Table(name, title or name, df.astype("int64"))


def secondary_cells(p: Protection) -> set:
    return {
        (name, r, c)
        for name, st_ in p.status.items()
        for r in st_.index
        for c in st_.columns
        if st_.loc[r, c] == "secondary"
    }


def status_frames(tables, T, secondary=()):
    """Status frames with primary exactly where 1..T-1 and the given cells secondary."""
    out = {}
    secondary = set(secondary)
    for t in tables:
        df = t.counts
        out[t.name] = pd.DataFrame(
            [
                [
                    "primary"
                    if 1 <= df.loc[r, c] <= T - 1
                    else ("secondary" if (t.name, r, c) in secondary else "shown")
                    for c in df.columns
                ]
                for r in df.index
            ],
            index=df.index,
            columns=df.columns,
        )
    return out


def pinned_cells(report: pd.DataFrame) -> set:
    return set(map(tuple, report.loc[report["pinned"], ["table", "row", "col"]].to_numpy().tolist()))


def check_invariants(p: Protection, tables, T):
    """Display/status rules that must hold for any protection."""
    for t in tables:
        counts, disp, stat = t.counts, p.tables[t.name], p.status[t.name]
        assert disp.index.equals(counts.index) and disp.columns.equals(counts.columns)
        for r in counts.index:
            for c in counts.columns:
                v, d, s = int(counts.loc[r, c]), disp.loc[r, c], stat.loc[r, c]
                if 1 <= v <= T - 1:
                    assert (s, d) == ("primary", f"<{T}"), (t.name, r, c)
                elif s == "secondary":
                    assert v >= T and d == "[c]", (t.name, r, c)
                else:
                    assert s == "shown" and d == str(v), (t.name, r, c)
                    assert v == 0 or v >= T


# --------------------------------------------------------------------------------------------
# independent brute-force attacker
# --------------------------------------------------------------------------------------------


def relations(tables, links):
    """The additive relations, restated from the rules: (kind, lhs cells, rhs cells)."""
    rels = []
    for t in tables:
        df = t.counts
        rows = [r for r in df.index if r != TOTAL]
        cols = [c for c in df.columns if c != TOTAL]
        if TOTAL in df.columns:
            for r in df.index:
                rels.append(("==", [(t.name, r, c) for c in cols], [(t.name, r, TOTAL)]))
        if TOTAL in df.index:
            for c in df.columns:
                rels.append(("==", [(t.name, r, c) for r in rows], [(t.name, TOTAL, c)]))
    for link in links:
        if link.kind == "equal":
            rels.append(("==", [link.parts[0]], [link.target]))
        elif link.kind == "subset":
            rels.append(("<=", [link.parts[0]], [link.target]))
            if link.complement is not None:
                rels.append(("==", [link.parts[0], link.complement], [link.target]))
        else:
            for part in link.parts:
                rels.append(("<=", [part], [link.target]))
            rels.append(("<=", [link.target], list(link.parts)))
            if link.complement is not None:
                rels.append(("==", list(link.parts), [link.target, link.complement]))
    return rels


def brute_force(tables, links, status, T, cap):
    """min/max of every withheld cell over all integer assignments with [c] cells in [T, cap]."""
    value = {(t.name, r, c): int(t.counts.loc[r, c]) for t in tables for r in t.counts.index
             for c in t.counts.columns}
    state = {(n, r, c): status[n].loc[r, c] for (n, r, c) in value}
    free = [cell for cell in value if state[cell] != "shown"]
    ranges = [range(1, T) if state[cell] == "primary" else range(T, cap + 1) for cell in free]
    size = math.prod(len(r) for r in ranges)
    assert size <= 3_000_000, size
    grid = np.array(list(itertools.product(*ranges)), dtype=np.int64).reshape(size, len(free))
    col = {cell: i for i, cell in enumerate(free)}

    def val(cell):
        return grid[:, col[cell]] if cell in col else value[cell]

    ok = np.ones(size, dtype=bool)
    for kind, lhs, rhs in relations(tables, links):
        left = sum(val(c) for c in lhs)
        right = sum(val(c) for c in rhs)
        ok &= (left == right) if kind == "==" else (left <= right)
    feasible = grid[ok]
    assert len(feasible), "the true figures must be feasible"
    return {cell: (int(feasible[:, i].min()), int(feasible[:, i].max())) for cell, i in col.items()}


def assert_audit_matches_brute_force(tables, links, status, T, cap):
    report = audit(tables, links, status, T)
    small = brute_force(tables, links, status, T, cap)
    large = brute_force(tables, links, status, T, cap + 2)
    assert len(report) == len(small)
    for row in report.itertuples():
        cell = (row.table, row.row, row.col)
        lo, hi = small[cell]
        assert row.min == lo, (cell, row.min, lo)
        if math.isinf(row.max):
            assert large[cell][1] > hi, cell  # grows with the cap: no upper limit
        else:
            assert row.max == hi == large[cell][1], (cell, row.max, hi)
        assert row.pinned == (lo == hi == large[cell][1]), cell
    return report


# --------------------------------------------------------------------------------------------
# the example response (request 20180075 on the sample extract)
# --------------------------------------------------------------------------------------------

YEARS = ["2015", "2016", "2017"]
OUTCOMES_BY_YEAR = {
    "2015": {"1": 7, "14": 4, "15": 7, "16": 1, "18": 5, "20": 2, "8": 1},
    "2016": {"1": 10, "14": 1, "15": 4, "16": 3, "18": 4, "21": 3, "pending": 4},
    "2017": {"1": 13, "14": 3, "15": 8, "16": 2, "18": 4, "20": 1, "21": 2, "3": 1, "pending": 6},
}
OFFENCES = "Recorded offences"
HUNTER = "Offences with hunter-group evidence"
Q1, Q2, EITHER, HUNTER_P = (
    "Charged: s15",
    "Charged: attempted s15",
    "Charged: s15 or attempted s15",
    "Charged, with hunter-group evidence",
)


def example_response():
    offences = with_totals("offences_by_year", [[27, 29, 40]], [OFFENCES], YEARS, total_row=False,
                           title="Sexual grooming offences recorded, by year")
    outcomes = Table("outcomes_by_year", "Outcomes of those offences, by year recorded",
                     group_outcomes(OUTCOMES_BY_YEAR))
    hunter = with_totals("hunter_offences_by_year", [[0, 3, 6]], [HUNTER], YEARS, total_row=False,
                         title="Offences with evidence from online 'hunter' groups, by year")
    persons = table("persons_charged", [[18], [4], [21], [4]], [Q1, Q2, EITHER, HUNTER_P], ["2017"],
                    title="People charged in 2017")
    cols = YEARS + [TOTAL]
    links = [Link.equal(("outcomes_by_year", TOTAL, y), ("offences_by_year", OFFENCES, y)) for y in cols]
    links += [Link.subset(("hunter_offences_by_year", HUNTER, y), ("offences_by_year", OFFENCES, y))
              for y in cols]
    links += [
        Link.union(("persons_charged", EITHER, "2017"),
                   [("persons_charged", Q1, "2017"), ("persons_charged", Q2, "2017")]),
        Link.subset(("persons_charged", HUNTER_P, "2017"), ("persons_charged", EITHER, "2017")),
    ]
    return [offences, outcomes, hunter, persons], links


EXPECTED_EXAMPLE_DISPLAY = {
    "offences_by_year": [["27", "29", "40", "96"]],
    "outcomes_by_year": [
        ["7", "10", "13", "30"],      # Charged/summonsed
        ["0", "0", "<5", "<5"],       # Out-of-court (formal)
        ["<5", "0", "0", "<5"],       # Out-of-court (informal)
        ["12", "8", "13", "33"],      # Evidential difficulties
        ["[c]", "<5", "<5", "13"],    # Investigation complete – no suspect identified
        ["<5", "<5", "<5", "[c]"],    # Other outcomes
        ["0", "<5", "[c]", "10"],     # Not yet assigned an outcome
        ["27", "29", "40", "96"],     # Total
    ],
    "hunter_offences_by_year": [["0", "<5", "[c]", "9"]],
    "persons_charged": [["18"], ["<5"], ["21"], ["<5"]],
}


def test_example_response_is_safe_and_no_small_cell_is_pinned():
    tables, links = example_response()
    p = protect(tables, links, threshold=5)
    assert p.safe
    check_invariants(p, tables, 5)
    small = p.audit[p.audit["display"] == "<5"]
    assert len(small) == 13 and not small["pinned"].any()
    assert not p.audit["pinned"].any()
    # the audit is reproducible from the released statuses alone
    again = audit(tables, links, p.status, 5)
    pd.testing.assert_frame_equal(again, p.audit)
    for name, rows in EXPECTED_EXAMPLE_DISPLAY.items():
        assert p.tables[name].to_numpy().tolist() == rows, name
    # headline figures survive; the small hunter-group count cannot be worked out from its total
    hunter_2016 = p.audit.set_index(["table", "row", "col"]).loc[("hunter_offences_by_year", HUNTER, "2016")]
    assert (hunter_2016["min"], hunter_2016["max"]) == (1, 4)
    persons_q2 = p.audit.set_index(["table", "row", "col"]).loc[("persons_charged", Q2, "2017")]
    assert (persons_q2["min"], persons_q2["max"]) == (3, 4)  # 21 - 18 <= Q2 <= 4: two values left


def test_example_response_needs_its_secondary_suppressions():
    """Showing every [c] of the example would let an attacker pin small cells."""
    tables, links = example_response()
    primary_only = audit(tables, links, status_frames(tables, 5), 5)
    assert {
        ("outcomes_by_year", "Out-of-court (formal)", "2017"),
        ("outcomes_by_year", "Not yet assigned an outcome", "2016"),
        ("hunter_offences_by_year", HUNTER, "2016"),
    } <= pinned_cells(primary_only)


# --------------------------------------------------------------------------------------------
# primary suppression
# --------------------------------------------------------------------------------------------


def test_primary_suppression_display():
    t = table("t", [[0, 1, 2, 3, 4, 5, 6, 40]], ["Offences"], list("abcdefgh"))
    p = protect([t])
    assert p.tables["t"].loc["Offences"].tolist() == ["0", "<5", "<5", "<5", "<5", "5", "6", "40"]
    assert p.status["t"].loc["Offences"].tolist() == ["shown"] + ["primary"] * 4 + ["shown"] * 3
    assert p.safe and not secondary_cells(p)


@pytest.mark.parametrize(
    "T, values, expected",
    [
        (3, [0, 1, 2, 3, 4], ["0", "<3", "<3", "3", "4"]),
        (10, [0, 1, 5, 9, 10, 11], ["0", "<10", "<10", "<10", "10", "11"]),
    ],
)
def test_threshold_other_than_five(T, values, expected):
    t = table("t", [values], ["n"], [f"c{i}" for i in range(len(values))])
    p = protect([t], threshold=T)
    assert p.tables["t"].loc["n"].tolist() == expected
    assert p.threshold == T


@pytest.mark.parametrize("bad", [2, 1, 0, -5])
def test_threshold_below_three_is_refused(bad):
    # "<2" would say the count is exactly 1
    with pytest.raises(ValueError):
        protect([table("t", [[1]], ["n"], ["a"])], threshold=bad)


def test_threshold_must_be_int():
    with pytest.raises(TypeError):
        protect([table("t", [[1]], ["n"], ["a"])], threshold=5.0)


# --------------------------------------------------------------------------------------------
# secondary suppression within a table
# --------------------------------------------------------------------------------------------


def test_row_with_one_small_cell_and_shown_total_gets_smallest_secondary():
    t = table("t", [[20, 3, 9, 7, 39]], ["Offences"], ["a", "b", "c", "d", TOTAL])
    # without secondary suppression the 3 is 39 - 20 - 9 - 7
    before = audit([t], [], status_frames([t], 5), 5)
    assert pinned_cells(before) == {("t", "Offences", "b")}
    p = protect([t])
    assert p.tables["t"].loc["Offences"].tolist() == ["20", "<5", "9", "[c]", "39"]
    assert p.safe
    row = p.audit.set_index("col").loc["b"]
    assert (row["min"], row["max"]) == (1, 4)


def test_column_case():
    t = table("t", [[12], [2], [30], [6], [50]], ["a", "b", "c", "d", TOTAL], ["2016"])
    assert pinned_cells(audit([t], [], status_frames([t], 5), 5)) == {("t", "b", "2016")}
    p = protect([t])
    assert p.tables["t"]["2016"].tolist() == ["12", "<5", "30", "[c]", "50"]
    assert p.safe


def test_secondary_cells_show_c_not_less_than_threshold():
    t = table("t", [[3, 8, 11]], ["n"], ["a", "b", TOTAL])
    p = protect([t])
    assert p.tables["t"].loc["n", "b"] == "[c]"
    assert p.status["t"].loc["n", "b"] == "secondary"
    rows = p.audit[p.audit["status"] == "secondary"]
    assert rows["display"].tolist() == ["[c]"] and (rows["true_value"] >= 5).all()
    # the attacker knows [c] >= 5, so 8 + 3 = 11 leaves [c] in 7..10 and the small cell in 1..4
    assert (rows["min"].item(), rows["max"].item()) == (7, 10)


def test_zero_is_never_a_secondary_cell():
    t = table("t", [[3, 0, 12, 15]], ["n"], ["a", "b", "c", TOTAL])
    p = protect([t])
    assert p.tables["t"].loc["n"].tolist() == ["<5", "0", "[c]", "15"]


def test_ties_are_broken_by_stable_order():
    t = table("t", [[3, 7, 7, 17]], ["n"], ["a", "b", "c", TOTAL])
    p = protect([t])
    assert p.tables["t"].loc["n"].tolist() == ["<5", "[c]", "7", "17"]


def test_total_is_withheld_when_nothing_else_can_protect():
    t = table("t", [[4, 4, 8]], ["n"], ["a", "b", TOTAL])  # two cells <= 4 adding to 8: both 4
    assert pinned_cells(audit([t], [], status_frames([t], 5), 5)) == {("t", "n", "a"), ("t", "n", "b")}
    p = protect([t])
    assert p.tables["t"].loc["n"].tolist() == ["<5", "<5", "[c]"]
    assert p.safe


def test_two_small_cells_that_leave_a_range_need_nothing_more():
    t = table("t", [[3, 4, 7]], ["n"], ["a", "b", TOTAL])  # a + b = 7: a is 3 or 4
    p = protect([t])
    assert p.tables["t"].loc["n"].tolist() == ["<5", "<5", "7"]
    assert set(p.audit["min"]) == {3} and set(p.audit["max"]) == {4}


def test_prefers_non_total_cells_over_smaller_totals():
    # Q2 = 22 - 18 is pinned; withholding either 18 or 22 protects it.  The 18 is also the total
    # of another table, so the larger 22, which is not a total, is withheld instead.
    tables, links = persons(18, 4, 22)
    by_month = table("by_month", [[9, 9, 18]], ["n"], ["Jan", "Feb", TOTAL])
    links = links + [Link.equal(("persons", "Q1", "2017"), ("by_month", "n", TOTAL))]
    p = protect(tables + [by_month], links)
    assert p.tables["persons"]["2017"].tolist() == ["18", "<5", "[c]"]
    assert p.tables["by_month"].loc["n"].tolist() == ["9", "9", "18"]
    assert p.safe
    # without the second table, the smaller 18 is the one withheld
    assert protect(*persons(18, 4, 22)).tables["persons"]["2017"].tolist() == ["[c]", "<5", "22"]


def test_attacker_knows_c_cells_are_at_least_the_threshold():
    t = table("t", [[5, 6, 11]], ["n"], ["a", "b", TOTAL])
    report = audit([t], [], status_frames([t], 5, [("t", "n", "a"), ("t", "n", "b")]), 5)
    assert report[["min", "max"]].to_numpy().tolist() == [[5, 6], [5, 6]]


def test_rectangle_of_secondary_cells():
    # one small cell in a 2x2 table with both margins needs three more withheld cells
    t = with_totals("t", [[3, 10], [6, 20]], ["r1", "r2"], ["c1", "c2"])
    p = protect([t])
    assert p.tables["t"].to_numpy().tolist() == [
        ["<5", "[c]", "13"],
        ["[c]", "[c]", "26"],
        ["9", "30", "39"],
    ]
    assert p.safe
    # no pair of the three would do: each leaves the small cell pinned
    for pair in itertools.combinations([("t", "r1", "c2"), ("t", "r2", "c1"), ("t", "r2", "c2")], 2):
        report = audit([t], [], status_frames([t], 5, pair), 5)
        assert ("t", "r1", "c1") in pinned_cells(report)


def test_one_small_cell_of_a_long_table_takes_a_rectangle_not_its_column():
    """Found by a new user: charges of two code groups by quarter, one small count (4). Withheld
    smallest first, the small group's whole column went, then every other quarter's cell: 13
    withheld where three (a rectangle's other corners) keep it."""
    body = [[36, 6], [50, 11], [42, 6], [46, 4], [46, 7], [32, 9], [52, 7]]
    t = with_totals("t", body, [f"Q{i}" for i in range(1, 8)], ["theft", "sexual"])
    p = protect([t])
    assert p.safe
    assert secondary_cells(p) == {("t", "Q1", "theft"), ("t", "Q1", "sexual"), ("t", "Q4", "theft")}


def test_inherently_unprotectable_table_fails_the_run():
    t = table("t", [[1, 1, 1, 1, 4]], ["n"], ["a", "b", "c", "d", TOTAL])  # four cells >= 1 in 4
    with pytest.raises(DisclosureError) as err:
        protect([t])
    assert err.value.protection is not None and not err.value.protection.safe
    # said for a person (found by a new user: a Python list of tuples), with what to do
    assert str(err.value) == (
        "withheld figures could still be worked out exactly, whatever else is withheld: table t, "
        "row n: a, b, c, d and Total; restructure the tables (fewer small figures: for example one "
        "total in place of a split by month, or a coarser breakdown)"
    )
    # labels of any kind, in one line: quoted where they hold a separator, blank said, each once,
    # and no more than twenty
    from helpers.disclosure.suppression import pinned_words

    assert pinned_words([("t", "Theft, burglary", "2017"), ("t", "Theft, burglary", "Total"), ("t", "Theft, burglary", "2017")]) == (
        "table t, row \u201cTheft, burglary\u201d: 2017 and Total"
    )
    assert pinned_words([("t", "", "2017"), ("t", "a\nb", "2017")]) == "table t, column 2017: (blank) and a b"
    many = pinned_words([("t", f"M{i}", "n") for i in range(120)])
    assert many.endswith("M18 and M19; and 100 more cells") and "\n" not in many
    p = protect([t], strict=False)
    assert not p.safe and p.audit["pinned"].all()
    with pytest.raises(DisclosureError):
        describe_protection(p)


# --------------------------------------------------------------------------------------------
# secondary suppression across tables
# --------------------------------------------------------------------------------------------


def hunter_tables():
    offences = table("offences", [[27]], ["Offences"], ["2016"])
    hunter = table("hunter", [[3]], ["Hunter"], ["2016"])
    other = table("other", [[24]], ["Not hunter"], ["2016"])
    return [offences, hunter, other]


def test_subset_with_complement_shown_elsewhere_is_protected():
    tables = hunter_tables()
    links = [Link.subset(("hunter", "Hunter", "2016"), ("offences", "Offences", "2016"),
                         complement=("other", "Not hunter", "2016"))]
    # 27 - 24 = 3
    assert pinned_cells(audit(tables, links, status_frames(tables, 5), 5)) == {("hunter", "Hunter", "2016")}
    p = protect(tables, links)
    assert secondary_cells(p) == {("other", "Not hunter", "2016")}  # 24 < 27
    assert p.tables["offences"].loc["Offences", "2016"] == "27"
    row = p.audit.set_index("table").loc["hunter"]
    assert (row["min"], row["max"]) == (1, 4)


def test_subset_alone_does_not_pin():
    tables = hunter_tables()[:2]
    links = [Link.subset(("hunter", "Hunter", "2016"), ("offences", "Offences", "2016"))]
    p = protect(tables, links)
    assert not secondary_cells(p)
    assert (p.audit["min"].item(), p.audit["max"].item()) == (1, 4)


def test_subset_table_against_its_total_table():
    # the hunter table's own total (9) pins its small 2016 cell: 9 - 0 - 6
    offences = with_totals("offences", [[27, 29, 40]], ["n"], YEARS, total_row=False)
    hunter = with_totals("hunter", [[0, 3, 6]], ["n"], YEARS, total_row=False)
    links = [Link.subset(("hunter", "n", y), ("offences", "n", y)) for y in YEARS + [TOTAL]]
    p = protect([offences, hunter], links)
    assert p.tables["hunter"].loc["n"].tolist() == ["0", "<5", "[c]", "9"]
    assert p.tables["offences"].loc["n"].tolist() == ["27", "29", "40", "96"]


def test_subset_upper_bound_is_used_by_the_attacker():
    # a [c] subset cell cannot exceed its superset: 5 <= hunter <= 12
    whole = table("whole", [[12]], ["n"], ["y"])
    part = table("part", [[7]], ["n"], ["y"])
    links = [Link.subset(("part", "n", "y"), ("whole", "n", "y"))]
    tables = [whole, part]
    report = audit(tables, links, status_frames(tables, 5, [("part", "n", "y")]), 5)
    assert (report["min"].item(), report["max"].item()) == (5, 12)
    assert_audit_matches_brute_force(tables, links, status_frames(tables, 5, [("part", "n", "y")]), 5, 20)


def persons(q1, q2, either, both=None):
    rows, index = [[q1], [q2], [either]], ["Q1", "Q2", "Either"]
    if both is not None:
        rows.append([both])
        index.append("Both")
    t = table("persons", rows, index, ["2017"])
    link = Link.union(("persons", "Either", "2017"), [("persons", "Q1", "2017"), ("persons", "Q2", "2017")],
                      both=None if both is None else ("persons", "Both", "2017"))
    return [t], [link]


def test_union_pins_small_part_when_parts_are_disjoint():
    tables, links = persons(18, 4, 22)  # either <= Q1 + Q2 gives Q2 >= 4
    assert pinned_cells(audit(tables, links, status_frames(tables, 5), 5)) == {("persons", "Q2", "2017")}
    p = protect(tables, links)
    assert p.tables["persons"]["2017"].tolist() == ["[c]", "<5", "22"]  # 18 < 22
    assert p.safe


def test_union_that_leaves_a_range_is_left_alone():
    tables, links = persons(18, 4, 21)  # Q2 is 3 or 4
    p = protect(tables, links)
    assert p.tables["persons"]["2017"].tolist() == ["18", "<5", "21"]
    assert (p.audit["min"].item(), p.audit["max"].item()) == (3, 4)


@pytest.mark.parametrize("both, pinned", [(None, False), (0, True)])
def test_union_with_released_intersection(both, pinned):
    tables, links = persons(18, 1, 19, both)  # with "both" = 0 released, Q2 = 19 - 18
    report = audit(tables, links, status_frames(tables, 5), 5)
    assert (("persons", "Q2", "2017") in pinned_cells(report)) == pinned
    p = protect(tables, links)
    assert p.safe
    assert (p.tables["persons"].loc["Q1", "2017"] == "[c]") == pinned


def test_union_bounds_in_the_audit():
    # max(parts) <= either <= sum(parts): a withheld Q1 is between 22 - 10 and 22
    tables, links = persons(15, 10, 22)
    report = audit(tables, links, status_frames(tables, 5, [("persons", "Q1", "2017")]), 5)
    assert (report["min"].item(), report["max"].item()) == (12, 22)


def test_attacker_uses_whole_numbers():
    # a <= b and a + b = 11 with both >= 5: as real numbers a could be 5.5, as counts a = 5, b = 6
    t = table("t", [[5, 6, 11]], ["n"], ["a", "b", TOTAL])
    links = [Link.subset(("t", "n", "a"), ("t", "n", "b"))]
    both = [("t", "n", "a"), ("t", "n", "b")]
    report = audit([t], links, status_frames([t], 5, both), 5)
    assert report[["min", "max"]].to_numpy().tolist() == [[5, 5], [6, 6]]
    assert report["pinned"].all()
    t = table("t", [[6, 7, 13]], ["n"], ["a", "b", TOTAL])  # b >= 6.5, so b >= 7
    report = audit([t], links, status_frames([t], 5, both), 5)
    assert report[["min", "max"]].to_numpy().tolist() == [[5, 6], [7, 8]]


def test_same_figure_in_two_tables():
    a = table("a", [[3, 20, 23]], ["n"], ["x", "y", TOTAL])
    b = table("b", [[20, 15]], ["n"], ["y", "z"])
    links = [Link.equal(("a", "n", "y"), ("b", "n", "y"))]
    # withholding a's 20 alone is useless while b shows it
    report = audit([a, b], links, status_frames([a, b], 5, [("a", "n", "y")]), 5)
    assert ("a", "n", "x") in pinned_cells(report)
    p = protect([a, b], links)
    assert secondary_cells(p) == {("a", "n", "y"), ("b", "n", "y")}
    assert p.tables["b"].loc["n"].tolist() == ["[c]", "15"]
    # without the link, b's 20 is just another figure
    p = protect([a, b], [])
    assert secondary_cells(p) == {("a", "n", "y")}


def test_equal_link_to_a_total_row():
    # outcome counts whose column total is the offence count released in another table
    outcomes = table("outcomes", [[20], [3]], ["Charged", "Other"], ["2016"])
    offences = table("offences", [[23]], ["n"], ["2016"])
    tables = [outcomes, offences]
    assert not pinned_cells(audit(tables, [], status_frames(tables, 5), 5))
    # the offences table says the outcomes add up to 23: a Total row does the same
    outcomes_t = with_totals("outcomes", [[20], [3]], ["Charged", "Other"], ["2016"], total_col=False)
    links = [Link.equal(("outcomes", TOTAL, "2016"), ("offences", "n", "2016"))]
    p = protect([outcomes_t, offences], links)
    assert p.tables["outcomes"]["2016"].tolist() == ["[c]", "<5", "23"]
    assert p.tables["offences"].loc["n", "2016"] == "23"


# --------------------------------------------------------------------------------------------
# determinism, validation, outputs
# --------------------------------------------------------------------------------------------


def test_determinism_and_link_order_does_not_matter():
    tables, links = example_response()
    first = protect(tables, links)
    second = protect(tables, links)
    reordered = protect(tables, list(reversed(links)))
    for other in (second, reordered):
        for name in first.tables:
            pd.testing.assert_frame_equal(first.tables[name], other.tables[name])
            pd.testing.assert_frame_equal(first.status[name], other.status[name])
        pd.testing.assert_frame_equal(first.audit, other.audit)
    assert first.secondary_log == second.secondary_log


def test_public_audit_drops_true_values():
    tables, links = example_response()
    p = protect(tables, links)
    assert "true_value" in p.audit.columns
    public = p.public_audit()
    assert "true_value" not in public.columns and len(public) == len(p.audit)


@pytest.mark.parametrize(
    "make",
    [
        lambda: ([table("t", [[1, 2, 4]], ["n"], ["a", "b", TOTAL])], []),  # wrong total
        lambda: ([table("t", [[1, -1, 0]], ["n"], ["a", "b", TOTAL])], []),  # negative
        lambda: ([table("t", [[1.5, 2.0]], ["n"], ["a", "b"])], []),  # not an integer
        lambda: ([table("t", [[np.nan, 2.0]], ["n"], ["a", "b"])], []),  # missing
        lambda: ([table("t", [[1]], ["n"], ["a"]), table("t", [[1]], ["n"], ["a"])], []),  # names
        lambda: ([table("a", [[9]], ["n"], ["y"]), table("b", [[8]], ["n"], ["y"])],
                 [Link.equal(("a", "n", "y"), ("b", "n", "y"))]),  # link does not hold
        lambda: ([table("a", [[9]], ["n"], ["y"]), table("b", [[10]], ["n"], ["y"])],
                 [Link.subset(("b", "n", "y"), ("a", "n", "y"))]),  # subset larger than whole
        lambda: ([table("a", [[9], [3], [13]], ["q1", "q2", "e"], ["y"])],
                 [Link.union(("a", "e", "y"), [("a", "q1", "y"), ("a", "q2", "y")])]),  # e > q1+q2
    ],
)
def test_inconsistent_input_is_refused(make):
    tables, links = make()
    with pytest.raises(ValueError):
        protect(tables, links)


def test_unknown_cell_in_link_is_refused():
    t = table("a", [[9]], ["n"], ["2016"])
    with pytest.raises(KeyError, match="not in table"):
        protect([t, table("b", [[9]], ["n"], ["2016"])], [Link.equal(("a", "n", 2016), ("b", "n", "2016"))])
    with pytest.raises(KeyError, match="unknown table"):
        protect([t], [Link.equal(("a", "n", "2016"), ("zz", "n", "2016"))])


def test_link_shapes_are_checked():
    with pytest.raises(ValueError):
        Link.union(("a", "e", "y"), [("a", "q1", "y")])
    with pytest.raises(ValueError):
        Link.union(("a", "e", "y"), [("a", "q1", "y"), ("a", "q2", "y"), ("a", "q3", "y")], both=("a", "b", "y"))
    with pytest.raises(ValueError):
        Link.equal(("a", "n", "y"), ("a", "n", "y"))
    with pytest.raises(ValueError):
        Link("sum", ("a", "n", "y"), (("a", "m", "y"),))


def test_audit_refuses_statuses_that_break_the_rules():
    t = table("t", [[3, 8, 11]], ["n"], ["a", "b", TOTAL])
    ok = status_frames([t], 5, [("t", "n", "b")])
    shown_small = {"t": ok["t"].replace({"primary": "shown"})}
    with pytest.raises(ValueError):
        audit([t], [], shown_small, 5)
    zero = table("z", [[0, 8, 8]], ["n"], ["a", "b", TOTAL])
    with pytest.raises(ValueError):
        audit([zero], [], status_frames([zero], 5, [("z", "n", "a")]), 5)


# --------------------------------------------------------------------------------------------
# the HiGHS audit against a brute-force attacker
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        "rectangle_before", "rectangle_after", "row", "union", "union_both", "subset_complement",
        "persons_example", "hunter_example", "unbounded",
    ],
)
def test_audit_agrees_with_brute_force(case):
    T, cap = 5, 45
    if case.startswith("rectangle"):
        t = with_totals("t", [[3, 10], [6, 20]], ["r1", "r2"], ["c1", "c2"])
        tables, links = [t], []
        sec = [] if case == "rectangle_before" else [("t", "r1", "c2"), ("t", "r2", "c1"), ("t", "r2", "c2")]
    elif case == "row":
        tables, links = [table("t", [[4, 2, 7, 13]], ["n"], ["a", "b", "c", TOTAL])], []
        sec = [("t", "n", "c")]
    elif case == "union":
        tables, links = persons(18, 4, 22)
        sec = [("persons", "Q1", "2017")]
    elif case == "union_both":
        tables, links = persons(9, 1, 10, 0)
        sec = [("persons", "Q1", "2017")]
    elif case == "subset_complement":
        tables = hunter_tables()
        links = [Link.subset(("hunter", "Hunter", "2016"), ("offences", "Offences", "2016"),
                             complement=("other", "Not hunter", "2016"))]
        sec = [("other", "Not hunter", "2016")]
    elif case == "persons_example":
        tables, links = example_response()
        tables, links = tables[3:], links[-2:]
        sec = []
    elif case == "hunter_example":
        offences = with_totals("offences", [[27, 29, 40]], ["n"], YEARS, total_row=False)
        hunter = with_totals("hunter", [[0, 3, 6]], ["n"], YEARS, total_row=False)
        tables = [offences, hunter]
        links = [Link.subset(("hunter", "n", y), ("offences", "n", y)) for y in YEARS + [TOTAL]]
        sec = [("hunter", "n", "2017")]
        cap = 45
    else:  # a withheld cell next to a withheld total: no upper limit
        tables, links = [table("t", [[3, 8, 11]], ["n"], ["a", "b", TOTAL])], []
        sec = [("t", "n", "b"), ("t", "n", TOTAL)]
        cap = 30
    report = assert_audit_matches_brute_force(tables, links, status_frames(tables, T, sec), T, cap)
    if case == "unbounded":
        assert math.isinf(report.set_index("col").loc["b", "max"])
    if case == "rectangle_before":
        assert report["pinned"].all()


@st.composite
def small_audit_cases(draw):
    """A small table (optionally with totals), maybe a linked table, and a random status."""
    T = 3
    n_rows, n_cols = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    body = [[draw(st.integers(0, 6)) for _ in range(n_cols)] for _ in range(n_rows)]
    total_row, total_col = draw(st.booleans()), draw(st.booleans())
    main = with_totals("m", body, [f"r{i}" for i in range(n_rows)], [f"c{j}" for j in range(n_cols)],
                       total_row, total_col)
    tables, links = [main], []
    cells = [("m", r, c) for r in main.counts.index for c in main.counts.columns]
    extra = draw(st.sampled_from(["none", "equal", "subset", "subset_complement", "union"]))
    if extra in ("equal", "subset", "subset_complement"):
        target = draw(st.sampled_from(cells))
        v = int(main.counts.loc[target[1], target[2]])
        part = v if extra == "equal" else draw(st.integers(0, v))
        rows, index = [[part]], ["p"]
        if extra == "subset_complement":
            rows.append([v - part])
            index.append("rest")
        tables.append(table("x", rows, index, ["y"]))
        if extra == "equal":
            links.append(Link.equal(("x", "p", "y"), target))
        else:
            links.append(Link.subset(("x", "p", "y"), target,
                                     ("x", "rest", "y") if extra == "subset_complement" else None))
    elif extra == "union":
        only1, only2, both = draw(st.integers(0, 5)), draw(st.integers(0, 5)), draw(st.integers(0, 3))
        rows = [[only1 + both], [only2 + both], [only1 + only2 + both]]
        index = ["q1", "q2", "e"]
        show_both = draw(st.booleans())
        if show_both:
            rows.append([both])
            index.append("b")
        tables.append(table("x", rows, index, ["y"]))
        links.append(Link.union(("x", "e", "y"), [("x", "q1", "y"), ("x", "q2", "y")],
                                ("x", "b", "y") if show_both else None))
    big = [(t.name, r, c) for t in tables for r in t.counts.index for c in t.counts.columns
           if t.counts.loc[r, c] >= T]
    sec = [cell for cell in big if draw(st.booleans())]
    return T, tables, links, sec


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_audit_cases())
def test_audit_agrees_with_brute_force_on_random_small_cases(case):
    T, tables, links, sec = case
    status = status_frames(tables, T, sec)
    n_primary = sum((s == "primary").to_numpy().sum() for s in status.values())
    assume(n_primary + len(sec) <= 9 and len(sec) <= 3)
    cap = 2 * max(int(t.counts.to_numpy().max()) for t in tables) + T
    assume(2 ** n_primary * (cap + 3 - T) ** len(sec) <= 1_500_000)
    assert_audit_matches_brute_force(tables, links, status, T, cap)


# --------------------------------------------------------------------------------------------
# property: protect() always leaves nothing pinned (unless nothing more can be withheld)
# --------------------------------------------------------------------------------------------


@st.composite
def responses(draw):
    T = draw(st.sampled_from([3, 4, 5]))
    count = st.one_of(st.just(0), st.integers(1, T - 1), st.integers(T, 4 * T))
    n_rows, n_cols = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    body = [[draw(count) for _ in range(n_cols)] for _ in range(n_rows)]
    total_row, total_col = draw(st.booleans()), draw(st.booleans())
    index, columns = [f"r{i}" for i in range(n_rows)], [f"c{j}" for j in range(n_cols)]
    main = with_totals("main", body, index, columns, total_row, total_col)
    tables, links = [main], []
    if draw(st.booleans()):  # a subset table, cell by cell, maybe with its complement released
        sub = [[draw(st.integers(0, v)) for v in row] for row in body]
        part = with_totals("part", sub, index, columns, total_row, total_col)
        tables.append(part)
        rest = None
        if draw(st.booleans()):
            rest = with_totals("rest", [[v - s for v, s in zip(rv, rs)] for rv, rs in zip(body, sub)],
                               index, columns, total_row, total_col)
            tables.append(rest)
        for r in main.counts.index:
            for c in main.counts.columns:
                links.append(Link.subset(("part", r, c), ("main", r, c), None if rest is None else ("rest", r, c)))
    if draw(st.booleans()):  # people under two offences and under either
        only1, only2, both = draw(count), draw(count), draw(st.integers(0, 2 * T))
        rows, idx = [[only1 + both], [only2 + both], [only1 + only2 + both]], ["q1", "q2", "either"]
        show_both = draw(st.booleans())
        if show_both:
            rows.append([both])
            idx.append("both")
        tables.append(table("persons", rows, idx, ["y"]))
        links.append(Link.union(("persons", "either", "y"), [("persons", "q1", "y"), ("persons", "q2", "y")],
                                ("persons", "both", "y") if show_both else None))
    if total_row and draw(st.booleans()):  # the main table's column totals released again
        again = table("again", [main.counts.loc[TOTAL].tolist()], ["n"], list(main.counts.columns))
        tables.append(again)
        links += [Link.equal(("again", "n", c), ("main", TOTAL, c)) for c in main.counts.columns]
    return T, tables, links


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(responses())
def test_protect_property(case):
    T, tables, links = case
    p = protect(tables, links, T, strict=False)
    check_invariants(p, tables, T)
    # the released statuses, audited afresh, give the same verdict
    again = audit(tables, links, p.status, T)
    pd.testing.assert_frame_equal(again, p.audit)
    assert p.safe == (not again["pinned"].any())
    # cells that are the same figure are either both shown or both withheld the same way
    for link in links:
        if link.kind == "equal":
            (n1, r1, c1), (n2, r2, c2) = link.parts[0], link.target
            assert p.status[n1].loc[r1, c1] == p.status[n2].loc[r2, c2]
    if not p.safe:
        # only when even withholding every non-zero figure would not help
        everything = {
            t.name: pd.DataFrame(
                np.where(t.counts.to_numpy() == 0, "shown",
                         np.where(t.counts.to_numpy() < T, "primary", "secondary")),
                index=t.counts.index, columns=t.counts.columns)
            for t in tables
        }
        assert pinned_cells(p.audit) <= pinned_cells(audit(tables, links, everything, T))


# --------------------------------------------------------------------------------------------
# Home Office outcome groups
# --------------------------------------------------------------------------------------------

SPEC_GROUPS = {  # written out from the spec, independently of OUTCOME_GROUPS
    "Charged/summonsed": [1],
    "Out-of-court (formal)": [2, 3, 6],
    "Out-of-court (informal)": [7, 8],
    "Taken into consideration": [4],
    "Evidential difficulties": [14, 15, 16],
    "Investigation complete – no suspect identified": [18],
    "Other outcomes": [5, 9, 10, 11, 12, 13, 17, 19, 20, 21, 22],
    "Not yet assigned an outcome": ["pending"],
}


def test_group_outcomes_example():
    df = group_outcomes(OUTCOMES_BY_YEAR)
    expected = pd.DataFrame(
        [
            [7, 10, 13, 30],
            [0, 0, 1, 1],
            [1, 0, 0, 1],
            [12, 8, 13, 33],
            [5, 4, 4, 13],
            [2, 3, 3, 8],
            [0, 4, 6, 10],
            [27, 29, 40, 96],
        ],
        index=pd.Index(
            ["Charged/summonsed", "Out-of-court (formal)", "Out-of-court (informal)",
             "Evidential difficulties", "Investigation complete – no suspect identified",
             "Other outcomes", "Not yet assigned an outcome", TOTAL],
            name="Outcome group",
        ),
        columns=YEARS + [TOTAL],
        dtype="int64",
    )
    pd.testing.assert_frame_equal(df, expected)


@pytest.mark.parametrize("group, outcomes", SPEC_GROUPS.items())
def test_each_outcome_goes_to_its_group(group, outcomes):
    for outcome in outcomes:
        df = group_outcomes({"2020": {outcome: 5}, "2021": {}})
        assert df.index.tolist() == [group, TOTAL], outcome
        assert df.loc[group].tolist() == [5, 0, 5]


def test_all_groups_in_publication_order():
    counts = {"2019": {o: 1 for outcomes in SPEC_GROUPS.values() for o in outcomes}}
    df = group_outcomes(counts)
    assert df.index.tolist() == list(SPEC_GROUPS) + [TOTAL]
    assert df.loc["Other outcomes", "2019"] == 11
    assert df.loc[TOTAL, TOTAL] == 23


def test_group_outcomes_key_forms_and_empty_groups():
    df = group_outcomes({"2016": {"01": 2, 3: 1, "PENDING": 4, "15": 0}, "2017": {1: 6}})
    assert df.index.tolist() == ["Charged/summonsed", "Out-of-court (formal)",
                                 "Not yet assigned an outcome", TOTAL]
    assert df.columns.tolist() == ["2016", "2017", TOTAL]
    assert df.loc["Charged/summonsed"].tolist() == [2, 6, 8]
    assert df.loc[TOTAL].tolist() == [7, 6, 13]


@pytest.mark.parametrize("bad", [{"23": 1}, {"0": 1}, {"OC01": 1}, {"charged": 1}, {True: 1}])
def test_group_outcomes_rejects_unknown_outcomes(bad):
    with pytest.raises(ValueError):
        group_outcomes({"2016": bad})


def test_group_outcomes_rejects_bad_counts():
    with pytest.raises(ValueError):
        group_outcomes({"2016": {"1": -1}})
    with pytest.raises(ValueError):
        group_outcomes({"2016": {"1": 1.5}})


def test_grouping_keeps_more_figures_visible():
    # ungrouped, outcomes 14, 15, 16 include small counts; grouped they are one shown figure
    df = group_outcomes(OUTCOMES_BY_YEAR)
    p = protect([Table("outcomes", "Outcomes", df)])
    assert p.tables["outcomes"].loc["Evidential difficulties"].tolist() == ["12", "8", "13", "33"]


# --------------------------------------------------------------------------------------------
# method note
# --------------------------------------------------------------------------------------------


def test_describe_protection_example():
    tables, links = example_response()
    text = describe_protection(protect(tables, links))
    assert "`<5`" in text and "`[c]`" in text
    assert "1 to 4" in text and "5 or more" in text
    assert "some totals are withheld" in text  # Other outcomes' total is [c]
    assert "appear in more than one table" in text  # equal links
    assert "either" in text  # union link
    assert "*Outcomes of those offences, by year recorded*: 10 figures shown as `<5` and three figures shown as `[c]`." in text
    assert "*Sexual grooming offences recorded, by year*" not in text  # nothing withheld there


def test_describe_protection_without_secondary():
    t = table("t", [[3, 8]], ["n"], ["a", "b"], title="People charged")
    text = describe_protection(protect([t]))
    assert "`<5`" in text and "[c]" not in text
    assert "*People charged*: one figure shown as `<5`." in text


def test_describe_protection_other_threshold_and_nothing_withheld():
    t = table("t", [[3, 9, 12]], ["n"], ["a", "b", TOTAL])
    text = describe_protection(protect([t], threshold=10))
    assert "threshold of 10" in text and "1 to 9" in text and "`<10`" in text and "`<5`" not in text
    text = describe_protection(protect([table("t", [[0, 12]], ["n"], ["a", "b"])]))
    assert "every figure is shown exactly" in text and "<5" not in text


def test_describe_protection_does_not_reveal_withheld_values():
    tables, links = persons(37, 4, 41)
    p = protect(tables, links)
    assert p.tables["persons"].loc["Q1", "2017"] == "[c]"
    assert "37" not in describe_protection(p)


def test_the_solver_prints_nothing(capfd):
    """HiGHS's public class prints a banner when made; in the kernel it would land in the
    notebook, and the briefing. The solver used is quiet, on the process's own streams too."""
    import numpy as np

    from helpers.disclosure.highs import solve

    assert solve([-1.0, 0.0], [0.0, 0.0], [np.inf, 3.0], np.array([[1.0, -1.0]]), [0.0], [0.0], integer=True)[0] == "optimal"
    assert solve([-1.0], [0.0], [np.inf], np.zeros((1, 1)), [0.0], [np.inf], integer=False)[0] != "optimal"
    assert capfd.readouterr() == ("", "")


# ---- tables whose totals count distinct people (the request grammar's): not sums


def people_by_year(small: int, total: int) -> pd.DataFrame:
    return pd.DataFrame({"People": [small, 10, total]}, index=pd.Index(["2016", "2017", TOTAL], name="Year"))


def test_a_total_of_distinct_people_is_refused_as_a_sum_and_audited_as_a_union():
    # one person charged in both years: 3 + 10 people, 12 distinct
    with pytest.raises(ValueError, match="adding up to its Total"):
        protect([Table("people", "People", people_by_year(3, 12))])
    protection = protect([Table("people", "People", people_by_year(3, 12), rows_add_up=False)])
    # the attacker knows 2016 is 1..4 and 10 + 2016 >= 12: 2..4, not pinned, nothing more withheld
    assert protection.safe and protection.tables["people"]["People"].tolist() == ["<5", "10", "12"]
    row = protection.audit.iloc[0]
    assert (row["min"], row["max"]) == (2, 4)
    assert "distinct totals" in protection.link_kinds


def test_a_table_of_people_without_a_total_row_is_not_said_to_have_distinct_totals():
    """The briefing's disclosure note names the relations the audit used: a table whose rows
    are not summed but that has no Total (its whole under a label of its own, told by a link)
    has no total of distinct people to compare with."""
    counts = pd.DataFrame({"People": [3, 10]}, index=pd.Index(["2016", "2017"], name="Year"))
    protection = protect([Table("people", "People", counts, rows_add_up=False)])
    assert protection.safe and "distinct totals" not in protection.link_kinds


def test_a_union_total_that_pins_a_small_part_withholds_another_cell():
    # 4 + 10 = 14 distinct: nobody in both years, and the union's bounds give 2016 = 4 exactly
    protection = protect([Table("people", "People", people_by_year(4, 14), rows_add_up=False)])
    assert protection.safe
    assert protection.tables["people"]["People"].tolist().count("[c]") == 1
    assert "a total of people" in describe_protection(protection)


def test_a_total_column_of_distinct_people_is_a_union_of_its_columns_too():
    counts = pd.DataFrame(
        {"Under 13": [3, 9, 12], "13 to 15": [6, 7, 13], TOTAL: [8, 15, 23]},
        index=pd.Index(["2016", "2017", TOTAL], name="Year"),
    )
    with pytest.raises(ValueError, match="row '2016' of table 'ages' adding up to its Total"):
        protect([Table("ages", "By age", counts)])
    protection = protect([Table("ages", "By age", counts, rows_add_up=True, columns_add_up=False)])
    assert protection.safe and protection.tables["ages"].loc["2016", "Under 13"] == "<5"


def test_a_table_of_one_total_row_is_a_count_of_its_own_not_a_sum_of_nothing():
    counts = pd.DataFrame({"People charged": [3]}, index=pd.Index([TOTAL], name=""))
    protection = protect([Table("charged", "People charged", counts)])
    assert protection.safe and protection.tables["charged"].iloc[0, 0] == "<5"


def test_a_total_under_a_label_of_its_own_is_told_to_the_audit_as_a_sum_or_a_subset():
    """A Total row the request labels itself ("Either offence") is not the table's `Total`: a
    `sum` link tells the audit it is its rows' sum, and an `of_whom` row below it (a
    `subset_rows` row) is a part of it, not one of its sum's parts."""
    counts = pd.DataFrame({"People": [3, 10, 13, 2]}, index=pd.Index(["A", "B", "All", "of whom"], name="Offence"))
    table = Table("charged", "People charged", counts, subset_rows=("of whom",))
    cell = lambda row: ("charged", row, "People")  # noqa: E731
    links = [Link.sum(cell("All"), [cell("A"), cell("B")]), Link.subset(cell("of whom"), cell("All"))]
    # shown as its primary suppression alone, A is 13 - 10
    assert cell("A") in pinned_cells(audit([table], links, status_frames([table], 5), 5))
    assert cell("A") not in pinned_cells(audit([table], links[1:], status_frames([table], 5), 5))
    p = protect([table], links, threshold=5)
    assert p.safe and p.tables["charged"].loc["A", "People"] == "<5"
    assert "[c]" in set(p.tables["charged"]["People"])
    # the Total's own rule leaves out a subset row: with it, the figures would not add up
    with_total = counts.rename(index={"All": TOTAL})
    beside = Table("charged", "People charged", with_total, subset_rows=("of whom",))
    assert protect([beside], [Link.subset(cell("of whom"), cell(TOTAL))], threshold=5).safe
    with pytest.raises(ValueError, match="do not satisfy"):
        protect([Table("charged", "People charged", with_total)], [], threshold=5)
    with pytest.raises(ValueError, match="'sum' link needs at least two parts"):
        Link.sum(cell("All"), [cell("A")])
