"""Looking around an extract: the analyst's explore notebook calls these, so it stays thin.

Everything here is exact and restricted (it is for the force's analysts, never for release):
crimes per month by the system that recorded them, classifications and outcomes over time, and
the data quality of the extract (rows set aside, migrated crimes, duplicate person records).
Every function works on whole columns (pandas/Arrow), never row by row, so it is as quick on a
million crimes as on the sample.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import matplotlib

matplotlib.use("Agg")  # figures are shown inline by the notebook, or embedded; no screen needed

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from helpers.disclosure.outcomes import OUTCOME_GROUPS  # noqa: E402
from helpers.disclosure.tables import TOTAL  # noqa: E402
from helpers.extracts.codes import PENDING  # noqa: E402
from helpers.extracts.ho_classes import class_label  # noqa: E402
from helpers.extracts.profile import chosen_sources
from helpers.extracts.sources import SourceDefinition  # noqa: E402

OTHER_CLASSES = "Other classes"
NO_OUTCOME = "Not yet assigned an outcome"


# ---- which system recorded each crime


def recorded_on(
    crimes: pd.DataFrame, sources: tuple[SourceDefinition, ...] | None = None
) -> pd.Series:
    """The system on which each crime was first recorded.

    A migrated crime is held in its newer system (`system`) but was recorded on the legacy one:
    it has a `legacy_ref`, and its `recorded_at` is the legacy system's date.
    """
    sources = chosen_sources(sources)
    legacy_of = {source.system: source.legacy_system for source in sources}
    system = crimes["system"].astype("string")
    legacy = system.map(legacy_of).astype("string")
    return system.where(crimes["legacy_ref"].isna(), legacy).rename("recorded on")


def switch_over(sources: tuple[SourceDefinition, ...] | None = None) -> pd.Timestamp | None:
    """The moment the newest system started recording crimes, from the source definitions."""
    sources = chosen_sources(sources)
    moments = [pd.Timestamp(source.recording_from) for source in sources if source.recording_from]
    return max(moments) if moments else None


def crimes_per_month(
    crimes: pd.DataFrame,
    sources: tuple[SourceDefinition, ...] | None = None,
    include_cancelled: bool = False,
    by: str = "recorded on",
) -> pd.DataFrame:
    """Crimes recorded each month (rows, every month from the first to the last) by system
    (columns, oldest system first): `by="recorded on"` the system that recorded the crime (the
    switch-over shows as one line handing over to the other), `by="held on"` the system that holds
    it now (migrated crimes show under the newer system before the switch-over). Cancelled crimes
    are left out unless asked for."""
    if by not in {"recorded on", "held on"}:
        raise ValueError(f"by: expected 'recorded on' or 'held on' (got {by!r})")
    sources = chosen_sources(sources)
    kept = crimes if include_cancelled else crimes.loc[~crimes["cancelled"].astype(bool)]
    systems = [source.system for source in sources]
    if kept.empty:
        return pd.DataFrame(
            columns=pd.Index(systems, name=by),
            index=pd.PeriodIndex([], freq="M", name="month"),
            dtype="int64",
        )
    month = kept["recorded_at"].dt.to_period("M").rename("month")
    system = recorded_on(kept, sources) if by == "recorded on" else kept["system"].astype("string")
    table = pd.crosstab(month, system)
    months = pd.period_range(month.min(), month.max(), freq="M", name="month")
    table = table.reindex(index=months, columns=systems, fill_value=0)
    table.columns.name = by
    return table.astype("int64")


# ---- classifications and outcomes over time


def class_labels(ho_class: pd.Series, own: Mapping[str, str] | None = None) -> pd.Series:
    """`088/01 Meeting a female child ...`: each class with its title, the force's own (`own`, a
    profile's `class_titles`) else the shipped Home Office list's, as the briefing titles it;
    the code alone for a class neither has."""
    labels = {code: class_label(code, own) for code in ho_class.dropna().unique()}
    return ho_class.map(labels).where(ho_class.notna(), ho_class)


def classes_by_year(
    crimes: pd.DataFrame, top: int = 10, own: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Recorded crimes (not cancelled) of the `top` commonest Home Office classes by year recorded;
    every other class in one `Other classes` row; a `Total` column; rows commonest first."""
    live = crimes.loc[~crimes["cancelled"].astype(bool)]
    commonest = live["ho_class"].value_counts().index[:top]
    label = (
        class_labels(live["ho_class"], own)
        .where(live["ho_class"].isin(commonest), OTHER_CLASSES)
        .rename("Home Office class")
    )
    table = pd.crosstab(label, live["recorded_at"].dt.year.rename("year recorded"))
    table[TOTAL] = table.sum(axis=1)
    order = (
        table.drop(index=[OTHER_CLASSES], errors="ignore")
        .sort_values(TOTAL, ascending=False, kind="stable")
        .index
    )
    return table.reindex([*order, *([OTHER_CLASSES] if OTHER_CLASSES in table.index else [])])


