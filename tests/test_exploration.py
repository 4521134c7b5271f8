"""The explore notebook's helpers: each on a small hand-made extract whose answer is known."""

import pandas as pd
import pytest
from builders import cms_crime, connect_crime, migrated, write_extract

from helpers.analysis import exploration
from helpers.extracts.load import load_extracts


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    """CMS until the switch-over, Connect after; one crime migrated; one cancelled; a gap month."""
    moved_cms, moved_connect = migrated("CM/16/0000003", "00000003/16", "2016-03-01T09:30:00", Outcome="OC01 – Charge/Summons")
    directory = write_extract(
        tmp_path_factory.mktemp("extract"),
        CMS_CRIMES=[
            cms_crime("CM/16/0000001", "05/01/2016 10:00", **{"HO OUTCOME": "1"}),
            cms_crime("CM/16/0000002", "20/01/2016 10:00", **{"HO CLASS": "105/01", "HO OUTCOME": "18"}),
            moved_cms,
            cms_crime("CM/16/0000004", "10/04/2016 10:00", **{"CRIME STATUS": "NO CRIME"}),
            cms_crime("CM/17/0000005", "04/12/2017 06:59", **{"HO CLASS": "105/01", "HO OUTCOME": "15"}),
        ],
        connect_crimes=[
            moved_connect,
            connect_crime("00000010/17", "2017-12-04T07:00:00"),
            connect_crime("00000011/17", "2017-12-20T07:00:00", **{"HO Class": "105/1", "Outcome": "OC14 – No Sus / Victim Decline"}),
        ],
        CMS_NOMINALS=[
            {"CRIME NO": "CM/16/0000001", "NOMINAL NO": "400001", "PNC ID": "2000/0448754A"},
            {"CRIME NO": "CM/16/0000002", "NOMINAL NO": "400002"},
        ],
        connect_persons=[
            {"Crime Reference": "00000003/16", "Person ID": "PER1", "Legacy Nominal No": "400001", "PNC ID": "00/448754A"},
            {"Crime Reference": "00000010/17", "Person ID": "PER2", "PNC ID": "00/448754A"},  # a duplicate: PNC ID only
            {"Crime Reference": "00000011/17", "Person ID": "PER3"},
        ],
    )
    return load_extracts(directory)


def test_a_migrated_crime_was_recorded_on_the_legacy_system(extract):
    on = exploration.recorded_on(extract.crimes).set_axis(extract.crimes["crime_id"])
    assert on["00000003/16"] == "CMS" and on["00000010/17"] == "Connect" and on["CM/16/0000001"] == "CMS"


def test_crimes_per_month_by_recording_system_shows_the_switch_over(extract):
    table = exploration.crimes_per_month(extract.crimes)
    assert list(table.columns) == ["CMS", "Connect"]
    # every month from the first to the last, zeros included; the cancelled crime is not counted
    assert len(table) == 24 and table.loc[pd.Period("2016-02", "M")].tolist() == [0, 0]
    assert table.loc[pd.Period("2016-01", "M")].tolist() == [2, 0]
    assert table.loc[pd.Period("2016-03", "M")].tolist() == [1, 0]  # migrated, under its original date
    assert table.loc[pd.Period("2016-04", "M")].tolist() == [0, 0]  # cancelled
    assert table.loc[pd.Period("2017-12", "M")].tolist() == [1, 2]  # 06:59 on CMS, 07:00 on Connect
    assert table.to_numpy().sum() == 6


def test_crimes_per_month_by_holding_system_puts_migrated_crimes_in_the_newer_system(extract):
    table = exploration.crimes_per_month(extract.crimes, by="held on", include_cancelled=True)
    assert table.loc[pd.Period("2016-03", "M")].tolist() == [0, 1]
    assert table.loc[pd.Period("2016-04", "M")].tolist() == [1, 0]
    with pytest.raises(ValueError, match="by:"):
        exploration.crimes_per_month(extract.crimes, by="system")


def test_the_switch_over_comes_from_the_source_definitions():
    assert exploration.switch_over() == pd.Timestamp("2017-12-04 07:00")


def test_classes_by_year_keeps_the_commonest_and_groups_the_rest(extract):
    table = exploration.classes_by_year(extract.crimes, top=1)
    assert table.index.tolist() == ["088/01 Meeting a female child following sexual grooming etc. (offender aged 18 or over and victim aged under 16)", "Other classes"]
    assert table.loc["Other classes"].to_dict() == {2016: 1, 2017: 2, "Total": 3}
    assert table["Total"].sum() == 6  # not the cancelled crime


