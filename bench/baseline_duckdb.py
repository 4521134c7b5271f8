"""Baseline (d): the figures of request 20180075 in plain DuckDB SQL, as a hand-written query.

DuckDB reads UTF-8 and Latin-1 but not Windows-1252 (its encodings extension would have to be
downloaded, and this network cannot), and CMS names hold characters where the two differ: the
CMS files are first re-encoded to UTF-8 in a temporary folder, as a DuckDB user here would have to,
and that is counted in the time. Usage: python bench/baseline_duckdb.py EXTRACTS_DIR
"""

import json
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb

SOURCE = Path(sys.argv[1])
TEMP = Path(tempfile.mkdtemp(prefix="duckdb-baseline-"))
for name in ("CMS_CRIMES.csv", "CMS_NOMINALS.csv", "CMS_CHARGES.csv"):
    with (
        open(SOURCE / name, encoding="cp1252", newline="") as src,
        open(TEMP / name, "w", encoding="utf-8", newline="") as dst,
    ):
        shutil.copyfileobj(src, dst, 16 << 20)
for name in ("connect_crimes.csv", "connect_persons.csv", "connect_charges.csv"):
    (TEMP / name).symlink_to((SOURCE / name).resolve())
D = str(TEMP) + "/"
Q1 = ["SX03225", "SX03226", "SX03210", "SX03211", "SX03048", "SX03049"]
Q2 = [code + "A" for code in Q1]
con = duckdb.connect()


def csv(name, latin=False):
    return f"read_csv('{D}{name}', header = true, all_varchar = true)"


con.execute(f"""
create temp table crimes as
select strptime("DATE RECORDED", '%d/%m/%Y %H:%M') as recorded,
       lpad(split_part("HO CLASS", '/', 1)::int::varchar, 3, '0') || '/' || lpad(split_part("HO CLASS", '/', 2)::int::varchar, 2, '0') as cls,
       "CRIME STATUS" = 'NO CRIME' as cancelled, try_cast("HO OUTCOME" as int) as outcome
from {csv("CMS_CRIMES.csv", True)} where "CRIME STATUS" <> 'MIGRATED'
union all
select coalesce(strptime("Original Recorded Date", '%Y-%m-%dT%H:%M:%S'), strptime("Recorded Date", '%Y-%m-%dT%H:%M:%S')),
       lpad(split_part("HO Class", '/', 1)::int::varchar, 3, '0') || '/' || lpad(split_part("HO Class", '/', 2)::int::varchar, 2, '0'),
       "Crime Status" like 'Cancelled%', try_cast(regexp_extract("Outcome", '^OC(\\d+)', 1) as int)
from {csv("connect_crimes.csv")};
create temp table offences as
select year(recorded) as year, coalesce(outcome::varchar, 'pending') as outcome from crimes
where cls in ('088/01', '088/02') and not cancelled and recorded >= '2015-01-01' and recorded < '2018-01-01';
""")
offences = dict(con.execute("select year, count(*) from offences group by year").fetchall())
outcomes = {}
for year, outcome, n in con.execute(
    "select year, outcome, count(*) from offences group by all"
).fetchall():
    outcomes.setdefault(str(year), {})[outcome] = n

# individuals: connected components over nominal numbers, person IDs and PNC IDs, iterated in SQL
con.execute(f"""
create temp table pnc_raw as
select 'N' || "NOMINAL NO" as node, upper(replace("PNC ID", ' ', '')) as p from {csv("CMS_NOMINALS.csv", True)}
union all select 'P' || "Person ID", upper(replace("PNC ID", ' ', '')) from {csv("connect_persons.csv")};
create temp table edges as
select node as a, 'X' || right(split_part(p, '/', 1), 2) || '/' || regexp_extract(split_part(p, '/', 2), '^0*(\\d+)', 1) || right(p, 1) as b
from pnc_raw where regexp_matches(p, '^\\d{{2,4}}/\\d+[A-Z]$')
union all select 'P' || "Person ID", 'N' || "Legacy Nominal No" from {csv("connect_persons.csv")} where "Legacy Nominal No" <> '';
create temp table nodes as select distinct a as node from edges union select distinct b from edges;
create temp table label as select node, node as comp from nodes;
""")
while True:  # label propagation: each node takes the smallest label among its neighbours
    changed = con.execute("""
        create or replace temp table next as
        select l.node, least(l.comp, coalesce(min(n.comp), l.comp)) as comp
        from label l left join (
            select e.a as node, l2.comp from edges e join label l2 on l2.node = e.b
            union all select e.b, l2.comp from edges e join label l2 on l2.node = e.a) n on n.node = l.node
        group by l.node, l.comp;
        select count(*) from next join label using (node) where next.comp <> label.comp;
    """).fetchone()[0]
    con.execute("create or replace temp table label as select * from next")
    if not changed:
        break
con.execute(f"""
create temp table charges as
select 'N' || "NOMINAL NO" as who, strptime("CHARGE DATE", '%d/%m/%Y') as d, upper(trim("CJS CODE")) as code from {csv("CMS_CHARGES.csv", True)}
union all select 'P' || "Person ID", strptime("Charge Date", '%Y-%m-%d'), upper(trim("CJS Offence Code")) from {csv("connect_charges.csv")};
""")
q = "select count(distinct coalesce(l.comp, c.who)) from charges c left join label l on l.node = c.who where year(c.d) = 2017 and c.code in ({})"
as_list = lambda codes: ",".join(f"'{c}'" for c in codes)  # noqa: E731
shutil.rmtree(TEMP, ignore_errors=True)
print(
    json.dumps(
        {
            "offences_by_year": {str(y): int(offences.get(y, 0)) for y in (2015, 2016, 2017)},
            "outcomes_by_year": outcomes,
            "persons_charged": {
                "section_15": con.execute(q.format(as_list(Q1))).fetchone()[0],
                "attempt_section_15": con.execute(q.format(as_list(Q2))).fetchone()[0],
                "either": con.execute(q.format(as_list(Q1 + Q2))).fetchone()[0],
            },
        }
    )
)
