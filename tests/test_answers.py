"""The grammar's briefing words: sentences from released cells only, tables numbered in the
order of the questions, a chart for a table by time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from helpers.briefing import answers


@dataclass
class Info:
    name: str = "damage_by_year"
    title: str = "Offences of criminal damage to a dwelling recorded, by year"
    question: int = 1
    count: str = "offences"
    measure_label: str = "offences of criminal damage to a dwelling"
    rows: str | None = "year"
    columns: str | None = None
    chart: bool = True
    notes: list[str] = field(default_factory=list)
    period_from: date = date(2016, 1, 1)
    period_to: date = date(2018, 12, 5)
    period_words: str = "from 1 January 2016 to 5 December 2018"
    relative_period: str | None = None
    total_label: str = "Total"
    of_whom: str | None = None
    found_label: str | None = None
    part_terms: str | None = None
    date_basis: str = "recorded"
    caveat: str | None = None


def by_year(values: list[str], total: str) -> pd.DataFrame:
    rows = ["2016", "2017", "2018 (to 5 Dec 2018)"][: len(values)]
    return pd.DataFrame({"Offences": [*values, total]}, index=pd.Index([*rows, "Total"], name="Year"))


def test_the_total_sentence_reads_the_released_total():
    display = by_year(["456", "432", "346"], "1,234")
    assert answers.total_sentence(Info(), display) == (
        "From 1 January 2016 to 5 December 2018 we recorded 1,234 offences of criminal damage "
        "to a dwelling."
    )


def test_a_count_by_committed_date_says_so_not_that_we_recorded_them_in_the_period():
    """Found by a reader: "we recorded 252 sexual offences" over a table counting them by the day
    the offence was committed, beside key facts of victims by the day recorded."""
    display = by_year(["456", "432", "346"], "1,234")
    offences = Info(measure_label="sexual offences", date_basis="committed")
    assert answers.total_sentence(offences, display) == (
        "For offences committed from 1 January 2016 to 5 December 2018, we recorded 1,234 sexual "
        "offences."
    )
    victims = Info(count="victims", measure_label="victims of sexual offences", date_basis="committed")
    assert "victims of sexual offences, of offences committed from 1 January 2016" in answers.key_facts([victims], {"damage_by_year": display})
    assert ">sexual offences, committed from 1 January 2016" in answers.key_facts([offences], {"damage_by_year": display})
    assert "offences of criminal damage to a dwelling, from 1 January 2016" in answers.key_facts([Info()], {"damage_by_year": display})


def test_the_marks_are_explained_only_where_a_table_shows_them():
    """Found by a reader: "“[c]” marks a larger figure withheld ..." under answers that withhold
    nothing and show no <5."""
    plain = by_year(["456", "432", "346"], "1,234")
    html = str(answers.request_and_answer(["Q?"], [Info()], {"damage_by_year": plain}, 5))
    assert "&lt;5" not in html and "[c]" not in html
    small = by_year(["456", "<5", "346"], "[c]")
    html = str(answers.request_and_answer(["Q?"], [Info()], {"damage_by_year": small}, 5))
    assert "we show it as \u201c&lt;5\u201d" in html and "\u201c[c]\u201d marks a larger figure withheld" in html
    only_small = by_year(["456", "<5", "346"], "805")
    html = str(answers.request_and_answer(["Q?"], [Info()], {"damage_by_year": only_small}, 5))
    assert "we show it as \u201c&lt;5\u201d" in html and "[c]" not in html


def test_a_caveat_follows_the_whole_figure():
    display = by_year(["0", "0", "0"], "0")
    caveat = "No crime in our records, of any year, is classified as 058/01: we may record such offences under another class."
    (answer,) = answers.answer_sentences([Info(caveat=caveat)], {"damage_by_year": display}, 1)
    assert answer.startswith("From 1 January 2016 to 5 December 2018 we recorded no offences of criminal damage to a dwelling. " + caveat)


def test_a_withheld_total_is_never_a_number():
    display = by_year(["<5", "0", "[c]"], "<5")
    sentence = answers.total_sentence(Info(), display)
    assert "fewer than 5 offences" in sentence
    parts = answers.parts_sentence(Info(), display, 1)
    assert parts == (
        "Table 1 gives them by year: fewer than 5 in 2016, none in 2017 and a withheld figure "
        "in 2018 (to 5 Dec 2018)."
    )


def test_a_breakdown_of_many_parts_names_its_largest():
    """Found by a new user: an answer by outcome and financial year gave no figure but its whole
    ("Table 2 gives the same 1,749 offences of burglary by outcome and financial year")."""
    index = pd.Index(["Charged", "Out-of-court", "No further action", "Other outcomes", "Not yet assigned an outcome", "Total"], name="Outcome group")
    display = pd.DataFrame({"2016/17": ["90", "<5", "600", "40", "100", "834"], "Total": ["178", "11", "1,258", "90", "212", "1,749"]}, index=index)
    info = Info(rows="outcome_group", columns="financial_year")
    assert answers.parts_sentence(info, display, 2) == (
        "Table 2 gives them by outcome and financial year (April to March); the largest group is \u201cNo further action\u201d (1,258)."
    )
    labels = ["Jan 2016", "Feb 2016", "Mar 2016", "Apr 2016", "May 2016", "Total"]
    months = pd.DataFrame({"Offences": ["12", "40", "7", "9", "11", "79"]}, index=pd.Index(labels, name="Month"))
    # more than four parts: not listed, the largest named
    assert answers.parts_sentence(Info(rows="month"), months, 1) == (
        "Table 1 gives them by month; the most were in Feb 2016 (40)."
    )
    # found by a reader: "the largest part is 260 (18 and over)" of a total of 260, and "5,072 (No
    # mention of a dog)": a part holding the whole, or a search's remainder, is not named
    whole = months.assign(Offences=["0", "79", "0", "0", "0", "79"])
    assert answers.parts_sentence(Info(rows="month"), whole, 1) == "Table 1 gives them by month."
    found = pd.DataFrame({"Offences": ["12", "5,072", "5,084"]}, index=pd.Index(["Mentions a dog", "No mention of a dog", "Total"], name="Dog"))
    searched = Info(rows="search", columns="year", found_label="Mentions a dog")
    assert "most" not in answers.parts_sentence(searched, found, 1)
    # two largest alike, or a part withheld: none is named (a withheld one may be the largest)
    # a <5 is below every figure shown but none: with every other part none, none is named
    nones = display.assign(Total=["0", "<5", "0", "0", "0", "<5"])
    assert answers.largest_part(nones, list(display.index[:-1])) is None
    assert answers.largest_part(display.assign(Total=["5", "<5", "2", "0", "1", "9"]), list(display.index[:-1])) == "Charged"
    tied = display.assign(Total=["1,258", "11", "1,258", "90", "212", "2,829"])
    withheld = display.assign(Total=["178", "[c]", "1,258", "90", "[c]", "1,749"])
    for table in (tied, withheld):
        assert answers.parts_sentence(info, table, 2) == "Table 2 gives them by outcome and financial year (April to March)."


def test_a_figure_of_none_is_broken_down_without_them_or_a_list_of_nones():
    """Found by a new user: "we recorded no crimes ... Table 1 gives them by month", and an age
    table's parts listed as "none (Under 18), none (18 to 24) and none (25 and over)"."""
    display = by_year(["0", "0", "0"], "0")
    assert answers.parts_sentence(Info(), display, 1) == "Table 1 gives the figures by year."
    info = Info(rows="month", columns="year")
    assert answers.parts_sentence(info, display, 2) == "Table 2 gives the figures by month and year."
    one_row = pd.DataFrame({"2017": ["0"], "Total": ["0"]}, index=pd.Index(["Total"]))
    assert answers.parts_sentence(Info(rows=None, columns="year"), one_row, 3) == "Table 3 gives the figures by year."
    one = pd.DataFrame({"People charged": ["0"]}, index=pd.Index(["Total"]))
    assert answers.parts_sentence(Info(rows=None), one, 4) == "Table 4 gives the figure."
    # the whole said, then "them": only for a figure of some
    got = answers.answer_sentences([Info()], {"damage_by_year": display}, questions=1)[0]
    assert got == (
        "From 1 January 2016 to 5 December 2018 we recorded no offences of criminal damage to a "
        "dwelling. Table 1 gives the figures by year."
    )


