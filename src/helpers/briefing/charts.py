"""The briefing's charts, drawn only from released figures: the first request's outcomes by
year (`offences_and_outcomes_chart`), and a bar a period for a table by time (`bar_chart`).

A chart must not show more than the tables: a withheld cell drawn as a bar would give its value
away. Withheld outcome groups are drawn together as one "withheld" segment, whose height is the
year's total less the shown groups: a figure anyone can already work out from Table 3. A year
whose total is itself withheld gets no withheld segment (its height is not in the tables).

The chart is made to be read printed in black and white: the groups' shades step clearly from
dark to light, the withheld segment is hatched, each segment tall enough for it carries its own
figure, and the legend lists the groups in the order they are stacked.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use(
    "Agg"
)  # no screen here; the figure is embedded as SVG (helpers.briefing.report.figure_svg)

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
from matplotlib.typing import RcKeyType  # noqa: E402

from helpers.briefing.report import FONTS, as_number, figure_svg, thousands  # noqa: E402
from helpers.disclosure.labels import TOTAL  # noqa: E402

if TYPE_CHECKING:  # the chart process loads this module, and no pandas (`chart_worker`)
    import pandas as pd

#: shades that step clearly in lightness (so they stay apart in greyscale), dark at the bottom
PALETTE = ["#0b2e4f", "#2c6aa0", "#6fa8d6", "#b9d6ee", "#e8b04a", "#7a4e8c", "#3d8c6e", "#c9c9c9"]
#: groups beyond the fourth also get a pattern, since four shades are all greyscale can keep apart
HATCHES = ["", "", "", "", "..", "xx", "\\\\", "--"]
WITHHELD = "Withheld (small numbers)"
WITHHELD_COLOUR = "#ffffff"
WITHHELD_HATCH = "////"
INK = "#0b0c0c"
STYLE: dict[RcKeyType, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": FONTS,
    "hatch.color": "#505a5f",
    "hatch.linewidth": 0.8,
}


def warm_up() -> None:
    """Draw and encode a small throwaway chart in the briefing's style: a process's first
    chart costs more than the next (fonts found and loaded, the SVG writer imported). Called
    while the kernel waits for the cache build."""
    try:
        with plt.style.context("default"), plt.rc_context(STYLE):
            figure, axes = plt.subplots(figsize=(2, 1))
            try:
                axes.bar(["a", "b"], [1, 2], color=PALETTE[:2], hatch=WITHHELD_HATCH, edgecolor=INK)
                axes.text(0, 0.5, "1", fontsize=8.5)
                axes.annotate("2", (1, 2), fontweight="bold")
                axes.legend(["x"], frameon=False)
                figure_svg(figure)
            finally:
                plt.close(figure)
    except Exception:  # noqa: BLE001 - only a head start: the briefing's own chart reports any fault
        return


def shown_numbers(display: pd.DataFrame) -> pd.DataFrame:
    """Released display strings as numbers: a withheld cell (`<5`, `[c]`) becomes NA."""
    return display.apply(lambda column: column.map(as_number)).astype("Float64")


def outcome_segments(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Per year (rows), the shown count of each outcome group, and one withheld segment."""
    numbers = shown_numbers(outcomes.drop(index=TOTAL).drop(columns=TOTAL)).T
    totals = shown_numbers(outcomes.loc[[TOTAL]].drop(columns=TOTAL)).T[TOTAL]
    withheld = totals - numbers.sum(axis=1, skipna=True)
    segments = numbers.fillna(0)
    if (withheld > 0).any():
        segments[WITHHELD] = withheld.fillna(0)
    return segments.loc[:, segments.sum() > 0].astype(float)


