"""The exact figures of a request's `tables:` (docs/requests.md), from the generator's model.

`truth_for_tables(truth, params)` reads the parameters as the plain dict the YAML gives and counts
each table from the `SyntheticTruth` alone (never the files, never `helpers.request` or
`helpers.analysis`), so that it is an independent check of the project's engine. Its answer is
{table name: {row label: {column label: count}}}, the labels and the Total row/column as
`restricted/results.json` writes them.

How each table is counted: every measure yields *events*, one per (unit counted, crime), e.g. one
per (victim, crime) for `victims`; each breakdown gives an event one label or several (an offence
with victims in two age bands gets both); a cell counts the distinct units with an event in it, a
Total the distinct units with an event in any of its cells.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from helpers.synthetic.classes import HO_OUTCOME_GROUPS
from helpers.synthetic.mentions import PLANTS, TERMS
from helpers.synthetic.truth import SyntheticTruth

TOTAL = "Total"
AGE_NOT_KNOWN = "Age not known"
OTHER_OUTCOMES = "Other outcomes"
NO_OUTCOME = "Not yet assigned an outcome"
#: the systems of the synthetic force (profiles/cms-connect.yaml), oldest first
SYSTEMS = ("CMS", "Connect")
#: the rows of a `search` breakdown where the search gives none of its own
FOUND, NOT_FOUND = "Mentions the terms", "Does not mention the terms"
#: the column heading of a table with no columns breakdown
HEADINGS = {
    "offences": "Offences",
    "victims": "Victims",
    "suspects": "Suspects",
    "people_charged": "People charged",
    "charges": "Charges",
    "mentions": "Crimes",
}
CRIME_MEASURES = ("offences", "victims", "suspects", "mentions")
CHARGE_MEASURES = ("people_charged", "charges")
TIME_BREAKDOWNS = ("year", "financial_year", "quarter", "month")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

Table = dict[str, dict[str, int]]


# ---- reading the parameters ------------------------------------------------------------------


def as_day(value: Any) -> date:
    """A date as the YAML gives it: a date object or ISO text."""
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip())


def norm_class(code: str) -> str:
    """A class code as written anywhere (`58/1`) in its one form (`058/01`)."""
    a, b = str(code).strip().split("/")
    return f"{int(a):03d}/{int(b):02d}"


def norm_code(code: str) -> str:
    """A CJS code as the spec compares them: spaces removed, upper case."""
    return str(code).replace(" ", "").upper()


def class_label(code: str) -> str:
    """The offence_class row label: the project's shared class list's, or the shipped force
    profile's own title of the class (labels, not counts)."""
    from helpers.extracts import ho_classes  # labels only: the project's own list of titles
    from helpers.extracts.profile import profile_class_titles

    return ho_classes.class_label(code, profile_class_titles())


def measure_classes(params: Mapping, measure: Mapping) -> list[str]:
    """The measure's classes in the order given, class_groups expanded, each once."""
    groups = params.get("class_groups") or {}
    out: list[str] = []
    for item in measure.get("classes") or []:
        codes = groups[item]["classes"] if item in groups else [item]
        for code in codes:
            code = norm_class(code)
            if code not in out:
                out.append(code)
    return out


def measure_codes(params: Mapping, measure: Mapping) -> set[str]:
    """The measure's CJS codes, charge_groups expanded."""
    groups = params.get("charge_groups") or {}
    codes: set[str] = set()
    for item in measure.get("charge_codes") or []:
        codes |= {norm_code(c) for c in (groups[item]["codes"] if item in groups else [item])}
    return codes


