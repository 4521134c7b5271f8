"""Bad extracts: structural problems stop the run in one line; bad rows are quarantined, counted
and reconciled, never dropped."""

import pandas as pd
import pytest
from builders import HEADERS, cms_crime, connect_crime, csv_text, migrated, write_extract

from helpers.errors import ExtractError
from helpers.extracts.load import load_extracts

# ---- structural problems: one line naming the file


def good(tmp_path):
    cms, connect = migrated("CM/16/0000001", "00000001/16", "2016-03-01T09:30:00")
    return write_extract(
        tmp_path,
        CMS_CRIMES=[cms, cms_crime("CM/16/0000002", CIRCUMSTANCES="Victim Siobhán reports £20 taken.")],
        connect_crimes=[connect, connect_crime("00000002/17", Circumstances="Renée reports £20 taken.")],
    )


def error_of(tmp_path) -> str:
    with pytest.raises(ExtractError) as caught:
        load_extracts(tmp_path)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_clean_extract_loads(tmp_path):
    extract = load_extracts(good(tmp_path))
    assert len(extract.crimes) == 3
    assert "Siobhán" in " ".join(extract.circumstances())  # cp1252 read right
    assert "Renée" in " ".join(extract.circumstances())


def test_a_missing_file_is_named(tmp_path):
    (good(tmp_path) / "connect_persons.csv").unlink()
    assert error_of(tmp_path).startswith("connect_persons.csv: file not found")


def test_a_renamed_column_is_named_with_what_the_header_has_instead(tmp_path):
    good(tmp_path)
    header = [("HO CLASSIFICATION" if c == "HO CLASS" else c) for c in HEADERS["CMS_CRIMES.csv"]]
    (tmp_path / "CMS_CRIMES.csv").write_bytes(csv_text("CMS_CRIMES.csv", [cms_crime("CM/16/0000009")], header).encode("cp1252"))
    message = error_of(tmp_path)
    assert message.startswith("CMS_CRIMES.csv: missing column 'HO CLASS'")
    assert "'HO CLASSIFICATION'" in message


def test_an_empty_file_with_no_header_is_named(tmp_path):
    (good(tmp_path) / "CMS_CHARGES.csv").write_bytes(b"")
    assert error_of(tmp_path) == "CMS_CHARGES.csv: the file is empty (no header row)"


def test_a_cms_file_resaved_as_utf8_is_detected_not_misread(tmp_path):
    good(tmp_path)
    text = (tmp_path / "CMS_CRIMES.csv").read_bytes().decode("cp1252")
    (tmp_path / "CMS_CRIMES.csv").write_bytes(text.encode("utf-8"))
    message = error_of(tmp_path)
    assert message.startswith("CMS_CRIMES.csv: the file is UTF-8") and "re-saved" in message


def test_a_connect_file_that_is_not_utf8_is_detected_with_its_line(tmp_path):
    good(tmp_path)
    text = (tmp_path / "connect_crimes.csv").read_bytes().decode("utf-8-sig")
    (tmp_path / "connect_crimes.csv").write_bytes(text.encode("cp1252"))
    message = error_of(tmp_path)
    assert message.startswith("connect_crimes.csv: line 3 is not valid UTF-8")


def test_pure_ascii_files_and_a_connect_file_without_bom_are_fine(tmp_path):
    write_extract(tmp_path, CMS_CRIMES=[cms_crime("CM/16/0000001")], connect_crimes=[connect_crime("00000001/17")])
    path = tmp_path / "connect_crimes.csv"
    path.write_bytes(path.read_bytes().removeprefix(b"\xef\xbb\xbf"))
    (tmp_path / "CMS_CRIMES.csv").write_bytes((tmp_path / "CMS_CRIMES.csv").read_bytes())  # pure ASCII
    assert len(load_extracts(tmp_path).crimes) == 2


def test_a_truncated_file_is_detected(tmp_path):
    good(tmp_path)
    path = tmp_path / "CMS_CRIMES.csv"
    data = path.read_bytes() + b'CM/16/0000003,01/06/2016 10:00,,088/01,X,CONFIRMED,,,"Suspect met the victim, then'
    path.write_bytes(data)  # the export stopped inside the last quoted field
    assert "looks truncated" in error_of(tmp_path)
    assert error_of(tmp_path).startswith("CMS_CRIMES.csv:")


def test_a_missing_folder_is_named(tmp_path):
    assert "extracts folder not found" in error_of(tmp_path / "nowhere")


# ---- row problems: quarantined with file, line, column and reason


def quarantined(tmp_path, **files) -> tuple[pd.DataFrame, dict]:
    write_extract(tmp_path, **files)
    extract = load_extracts(tmp_path)
    quality = extract.data_quality
    for name, read in quality["rows_read"].items():
        assert read == quality["rows_used"][name] + quality["rows_quarantined"][name], name
    return extract.quarantine, quality