def _text_colour(fill: str) -> str:
    """White on a dark fill, ink on a light one (by the fill's luminance)."""
    red, green, blue = (int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "#ffffff" if 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.5 else INK


def offences_and_outcomes_chart(released) -> plt.Figure:
    """Stacked bars: offences recorded each year, by outcome group (released figures only)."""
    outcomes = released.tables["outcomes_by_year"]
    segments = outcome_segments(outcomes)
    years = segments.index.astype(str)
    with plt.style.context("default"), plt.rc_context(STYLE):  # whatever the kernel's style
        return _draw(outcomes, segments, years)


def _draw(outcomes: pd.DataFrame, segments: pd.DataFrame, years) -> plt.Figure:
    figure, axis = plt.subplots(figsize=(7.0, 3.5))
    labels, years = (
        list(years),
        range(len(years)),
    )  # positions: the axis works even with no bar drawn
    axis.set_xticks(list(years), labels)
    import pandas as pd  # here: the chart process draws no outcome chart, and loads no pandas

    bottom = pd.Series(0.0, index=segments.index)
    top = max(float(segments.sum(axis=1).max()), 1.0)
    handles = []
    shade = 0
    for group in segments.columns:
        if group == WITHHELD:
            colour, hatch = WITHHELD_COLOUR, WITHHELD_HATCH
        else:
            colour, hatch = PALETTE[shade % len(PALETTE)], HATCHES[shade % len(HATCHES)]
            shade += 1
        bars = axis.bar(
            years,
            segments[group],
            bottom=bottom,
            label=group,
            color=colour,
            hatch=hatch,
            edgecolor="#505a5f" if group == WITHHELD else "white",
            linewidth=0.6,
            width=0.62,
        )
        handles.append(bars)
        if group != WITHHELD:  # the group's own figure, where the segment has room for it
            for x, height, base in zip(years, segments[group], bottom, strict=True):
                if height >= 0.08 * top:
                    axis.text(
                        x,
                        base + height / 2,
                        thousands(int(height)),
                        ha="center",
                        va="center",
                        fontsize=8.5,
                        color=_text_colour(colour),
                    )
        bottom += segments[group]
    totals = outcomes.loc[TOTAL]
    for x, label, height in zip(years, labels, bottom, strict=True):
        axis.annotate(
            thousands(totals[label]),
            (x, height),
            ha="center",
            va="bottom",
            fontsize=9.5,
            fontweight="bold",
            xytext=(0, 3),
            textcoords="offset points",
            color=INK,
        )
    axis.set_ylabel("Offences recorded", fontsize=9.5)
    axis.tick_params(labelsize=9.5)
    axis.spines[["top", "right"]].set_visible(False)
    axis.yaxis.grid(True, color="#e5e5e5")
    axis.set_axisbelow(True)
    axis.set_ylim(0, top * 1.15)
    # the legend reads top to bottom in the order the segments are stacked, top first
    if handles:
        axis.legend(
            handles[::-1],
            [str(h.get_label()) for h in handles][::-1],
            loc="upper left",
            bbox_to_anchor=(1.0, 1.0),
            frameon=False,
            fontsize=8.5,
        )
    figure.tight_layout()
    plt.close(figure)  # displayed once, as the embedded PNG, not again by the inline backend
    return figure


def chart_description(released) -> str:
    """The chart in words, for its alt text: the same released figures, nothing more."""
    outcomes = released.tables["outcomes_by_year"]
    segments = outcome_segments(outcomes)
    parts = []
    for year, row in segments.iterrows():  # a handful of years
        shown = [
            f"{str(group).lower()} {thousands(int(value))}"
            for group, value in row.items()
            if group != WITHHELD and value > 0
        ]
        sentence = f"{year}: {thousands(outcomes.loc[TOTAL, str(year)])} offences"
        if shown:
            sentence += ", of which " + ", ".join(shown)
        if row.get(WITHHELD, 0) > 0:
            sentence += "; the rest in groups withheld to protect small numbers"
        parts.append(sentence + ".")
    return (
        "Stacked bar chart of the offences recorded each year, by outcome group, drawn from Table 3. "
        + " ".join(parts)
    )


def bar_chart(labels: Sequence[str], shown: Sequence[str], ylabel: str) -> plt.Figure:
    """One bar per period (`labels`): its released figure (`shown`, as the table shows it) above
    it; a withheld figure a hatched stub. The counts on the axis are whole numbers written as the
    tables write them (`1,500,000`, never `1.5` under `1e6`)."""
    values = [as_number(value) for value in shown]
    top = max([v for v in values if v is not None] + [1])
    with plt.style.context("default"), plt.rc_context(STYLE):  # whatever the process's style
        figure, axis = plt.subplots(figsize=BAR_CHART_SIZE)
        positions = list(range(len(values)))
        for x, value, figure_shown in zip(positions, values, shown, strict=True):
            if value is None:
                axis.bar(x, top * 0.04, color=WITHHELD_COLOUR, hatch=WITHHELD_HATCH, width=0.62)
            else:
                axis.bar(x, value, color=PALETTE[0], width=0.62)
            if len(values) <= 24:
                axis.annotate(
                    thousands(figure_shown),
                    (x, value if value is not None else top * 0.04),
                    ha="center",
                    va="bottom",
                    fontsize=8.5,
                    xytext=(0, 2),
                    textcoords="offset points",
                    color=INK,
                )
        step = max(1, len(values) // 12)
        ticks = list(labels)[::step]
        axis.set_xticks(positions[::step], ticks)
        axis.tick_params(labelsize=TICK_SIZE)
        rotated = len(values) > 6
        if rotated:
            plt.setp(axis.get_xticklabels(), rotation=45, ha="right")
        axis.set_ylabel(ylabel, fontsize=LABEL_SIZE)
        axis.spines[["top", "right"]].set_visible(False)
        axis.yaxis.grid(True, color="#e5e5e5")
        axis.set_axisbelow(True)
        axis.set_ylim(0, top * 1.15)
        axis.set_xlim(-0.5, len(values) - 0.5)  # a slot of the axis a bar
        counts = count_ticks(top * 1.15)
        axis.set_yticks(counts, [thousands(count) for count in counts])
        fit_bar_chart(figure, len(values), positions[::step], ticks, rotated, counts, ylabel)
        plt.close(figure)
    return figure


#: a bar chart's size in inches, and its words' sizes in points
BAR_CHART_SIZE = (7.0, 3.2)
TICK_SIZE, LABEL_SIZE = 8.5, 9.5


def count_ticks(highest: float) -> list[int]:
    """Whole numbers at round steps (1, 2, 2.5, 5 or 10 times a power of ten) from 0 to
    `highest`, about six of them: the counts marked on a bar chart's axis."""
    steps = MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10], integer=True).tick_values(0, highest)
    return [int(tick) for tick in steps if 0 <= tick <= highest]