def test_a_search_that_found_nothing_or_is_not_yet_reviewed_says_so_plainly():
    """Found by a new user: "none had a mention of the terms for a person to read, and a
    reviewer has read none of them (none changing the search's call)"."""
    index = pd.Index(["Searched", "Candidates", "Reviewed", "Changed"], name="Free-text search")
    info = Info(name="review", count="review", total_label="Searched", rows=None)
    nothing = pd.DataFrame({"Crimes": ["8,087", "0", "0", "0"]}, index=index)
    assert answers.answer_sentences([info], {"review": nothing}, questions=1)[0] == (
        "We searched the circumstances of 8,087 crimes; none had a mention of the terms, so there "
        "was nothing for a reviewer to read. Table 1 gives the search."
    )
    unread = pd.DataFrame({"Crimes": ["8,087", "12", "0", "0"]}, index=index)
    assert answers.answer_sentences([info], {"review": unread}, questions=1)[0].startswith(
        "We searched the circumstances of 8,087 crimes; 12 had a mention of the terms for a "
        "person to read, and no reviewer has read them yet. Table 1 gives the search and its "
        "review. Checking every match by hand takes about 1 hour at 5 minutes a record"
    )


def test_a_review_of_withheld_numbers_says_some_not_a_withheld_figure_of_them():
    """Found by a new user: "a withheld figure had a mention of the terms for a person to read,
    and a reviewer has read a withheld figure of them (fewer than 5 changing the search's
    call)"."""
    index = pd.Index(["Searched", "Candidates", "Reviewed", "Changed"], name="Free-text search")
    info = Info(name="review", count="review", total_label="Searched", rows=None)
    withheld = pd.DataFrame({"Crimes": ["1,212", "[c]", "[c]", "<5"]}, index=index)
    assert answers.answer_sentences([info], {"review": withheld}, questions=1)[0].startswith(
        "We searched the circumstances of 1,212 crimes; some had a mention of the terms for a "
        "person to read, and a reviewer has read some of them (fewer than 5 changing the search\u2019s "
        "call; Table 1 withholds the numbers marked [c] so that smaller ones cannot be worked "
        "out). Table 1 gives the search and its review."
    )


