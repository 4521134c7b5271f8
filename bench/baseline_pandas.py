"""Baseline (c): the figures of request 20180075 with plain pandas, as an analyst would write it.

Reads the six CSV files with pandas' default reader and applies the same counting rules as the
project (migrated crimes once, current classification, original recorded date, individuals by
nominal number / legacy number / PNC ID). Prints the figures as JSON for the benchmark to compare.
Usage: python bench/baseline_pandas.py EXTRACTS_DIR
"""

import json
import sys

import pandas as pd

D = sys.argv[1].rstrip("/") + "/"
Q1 = ["SX03225", "SX03226", "SX03210", "SX03211", "SX03048", "SX03049"]
Q2 = [code + "A" for code in Q1]


def read(name, encoding):
    return pd.read_csv(D + name, encoding=encoding, dtype=str, keep_default_na=False)


cms_crimes, connect_crimes = (
    read("CMS_CRIMES.csv", "cp1252"),
    read("connect_crimes.csv", "utf-8-sig"),
)
nominals, persons = read("CMS_NOMINALS.csv", "cp1252"), read("connect_persons.csv", "utf-8-sig")
cms_charges, connect_charges = (
    read("CMS_CHARGES.csv", "cp1252"),
    read("connect_charges.csv", "utf-8-sig"),
)


def ho_class(codes):
    parts = codes.str.split("/", expand=True)
    return (
        parts[0].astype(int).astype(str).str.zfill(3)
        + "/"
        + parts[1].astype(int).astype(str).str.zfill(2)
    )


cms = pd.DataFrame(
    {
        "recorded": pd.to_datetime(cms_crimes["DATE RECORDED"], format="%d/%m/%Y %H:%M"),
        "cls": ho_class(cms_crimes["HO CLASS"]),
        "cancelled": cms_crimes["CRIME STATUS"].eq("NO CRIME"),
        "outcome": pd.to_numeric(cms_crimes["HO OUTCOME"].replace("", None)).astype("Int64"),
    }
)[cms_crimes["CRIME STATUS"].ne("MIGRATED")]
original = pd.to_datetime(
    connect_crimes["Original Recorded Date"].replace("", None), format="%Y-%m-%dT%H:%M:%S"
)
connect = pd.DataFrame(
    {
        "recorded": original.fillna(
            pd.to_datetime(connect_crimes["Recorded Date"], format="%Y-%m-%dT%H:%M:%S")
        ),
        "cls": ho_class(connect_crimes["HO Class"]),
        "cancelled": connect_crimes["Crime Status"].str.startswith("Cancelled"),
        "outcome": connect_crimes["Outcome"].str.extract(r"^OC(\d+)")[0].astype("Int64"),
    }
)
crimes = pd.concat([cms, connect])
offences = crimes[
    crimes["cls"].isin(["088/01", "088/02"])
    & ~crimes["cancelled"]
    & (crimes["recorded"] >= "2015-01-01")
    & (crimes["recorded"] < "2018-01-01")
]
years = offences["recorded"].dt.year
label = offences["outcome"].astype(str).where(offences["outcome"].notna(), "pending")
outcomes = {
    str(y): {k: int(v) for k, v in label[years == y].value_counts().items()}
    for y in (2015, 2016, 2017)
}


def pnc(values):
    parts = values.str.strip().str.upper().str.extract(r"^(\d{2,4})/(\d+)([A-Z])$")
    return (
        parts[0].str[-2:] + "/" + parts[1].astype(float).astype("Int64").astype(str) + parts[2]
    ).where(parts[0].notna())


# individuals: union-find over nominal numbers, person IDs and PNC IDs
edges = pd.concat(
    [
        pd.DataFrame({"a": "N" + nominals["NOMINAL NO"], "b": "X" + pnc(nominals["PNC ID"])}),
        pd.DataFrame({"a": "P" + persons["Person ID"], "b": "X" + pnc(persons["PNC ID"])}),
        pd.DataFrame(
            {
                "a": "P" + persons["Person ID"],
                "b": ("N" + persons["Legacy Nominal No"]).where(persons["Legacy Nominal No"] != ""),
            }
        ),
    ]
).dropna()
parent = {}


def find(x):
    while parent.get(x, x) != x:
        x = parent[x]
    return x


for a, b in zip(edges["a"], edges["b"], strict=True):
    ra, rb = find(a), find(b)
    if ra != rb:
        parent[ra] = rb
charges = pd.concat(
    [
        pd.DataFrame(
            {
                "who": "N" + cms_charges["NOMINAL NO"],
                "date": pd.to_datetime(cms_charges["CHARGE DATE"], format="%d/%m/%Y"),
                "code": cms_charges["CJS CODE"].str.strip().str.upper(),
            }
        ),
        pd.DataFrame(
            {
                "who": "P" + connect_charges["Person ID"],
                "date": pd.to_datetime(connect_charges["Charge Date"], format="%Y-%m-%d"),
                "code": connect_charges["CJS Offence Code"].str.strip().str.upper(),
            }
        ),
    ]
)
charges = charges[charges["date"].dt.year == 2017]
q1 = {find(w) for w in charges.loc[charges["code"].isin(Q1), "who"]}
q2 = {find(w) for w in charges.loc[charges["code"].isin(Q2), "who"]}
print(
    json.dumps(
        {
            "offences_by_year": {str(y): int((years == y).sum()) for y in (2015, 2016, 2017)},
            "outcomes_by_year": outcomes,
            "persons_charged": {
                "section_15": len(q1),
                "attempt_section_15": len(q2),
                "either": len(q1 | q2),
            },
        }
    )
)
