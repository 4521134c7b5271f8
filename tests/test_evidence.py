"""Tests for helpers.analysis.evidence: finding hunter-group mentions in crime circumstances."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.analysis.evidence import (
    CRIME_COLUMNS,
    MENTION_COLUMNS,
    classify_crimes,
    find_mentions,
    outside_phrases,
)
from helpers.analysis.search import negation, prefilter
from helpers.analysis.search.terms import (
    KINDS,
    SearchTerms,
    compile_terms,
    fuzzy_allowance,
    split_words,
)

TERMS_20180075 = [
    "paedophile hunter",
    "vigilante",
    "hunter group",
    "online child abuse activist",
    "OCAG",
    "Northern Shield",
    "Predator Patrol",
    "Safeguard Sentinels",
]


@pytest.fixture(scope="module")
def terms() -> SearchTerms:
    return compile_terms(TERMS_20180075)


def search(text, terms) -> pd.DataFrame:
    return find_mentions(pd.Series([text], index=["00000001/18"], dtype=object), terms)


def counted(mentions: pd.DataFrame) -> bool:
    return bool(len(mentions)) and bool(classify_crimes(mentions)["counted"].any())


# --------------------------------------------------------------------------- what is found

FOUND = [
    # (case, text, term, matched, kind)
    ("case", "Footage from PREDATOR patrol was handed to the OIC.", "Predator Patrol", "PREDATOR patrol", "exact"),
    ("hyphen", "A Paedophile-Hunter team met the man outside the leisure centre.", "paedophile hunter", "Paedophile-Hunter", "exact"),
    ("line break", "Chat logs passed on by paedophile\nhunters after the meeting.", "paedophile hunter", "paedophile\nhunters", "variant"),
    ("line break exact", "Screenshots were sent by the Northern\r\nShield admin team.", "Northern Shield", "Northern\r\nShield", "exact"),
    ("inflection plural", "Three vigilantes filmed the man at the canal path.", "vigilante", "vigilantes", "variant"),
    ("inflection -ing", "A paedophile hunting crew streamed the arrest live.", "paedophile hunter", "paedophile hunting", "variant"),
    ("inflection group", "The hunting group filmed the suspect on a phone.", "hunter group", "hunting group", "variant"),
    ("inflection singular", "A Safeguard Sentinel volunteer posed as a girl of 13.", "Safeguard Sentinels", "Safeguard Sentinel", "variant"),
    ("acronym plural", "Two OCAGs had been messaging the same account.", "OCAG", "OCAGs", "variant"),
    ("us spelling", "Members of a pedophile hunter team waited at the station.", "paedophile hunter", "pedophile hunter", "variant"),
    ("peadophile", "The peadophile hunters called 999 from the car park.", "paedophile hunter", "peadophile hunters", "variant"),
    ("paedophille", "Messages were supplied by paedophille hunter volunteers.", "paedophile hunter", "paedophille hunter", "variant"),
    ("slang paedo", "Local paedo hunters confronted him by the shops.", "paedophile hunter", "paedo hunters", "variant"),
    ("typo in group name", "A sting organised by Nothern Shield led to the arrest.", "Northern Shield", "Nothern Shield", "fuzzy"),
    ("transposed letters", "Volunteers from Northern Sheild met him at the bus stop.", "Northern Shield", "Northern Sheild", "fuzzy"),
    ("typo vigilanty", "A vigilanty crew confronted the man at the cafe.", "vigilante", "vigilanty", "fuzzy"),
    ("split word", "Evidence from Safe guard Sentinels was downloaded.", "Safeguard Sentinels", "Safe guard Sentinels", "variant"),
    ("split with hyphen", "The Safe-guard Sentinels admin gave a statement.", "Safeguard Sentinels", "Safe-guard Sentinels", "variant"),
    ("split single word", "A self-styled vigil ante crew detained him.", "vigilante", "vigil ante", "variant"),
    ("joined words", "Clips posted by paedophilehunters were reviewed.", "paedophile hunter", "paedophilehunters", "variant"),
    ("joined group name", "A NorthernShield decoy account was used.", "Northern Shield", "NorthernShield", "variant"),
    ("plural possessive", "Screenshots came from the hunters' group page.", "hunter group", "hunters' group", "variant"),
    ("long term", "Online child abuse activists handed over the phone.", "online child abuse activist", "Online child abuse activists", "variant"),
    ("derived form", "Vigilantism is suspected after the man was assaulted.", "vigilante", "Vigilantism", "variant"),
    ("acronym", "The OCAG passed its logs to officers.", "OCAG", "OCAG", "exact"),
    ("non-breaking space", "A Predator\u00a0Patrol member gave a statement.", "Predator Patrol", "Predator\u00a0Patrol", "exact"),
    ("curly quotes around", "Group \u2018Northern Shield\u2019 supplied the logs.", "Northern Shield", "Northern Shield", "exact"),
]


@pytest.mark.parametrize(("case", "text", "term", "matched", "kind"), FOUND, ids=[f[0] for f in FOUND])
def test_variants_are_found(terms, case, text, term, matched, kind):
    m = search(text, terms)
    row = m[m["term"] == term]
    assert len(row) == 1, m
    row = row.iloc[0]
    assert row["matched"] == matched
    assert row["kind"] == kind
    assert text[row["start"] : row["end"]] == matched
    assert counted(m)
    if kind == "exact":
        assert row["distance"] == 0
    if kind == "fuzzy":
        assert 1 <= row["distance"] <= 2


# --------------------------------------------------------------------------- what is not found

NOTHING = [
    ("surname Hunter", "Victim says Mr Hunter from number 4 swore at her over the fence."),
    ("surname Hunter after comma", "Witness: Hunter, a lodger, heard shouting upstairs."),
    ("hunting knife", "Suspect was carrying a hunting knife in his rucksack."),
    ("hunter alone", "The suspect works as a deer hunter on an estate."),
    ("surname possessive", "Victim says Mr Hunter's group of friends followed her home."),
    ("ocean vs OCAG", "The ocean-view flat on the seafront was broken into."),
    ("short words", "The OCA gave advice; a cage and a coat were taken."),
    ("vigil", "A candlelit vigil was held at the church for the victim."),
    ("vigil and (a split with a typo, found by hypothesis)", "A vigil and a march were held in the town."),
    ("vigilant", "A vigilant neighbour noted the van's registration."),
    ("vigilance", "Neighbourhood vigilance scheme leaflets were delivered."),
    ("paedophile hunted", "A convicted paedophile hunted for victims online."),
    ("group alone", "A support group leader reported damage to the hall."),
    (
        "covert police op with decoy",
        "An undercover officer from the police online team posed as a girl of 12 using a decoy "
        "profile; the suspect was arrested when he arrived.",
    ),
    ("covert POLIT", "POLIT officers ran a decoy account posing as a child on a chat app."),
    ("words across a sentence", "He is a known paedophile. Hunter, his neighbour, called us."),
    ("words across punctuation", "Statement from the paedophile, hunter of the estate."),
    ("empty", ""),
    ("blank", "   \n  "),
]


@pytest.mark.parametrize(("case", "text"), NOTHING, ids=[n[0] for n in NOTHING])
def test_non_matches_are_not_found(terms, case, text):
    m = search(text, terms)
    assert m.empty, m


NEGATED = [
    ("nil", "Officer recorded nil vigilante involvement in this case.", ["vigilante"]),
    ("no ... of any", "There was no involvement of any Predator Patrol members.", ["Predator Patrol"]),
    ("not a", "This was not a paedophile hunter sting.", ["paedophile hunter"]),
    ("not linked to", "The arrest is not linked to Safeguard Sentinels.", ["Safeguard Sentinels"]),
    ("never", "The suspect has never been approached by vigilantes.", ["vigilante"]),
    ("without", "Officers made the arrest without any input from OCAG volunteers.", ["OCAG"]),
    ("contraction", "The victim wasn't contacted by paedophile hunters.", ["paedophile hunter"]),
    ("copula", "The man is not believed to be a vigilante.", ["vigilante"]),
    ("evidence to suggest", "There is no evidence to suggest any OCAG was involved.", ["OCAG"]),
    ("no suggestion that", "There was no suggestion that vigilantes were present.", ["vigilante"]),
    ("neither nor", "Neither Predator Patrol nor any vigilante group took part.", ["Predator Patrol", "vigilante"]),
    (
        "list with or",
        "Checks show it was not a vigilante or hunter group referral.",
        ["vigilante", "hunter group"],
    ),
    (
        "list governed by no involvement of any",
        "No involvement of any Northern Shield members or vigilantes.",
        ["Northern Shield", "vigilante"],
    ),
    (
        "list with nested term",
        "No involvement of any paedophile hunter group or vigilantes was found.",
        ["paedophile hunter", "hunter group", "vigilante"],
    ),
    ("negation after", "A paedophile hunter group was not involved.", ["paedophile hunter", "hunter group"]),
    ("ruled out", "Vigilantes were ruled out by the OIC.", ["vigilante"]),
    ("colon nil", "Vigilante involvement: nil. Suspect seen on CCTV.", ["vigilante"]),
    # no negation word anywhere in the text: only the "...: n/a" after the mention negates it
    ("colon n/a, no other cue", "Paedophile hunter input: n/a. Suspect seen on CCTV.", ["paedophile hunter"]),
    ("dash negative, no other cue", "Predator Patrol referral - negative", ["Predator Patrol"]),
    ("negated variant", "It was not a peadophile-hunters operation.", ["paedophile hunter"]),
    ("negated fuzzy", "Not a Nothern Shield job according to the OIC.", ["Northern Shield"]),
]


@pytest.mark.parametrize(("case", "text", "negated_terms"), NEGATED, ids=[n[0] for n in NEGATED])
def test_negated_mentions_are_reported_not_counted(terms, case, text, negated_terms):
    m = search(text, terms)
    assert sorted(m["term"]) == sorted(negated_terms), m
    assert (m["kind"] == "negated").all(), m
    crimes = classify_crimes(m)
    assert crimes["counted"].tolist() == [False]
    assert crimes["kind"].tolist() == ["negated"]


NOT_NEGATED = [
    ("negation in earlier sentence", "No CCTV was found. Predator Patrol supplied the logs.", "Predator Patrol"),
    ("negation after but", "Police did not set up the meeting but Northern Shield did.", "Northern Shield"),
    ("negation after however", "He was not charged at first, however vigilantes had filmed him.", "vigilante"),
    ("negation on another line", "Suspect not at home\nvigilantes waited outside.", "vigilante"),
    ("no doubt", "There is no doubt that paedophile hunters filmed it.", "paedophile hunter"),
    ("far negation", "He did not realise the 'girl' was a paedophile hunter decoy.", "paedophile hunter"),
    ("and breaks scope", "No CCTV and vigilantes filmed the man instead.", "vigilante"),
    ("relative clause", "Suspect had no phone when Safeguard Sentinels found him.", "Safeguard Sentinels"),
    ("object of a negated verb", "He did not know Predator Patrol ran the account.", "Predator Patrol"),
    ("negation of another noun", "No arrest was made by the paedophile hunters themselves.", "paedophile hunter"),
    ("negated verb with preposition", "He did not reply to messages from Northern Shield.", "Northern Shield"),
]


@pytest.mark.parametrize(("case", "text", "term"), NOT_NEGATED, ids=[n[0] for n in NOT_NEGATED])
def test_negation_outside_its_scope_does_not_negate(terms, case, text, term):
    m = search(text, terms)
    row = m[m["term"] == term]
    assert len(row) == 1, m
    assert row.iloc[0]["kind"] != "negated"
    assert counted(m)


def test_plain_and_negated_mention_in_one_text_counts(terms):
    text = "Predator Patrol detained the man; no vigilante violence was used."
    m = search(text, terms)
    assert sorted(m["kind"]) == ["exact", "negated"]
    crimes = classify_crimes(m)
    assert crimes["counted"].tolist() == [True]
    assert crimes["kind"].tolist() == ["exact"]
    assert crimes["terms"].tolist() == ["Predator Patrol"]
    assert crimes["certainty"].iloc[0] < 1.0  # mixed evidence is reviewed before clean exact


def test_decoy_run_by_a_hunter_group_counts(terms):
    m = search("The decoy profile was run by Predator Patrol volunteers.", terms)
    assert counted(m)


# --------------------------------------------------------------------------- offsets, context, shapes


def test_offsets_and_context(terms):
    prefix = "x" * 100 + " Footage came from the "
    text = prefix + "Northern\nShield team,\n after a long chat " + "y" * 100
    m = search(text, terms)
    assert len(m) == 1
    row = m.iloc[0]
    assert row["start"] == len(prefix)
    assert row["end"] == len(prefix) + len("Northern\nShield")
    assert row["matched"] == "Northern\nShield"
    ctx = row["context"]
    assert "\n" not in ctx and "  " not in ctx
    assert "Footage came from the Northern Shield team, after a long chat" in ctx
    assert len(ctx) <= 60 + len("Northern Shield") + 60
    assert ctx.startswith("x") and ctx.endswith("y")


def test_columns_dtypes_and_order(terms):
    texts = pd.Series(
        {
            "00000002/17": "Vigilantes filmed him. Later Predator Patrol posted it.",
            "00000001/17": "Nothing relevant here.",
            "00000003/17": "OCAG logs supplied.",
        }
    )
    m = find_mentions(texts, terms)
    assert list(m.columns) == MENTION_COLUMNS
    assert m["crime_ref"].tolist() == ["00000002/17", "00000002/17", "00000003/17"]
    assert m["start"].dtype == np.int64 and m["end"].dtype == np.int64 and m["distance"].dtype == np.int64
    assert m["start"].tolist() == [0, 29, 0]
    crimes = classify_crimes(m)
    assert list(crimes.columns) == CRIME_COLUMNS
    assert crimes["crime_ref"].tolist() == ["00000002/17", "00000003/17"]
    assert crimes["terms"].tolist() == ["Predator Patrol; vigilante", "OCAG"]


@pytest.mark.parametrize(
    "values",
    [
        [None, "", np.nan, "   ", pd.NA],
        [],
    ],
    ids=["missing values", "no texts"],
)
def test_empty_and_missing_texts(terms, values):
    texts = pd.Series(values, index=[f"{i:08d}/16" for i in range(len(values))], dtype=object)
    m = find_mentions(texts, terms)
    assert list(m.columns) == MENTION_COLUMNS
    assert m.empty
    crimes = classify_crimes(m)
    assert list(crimes.columns) == CRIME_COLUMNS
    assert crimes.empty


def test_missing_texts_among_real_ones(terms):
    texts = pd.Series([None, "Vigilantes filmed him.", np.nan], index=["a", "b", "c"], dtype=object)
    assert find_mentions(texts, terms)["crime_ref"].tolist() == ["b"]
    texts = pd.Series([None, "Vigilantes filmed him."], index=["a", "b"], dtype="str")
    assert find_mentions(texts, terms)["crime_ref"].tolist() == ["b"]


def test_terms_can_be_a_plain_list():
    m = find_mentions(pd.Series(["Members of Predator Patrol."], index=["r"]), ["Predator Patrol"])
    assert m["kind"].tolist() == ["exact"]


def test_non_ascii_text_is_handled(terms):
    text = "Caf\u00e9 owner Zo\u00eb saw \u2018paedophile\u2011hunters\u2019 film the man \u2014 \u00a350 taken."
    m = search(text, terms)
    assert m["matched"].tolist() == ["paedophile\u2011hunters"]
    assert text[m["start"].iloc[0] : m["end"].iloc[0]] == "paedophile\u2011hunters"


def test_chunking_and_threads_do_not_change_the_result(terms, monkeypatch):
    rng = np.random.default_rng(1)
    pool = [f[1] for f in FOUND] + [n[1] for n in NOTHING] + [n[1] for n in NEGATED]
    texts = pd.Series(
        [pool[i] for i in rng.integers(0, len(pool), 400)], index=[f"{i:08d}/17" for i in range(400)]
    )
    whole = find_mentions(texts, terms, workers=1)
    monkeypatch.setattr(prefilter, "_CHUNK", 7)
    chunked = find_mentions(texts, compile_terms(TERMS_20180075), workers=2)
    pd.testing.assert_frame_equal(whole, chunked)
    one_by_one = pd.concat([search_one(texts.iloc[i : i + 1], terms) for i in range(len(texts))], ignore_index=True)
    pd.testing.assert_frame_equal(whole, one_by_one)


def test_texts_without_a_negation_word_are_judged_as_the_full_analysis_judges_them(terms, monkeypatch):
    """Most texts have no negation word: `analysis.search.negation.negate` then checks only for "...: nil" after each
    mention. With that shortcut turned off, every text of the pool gets the same mentions."""
    pool = [f[1] for f in FOUND] + [n[1] for n in NOTHING] + [n[1] for n in NEGATED] + [n[1] for n in NOT_NEGATED]
    pool += ["Predator Patrol filmed him: none of it staged.", "Vigilantes - negative for weapons; hunter group present"]
    texts = pd.Series(pool, index=[f"{i:08d}/17" for i in range(len(pool))])
    quick = find_mentions(texts, terms, workers=1)

    class EveryWord(frozenset):
        def isdisjoint(self, other):
            return False

    monkeypatch.setattr(negation, "_NEGATION_WORDS", EveryWord())
    pd.testing.assert_frame_equal(quick, find_mentions(texts, terms, workers=1))
    assert (quick["kind"] == "negated").any() and (quick["kind"] != "negated").any()


def search_one(texts: pd.Series, terms) -> pd.DataFrame:
    return find_mentions(texts, terms, workers=1)


# --------------------------------------------------------------------------- rules and classification


@pytest.mark.parametrize(("length", "allowed"), [(1, 0), (4, 0), (5, 1), (8, 1), (9, 2), (18, 2)])
def test_fuzzy_allowance_scales_with_length(length, allowed):
    assert fuzzy_allowance(length) == allowed


@pytest.mark.parametrize(
    ("terms_in", "message"),
    [(["  ", "vigilante"], "no letters"), ([], "no search terms")],
)
def test_bad_terms_are_rejected(terms_in, message):
    with pytest.raises(ValueError, match=message):
        compile_terms(terms_in)


def test_compile_terms_rejects_a_single_string():
    with pytest.raises(TypeError):
        compile_terms("vigilante")


def test_classify_crimes_kinds_and_certainty_order(terms):
    texts = pd.Series(
        {
            "exact": "Predator Patrol supplied logs.",
            "variant": "Vigilantes supplied logs.",
            "fuzzy": "Nothern Shield supplied logs.",
            "negated": "Not a vigilante job.",
            "mixed": "Vigilante filmed it; no Predator Patrol input.",
        }
    )
    crimes = classify_crimes(find_mentions(texts, terms)).set_index("crime_ref")
    assert crimes.loc["exact", "kind"] == "exact"
    assert crimes.loc["variant", "kind"] == "variant"
    assert crimes.loc["fuzzy", "kind"] == "fuzzy"
    assert crimes.loc["negated", "kind"] == "negated"
    assert crimes.loc["mixed", "kind"] == "exact"
    assert crimes["counted"].to_dict() == {
        "exact": True, "fuzzy": True, "mixed": True, "negated": False, "variant": True,
    }
    order = crimes.sort_values("certainty").index.tolist()
    assert order == ["negated", "fuzzy", "variant", "mixed", "exact"]


def test_classify_crimes_rejects_unknown_kinds():
    bad = pd.DataFrame({"crime_ref": ["a"], "term": ["t"], "kind": ["maybe"], "distance": [0]})
    with pytest.raises(ValueError, match="unknown mention kinds"):
        classify_crimes(bad)


# --------------------------------------------------------------------------- properties

ORDINARY_WORDS = [
    "suspect", "victim", "arrested", "the", "a", "at", "station", "car", "park", "phone", "messages",
    "met", "travelled", "town", "centre", "officers", "attended", "statement", "was", "taken", "from",
    "mother", "school", "teacher", "disclosed", "contact", "app", "chat", "account", "girl", "boy",
    "aged", "months", "arranged", "meet", "enquiries", "ongoing", "shop", "window", "damage",
    "Hunter", "hunting", "knife", "group", "child", "online", "abuse", "vigil", "ocean", "north",
    "shield", "safe", "guard", "patrol", "predator", "sentinel", "activity", "and", "then",
]
SEPARATORS = [" ", " ", " ", ", ", ". ", "; ", "\n", " - "]

words = st.lists(st.sampled_from(ORDINARY_WORDS), min_size=0, max_size=40)
seps = st.lists(st.sampled_from(SEPARATORS), min_size=40, max_size=40)


def join(ws, ss) -> str:
    return "".join(w + s for w, s in zip(ws, ss)).strip()


def _has_forbidden_pair(text: str) -> bool:
    # ordinary words can make up a term when juxtaposed (shield + patrol is not; these are)
    low = " ".join(split_words(text))
    return any(p in low for p in ("safe guard sentinel", "hunter group", "hunting group", "predator patrol"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=words, after=words, seps1=seps, seps2=seps, term=st.sampled_from(TERMS_20180075))
def test_property_term_inserted_into_ordinary_text_is_found(terms, before, after, seps1, seps2, term):
    left, right = join(before, seps1), join(after, seps2)
    start = len(left) + 2 if left else 0
    text = (left + ". " if left else "") + term + (" " + right if right else "")
    m = find_mentions(pd.Series([text], index=["r"]), terms)
    hit = m[(m["term"] == term) & (m["start"] == start)]
    assert len(hit) == 1, (text, m)
    assert hit.iloc[0]["kind"] == "exact"
    assert hit.iloc[0]["matched"] == term
    assert counted(m)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ws=words, ss=seps)
def test_property_ordinary_text_finds_nothing(terms, ws, ss):
    text = join(ws, ss)
    if _has_forbidden_pair(text):
        return
    m = find_mentions(pd.Series([text], index=["r"]), terms)
    assert m.empty, (text, m)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.text(max_size=80), max_size=8))
def test_property_offsets_match_text_for_any_input(terms, texts):
    pool = texts + [t for _, t, *_ in FOUND[:5]]
    s = pd.Series(pool, index=[str(i) for i in range(len(pool))])
    m = find_mentions(s, terms)
    for _, row in m.iterrows():
        assert s[row["crime_ref"]][row["start"] : row["end"]] == row["matched"]
        assert row["kind"] in KINDS


def test_a_mention_inside_an_excluded_phrase_is_not_a_mention():
    texts = pd.Series(
        ["She used a Snapchat filter.", "Sent on Snapchat, then a snapchat filter was used."],
        index=["00000001/18", "00000002/18"],
        dtype=object,
    )
    mentions = outside_phrases(find_mentions(texts, ["snapchat"]), find_mentions(texts, ["snapchat filter"]))
    assert mentions["crime_ref"].tolist() == ["00000002/18"] and mentions["matched"].tolist() == ["Snapchat"]
    assert classify_crimes(mentions)["crime_ref"].tolist() == ["00000002/18"]
    none_excluded = outside_phrases(find_mentions(texts, ["snapchat"]), find_mentions(texts, ["tiktok"]))
    assert len(none_excluded) == 3