def test_one_is_singular():
    display = by_year(["1"], "1")
    assert "1 offence of criminal damage" in answers.total_sentence(Info(), display)


def test_people_charged_say_we_charged():
    info = Info(count="people_charged", measure_label="people with a sexual offence", rows="year")
    display = by_year(["6", "7"], "12")
    assert "we charged 12 people with a sexual offence" in answers.total_sentence(info, display)


def test_tables_are_numbered_in_the_order_of_the_questions():
    infos = [Info(name="b", question=2), Info(name="a", question=1), Info(name="c", question=2)]
    assert answers.numbered_tables(infos) == {"a": 1, "b": 2, "c": 3}


def test_each_question_gets_one_answer_even_without_a_table():
    display = by_year(["456", "432", "346"], "1,234")
    got = answers.answer_sentences([Info()], {"damage_by_year": display}, questions=2)
    assert len(got) == 2 and got[1] == "This question has no table."


def test_a_period_counted_back_is_said_in_full_once_then_by_its_years():
    """Found by a reader: "in the three complete years before 1 January 2019 (2016 to 2018)" 18
    times in one briefing."""
    relative = dict(period_from=date(2016, 1, 1), period_to=date(2018, 12, 31), relative_period="the three complete years before 1 January 2019")
    first = Info(name="a", question=1, **relative)
    second = Info(name="b", question=2, measure_label="offences of arson", **relative)
    display = by_year(["456", "432", "346"], "1,234")
    got = answers.answer_sentences([first, second], {"a": display, "b": display}, questions=2)
    assert got[0].startswith("In the three complete years before 1 January 2019 (2016 to 2018) we recorded 1,234 offences of criminal damage")
    assert got[1].startswith("In 2016 to 2018 we recorded 1,234 offences of arson.")
    facts = str(answers.key_facts([first, second], {"a": display, "b": display}))
    assert "offences of arson, in 2016 to 2018" in facts and "three complete years" not in facts
    # a table of the same figure again is still "the same" figure, not said twice
    again = Info(name="c", question=2, rows="month", **relative)
    got = answers.answer_sentences([first, again], {"a": display, "c": display}, questions=2)
    assert got[1].startswith("Table 2 gives the same 1,234 offences of criminal damage"), got[1]


