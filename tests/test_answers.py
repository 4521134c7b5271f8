"""The grammar's briefing words: sentences from released cells only, tables numbered in the
order of the questions, a chart for a table by time."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from helpers.briefing import answers


@dataclass
class Info:
    name: str = "damage_by_year"
    title: str = "Offences of criminal damage to a dwelling recorded, by year"
    question: int = 1
    count: str = "offences"
    label: str = "offences of criminal damage to a dwelling"
    rows: str | None = "year"
    columns: str | None = None
    chart: bool = True
    notes: list[str] = field(default_factory=list)
    period_text: str = "from 1 January 2016 to 5 December 2018"


def by_year(values: list[str], total: str) -> pd.DataFrame:
    rows = ["2016", "2017", "2018 (to 5 Dec 2018)"][: len(values)]
    return pd.DataFrame({"Offences": [*values, total]}, index=pd.Index([*rows, "Total"], name="Year"))


def test_the_total_sentence_reads_the_released_total():
    display = by_year(["456", "432", "346"], "1,234")
    assert answers.total_sentence(Info(), display) == (
        "From 1 January 2016 to 5 December 2018 we recorded 1,234 offences of criminal damage "
        "to a dwelling."
    )


def test_a_withheld_total_is_never_a_number():
    display = by_year(["<5", "0", "[c]"], "<5")
    sentence = answers.total_sentence(Info(), display)
    assert "fewer than 5 offences" in sentence
    parts = answers.parts_sentence(Info(), display, 1)
    assert parts == (
        "Table 1 gives them by year: fewer than 5 in 2016, none in 2017 and a withheld figure "
        "in 2018 (to 5 Dec 2018)."
    )


def test_one_is_singular():
    display = by_year(["1"], "1")
    assert "1 offence of criminal damage" in answers.total_sentence(Info(), display)


def test_people_charged_say_we_charged_and_that_the_total_is_not_a_sum():
    info = Info(count="people_charged", label="people with a sexual offence", rows="year")
    display = by_year(["6", "7"], "12")
    assert "we charged 12 people with a sexual offence" in answers.total_sentence(info, display)
    assert "once in the total" in answers.parts_sentence(info, display, 2)


def test_tables_are_numbered_in_the_order_of_the_questions():
    infos = [Info(name="b", question=2), Info(name="a", question=1), Info(name="c", question=2)]
    assert answers.numbered_tables(infos) == {"a": 1, "b": 2, "c": 3}


def test_each_question_gets_one_answer_even_without_a_table():
    display = by_year(["456", "432", "346"], "1,234")
    got = answers.answer_sentences([Info()], {"damage_by_year": display}, questions=2)
    assert len(got) == 2 and got[1] == "This question has no table."


def test_labels_from_a_parameters_file_are_escaped():
    info = Info(title="<script>alert(1)</script>", label="offences of <b>x</b>")
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


def test_a_time_breakdown_in_columns_is_drawn_from_the_total_row():
    display = pd.DataFrame(
        {"2016": ["3", "4", "7"], "2017": ["5", "6", "11"], "Total": ["8", "10", "18"]},
        index=pd.Index(["A", "B", "Total"], name="Offence class"),
    )
    info = Info(rows="offence_class", columns="year")
    assert list(answers.time_series(info, display)) == ["7", "11"]