def _month_start(d: date, back: int) -> date:
    """The first day of the month `back` months before d's month."""
    months = d.year * 12 + d.month - 1 - back
    return date(months // 12, months % 12 + 1, 1)


def period_of(spec: Mapping, as_of: date) -> tuple[date, date]:
    """The days (inclusive) a measure's `period` covers."""
    if "last_years" in spec:
        n = int(spec["last_years"])
        return date(as_of.year - n, 1, 1), date(as_of.year - 1, 12, 31)
    if "last_months" in spec:
        n = int(spec["last_months"])
        return _month_start(as_of, n), _month_start(as_of, 0) - timedelta(days=1)
    if spec.get("year_to_date"):
        return date(as_of.year, 1, 1), as_of
    return as_day(spec["from"]), as_day(spec["to"]) if "to" in spec else as_of


# ---- what a measure counts: events -----------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """A measure's events: columns unit, crime_id, day, and individual_id / cjs_code where the
    unit is a person or a charge (-1 / None otherwise)."""

    events: pd.DataFrame
    person_role: str | None  # "victim"/"suspect": the events' individuals are in that role


def _mentioning(truth: SyntheticTruth, measure: Mapping) -> pd.Series:
    """Crimes whose circumstances mention one of the measure's terms, not only in negated form
    and not only inside one of its exclude_terms (both as the model planted them)."""
    crimes = truth.crimes
    excluded = {" ".join(str(p).lower().split()) for p in measure.get("exclude_terms") or []}
    known = {p.phrase for p in PLANTS if p.phrase}
    unknown = excluded - known
    if unknown:
        raise ValueError(
            f"exclude_terms: the generator's truth knows the phrases {sorted(known)} only "
            f"(got {sorted(unknown)})"
        )
    out = pd.Series(False, index=crimes.index)
    for term in measure.get("terms") or []:
        key = "".join(ch for ch in str(term).lower() if ch.isalpha())
        if key not in TERMS:
            raise ValueError(
                f"terms: the generator's truth knows the mentions of {sorted(set(TERMS.values()))} "
                f"only (got {term!r})"
            )
        name = TERMS[key]
        # a crime planted with an excluded phrase mentions the term nowhere else
        inside = [p.kind for p in PLANTS if p.term == name and p.phrase in excluded]
        out |= crimes[f"mentions_{name}"].astype(bool) & ~crimes["mention_planted"].isin(inside)
    return out


def _search_of(params: Mapping, measure: Mapping) -> Mapping:
    """The search a measure names in `searches`, or its own terms."""
    if measure.get("search"):
        return (params.get("searches") or {})[measure["search"]]
    return measure


def _mentioned_crimes(truth: SyntheticTruth, search: Mapping) -> pd.Series:
    """Whether a search counts each crime, by crime ID."""
    return _mentioning(truth, search).set_axis(truth.crimes["crime_id"].to_numpy())


def _selected_crimes(
    truth: SyntheticTruth, params: Mapping, measure: Mapping, period: tuple[date, date]
) -> pd.DataFrame:
    """The crimes a crime measure selects, with `day`: the day it counts by."""
    crimes = truth.crimes
    status = measure.get("status", "live")
    keep = {
        "live": ~crimes["cancelled"],
        "cancelled": crimes["cancelled"].astype(bool),
        "all": pd.Series(True, index=crimes.index),
    }[status]
    classes = measure_classes(params, measure)
    if classes:
        keep = keep & crimes["ho_class"].isin(classes)
    basis = measure.get("date", "recorded")
    if basis == "recorded":  # a migrated crime by its first recording, local time
        day = crimes["recorded"].dt.normalize()
    elif basis == "committed":  # a crime with no committed date is not counted
        day = crimes["committed"].dt.normalize()
    else:
        raise ValueError(f"date: a crime measure counts by recorded or committed (got {basis!r})")
    keep = keep & day.notna()
    keep = keep & (day >= pd.Timestamp(period[0])) & (day <= pd.Timestamp(period[1]))
    # a search of `searches` the measure names, or its own terms
    search = _search_of(params, measure)
    if search.get("terms"):
        keep = keep & _mentioning(truth, search)
    selected = crimes[keep.to_numpy(dtype=bool)].copy()
    selected["day"] = day[keep.to_numpy(dtype=bool)]
    return selected


def select(
    truth: SyntheticTruth, params: Mapping, measure: Mapping, period: tuple[date, date]
) -> Selection:
    """The events of one measure."""
    count = measure["count"]
    if count in CRIME_MEASURES:
        crimes = _selected_crimes(truth, params, measure, period)
        base = pd.DataFrame({"crime_id": crimes["crime_id"].to_numpy(), "day": crimes["day"]})
        if count in ("offences", "mentions"):
            events = base.assign(unit=base["crime_id"], individual_id=-1, cjs_code=None)
            return Selection(events.reset_index(drop=True), None)
        role = "victim" if count == "victims" else "suspect"
        links = truth.links.loc[truth.links["role"] == role, ["crime_id", "individual_id"]]
        events = base.merge(links, on="crime_id", how="inner")
        events = events.assign(unit=events["individual_id"], cjs_code=None)
        return Selection(events.reset_index(drop=True), role)
    if count in CHARGE_MEASURES:
        basis = measure.get("date", "charged")
        if basis != "charged":
            raise ValueError(f"date: a charge measure counts by charged (got {basis!r})")
        ch = truth.charges
        codes = measure_codes(params, measure)
        day = ch["charge_date"].dt.normalize()
        keep = (day >= pd.Timestamp(period[0])) & (day <= pd.Timestamp(period[1]))
        if measure.get("charge_codes"):  # none: every charge on a crime of its classes
            keep &= ch["cjs_code"].map(norm_code).isin(codes)
        classes = measure_classes(params, measure)
        if classes:
            current = truth.crimes.set_index("crime_id")["ho_class"]
            keep &= ch["crime_id"].map(current).isin(classes)
        status = measure.get("status", "all")  # of the crime charged on: all unless it says
        if status != "all":
            cancelled = ch["crime_id"].map(truth.crimes.set_index("crime_id")["cancelled"])
            cancelled = cancelled.fillna(False).astype(bool)
            keep &= cancelled if status == "cancelled" else ~cancelled
        search = _search_of(params, measure)
        if search.get("terms"):  # on a crime whose circumstances mention a term
            mentioned = _mentioned_crimes(truth, search)
            keep &= ch["crime_id"].map(mentioned).fillna(False).astype(bool)
        chosen = ch[keep.to_numpy(dtype=bool)]
        events = pd.DataFrame(
            {
                "crime_id": chosen["crime_id"].to_numpy(),
                "day": day[keep.to_numpy(dtype=bool)].to_numpy(),
                "individual_id": chosen["individual_id"].to_numpy(),
                "cjs_code": chosen["cjs_code"].map(norm_code).to_numpy(dtype=object),
            }
        )
        unit = chosen["charge_id"] if count == "charges" else chosen["individual_id"]
        events["unit"] = unit.to_numpy()
        return Selection(events, None)
    raise ValueError(f"count: not a measure the truth knows: {count!r}")


# ---- breakdowns: labels in order, and each event's labels -------------------------------------


def _day_text(d: date) -> str:
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


#: per time breakdown: the months in one unit
_STEP = {"year": 12, "financial_year": 12, "quarter": 3, "month": 1}


def _unit_start(kind: str, d: date) -> date:
    """The first day of the unit of `kind` holding day d."""
    if kind == "year":
        return date(d.year, 1, 1)
    if kind == "financial_year":  # April to March
        return date(d.year if d.month >= 4 else d.year - 1, 4, 1)
    if kind == "quarter":
        return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
    return date(d.year, d.month, 1)


def _unit_name(kind: str, first: date) -> str:
    """A whole unit's label: 2017, 2017/18, Jan to Mar 2017, Jan 2017."""
    if kind == "year":
        return f"{first.year}"
    if kind == "financial_year":
        return f"{first.year}/{(first.year + 1) % 100:02d}"
    if kind == "quarter":
        return f"{_MONTHS[first.month - 1]} to {_MONTHS[first.month + 1]} {first.year}"
    return f"{_MONTHS[first.month - 1]} {first.year}"


def _time_units(
    kind: str, start: date, end: date, cut_labels: bool = True
) -> list[tuple[date, date, str]]:
    """(first day, last day, label) of every unit of `kind` overlapping start..end, in order; a
    unit the period cuts says where (unless not `cut_labels`)."""
    if kind not in _STEP:
        raise ValueError(f"not a time breakdown: {kind!r}")
    units = []
    first = _unit_start(kind, start)
    while first <= end:
        nxt = _month_start(first, -_STEP[kind])
        last = nxt - timedelta(days=1)
        lo, hi = max(first, start), min(last, end)
        label = _unit_name(kind, first)
        if cut_labels and lo > first and hi < last:
            label += f" ({_day_text(lo)} to {_day_text(hi)})"
        elif cut_labels and hi < last:
            label += f" (to {_day_text(hi)})"
        elif cut_labels and lo > first:
            label += f" (from {_day_text(lo)})"
        units.append((first, last, label))
        first = nxt
    return units


def _outcome_labels(params: Mapping) -> tuple[list[str], Callable[[Any], str]]:
    """The outcome rows in order, and the row of an outcome (NA: none yet)."""
    grouping = params.get("outcome_groups")
    if not grouping:
        group_of = {o: g for g, outcomes in HO_OUTCOME_GROUPS.items() for o in outcomes}
        labels = list(HO_OUTCOME_GROUPS)
        return labels, lambda o: group_of["pending" if pd.isna(o) else int(o)]
    own = {int(o): str(g) for g, outcomes in grouping.items() for o in outcomes}
    labels = [str(g) for g in grouping] + [OTHER_OUTCOMES, NO_OUTCOME]
    return labels, lambda o: NO_OUTCOME if pd.isna(o) else own.get(int(o), OTHER_OUTCOMES)


def _age_years(dob: pd.Series, on: pd.Series) -> pd.Series:
    """Whole years from dob to on (NaN where either is unknown, or dob is after on): a birthday
    counts on its day (29 February's in a common year on 1 March)."""
    before = (on.dt.month < dob.dt.month) | (
        (on.dt.month == dob.dt.month) & (on.dt.day < dob.dt.day)
    )
    years = on.dt.year - dob.dt.year - before.astype(float)
    return years.where(years >= 0)


def _band(age: float, bands: list[Mapping]) -> str | None:
    if pd.isna(age):
        return AGE_NOT_KNOWN
    for band in bands:
        lo = band.get("from")
        hi = band.get("to")
        if (lo is None or age >= int(lo)) and (hi is None or age <= int(hi)):
            return str(band["label"])
    return None  # an age the bands leave out: in no row


def _age_labels(
    truth: SyntheticTruth, params: Mapping, count: str, sel: Selection, role: str
) -> pd.DataFrame:
    """(event, label) rows: the age band of each event's person in `role` (victims, suspects),
    or, for an event that counts a crime, of every person in that role on the crime (a crime with
    nobody in that role: Age not known)."""
    bands = list(params.get("age_bands") or [])
    ev = sel.events.rename_axis("event").reset_index()
    if sel.person_role == role:
        pairs = ev[["event", "crime_id", "individual_id"]]
    elif count in ("offences", "mentions"):
        links = truth.links.loc[truth.links["role"] == role, ["crime_id", "individual_id"]]
        pairs = ev[["event", "crime_id"]].merge(links, on="crime_id", how="left")
    else:
        raise ValueError(f"{role}_age: not a breakdown of a {count} measure")
    pairs = pairs.assign(individual_id=pairs["individual_id"].astype("Int64"))
    committed = truth.crimes.set_index("crime_id")["committed"]
    dob = truth.individuals.set_index("individual_id")["dob"]
    ids = pairs["individual_id"]
    on = pairs["crime_id"].map(committed).astype("datetime64[s]")
    ages = _age_years(ids.map(dob).astype("datetime64[s]"), on)
    labels = [
        AGE_NOT_KNOWN if i is pd.NA else _band(a, bands)
        for i, a in zip(ids.tolist(), ages.tolist(), strict=True)
    ]
    out = pd.DataFrame({"event": pairs["event"].to_numpy(), "label": labels}, dtype=object)
    return out[out["label"].notna()]


def _found_by(truth: SyntheticTruth, params: Mapping, search: str, sel: Selection) -> np.ndarray:
    """Whether the search (a name in `searches`) counts each event's crime."""
    mentioned = _mentioned_crimes(truth, (params.get("searches") or {})[search])
    return sel.events["crime_id"].map(mentioned).fillna(False).to_numpy(dtype=bool)


def breakdown(
    truth: SyntheticTruth,
    params: Mapping,
    measure: Mapping,
    kind: str | None,
    sel: Selection,
    period: tuple[date, date],
    heading: str,
    table: Mapping | None = None,
) -> tuple[list[str], pd.DataFrame]:
    """A breakdown's labels in order and its (event, label) rows (an event may have several)."""
    ev = sel.events.reset_index(drop=True)
    index = pd.Series(np.arange(len(ev)))
    if kind is None:
        return [heading], pd.DataFrame({"event": index, "label": heading})
    if kind == "search":
        name = str((table or {})["search"])
        spec = (params.get("searches") or {})[name]
        labels = [str(spec.get("found_label", FOUND)), str(spec.get("not_found_label", NOT_FOUND))]
        found = _found_by(truth, params, name, sel)
        return labels, pd.DataFrame({"event": index, "label": np.where(found, *labels)})
    if kind in TIME_BREAKDOWNS:
        units = _time_units(kind, *period, bool((table or {}).get("cut_labels", True)))
        starts = np.array([pd.Timestamp(u[0]) for u in units], dtype="datetime64[ns]")
        at = np.searchsorted(starts, ev["day"].to_numpy(dtype="datetime64[ns]"), side="right") - 1
        labels = [u[2] for u in units]
        return labels, pd.DataFrame({"event": index, "label": np.array(labels, dtype=object)[at]})
    crimes = truth.crimes.set_index("crime_id")
    if kind == "offence_class":
        present = ev["crime_id"].map(crimes["ho_class"])
        classes = measure_classes(params, measure)
        if not classes:  # the measure's classes, zeros shown; of every class: those present
            classes = sorted(set(present))
        label_of = {c: class_label(c) for c in classes}
        return [label_of[c] for c in classes], pd.DataFrame(
            {"event": index, "label": present.map(label_of)}
        )
    if kind == "outcome_group":
        labels, row_of = _outcome_labels(params)
        outcome = ev["crime_id"].map(crimes["outcome"])
        return labels, pd.DataFrame({"event": index, "label": [row_of(o) for o in outcome]})
    if kind == "system":
        first = np.where(ev["crime_id"].map(crimes["in_cms"]).astype(bool), SYSTEMS[0], SYSTEMS[1])
        return list(SYSTEMS), pd.DataFrame({"event": index, "label": first})
    if kind in ("victim_age", "suspect_age"):
        labels = [str(b["label"]) for b in params.get("age_bands") or []] + [AGE_NOT_KNOWN]
        role = kind.removesuffix("_age")
        return labels, _age_labels(truth, params, measure["count"], sel, role)
    if kind == "charge_group":
        groups = params.get("charge_groups") or {}
        names = list(measure.get("charge_codes") or [])
        rows = []
        for name in names:
            codes = {norm_code(c) for c in groups[name]["codes"]}
            label = str(groups[name].get("label") or name)
            hit = np.flatnonzero(ev["cjs_code"].isin(codes).to_numpy(dtype=bool))
            rows.append(pd.DataFrame({"event": hit, "label": label}))
        labels = [str(groups[n].get("label") or n) for n in names]
        return labels, pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
            {"event": [], "label": []}
        )
    raise ValueError(f"not a breakdown the truth knows: {kind!r}")