def test_parts_whose_labels_hold_brackets_are_listed_without_brackets_inside_brackets():
    """Found by a reader: "216 (Assault (ABH or common assault)), 125 (Burglary of a dwelling)"."""
    index = pd.Index(["Assault (ABH or common assault)", "Burglary of a dwelling", "Criminal damage", "Total"], name="Offence charged")
    display = pd.DataFrame({"People charged": ["216", "125", "129", "470"]}, index=index)
    assert answers.parts_sentence(Info(rows="charge_group"), display, 2) == (
        "Table 2 gives them by offence charged: 216 for \u201cAssault (ABH or common assault)\u201d, "
        "125 for \u201cBurglary of a dwelling\u201d and 129 for \u201cCriminal damage\u201d."
    )
    plain = display.rename(index={"Assault (ABH or common assault)": "Assault"})
    assert answers.parts_sentence(Info(rows="charge_group"), plain, 2) == (
        "Table 2 gives them by offence charged: 216 (Assault), 125 (Burglary of a dwelling) and 129 (Criminal damage)."
    )


def test_the_largest_group_of_ages_is_not_read_as_an_age():
    """Found by a reviewer: "the most were under “Under 13” (142)"."""
    index = pd.Index(["Under 13", "13 to 15", "16 and 17", "18 and over", "Age not known", "Total"], name="Age of the victim")
    display = pd.DataFrame({"2016": ["1", "2", "3", "4", "5", "15"], "Total": ["142", "99", "6", "0", "0", "247"]}, index=index)
    said = answers.parts_sentence(Info(rows="victim_age", columns="year"), display, 1)
    assert said.endswith("; the largest group is \u201cUnder 13\u201d (142)."), said


def test_a_caveat_is_said_once_in_the_answer_and_pointed_to_after():
    """Found by a reader: the same sentence of a class no crime has, after each of two answers;
    then by a reviewer: said once, the second answer's none stood bare, and so did the key facts."""
    caveat = "No crime in our records, of any year, is classified as 058/01: we may record such offences under another class."
    display = by_year(["0", "0", "0"], "0")
    first = Info(name="a", question=1, caveat=caveat)
    second = Info(name="b", question=2, rows="month", caveat=caveat, measure_label="offences of damage to a house")
    got = answers.answer_sentences([first, second], {"a": display, "b": display}, questions=2)
    assert caveat in got[0] and caveat not in got[1]
    assert "No crime in our records has its classification (see answer 1)." in got[1]
    facts = str(answers.key_facts([first, second], {"a": display, "b": display}))
    assert facts.count("(no crime in our records has its classification)") == 2
    assert "no crime in our records" not in str(answers.key_facts([Info()], {"damage_by_year": display}))


def test_a_period_counted_back_said_again_is_said_by_its_years_months_or_days():
    def short(start, end):
        return answers.period_phrase(Info(period_from=start, period_to=end, relative_period="the last N"), short=True)

    assert short(date(2016, 1, 1), date(2018, 12, 31)) == "in 2016 to 2018"
    assert short(date(2016, 4, 1), date(2019, 3, 31)) == "in Apr 2016 to Mar 2019"
    assert short(date(2016, 2, 1), date(2016, 2, 29)) == "in Feb 2016 to Feb 2016"
    assert short(date(2016, 3, 5), date(2019, 3, 4)) == "from 5 March 2016 to 4 March 2019"


def test_labels_from_a_parameters_file_are_escaped():
    info = Info(title="<script>alert(1)</script>", measure_label="offences of <b>x</b>")
    display = by_year(["456", "432", "346"], "1,234")
    html = answers.request_and_answer(["Q?<img src=x>"], [info], {"damage_by_year": display}, 5)
    assert "<script>" not in html and "<img src=x>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html