def test_an_impossible_date_is_quarantined_with_its_physical_line(tmp_path):
    rows, quality = quarantined(
        tmp_path,
        CMS_CRIMES=[
            cms_crime("CM/16/0000001", CIRCUMSTANCES="two\nlines"),  # line 2-3
            cms_crime("CM/16/0000002", "31/02/2016 10:00"),  # starts on line 4
        ],
    )
    assert rows.to_dict("records") == [
        {"file": "CMS_CRIMES.csv", "line": 4, "column": "DATE RECORDED", "value": "31/02/2016 10:00", "reason": "not a date-time (impossible or unreadable date)"}
    ]
    assert quality["rows_quarantined"]["CMS_CRIMES.csv"] == 1


@pytest.mark.parametrize("code", ["88-1", "ABC", "088/1x"])
def test_a_classification_that_is_not_a_home_office_code_is_quarantined(tmp_path, code):
    rows, _ = quarantined(tmp_path, CMS_CRIMES=[cms_crime("CM/16/0000001", **{"HO CLASS": code})])
    assert rows[["column", "reason"]].values.tolist() == [["HO CLASS", "not a Home Office classification"]]


def test_a_well_formed_code_without_a_known_title_is_not_an_error(tmp_path):
    rows, _ = quarantined(tmp_path, connect_crimes=[connect_crime("00000001/17", **{"HO Class": "999/99"})])
    assert rows.empty


@pytest.mark.parametrize(("file", "row", "column"), [
    ("CMS_CRIMES", cms_crime("CM/16/0000001", **{"HO OUTCOME": "23"}), "HO OUTCOME"),
    ("connect_crimes", connect_crime("00000001/17", Outcome="OC99 – Unknown"), "Outcome"),
    ("connect_crimes", connect_crime("00000001/17", Outcome="Charged"), "Outcome"),
])
def test_an_outcome_outside_the_home_office_list_is_quarantined(tmp_path, file, row, column):
    rows, _ = quarantined(tmp_path, **{file: [row]})
    assert rows[["column", "reason"]].values.tolist() == [[column, "not a Home Office outcome type (1-22)"]]


def test_a_duplicated_crime_reference_is_quarantined_after_its_first_row(tmp_path):
    rows, quality = quarantined(tmp_path, CMS_CRIMES=[cms_crime("CM/16/0000001"), cms_crime("CM/16/0000001")])
    assert rows[["line", "reason"]].values.tolist() == [[3, "duplicated crime reference"]]
    assert quality["rows_used"]["CMS_CRIMES.csv"] == 1


def test_person_and_charge_rows_whose_crime_is_in_neither_system_are_quarantined(tmp_path):
    rows, _ = quarantined(
        tmp_path,
        CMS_CRIMES=[cms_crime("CM/16/0000001")],
        CMS_NOMINALS=[{"CRIME NO": "CM/16/0000404", "NOMINAL NO": "400001"}],
        connect_charges=[{"Crime Reference": "00000404/17", "Person ID": "PER1"}],
    )
    assert sorted(rows["file"]) == ["CMS_NOMINALS.csv", "connect_charges.csv"]
    assert set(rows["reason"]) == {"crime not found in any crimes file"}
    assert set(rows["column"]) == {"CRIME NO", "Crime Reference"}


def test_a_cms_crime_marked_migrated_without_a_connect_copy_is_quarantined(tmp_path):
    rows, _ = quarantined(tmp_path, CMS_CRIMES=[cms_crime("CM/16/0000001", **{"CRIME STATUS": "MIGRATED"})])
    assert rows[["column", "reason"]].values.tolist() == [["CRIME STATUS", "marked migrated but no Connect crime names it as its legacy crime"]]


def test_a_connect_crime_whose_legacy_crime_is_not_in_cms_is_counted_and_reported(tmp_path):
    rows, quality = quarantined(tmp_path, connect_crimes=[connect_crime("00000001/16", **{"Legacy Crime No": "CM/16/0000999", "Original Recorded Date": "2016-05-01T10:00:00"})])
    assert rows.empty
    assert quality["migrated_crimes_without_legacy_row"] == 1


def test_a_row_with_too_few_fields_is_quarantined_and_later_lines_stay_right(tmp_path):
    write_extract(tmp_path, CMS_CRIMES=[cms_crime("CM/16/0000001"), cms_crime("CM/16/0000003", "31/02/2016 10:00")])
    path = tmp_path / "CMS_CRIMES.csv"
    lines = path.read_bytes().split(b"\r\n")
    lines.insert(2, b"CM/16/0000002,01/06/2016 10:00")  # a short row on line 3
    path.write_bytes(b"\r\n".join(lines))
    extract = load_extracts(tmp_path)
    rows = extract.quarantine
    assert rows[["line", "reason"]].values.tolist() == [
        [3, "has 2 fields, the header has 9"],
        [4, "not a date-time (impossible or unreadable date)"],
    ]
    assert extract.data_quality["rows_read"]["CMS_CRIMES.csv"] == 3


# ---- what a set-aside row still tells (found in review)


def test_a_migrated_crime_without_its_original_date_takes_the_legacy_rows_date(tmp_path):
    cms, connect = migrated("CM/16/0000001", "00000001/16", "2016-03-01T09:30:00")
    connect["Original Recorded Date"] = ""  # Connect's own Recorded Date is the migration run's
    write_extract(tmp_path, CMS_CRIMES=[cms], connect_crimes=[connect])
    extract = load_extracts(tmp_path)
    assert extract.crimes["recorded_at"].dt.year.tolist() == [2016]
    assert extract.data_quality["migrated_crimes_dated_from_legacy_row"] == 1