# ---- the table ---------------------------------------------------------------------------------


def count_table(
    units: pd.Series,
    row_of: pd.DataFrame,
    col_of: pd.DataFrame,
    rows: list[str],
    cols: list[str],
    totals: tuple[bool, bool],
) -> Table:
    """Distinct units per (row, column); totals = (a Total row?, a Total column?), each counting
    the distinct units of its cells (for people, or offences by age band, not their sum)."""
    pairs = row_of.merge(col_of, on="event", suffixes=("_row", "_col"))
    pairs = pairs.assign(unit=units.to_numpy()[pairs["event"].to_numpy(dtype=np.int64)])
    pairs = pairs[["unit", "label_row", "label_col"]].drop_duplicates()
    cell = pairs.groupby(["label_row", "label_col"])["unit"].nunique().to_dict()
    by_row = pairs.groupby("label_row")["unit"].nunique().to_dict()
    by_col = pairs.groupby("label_col")["unit"].nunique().to_dict()
    total_row, total_col = totals
    table: Table = {}
    for r in rows:
        table[r] = {c: int(cell.get((r, c), 0)) for c in cols}
        if total_col:
            table[r][TOTAL] = int(by_row.get(r, 0))
    if total_row:
        table[TOTAL] = {c: int(by_col.get(c, 0)) for c in cols}
        if total_col:
            table[TOTAL][TOTAL] = int(pairs["unit"].nunique())
    return table