def test_a_table_by_time_is_drawn_and_described_from_released_figures():
    display = by_year(["456", "<5", "346"], "[c]")
    series = answers.time_series(Info(), display)
    assert list(series) == ["456", "<5", "346"]
    text = answers.chart_text(series, "offences")
    assert "2017: fewer than 5" in text and "456" in text
    html = answers.time_figure(Info(), display, 1)
    assert "Figure 1" in html and "hatched" in html


def test_a_figure_of_none_has_no_chart_and_the_next_chart_keeps_its_number():
    """Found by a new user: a chart of bars that are all none (the table says it)."""
    none = by_year(["0", "0", "0"], "0")
    some = by_year(["456", "432", "346"], "1,234")
    infos = [Info(name="a"), Info(name="b", question=2)]
    assert not answers.draws_chart(infos[0], none) and answers.draws_chart(infos[1], some)
    html = answers.tables_and_charts(infos, {"a": none, "b": some})
    assert html.count("<figure class=\"chart\"") == 1 and "Figure 1" in html and "Figure 2" not in html


def test_a_time_breakdown_in_columns_is_drawn_from_the_total_row():
    display = pd.DataFrame(
        {"2016": ["3", "4", "7"], "2017": ["5", "6", "11"], "Total": ["8", "10", "18"]},
        index=pd.Index(["A", "B", "Total"], name="Offence class"),
    )
    info = Info(rows="offence_class", columns="year")
    assert list(answers.time_series(info, display)) == ["7", "11"]


def test_a_whole_year_a_financial_year_and_a_period_counted_back_read_as_a_person_writes_them():
    assert answers.period_phrase(Info(period_from=date(2017, 1, 1), period_to=date(2017, 12, 31))) == "in 2017"
    assert answers.period_phrase(Info(period_from=date(2017, 4, 1), period_to=date(2018, 3, 31))) == "in 2017/18"
    relative = Info(
        relative_period="the three complete years before 1 January 2019",
        period_from=date(2016, 1, 1), period_to=date(2018, 12, 31),
    )
    assert answers.period_phrase(relative) == "in the three complete years before 1 January 2019 (2016 to 2018)"
    months = Info(relative_period="the 36 complete months before 1 January 2019", period_from=date(2016, 1, 1), period_to=date(2018, 11, 30))
    assert answers.period_phrase(months).endswith("(Jan 2016 to Nov 2018)")
    to_date = Info(relative_period="2018 up to 5 December", period_from=date(2018, 1, 1), period_to=date(2018, 12, 5))
    assert answers.period_phrase(to_date) == "in 2018 up to 5 December"  # not "the year to": twelve months
    assert answers.period_phrase(Info()) == "from 1 January 2016 to 5 December 2018"


def test_a_total_under_its_own_label_and_an_of_whom_row_are_read_as_such():
    """The whole figure is the Total's under the request's label; an `of_whom` row is said on
    its own, and is neither a part in the list of parts nor a bar of the chart."""
    display = pd.DataFrame(
        {"People charged": ["12", "<5", "14", "<5"]},
        index=pd.Index(["2016", "2017", "Either year", "of whom on a crime mentioning a dog"], name="Year"),
    )
    info = Info(count="people_charged", measure_label="people with criminal damage", total_label="Either year",
                of_whom="of whom on a crime mentioning a dog", part_terms="\u201cdog\u201d")
    got = answers.answer_sentences([info], {"damage_by_year": display}, questions=1)[0]
    # found by a new user: "Of whom on a crime mentioning a dog: fewer than 5." was no sentence
    assert got == (
        "From 1 January 2016 to 5 December 2018 we charged 14 people with criminal damage. "
        "Of these, fewer than 5 were people charged on a crime whose circumstances mention \u201cdog\u201d. "
        "Table 1 gives them by year: 12 in 2016 and fewer than 5 in 2017."
    )
    assert list(answers.time_series(info, display)) == ["12", "<5"]
    assert "14" in answers.key_facts([info], {"damage_by_year": display})