def test_a_migrated_crime_with_no_date_to_go_by_is_set_aside(tmp_path):
    connect = connect_crime("00000001/16", "2017-12-04T08:15:00", **{"Legacy Crime No": "CM/16/0000999"})
    rows, _ = quarantined(tmp_path, connect_crimes=[connect])
    assert rows[["column", "reason"]].values.tolist() == [["Original Recorded Date", "migrated crime without its original recorded date (and no legacy row to take it from)"]]


def test_a_charge_on_a_crime_row_set_aside_for_another_reason_still_counts(tmp_path):
    from test_counting import charged

    write_extract(
        tmp_path,
        CMS_CRIMES=[cms_crime("CM/17/0000001", "01/02/2017 10:00", **{"HO CLASS": "88A"})],  # set aside
        CMS_NOMINALS=[{"CRIME NO": "CM/17/0000001", "NOMINAL NO": "400001"}],
        CMS_CHARGES=[{"CRIME NO": "CM/17/0000001", "NOMINAL NO": "400001", "CJS CODE": "SX03225", "CHARGE DATE": "01/06/2017"}],
    )
    extract = load_extracts(tmp_path)
    assert extract.quarantine["file"].tolist() == ["CMS_CRIMES.csv"]  # the crime only, not its charge
    assert charged(tmp_path)["section_15"] == 1


# ---- the byte scan works a chunk at a time: faults across a chunk's edge are found, on the right line


@pytest.mark.parametrize("chunk", [3, 4, 5, 7, 64])
def test_scan_file_finds_each_fault_on_its_line_whatever_the_chunk_size(tmp_path, monkeypatch, chunk):
    from helpers.extracts import scan
    from helpers.extracts.profile import profile_sources

    CMS, CONNECT = profile_sources()

    monkeypatch.setattr(scan, "CHUNK_BYTES", chunk)
    cases = [  # (source, bytes, start of the expected message)
        (CONNECT, "a,b\r\nx,é\r\ny,ü\r\n".encode(), None),  # 2-byte letters over chunk edges
        (CONNECT, "a,b\nx,y\nz,€€\n".encode(), None),  # 3-byte letters
        (CONNECT, b"a,b\nx,y\nz,\xe9\n", "line 3 is not valid UTF-8"),
        (CONNECT, b"a,b\nx,y\nz,\xe2\x82", "line 3 is not valid UTF-8"),  # cut inside a letter at the end
        (CONNECT, b"a,b\nx,\xe9y\nz,w\n", "line 2 is not valid UTF-8"),  # a line between good ones
        (CONNECT, b"a,b\nx,yyyyyyyyyyyyyyyy\xe9yyyy\nz,w\n", "line 2 is not valid UTF-8"),  # a line longer than a chunk
        (CONNECT, "a,b\nx,yyyyyyyyyyyyéyyyy\nz,w\n".encode(), None),
        (CMS, b"a,b\r\nx,y\r\nz,w\rq\r\n", "line 3 has a carriage return"),
        (CMS, b"a,b\r\nx,y\r\nz,w\r", "line 3 has a carriage return"),
        (CMS, b"a,b\r\nx,y\r\nz,\x81\r\n", "line 3 has byte 0x81"),
        (CMS, "a,b\nx,y\nz,Siobhán\n".encode(), "the file is UTF-8 (non-ASCII text from line 3)"),
        (CMS, "a,b\nx,y\nz,Siobhán\n".encode("cp1252"), None),
        (CMS, b'a,b\nx,"y\nz,w\n', "the file ends inside a quoted field"),
    ]
    for source, data, expected in cases:
        path = tmp_path / "f.csv"
        path.write_bytes(data)
        if expected is None:
            assert scan.scan_file(path, source)[0] == len(data)
        else:
            with pytest.raises(ExtractError, match="^f.csv: " + expected.replace("(", r"\(").replace(")", r"\)")):
                scan.scan_file(path, source)


def test_each_undated_migrated_crime_takes_its_own_legacy_rows_date(tmp_path):
    pairs = [migrated(f"CM/1{y}/000000{i}", f"0000000{i}/17", f"201{y}-0{i}-01T09:30:00") for i, y in ((1, 5), (2, 6), (3, 4))]
    pairs[0][1]["Original Recorded Date"] = ""
    pairs[2][1]["Original Recorded Date"] = ""
    write_extract(tmp_path, CMS_CRIMES=[cms for cms, _ in pairs], connect_crimes=[connect for _, connect in pairs])
    extract = load_extracts(tmp_path)
    dates = extract.crimes.set_index("crime_id")["recorded_at"].dt.strftime("%Y-%m-%d").to_dict()
    assert dates == {"00000001/17": "2015-01-01", "00000002/17": "2016-02-01", "00000003/17": "2014-03-01"}
    assert extract.data_quality["migrated_crimes_dated_from_legacy_row"] == 2