def table_truth(truth: SyntheticTruth, params: Mapping, table: Mapping) -> Table:
    """One table's exact counts, {row: {column: n}}."""
    measure = (params.get("measures") or {})[table["measure"]]
    as_of = as_day(params.get("as_of") or params["extracts_taken_on"])
    if "period" not in measure:
        raise ValueError(f"measure {table['measure']}: the truth needs a period")
    period = period_of(measure["period"], as_of)
    if period[1] > as_day(params["extracts_taken_on"]):
        raise ValueError(f"measure {table['measure']}: its period ends after extracts_taken_on")
    sel = select(truth, params, measure, period)
    heading = str(table.get("heading") or HEADINGS[measure["count"]])
    row_kind, col_kind = table.get("rows"), table.get("columns")
    rows, row_of = breakdown(truth, params, measure, row_kind, sel, period, TOTAL, table)
    cols, col_of = breakdown(truth, params, measure, col_kind, sel, period, heading, table)
    totals = (row_kind is not None, col_kind is not None)
    counted = count_table(sel.events["unit"], row_of, col_of, rows, cols, totals)
    if table.get("hide_empty_rows"):
        counted = {r: v for r, v in counted.items() if r == TOTAL or any(v[c] for c in cols)}
    if table.get("of_whom"):
        # the Total's units on a crime the search counts, in each column
        found = _found_by(truth, params, str(table["of_whom"]["search"]), sel)
        in_rows = set(row_of["event"])
        chosen = col_of[[found[e] and e in in_rows for e in col_of["event"]]]
        of_whom = {c: 0 for c in cols}
        units = sel.events["unit"].to_numpy()
        for c, events in chosen.groupby("label")["event"]:
            of_whom[str(c)] = len(set(units[events.to_numpy(dtype=np.int64)]))
        if totals[1]:
            of_whom[TOTAL] = len(set(units[chosen["event"].to_numpy(dtype=np.int64)]))
        counted[str(table["of_whom"]["label"])] = of_whom
    if table.get("total_label") and TOTAL in counted:
        counted = {(str(table["total_label"]) if r == TOTAL else r): v for r, v in counted.items()}
    return counted


def truth_for_tables(truth: SyntheticTruth, params: dict) -> dict[str, dict[str, dict[str, int]]]:
    """Every table of params["tables"]: {table name: {row label: {column label: count}}}."""
    return {str(t["name"]): table_truth(truth, params, t) for t in params.get("tables") or []}