def test_a_table_split_by_a_search_says_what_the_search_counts_on_its_own():
    display = pd.DataFrame(
        {"2017": ["<5", "9", "12"], "Total": ["5", "20", "25"]},
        index=pd.Index(["A dog", "No dog", "Total"], name="Circumstances"),
    )
    terms = "any of \u201cdog\u201d or \u201cpuppy\u201d"
    info = Info(rows="search", columns="year", found_label="A dog", part_terms=terms)
    said = f"Of these, 5 were offences whose circumstances mention {terms}."
    assert answers.of_whom_sentence(info, display) == said
    by_year_and_search = display.T  # rows: the year and the Total; columns: the search
    flipped = Info(rows="year", columns="search", found_label="A dog", part_terms=terms)
    assert answers.of_whom_sentence(flipped, by_year_and_search) == said
    one = display.replace("5", "1")
    assert answers.of_whom_sentence(info, one) == f"Of these, 1 was an offence whose circumstances mention {terms}."
    # found by a reviewer: "we recorded no offences ... Of these, none were ..."
    nothing = pd.DataFrame({"2017": ["0", "0", "0"], "Total": ["0", "0", "0"]}, index=display.index)
    assert answers.of_whom_sentence(info, nothing) == ""
    assert answers.of_whom_sentence(Info(), display) == ""


def test_a_table_of_a_searchs_review_is_said_in_words_and_is_no_key_fact():
    display = pd.DataFrame(
        {"Crimes": ["144", "40", "<5", "0"]},
        index=pd.Index(["Searched", "Candidates", "Reviewed", "Changed"], name="Free-text search"),
    )
    info = Info(name="review", count="review", total_label="Searched", rows=None)
    got = answers.answer_sentences([info], {"review": display}, questions=1)[0]
    assert got == (
        "We searched the circumstances of 144 crimes; 40 had a mention of the terms for a person "
        "to read, and a reviewer has read fewer than 5 of them (none changing the search\u2019s "
        "call). Table 1 gives the search and its review. Checking every match by hand takes "
        "about 3.5 hours at 5 minutes a record, within the 18 hours that section 12 of the "
        "Freedom of Information Act allows."
    )
    assert "144" not in answers.key_facts([info], {"review": display})
    slower = answers.answer_sentences([info], {"review": display}, questions=1, minutes_per_record=30)
    assert slower[0].endswith("would take about 20 hours at 30 minutes a record, more than the 18 hours that section 12 of the Freedom of Information Act allows.")
    # nothing found: nothing to check, and no time to say
    none = display.assign(Crimes=["144", "0", "0", "0"])
    assert "section 12" not in answers.answer_sentences([info], {"review": none}, questions=1)[0]


def test_a_figure_two_questions_share_is_one_key_fact():
    """Found by a new user: the same whole figure of one measure, once for each question its
    tables answer, stood twice among the key facts."""
    display = by_year(["456", "432", "346"], "1,234")
    infos = [Info(name="a", question=1), Info(name="b", question=2)]
    html = answers.key_facts(infos, {"a": display, "b": display})
    assert html.count('class="fact"') == 1
    other = by_year(["1", "2", "3"], "6")
    assert answers.key_facts(infos, {"a": display, "b": other}).count('class="fact"') == 2


def test_a_key_fact_of_people_charged_or_charges_says_charged():
    """Found by a new user: the tile read "92 people with a sexual offence against a child, in
    2018", the verb of the sentence ("we charged") lost."""
    display = pd.DataFrame({"People charged": ["92"]}, index=pd.Index(["Total"]))
    year = {"period_from": date(2018, 1, 1), "period_to": date(2018, 12, 31)}
    people = Info(count="people_charged", measure_label="people with a sexual offence against a child", **year)
    assert "people with a sexual offence against a child, charged in 2018" in answers.key_facts([people], {"damage_by_year": display})
    charges = Info(count="charges", measure_label="charges of grooming offences", **year)
    assert "charges of grooming offences, laid in 2018" in answers.key_facts([charges], {"damage_by_year": display})
    offences = answers.key_facts([Info()], {"damage_by_year": by_year(["1", "2", "3"], "6")})
    assert "offences of criminal damage to a dwelling, from 1 January 2016" in offences