def test_outcomes_by_year_in_the_home_office_s_order_with_no_outcome_last(extract):
    table = exploration.outcomes_by_year(extract.crimes)
    assert table.index.tolist() == ["Charged/summonsed", "Evidential difficulties", "Investigation complete – no suspect identified", "Not yet assigned an outcome"]
    assert table.loc["Charged/summonsed"].to_dict() == {2016: 2, 2017: 0, "Total": 2}  # the migrated one: Connect's outcome
    assert table.loc["Evidential difficulties"].to_dict() == {2016: 0, 2017: 2, "Total": 2}  # 15 and 14
    only_grooming = exploration.outcomes_by_year(extract.crimes, classes=["088/01"])
    assert only_grooming["Total"].sum() == 3


def test_shares_are_percentages_of_each_column():
    table = pd.DataFrame({"2016": [1, 3], "2017": [0, 0]}, index=["a", "b"])
    result = exploration.shares(table)
    assert result["2016"].tolist() == [25.0, 75.0]
    assert result["2017"].isna().all()  # nothing to share out, not a division by zero


def test_records_by_file_adds_up(extract):
    table = exploration.records_by_file(extract.data_quality)
    assert table.loc["Total", "read"] == table.drop(index="Total")["read"].sum()
    assert (table["read"] == table["used"] + table["set aside"]).all()


def test_quarantine_summary_counts_rows_by_file_column_and_reason():
    quarantine = pd.DataFrame(
        {
            "file": ["a.csv", "a.csv", "b.csv", "a.csv"],
            "line": [9, 4, 2, 7],
            "column": ["DATE", "DATE", "CODE", "CODE"],
            "value": ["x", "y", "z", "w"],
            "reason": ["bad date", "bad date", "bad code", "bad code"],
        }
    )
    summary = exploration.quarantine_summary(quarantine)
    assert summary.to_dict("records")[0] == {"file": "a.csv", "column": "DATE", "reason": "bad date", "rows": 2, "first line": 4}
    assert len(summary) == 3 and summary["rows"].sum() == 4
    assert exploration.quarantine_summary(quarantine.iloc[0:0]).to_dict("records") == [{"file": "(none)", "column": "", "reason": "no row was set aside", "rows": 0, "first line": ""}]


def test_legacy_crimes_by_year_separates_migrated_from_still_held(extract):
    table = exploration.legacy_crimes_by_year(extract.crimes)
    assert table.loc[2016].to_dict() == {"migrated to Connect": 1, "still held on CMS": 3, "Total": 4}
    assert table.loc[2017, "still held on CMS"] == 1


def test_duplicate_people_are_counted_per_system(extract):
    table = exploration.duplicate_people(extract.people)["count"]
    assert table["person records"] == 5
    assert table["individuals"] == 3  # 400001 = PER1 (legacy nominal) = PER2 (same PNC ID)
    assert table["individuals with records on more than one system"] == 1
    assert table["individuals with more than one Connect record"] == 1
    assert table["individuals with more than one CMS record"] == 0
    assert exploration.records_per_individual(extract.people, "Connect")["individuals"].to_dict() == {1: 1, 2: 1}


def test_notebook_paths_are_relative_to_the_project_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    from helpers.project import project_path, project_root

    assert project_path("data/x") == project_root() / "data" / "x"
    assert project_path(tmp_path) == tmp_path


def test_the_charts_draw_every_system_and_mark_the_switch_over(extract):
    per_month = exploration.crimes_per_month(extract.crimes)
    chart = exploration.monthly_chart(per_month, exploration.switch_over())
    assert chart._repr_png_().startswith(b"\x89PNG")  # a notebook shows it as a picture
    axis = chart.figure.axes[0]
    assert [line.get_label() for line in axis.get_lines()[:2]] == ["CMS", "Connect"]
    assert any("switch-over" in text.get_text() for text in axis.texts)
    bars = exploration.stacked_chart(exploration.outcomes_by_year(extract.crimes), "crimes")
    assert len(bars.figure.axes[0].patches) == 4 * 2  # four groups, two years, no Total bar


def test_every_class_is_named_by_its_title_and_an_unlisted_one_by_its_code(extract):
    table = exploration.classes_by_year(extract.crimes)
    assert "008/06 Assaults occasioning actual bodily harm" not in table.index  # not in this extract
    assert set(table.index) == {
        "088/01 Meeting a female child following sexual grooming etc. (offender aged 18 or over and victim aged under 16)",
        "105/01 Common assault and battery",
    }
    codes = pd.Series(["088/02", "999/99", None], dtype="string")
    assert exploration.class_labels(codes).tolist()[:2] == ["088/02 Meeting a male child following sexual grooming etc. (offender aged 18 or over and victim aged under 16)", "999/99"]
    assert exploration.class_labels(codes).isna().tolist() == [False, False, True]