def fit_bar_chart(
    figure: plt.Figure,
    bars: int,
    at: Sequence[int],
    ticks: Sequence[str],
    rotated: bool,
    counts: Sequence[int],
    ylabel: str,
) -> None:
    """Place the axes of a bar chart (`bars` bars, a slot of the axis each; the periods named
    `ticks` under the bars `at`) so that the words around them fit the figure with
    `tight_layout`'s padding, from the sizes of those few words. `tight_layout` finds them by
    laying out every text and tick of the chart, most of a chart's time (docs/performance.md)."""
    canvas = figure.canvas
    assert isinstance(canvas, FigureCanvasAgg)  # matplotlib.use("Agg") above
    renderer = canvas.get_renderer()

    def size(text: str, points: float) -> tuple[float, float]:
        """Width and height in points of a line of `text`, as matplotlib lays it out: at least
        as tall as "lp" (a line's ascent and descent)."""
        font = FontProperties(size=points)
        width, height, _ = renderer.get_text_width_height_descent(text, font, ismath=False)
        line = renderer.get_text_width_height_descent("lp", font, ismath=False)[1]
        return width * 72 / figure.dpi, max(height, line) * 72 / figure.dpi

    rc = plt.rcParams
    pad = 1.08 * float(rc["font.size"])  # tight_layout's padding
    tick = float(rc["xtick.major.size"]) + float(rc["xtick.major.pad"])
    width, height = (inches * 72 for inches in figure.get_size_inches())
    # beside the axis: its label, then its widest count
    beside = size(ylabel, LABEL_SIZE)[1] + float(rc["axes.labelpad"])
    beside += max(size(thousands(count), TICK_SIZE)[0] for count in counts) + tick
    # below it, the periods' names: level and centred under their bars, or slanted and ending
    # at them (the first may then reach left of the axes, the last right of them)
    sizes = [size(text, TICK_SIZE) for text in ticks]
    if rotated:
        slanted = [(w + h) / math.sqrt(2) for w, h in sizes]
        below, before, after = max(slanted), slanted[0], 0.0
    else:
        below, before, after = max(h for _, h in sizes), sizes[0][0] / 2, sizes[-1][0] / 2
    left, right = pad + beside, pad
    for _ in range(3):  # a wider margin narrows the bars' slots a little: three passes settle it
        slot = (width - left - right) / bars
        left = max(pad + beside, pad + before - (at[0] + 0.5) * slot)
        right = max(pad, pad + after - (bars - 0.5 - at[-1]) * slot)
    figure.subplots_adjust(
        left=left / width,
        right=1 - right / width,
        bottom=(pad + tick + below) / height,
        top=1 - pad / height,
    )
