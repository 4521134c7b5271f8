"""Benchmark helpers.analysis.evidence.find_mentions on 1,000,000 synthetic circumstances texts.

Run:  .venv/bin/python bench/bench_evidence.py [N]

Texts are about 30 words: an ordinary crime sentence from a set of templates with random
places, names, amounts and platforms, plus a random tail drawn from a pool of ~100,000 made-up
words (surnames, street names, typing errors) so that the vocabulary is as large as a real
force's. About 1 in 1,000 texts is a hunter-group report and 1 in 1,000 a negated one; the
surname Hunter, "hunting knife", "group", "child", "online" and "abuse" occur often, so the
detailed analysis has real work to do. Prints the median of 3 timed runs.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from helpers.analysis.evidence import find_mentions
from helpers.analysis.search.terms import compile_terms

# the agreed terms of request 20180075, from its parameters file
TERMS = yaml.safe_load(
    (Path(__file__).resolve().parents[1] / "parameters" / "20180075.yaml").read_text()
)["search_terms"]

ORDINARY = [
    "Unknown offender(s) forced the {adj} door of the property at {place} and took {item}; area searched and CCTV requested from {name}.",
    "Victim approached by a male at {place} who demanded her {item}; offender made off on foot towards {place2}.",
    "Following a verbal argument outside {place} the suspect punched the victim causing a cut to the lip. Suspect known to victim, {name}.",
    "Suspect seen on CCTV at {place} selecting {item} and leaving without paying, value £{n}. Staff member {name} provided a statement.",
    "Victim reports Mr {name}, a neighbour, shouted abuse and threatened him; the hunting knife mentioned was not seen by witnesses.",
    "Damage caused to the nearside wing mirror of a {adj} vehicle parked at {place}. No witnesses; house to house enquiries negative.",
    "Victim aged {age} disclosed to a teacher that an adult she met online sent her sexual messages; child protection referral made to {place}.",
    "Referral from CEOP: an adult male in contact with a {age} year old child on {app}, travelled to meet the child at {place}.",
    "Support group coordinator {name} reported youths damaging the bus shelter at {place}; they were throwing bricks at passing cars.",
    "Report of online abuse of a child via {app}; the account holder {name} was identified and interviewed at {place}.",
]
HUNTER = [
    "Information received from the paedophile hunter group '{group}' who had been chatting with the suspect on {app} using a decoy profile of a {age} year old. Suspect travelled to {place} where members confronted him.",
    "Members of {group} (vigilante group) detained the suspect at {place} after he arranged via {app} to meet a '{age} year old'. Chat logs supplied to police.",
    "Report from paedophile-hunters: the suspect believed he was talking to a child aged {age} on {app}.\nGroup passed evidence to the OIC.",
]
NEGATED = [
    "Suspect arranged to meet the victim at {place} after contact on {app}. Enquiries show this is not a vigilante or hunter group referral.",
    "Victim aged {age} met the suspect at {place}. No involvement of any paedophile hunter group or vigilantes.",
]
PLACES = [
    "a retail park",
    "the town centre",
    "a railway station",
    "a bus station",
    "a supermarket car park",
    "a fast food restaurant",
    "a park near the victim's home",
    "the leisure centre",
    "a petrol station",
    "the library",
]
ITEMS = [
    "a laptop",
    "cash",
    "a phone",
    "jewellery",
    "power tools",
    "a bicycle",
    "groceries",
    "alcohol",
    "perfume",
    "clothing",
]
ADJS = ["rear", "front", "side", "blue", "silver", "black", "white", "red"]
APPS = [
    "Snapchat",
    "Kik",
    "WhatsApp",
    "Instagram",
    "Facebook Messenger",
    "a dating app",
    "an online game chat",
]
GROUPS = [
    "Northern Shield",
    "Predator Patrol",
    "Safeguard Sentinels",
    "Nothern Shield",
    "Safe guard Sentinels",
]


def make_texts(n: int, seed: int = 20180075) -> pd.Series:
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    pool = [
        "".join(rng.choice(letters, size=int(k))).capitalize()
        for k in rng.integers(4, 11, size=100_000)
    ]
    names = pool[:5000] + ["Hunter", "Smith", "Jones", "Taylor", "Brown"]
    kind = rng.random(n)
    tmpl_o = rng.integers(0, len(ORDINARY), n)
    tmpl_h = rng.integers(0, len(HUNTER), n)
    tmpl_n = rng.integers(0, len(NEGATED), n)
    place = rng.integers(0, len(PLACES), (n, 2))
    item = rng.integers(0, len(ITEMS), n)
    adj = rng.integers(0, len(ADJS), n)
    app = rng.integers(0, len(APPS), n)
    grp = rng.integers(0, len(GROUPS), n)
    name = rng.integers(0, len(names), n)
    age = rng.integers(11, 16, n)
    amount = rng.integers(1, 500, n)
    tail = rng.integers(0, len(pool), (n, 10))
    out = []
    for i in range(n):
        if kind[i] < 0.001:
            tmpl = HUNTER[tmpl_h[i]]
        elif kind[i] < 0.002:
            tmpl = NEGATED[tmpl_n[i]]
        else:
            tmpl = ORDINARY[tmpl_o[i]]
        text = tmpl.format(
            place=PLACES[place[i, 0]],
            place2=PLACES[place[i, 1]],
            item=ITEMS[item[i]],
            adj=ADJS[adj[i]],
            app=APPS[app[i]],
            group=GROUPS[grp[i]],
            name=names[name[i]],
            age=age[i],
            n=amount[i],
        )
        out.append(text + " Ref " + " ".join(pool[j] for j in tail[i]) + ".")
    index = [f"{i:08d}/{17 + i % 3}" for i in range(n)]
    return pd.Series(out, index=index, dtype="str")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    t0 = time.perf_counter()
    texts = make_texts(n)
    words = texts.str.count(r"\S+").mean()
    print(f"built {n:,} texts in {time.perf_counter() - t0:.1f} s (mean {words:.1f} words)")
    times, cpu = [], []
    for run in range(3):
        terms = compile_terms(TERMS)  # fresh: no word cache carried over from the last run
        t0, c0 = time.perf_counter(), time.process_time()
        mentions = find_mentions(texts, terms)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        print(
            f"run {run + 1}: {times[-1]:.2f} s wall, {cpu[-1]:.2f} s CPU, "
            f"{len(mentions):,} mentions, {mentions['crime_ref'].nunique():,} crimes"
        )
    print(mentions["kind"].value_counts().to_string())
    print(
        f"find_mentions on {n:,} texts: median of 3 runs {statistics.median(times):.2f} s wall "
        f"({statistics.median(cpu):.2f} s CPU)"
    )


if __name__ == "__main__":
    main()