def outcome_groups(outcome: pd.Series) -> pd.Series:
    """Each crime's Home Office outcome group (as published), `Not yet assigned an outcome` where
    there is none yet."""
    group_of = {
        number: group
        for group, numbers in OUTCOME_GROUPS.items()
        for number in numbers
        if number != PENDING
    }
    return (
        outcome.astype("Int64")
        .map(group_of)
        .astype("string")
        .fillna(NO_OUTCOME)
        .rename("outcome group")
    )


def outcomes_by_year(crimes: pd.DataFrame, classes: list[str] | None = None) -> pd.DataFrame:
    """Recorded crimes (not cancelled; of `classes` if given) by outcome group (rows, in the Home
    Office's order) and year recorded (columns), with a `Total` column."""
    live = crimes.loc[~crimes["cancelled"].astype(bool)]
    if classes:
        live = live.loc[live["ho_class"].isin(classes)]
    table = pd.crosstab(
        outcome_groups(live["outcome"]), live["recorded_at"].dt.year.rename("year recorded")
    )
    table = table.reindex([group for group in OUTCOME_GROUPS if group in table.index])
    table[TOTAL] = table.sum(axis=1)
    return table


def shares(table: pd.DataFrame) -> pd.DataFrame:
    """Each column as percentages of its own sum (one decimal place)."""
    return (table / table.sum(axis=0).where(lambda s: s != 0) * 100).round(1)


# ---- data quality


def records_by_file(data_quality: dict) -> pd.DataFrame:
    """Per extract file: records read, used and set aside (quarantined), with a `Total` row."""
    table = pd.DataFrame(
        {
            "read": pd.Series(data_quality["rows_read"]),
            "used": pd.Series(data_quality["rows_used"]),
            "set aside": pd.Series(data_quality["rows_quarantined"]),
        }
    ).rename_axis("file")
    table.loc[TOTAL] = table.sum(axis=0)
    return table.astype("int64")


