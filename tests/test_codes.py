"""Dates and times read from the extracts (`helpers.extracts.codes.parse_datetimes`): exactly the format's
shape, a real moment, or null. Checked against Python's own strptime on values made to be wrong
in every way a hand-keyed or damaged file could be."""

import re
import tomllib
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.extracts import codes, ho_classes

FORMATS = [("%d/%m/%Y %H:%M", "%d/%m/%Y"), ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"), ("%d/%m/%Y",), ("%Y-%m-%d",)]
SHAPE = {"%d": r"\d{2}", "%m": r"\d{2}", "%Y": r"\d{4}", "%H": r"\d{2}", "%M": r"\d{2}", "%S": r"\d{2}"}


def reference(value, formats) -> datetime | None:
    """What the extracts' dates mean: the first format whose exact shape the trimmed value has and
    that names a real moment (Python's strptime checks the day; seconds 60 and 61 are not real)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    for fmt in formats:
        shape = "".join(SHAPE.get(part, re.escape(part)) for part in re.split(r"(%[dmYHMS])", fmt) if part)
        if re.fullmatch(shape, value, re.ASCII):
            try:
                return datetime.strptime(value, fmt)  # no year 0, no second 60
            except ValueError:
                continue
    return None


def parsed(values, formats):
    return codes.parse_datetimes(pa.array(values, pa.string()), formats).to_pylist()


@pytest.mark.parametrize(
    "value, expected",
    [
        ("29/02/2016 10:00", datetime(2016, 2, 29, 10, 0)),  # a leap day
        ("29/02/2017 10:00", None),  # not a leap year
        ("31/04/2016 10:00", None),  # April has 30 days
        ("31/12/2016 23:59", datetime(2016, 12, 31, 23, 59)),
        ("01/01/2016 24:00", None),
        ("00/01/2016 10:00", None),
        ("01/13/2016 10:00", None),
        ("1/1/2016 10:00", None),  # not the shape
        ("01/01/2016 10:00 ", datetime(2016, 1, 1, 10, 0)),  # blanks around are trimmed
        ("01/01/2016", datetime(2016, 1, 1)),  # the date-only form, second in the list
        ("01-01-2016 10:00", None),
        ("01/01/0000 10:00", None),  # there was no year 0
        ("０1/01/2016 10:00", None),  # a full-width digit is not a digit here
        ("01/01/2x16 10:00", None),  # a letter among the year's digits
        ("01/01/2016 1:000", None),  # a colon where a digit is, a digit where the colon is
        ("", None),
        (None, None),
    ],
)
def test_cms_date_times(value, expected):
    assert parsed([value], FORMATS[0]) == [expected]


def test_connect_date_times_and_the_epoch_edges():
    values = ["2017-12-04T07:28:00", "1969-12-31T23:59:59", "1900-03-01T00:00:00", "2400-02-29T12:00:00", "2100-02-29T12:00:00", "2017-12-04T07:28:60", "2017-12-04"]
    assert parsed(values, FORMATS[1]) == [reference(v, FORMATS[1]) for v in values]
    assert parsed(values, FORMATS[1])[-1] == datetime(2017, 12, 4)


digits = st.text(alphabet="0123456789", min_size=1, max_size=4)
pieces = st.lists(st.one_of(digits, st.sampled_from(["/", "-", ":", "T", " ", "2016", "12", "31", "29", "02", "60", "x", "é"])), min_size=1, max_size=9)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.none(), pieces.map("".join), st.datetimes().map(lambda d: d.strftime("%d/%m/%Y %H:%M")), st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S"))), max_size=30), st.sampled_from(FORMATS))
def test_every_value_is_read_as_python_reads_it(values, formats):
    assert parsed(values, formats) == [reference(v, formats) for v in values]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), st.sampled_from(["88/1", "088/01", " 8/1 ", "", "x", "OC01 – Charge", "15", "23", "Victim", "VICTIM"])), max_size=8), max_size=4))
def test_work_done_per_distinct_value_gives_what_it_gives_row_by_row(chunks):
    """Codes are worked out once per distinct value and spread back (`by_distinct`): the same
    values, nulls and blanks included, as working on every row, whatever the chunks."""
    values = pa.chunked_array([pa.array(chunk, pa.string()) for chunk in chunks], pa.string())
    row_by_row = {
        "class": lambda text: codes.pc.binary_join_element_wise(*(codes._int_text(codes._group(codes.pc.extract_regex(codes.as_text(text), r"^(?P<cls>\d{1,3})/(?P<sub>\d{1,2})$"), g), w) for g, w in (("cls", 3), ("sub", 2))), "/"),
    }
    assert codes.normalise_ho_class(values, r"^(?P<cls>\d{1,3})/(?P<sub>\d{1,2})$").to_pylist() == row_by_row["class"](values).to_pylist()
    roles = [None if v is None or not v.strip() else (v.strip().lower() if v.strip().lower() in ("victim", "suspect", "witness", "other") else "other") for v in values.to_pylist()]
    assert codes.normalise_role(values).to_pylist() == roles
    mapped = [None if r is None else {"victim": "suspect"}.get(r, "other") for r in roles]
    assert codes.normalise_role(values, {"victim": "suspect"}).to_pylist() == mapped
    outcomes = codes.parse_outcome(values, r"^(?:OC)?(?P<num>\d{1,2})\b").to_pylist()
    assert outcomes == [int(m[1]) if v is not None and (m := re.match(r"^(?:OC)?(\d{1,2})\b", v.strip())) and 1 <= int(m[1]) <= 22 else None for v in values.to_pylist()]


def _reference_text(values: pa.Array) -> list:
    trimmed = pc.utf8_trim_whitespace(values)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed).to_pylist()


TEXT = st.one_of(st.none(), st.text(alphabet=st.sampled_from(list("ab1/ \t\r\n\x0b\x1f\x7f\xa0\u2003é£-")), max_size=6))


@settings(max_examples=400, deadline=None)
@given(st.lists(TEXT, max_size=12), st.integers(0, 3), st.integers(0, 3))
def test_as_text_trims_and_nulls_blanks_as_arrow_does(values, start, cut):
    """The quick way (values kept as they are when no end needs trimming) gives what Arrow's
    trim-and-blank gives, on slices of arrays with nulls, spaces, controls and non-ASCII."""
    array = pa.array(values, pa.string())
    part = array.slice(min(start, len(array)), max(len(array) - start - cut, 0))
    assert codes.as_text(part).to_pylist() == _reference_text(part)
    chunked = pa.chunked_array([array, part], pa.string())
    assert codes.as_text(chunked).to_pylist() == _reference_text(array) + _reference_text(part)


def test_as_text_keeps_clean_values_without_a_copy():
    array = pa.array(["CM/16/1", "00000002/17", "x"])
    assert codes.as_text(array).buffers()[2].address == array.buffers()[2].address
    blanks = codes.as_text(pa.array(["a", "", None, "b"]))
    assert blanks.to_pylist() == ["a", None, None, "b"] and blanks.null_count == 2


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet=st.sampled_from(list("09/AZaz \t\r\n\x0b\x0c\xa0")), max_size=8)), max_size=10), st.integers(0, 3))
def test_whitespace_is_taken_out_as_the_regex_does(values, start):
    """Codes without whitespace come back as they are, others as RE2's \\s+ removal leaves them."""
    array = pa.array(values, pa.string()).slice(min(start, len(values)))
    for text in (array, pa.chunked_array([array, array], pa.string())):
        assert codes.without_whitespace(text).to_pylist() == pc.replace_substring_regex(text, r"\s+", "").to_pylist()


# ---- PNC IDs: one rule, written for Arrow columns and for one token of a release file



PNC_LIKE = st.builds(
    lambda year, serial, check, space: f"{space}{year}{space}/{serial}{check}{space}",
    st.from_regex(r"\A\d{1,5}\Z"),
    st.from_regex(r"\A\d{0,10}\Z"),
    st.sampled_from(["A", "a", "Z", "", "1", "/"]),
    st.sampled_from(["", " ", "\t"]),
)


@given(st.lists(PNC_LIKE | st.text(max_size=12), max_size=20))
def test_one_pnc_rule_for_columns_and_for_single_values(values):
    column = codes.normalise_pnc_id(pa.array(values, pa.string())).to_pylist()
    assert column == [codes.normalise_pnc(value) if value.strip() else None for value in values]


def test_any_written_form_of_a_pnc_id_is_one_form():
    assert codes.normalise_pnc("2000/0448754A") == codes.normalise_pnc(" 00/448754a ") == "00/448754A"
    assert codes.normalise_pnc("24/05/1992") is None


# ---- Home Office classes: a person's form (a parameters file) and the extracts' are one form


@given(st.integers(0, 999), st.integers(0, 99), st.sampled_from(["{}/{}", " {} / {} ", "{:03d}/{:02d}"]))
def test_one_ho_class_form_for_columns_and_for_a_parameters_file(cls, sub, written):
    text = written.format(cls, sub)
    column = codes.normalise_ho_class(pa.array([text.strip().replace(" ", "")]), r"^(?P<cls>\d{1,3})/(?P<sub>\d{1,2})$")
    assert column.to_pylist() == [ho_classes.normalise_ho_class_code(text)] == [f"{cls:03d}/{sub:02d}"]


# ---- Home Office classes: the shipped list of titles


def test_a_class_s_title_and_label_come_from_the_shipped_list_in_any_written_form():
    # a title's closing full stop (the source's) is left out: a row label, not a sentence; "etc." keeps its own
    assert ho_classes.class_title("58/1") == ho_classes.class_title("058/01") == "Racially aggravated other criminal damage"
    assert ho_classes.class_title("028/03") == "Other burglary in a dwelling"
    assert ho_classes.class_title("005/09").endswith(" etc.")
    assert ho_classes.class_label("88/1") == "088/01 Meeting a female child following sexual grooming etc. (offender aged 18 or over and victim aged under 16)"
    assert ho_classes.class_label("071/17") == "071/17 Engage Sexual communication with a child"


@pytest.mark.parametrize(
    ("given", "code", "agree"),
    [
        ("MEETING A FEMALE CHILD FOLLOWING SEXUAL GROOMING ETC", "088/01", True),  # the list's adds a qualifier
        ("Sexual communication with a child", "071/17", True),  # the list's "Engage Sexual communication ..."
        ("Arranging or facilitating commission of a child sex offence", "071/01", True),
        ("Exposure", "088/09", True),
        ("Criminal damage to a vehicle", "058/03", False),  # the list's: racially or religiously aggravated
        ("Rape of a female child under 16", "019/11", False),  # the list's: attempted rape
        ("Burglary - residential", "028/03", False),
        ("", "088/09", False),
        # found by a reviewer: a short title, or one with a qualifier of its own, agreed with any
        # longer listed title holding its words
        ("Burglary (non-dwelling)", "028/03", False),
        ("CRIMINAL DAMAGE (VEHICLE)", "058/03", False),
        ("Rape", "019/11", False),
        ("Attempted murder", "001/00", False),
        ("Murder", "002/00", False),
    ],
)
def test_a_systems_title_agrees_with_the_lists_where_one_says_all_the_other_does(given, code, agree):
    assert ho_classes.titles_agree(given, ho_classes.class_title(code)) is agree


def test_a_title_column_of_another_kind_keeps_a_few_short_titles_a_class():
    """A column mapped as the class's title that holds something else (a text in every row,
    long): each class keeps its five most written titles, each cut at 200 characters, so the
    cache entry's meta stays small."""
    import numpy as np
    import pyarrow as pa

    from helpers.extracts.canonical import class_titles_of

    rows = 30_000
    classes = pa.chunked_array([pa.array(np.where(np.arange(rows) % 2, "058/03", "088/01"))])
    titles = pa.chunked_array([pa.array([f"{i:06d} " + "x" * 500 for i in range(rows)])])
    found = class_titles_of(classes, titles)
    assert set(found) == {"058/03", "088/01"}
    assert all(len(kept) == 5 and max(map(len, kept)) == 200 for kept in found.values())
    assert class_titles_of(classes, pa.chunked_array([pa.nulls(rows, pa.string())])) == {}


@pytest.mark.parametrize("code", ["999/99", "not a class", "", "088/1/2"])
def test_a_code_the_list_does_not_have_is_shown_alone_and_has_no_title(code):
    assert ho_classes.class_title(code) is None
    assert ho_classes.class_label(code) == code


def test_the_shipped_list_is_one_sourced_row_per_code_in_the_one_written_form():
    text = (Path(ho_classes.__file__).parent / ho_classes.CLASS_LIST).read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert any("hmpps-manage-offences-api" in line for line in header) and any("commit be05998f" in line for line in header)
    rows = ho_classes.class_list_rows(text)
    codes_listed = [row["code"] for row in rows]
    assert codes_listed == sorted(codes_listed) and len(codes_listed) == len(set(codes_listed)) > 1000
    assert all(row["title"] == row["title"].strip() and "  " not in row["title"] and "[Use this code" not in row["title"] for row in rows)
    # the classes the sample extracts and the synthetic model use all have titles
    from helpers.synthetic.classes import CLS_CODE

    assert [code for code in CLS_CODE if ho_classes.class_title(code) is None] == []


def test_the_list_ships_in_the_wheel():
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    assert ho_classes.CLASS_LIST in pyproject["tool"]["setuptools"]["package-data"]["helpers.extracts"]


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        ("code,title\n088/01,A title\n", "expected the columns"),
        ("code,title,group\n088/01,A title,G\n088/01,Again,G\n", "line 3: '088/01' twice"),
        ("code,title,group\n88/1,A title,G\n", "line 2: '88/1'"),
        ("# a note\ncode,title,group\n088/01,,G\n", "line 3: expected a code, a title and a group"),
    ],
)
def test_a_malformed_class_list_is_an_error_naming_its_line(body, complaint):
    with pytest.raises(ValueError, match=re.escape(complaint)):
        ho_classes.class_list_rows(body)