def test_a_table_of_one_row_is_pointed_to():
    """Found by a new user: the answer from a table with no rows named no table."""
    display = pd.DataFrame({"People charged": ["58"]}, index=pd.Index(["Total"]))
    assert answers.parts_sentence(Info(rows=None), display, 3) == "Table 3 gives the figure."
    by_year = pd.DataFrame({"2017": ["4"], "2018": ["6"], "Total": ["10"]}, index=pd.Index(["Total"]))
    assert answers.parts_sentence(Info(rows=None, columns="year"), by_year, 2) == "Table 2 gives them by year."


def test_a_whole_figure_already_said_is_not_said_again_but_referred_to():
    """Three tables of the same offences, the second and third in answers of their own: each
    answer opened "From 1 January 2016 to 5 December 2018 we recorded 1,234 offences of ...", the
    same sentence three times over (found reading a briefing of ten tables). A whole figure is
    said once; a later table of the same figure is "the same" figure, given by its breakdown."""
    by_month = pd.DataFrame({"Offences": ["400", "834", "1,234"]}, index=pd.Index(["Jan 2016", "Feb 2016", "Total"], name="Month"))
    by_class = pd.DataFrame({"Offences": ["1,000", "234", "1,234"]}, index=pd.Index(["058/01", "058/02", "Total"], name="Offence class"))
    other = by_year(["6", "7"], "13")
    infos = [
        Info(),
        Info(name="by_month", question=2, rows="month"),
        Info(name="by_class", question=2, rows="offence_class"),
        Info(name="other", question=3, measure_label="offences of arson"),
    ]
    tables = {"damage_by_year": by_year(["456", "432", "346"], "1,234"), "by_month": by_month, "by_class": by_class, "other": other}
    first, second, third = answers.answer_sentences(infos, tables, questions=3)
    assert first.startswith("From 1 January 2016 to 5 December 2018 we recorded 1,234 offences")
    assert second == (
        "Table 2 gives the same 1,234 offences of criminal damage to a dwelling by month: 400 in "
        "Jan 2016 and 834 in Feb 2016. Table 3 gives them by offence class: 1,000 (058/01) and "
        "234 (058/02)."
    )
    # another figure, or the same figure of another measure, is said in full
    assert third.startswith("From 1 January 2016 to 5 December 2018 we recorded 13 offences of arson.")


def test_a_figure_said_in_an_answer_is_them_after_it_and_the_same_later_with_its_part_a_search_counts():
    by_month = pd.DataFrame({"Offences": ["400", "834", "1,234"]}, index=pd.Index(["Jan 2016", "Feb 2016", "Total"], name="Month"))
    dogs = pd.DataFrame(
        {"Offences": ["1,200", "34", "1,234"]},
        index=pd.Index(["No dog", "Dog", "Total"], name="Search"),
    )
    infos = [
        Info(),
        Info(name="by_month", rows="month"),
        Info(name="dogs", question=2, rows="search", found_label="Dog", part_terms="\u201cdog\u201d"),
    ]
    tables = {"damage_by_year": by_year(["456", "432", "346"], "1,234"), "by_month": by_month, "dogs": dogs}
    first, second = answers.answer_sentences(infos, tables, questions=2)
    assert first.count("we recorded 1,234") == 1 and "Table 2 gives them by month" in first
    assert second == (
        "Of the same 1,234 offences of criminal damage to a dwelling, 34 were offences whose "
        "circumstances mention \u201cdog\u201d. Table 3 gives them by what the circumstances mention: 1,200 (No dog) and 34 (Dog)."
    )


def test_a_whole_figure_of_none_said_again_is_said_in_full_not_the_same_no_offences():
    nothing = by_year(["0", "0", "0"], "0")
    infos = [Info(), Info(name="again", question=2, rows="month")]
    months = pd.DataFrame({"Offences": ["0", "0", "0"]}, index=pd.Index(["Jan 2016", "Feb 2016", "Total"], name="Month"))
    first, second = answers.answer_sentences(infos, {"damage_by_year": nothing, "again": months}, questions=2)
    assert "the same no" not in second
    assert second.startswith("From 1 January 2016 to 5 December 2018 we recorded no offences")