def quarantine_summary(quarantine: pd.DataFrame) -> pd.DataFrame:
    """Rows set aside, counted by file, column and reason, commonest first, with the first line
    (one row saying so when none was)."""
    columns = ["file", "column", "reason", "rows", "first line"]
    if quarantine.empty:  # said in a row, not an empty header
        return pd.DataFrame([["(none)", "", "no row was set aside", 0, ""]], columns=columns)
    grouped = quarantine.groupby(["file", "column", "reason"], observed=True, sort=False)["line"]
    summary = (
        grouped.agg(rows="size", first_line="min")
        .reset_index()
        .rename(columns={"first_line": "first line"})
    )
    return summary.sort_values(
        ["rows", "file"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)[columns]


def legacy_crimes_by_year(
    crimes: pd.DataFrame, sources: tuple[SourceDefinition, ...] | None = None
) -> pd.DataFrame:
    """Crimes recorded on a legacy system, by year recorded: how many are still held there and
    how many were migrated to the newer system (each counted once, under its original date)."""
    sources = chosen_sources(sources)
    on = recorded_on(crimes, sources)
    newer = {source.legacy_system: source.system for source in sources if source.legacy_system}
    legacy = crimes.loc[on.isin(list(newer))]
    where = pd.Series("still held on " + on[legacy.index], index=legacy.index)
    migrated = legacy["legacy_ref"].notna()
    where = where.where(~migrated, "migrated to " + legacy["system"].astype("string"))
    table = pd.crosstab(
        legacy["recorded_at"].dt.year.rename("year recorded"),
        where.rename("crimes recorded on " + "/".join(newer)),
    )
    table[TOTAL] = table.sum(axis=1)
    return table


def person_records(people: pd.DataFrame) -> pd.DataFrame:
    """Per individual, how many distinct person records each system holds for them."""
    system = people["person_key"].str.split(":", n=1).str[0].rename("system")
    records = people.assign(system=system).drop_duplicates("person_key")
    return records.groupby(["individual_id", "system"], observed=True).size().unstack(fill_value=0)


def duplicate_people(people: pd.DataFrame) -> pd.DataFrame:
    """How person records were linked into individuals: records, individuals, individuals with
    records on more than one system, and individuals with duplicate records within one system."""
    per = person_records(people)
    rows = {
        "person records": int(per.to_numpy().sum()),
        "individuals": len(per),
        "individuals with records on more than one system": int(((per > 0).sum(axis=1) > 1).sum()),
    }
    rows |= {
        f"individuals with more than one {system} record": int((per[system] > 1).sum())
        for system in per.columns
    }
    return pd.DataFrame({"count": pd.Series(rows, dtype="int64")}).rename_axis("people")


def records_per_individual(people: pd.DataFrame, system: str) -> pd.DataFrame:
    """How many individuals have 1, 2, 3 ... records on one system (those with none left out), as
    a table (a notebook shows a frame as a table, a series as text)."""
    counts = person_records(people)[system]
    return (
        counts[counts > 0]
        .value_counts()
        .sort_index()
        .rename_axis(f"{system} records")
        .rename("individuals")
        .to_frame()
    )


# ---- charts (exact figures: for the analyst, never for a briefing)


class Chart:
    """A closed matplotlib figure that a notebook shows as a PNG (the project draws off-screen)."""

    def __init__(self, figure: plt.Figure) -> None:
        self.figure = figure

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
        return buffer.getvalue()

    def __repr__(self) -> str:
        return "<chart>"


def monthly_chart(per_month: pd.DataFrame, cut_over: pd.Timestamp | None = None) -> Chart:
    """Crimes recorded per month, one line per system, with the switch-over marked."""
    figure, axis = plt.subplots(figsize=(9, 3.6))
    when = (
        per_month.index.to_timestamp()
        if isinstance(per_month.index, pd.PeriodIndex)
        else per_month.index
    )
    styles = ["-", "--", ":", "-."]
    for number, system in enumerate(per_month.columns):
        axis.plot(
            when, per_month[system], styles[number % len(styles)], label=system, linewidth=1.6
        )
    if cut_over is not None:
        # matplotlib converts a date itself; its stubs only know floats
        axis.axvline(cut_over, color="#d4351c", linewidth=1)  # type: ignore[arg-type]
        axis.annotate(
            f"switch-over {cut_over:%d %b %Y}",
            (cut_over, axis.get_ylim()[1]),
            xytext=(4, -12),
            textcoords="offset points",
            color="#d4351c",
            fontsize=9,
        )
    axis.set_ylabel("crimes recorded per month")
    axis.spines[["top", "right"]].set_visible(False)
    axis.legend(frameon=False, title=per_month.columns.name)
    figure.tight_layout()
    plt.close(figure)
    return Chart(figure)


def stacked_chart(table: pd.DataFrame, ylabel: str, percent: bool = False) -> Chart:
    """A table's columns (years) as stacked bars of its rows (groups), without the `Total`
    column."""
    data = table.drop(columns=[TOTAL], errors="ignore")
    data = shares(data) if percent else data
    figure, axis = plt.subplots(figsize=(9, 4))
    data.T.plot.bar(
        stacked=True, ax=axis, width=0.75, colormap="tab20", edgecolor="white", linewidth=0.4
    )
    axis.set_ylabel(ylabel)
    axis.set_xlabel(str(data.columns.name or ""))
    axis.tick_params(axis="x", rotation=0)
    axis.spines[["top", "right"]].set_visible(False)
    axis.legend(
        loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8, title=data.index.name
    )
    figure.tight_layout()
    plt.close(figure)
    return Chart(figure)
