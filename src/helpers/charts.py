"""The briefing's chart, drawn only from released figures.

A chart must not show more than the tables: a withheld cell drawn as a bar would give its value
away. Withheld outcome groups are drawn together as one "withheld" segment, whose height is the
year's total less the shown groups: a figure anyone can already work out from Table 3.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # no screen here; the figure is embedded as PNG

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from helpers.report import TOTAL  # noqa: E402

#: a quiet palette that prints in greyscale too (ColorBrewer-like, colour-blind safe ordering)
PALETTE = ["#1d70b8", "#5694ca", "#28a197", "#85994b", "#f499be", "#912b88", "#d4351c", "#6f72af"]
WITHHELD = "Withheld (small numbers)"


def shown_numbers(display: pd.DataFrame) -> pd.DataFrame:
    """Released display strings as numbers: a withheld cell (`<5`, `[c]`) becomes NA."""
    return display.apply(lambda column: pd.to_numeric(column, errors="coerce")).astype("Float64")


def outcome_segments(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Per year (rows), the shown count of each outcome group, and one withheld segment."""
    numbers = shown_numbers(outcomes.drop(index=TOTAL).drop(columns=TOTAL)).T
    totals = shown_numbers(outcomes.loc[[TOTAL]].drop(columns=TOTAL)).T[TOTAL]
    withheld = totals - numbers.sum(axis=1, skipna=True)
    segments = numbers.fillna(0)
    if (withheld > 0).any():
        segments[WITHHELD] = withheld.fillna(0)
    return segments.loc[:, segments.sum() > 0].astype(float)


def offences_and_outcomes_chart(released) -> plt.Figure:
    """Stacked bars: offences recorded each year, by outcome group (released figures only)."""
    segments = outcome_segments(released.tables["outcomes_by_year"])
    figure, axis = plt.subplots(figsize=(7.2, 3.6))
    bottom = pd.Series(0.0, index=segments.index)
    for i, group in enumerate(segments.columns):
        colour = "#b1b4b6" if group == WITHHELD else PALETTE[i % len(PALETTE)]
        hatch = "///" if group == WITHHELD else None
        axis.bar(segments.index.astype(str), segments[group], bottom=bottom, label=group, color=colour,
                 hatch=hatch, edgecolor="white", linewidth=0.6, width=0.6)
        bottom += segments[group]
    released_totals = released.tables["outcomes_by_year"].loc[TOTAL]
    for x, height in zip(segments.index.astype(str), bottom):
        axis.annotate(str(released_totals[x]), (x, height), ha="center", va="bottom", fontsize=9, xytext=(0, 2), textcoords="offset points")
    axis.set_ylabel("Offences recorded")
    axis.spines[["top", "right"]].set_visible(False)
    axis.yaxis.grid(True, color="#e5e5e5")
    axis.set_axisbelow(True)
    axis.set_ylim(0, max(bottom.max() * 1.15, 1))
    axis.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8.5)
    figure.tight_layout()
    plt.close(figure)  # displayed once, as the embedded PNG, not again by the inline backend
    return figure
