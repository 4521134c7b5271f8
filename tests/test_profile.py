"""Force profiles (issue 20): a force's crime systems are a YAML file, checked in one line a key."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pytest
import yaml
from builders import SAMPLE

from helpers.errors import ProfileError
from helpers.extracts import profile as force_profile
from helpers.extracts import sources
from helpers.project import project_root

SHIPPED = project_root() / "profiles" / "cms-connect.yaml"


def shipped() -> dict:
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def written(tmp_path: Path, values: dict) -> Path:
    path = tmp_path / "force.yaml"
    path.write_text(yaml.safe_dump(values, sort_keys=False), encoding="utf-8")
    return path


def test_sources_py_keeps_no_force():
    assert not hasattr(sources, "FORCE_SOURCES") and not hasattr(sources, "CMS")


def test_the_shipped_profile_is_the_default_and_describes_both_systems():
    cms, connect = force_profile.profile_sources()
    assert force_profile.default_profile_path() == SHIPPED
    assert (cms.system, cms.encoding, cms.crimes.filename) == ("CMS", "cp1252", "CMS_CRIMES.csv")
    assert (connect.system, connect.legacy_system, connect.people.columns["legacy_person_ref"]) == ("Connect", "CMS", "Legacy Nominal No")
    assert connect.status_values["Cancelled - C3"] == "cancelled" and cms.status_values["MIGRATED"] == "migrated"
    assert cms.recording_until == connect.recording_from == "2017-12-04 07:00"
    assert cms.description.startswith("the legacy Crime Management System (CMS)") and "\n" not in cms.description


def test_the_shipped_profile_reads_the_data_contracts_sample(tmp_path):
    """The profile matches the shared data contract: its sample extract loads with nothing set aside."""
    from helpers.extracts.load import load_extracts

    extract = load_extracts(SAMPLE, force_profile.read_profile(SHIPPED).sources())
    assert len(extract.crimes) > 0 and extract.quarantine.empty


def edit(values: dict, path: str, value) -> dict:
    """`values` with the key at the dotted `path` set to `value` (None: deleted)."""
    *parents, last = path.split(".")
    node = values
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is None:
        del node[int(last) if last.isdigit() else last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return values


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("systems.0.encoding", "shift_jis", "force.yaml: systems.0.encoding: must be utf-8, utf-16, utf-32 or an 8-bit encoding that writes ASCII as ASCII"),
        ("systems.1.files.crimes.columns.crime_ref", None, "force.yaml: systems.1: files.crimes.columns.crime_ref: missing (required)"),
        ("systems.0.files.people.columns.shoe_size", "SHOE", "force.yaml: systems.0: files.people.columns.shoe_size: not a field of people"),
        ("systems.0.ho_class_pattern", r"^(\d{3})/(\d{2})$", "force.yaml: systems.0.ho_class_pattern: needs the named groups (?P<cls>...), (?P<sub>...)"),
        ("systems.0.outcome_pattern", "([", "force.yaml: systems.0.outcome_pattern: not a regular expression"),
        ("systems.0.status_values.CONFIRMED", "open", "force.yaml: systems.0.status_values.CONFIRMED: Input should be 'live', 'cancelled' or 'migrated' (got 'open')"),
        ("systems.1.took_over_from", "Niche", "force.yaml: systems.1.took_over_from: 'Niche' is not a system listed before it"),
        ("systems.0.date_format", "dd/mm/yyyy", "force.yaml: systems.0.date_format: a date needs a day, a month and a year"),
        ("systems.0.colour", "blue", "force.yaml: systems.0.colour: unknown key (is it misspelt?)"),
        ("systems.1.system", "CMS", "force.yaml: systems.1.system: 'CMS' is listed twice"),
        ("force", None, "force.yaml: force: missing (required)"),
        ("systems.0.class_titles_checked", {"58-3": "CRIMINAL DAMAGE TO A VEHICLE"}, "force.yaml: systems.0.class_titles_checked.58-3.[key]: '58-3' is not a Home Office classification such as 088/01"),
    ],
)
def test_each_mistake_in_a_profile_is_one_line_naming_the_key(tmp_path, path, value, expected):
    with pytest.raises(ProfileError) as raised:
        force_profile.read_profile(written(tmp_path, edit(shipped(), path, value)))
    message = str(raised.value)
    assert "\n" not in message and message.startswith(expected), message


def test_a_profile_that_is_not_yaml_or_too_deep_is_one_line_naming_the_file(tmp_path):
    path = tmp_path / "force.yaml"
    path.write_text("force: [" * 30, encoding="utf-8")
    with pytest.raises(ProfileError, match=r"^force.yaml: line 1: nested more than 20 deep \(a force profile"):
        force_profile.read_profile(path)
    with pytest.raises(ProfileError, match=r"force profile not found"):
        force_profile.read_profile(tmp_path / "missing.yaml")
    # found by a docs audit: a profile over 1 MB was called "a parameters file"
    path.write_text("# " + "x" * 1_000_000, encoding="utf-8")
    with pytest.raises(ProfileError, match=r"^force.yaml: larger than 1 MB \(a force profile is a few kB\)"):
        force_profile.read_profile(path)


def test_a_one_system_force_is_as_valid_as_two(tmp_path):
    values = shipped()
    values["systems"] = values["systems"][1:]
    values["systems"][0].pop("took_over_from")
    (only,) = force_profile.read_profile(written(tmp_path, values)).sources()
    assert only.system == "Connect" and only.legacy_system is None


def test_the_cache_key_changes_with_the_profile(tmp_path):
    from helpers.cache.keys import entry_name

    values = shipped()
    values["systems"][0]["status_values"]["REOPENED"] = "live"
    other = force_profile.read_profile(written(tmp_path, values)).sources()
    assert entry_name(SAMPLE, other) != entry_name(SAMPLE, force_profile.profile_sources())


def test_class_titles_checked_are_the_forces_knowledge_not_the_caches(tmp_path):
    """A force's titles checked against the Home Office list (`class_titles_checked`) change
    what a run warns of, not how the extract is read: the cache entry stays."""
    from helpers.cache.keys import entry_name

    values = shipped()
    values["systems"][0]["class_titles_checked"] = {"58/3": "CRIMINAL DAMAGE TO A VEHICLE"}
    (cms, _) = force_profile.read_profile(written(tmp_path, values)).sources()
    assert cms.class_titles_checked == {"058/03": ("criminal damage to a vehicle",)}
    assert entry_name(SAMPLE, (cms, _)) == entry_name(SAMPLE, force_profile.profile_sources())


def rewrite(folder: Path, values: dict, layouts: dict, sample: Path = SAMPLE) -> Path:
    """The sample extract (or a copy of it) written again in each system's (encoding, delimiter,
    quote), and the profile `values` changed to say so."""
    import csv

    folder.mkdir()
    for system in values["systems"]:
        encoding, delimiter, quote = layouts[system["system"]]
        old = "cp1252" if system["encoding"] == "cp1252" else "utf-8-sig"
        system.update(encoding=encoding, delimiter=delimiter, quote_char=quote)
        for spec in system["files"].values():
            with open(sample / spec["file"], encoding=old, newline="") as source:
                rows = list(csv.reader(source))
            with open(folder / spec["file"], "w", encoding=encoding, newline="") as target:
                csv.writer(target, delimiter=delimiter, quotechar=quote, lineterminator="\r\n").writerows(rows)
    return folder


def test_another_layout_and_encoding_read_the_same_records(tmp_path):
    """The data contract's sample written as another force might: CMS in UTF-8 separated by tabs,
    Connect in Windows-1252 separated by semicolons with ' as its quote. Read through a profile that
    says so, it is the same extract, row for row, with the same quarantine."""
    import pandas as pd

    from helpers.extracts.load import load_extracts

    layouts = {"CMS": ("utf-8", "\t", '"'), "Connect": ("cp1252", ";", "'")}
    values = shipped()
    rewritten = rewrite(tmp_path / "extracts", values, layouts)
    assert "\t" in (rewritten / "CMS_CRIMES.csv").read_text(encoding="utf-8").splitlines()[0]
    other = force_profile.read_profile(written(tmp_path, values)).sources()
    assert [(s.encoding, s.delimiter, s.quote_char) for s in other] == list(layouts.values())

    ours, theirs = load_extracts(SAMPLE), load_extracts(rewritten, other)
    pd.testing.assert_frame_equal(ours.crimes, theirs.crimes)
    pd.testing.assert_frame_equal(ours.charges, theirs.charges)
    pd.testing.assert_frame_equal(ours.quarantine.drop(columns="file"), theirs.quarantine.drop(columns="file"))
    pd.testing.assert_series_equal(ours.circumstances(), theirs.circumstances())


def pending_written(folder: Path, words: dict[str, str]) -> Path:
    """The data contract's sample with each system's blank outcomes written as a word (`words`:
    system -> the word)."""
    import csv
    import shutil

    shutil.copytree(SAMPLE, folder)
    for system in shipped()["systems"]:
        spec = system["files"]["crimes"]
        encoding = "cp1252" if system["encoding"] == "cp1252" else "utf-8-sig"
        with open(folder / spec["file"], encoding=encoding, newline="") as handle:
            header, *rows = list(csv.reader(handle))
        column = header.index(spec["columns"]["outcome"])
        for row in rows:
            row[column] = row[column] or words[system["system"]]
        with open(folder / spec["file"], "w", encoding=encoding, newline="") as handle:
            csv.writer(handle, lineterminator="\r\n").writerows([header, *rows])
    return folder


def test_an_outcome_written_pending_is_read_as_a_blank_one_with_pending_values(tmp_path):
    """A system that writes "no outcome yet" as a word says so in `pending_values` (any case):
    read, it is the same extract as with blanks; without the key, its crimes are set aside."""
    import pandas as pd

    from helpers.extracts.load import load_extracts

    rewritten = pending_written(tmp_path / "extracts", {"CMS": "PENDING", "Connect": "Under investigation"})
    values = shipped()
    values["systems"][0]["pending_values"] = ["Pending"]
    values["systems"][1]["pending_values"] = ["under investigation", "OC00"]
    other = force_profile.read_profile(written(tmp_path, values)).sources()
    assert [s.pending_values for s in other] == [("pending",), ("under investigation", "oc00")]
    ours, theirs = load_extracts(SAMPLE), load_extracts(rewritten, other)
    assert ours.crimes["outcome"].isna().sum() > 0
    pd.testing.assert_frame_equal(ours.crimes, theirs.crimes)
    pd.testing.assert_frame_equal(ours.quarantine.drop(columns="file"), theirs.quarantine.drop(columns="file"))

    unsaid = load_extracts(rewritten, force_profile.read_profile(SHIPPED).sources()).quarantine
    assert (unsaid["reason"] == "not a Home Office outcome type (1-22)").sum() >= ours.crimes["outcome"].isna().sum()


def test_utf16_exports_are_converted_on_the_way_in_to_the_same_extract(tmp_path, monkeypatch):
    """The data contract's sample exported in UTF-16 (CMS with its byte-order mark, Connect
    big-endian without one) reads to the same extract; the manifest's sizes and SHA-256 are the
    UTF-16 files' own, and no UTF-8 copy is left once the read is done."""
    import hashlib

    import pandas as pd

    from helpers.extracts import transcode
    from helpers.extracts.load import load_extracts

    values = shipped()
    rewritten = rewrite(tmp_path / "extracts", values, {"CMS": ("utf-16", ",", '"'), "Connect": ("utf-16-be", ",", '"')})
    assert (rewritten / "CMS_CRIMES.csv").read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    other = force_profile.read_profile(written(tmp_path, values)).sources()
    assert [s.encoding for s in other] == ["utf-16", "utf-16-be"]

    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(private))
    made = []

    def convert(path, encoding, folder):  # each copy, and who may read it, as it is made
        converted = transcode_convert(path, encoding, folder)
        made.append((converted.path, converted.path.stat().st_mode & 0o777, folder.stat().st_mode & 0o777))
        return converted

    transcode_convert = transcode._convert
    monkeypatch.setattr(transcode, "_convert", convert)
    ours, theirs = load_extracts(SAMPLE), load_extracts(rewritten, other)
    pd.testing.assert_frame_equal(ours.crimes, theirs.crimes)
    pd.testing.assert_frame_equal(ours.charges, theirs.charges)
    pd.testing.assert_series_equal(ours.circumstances(), theirs.circumstances())
    assert len(made) == 6 and {(mode, folder_mode) for _, mode, folder_mode in made} == {(0o600, 0o700)}
    assert all(private in path.parents for path, _, _ in made) and not any(private.iterdir())
    for name, entry in theirs.files.items():
        data = (rewritten / name).read_bytes()
        assert (entry["size"], entry["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())


def test_a_utf16_files_quarantine_names_the_same_lines(tmp_path):
    """A record set aside in a UTF-16 file is on the line it is on in the file: the converted copy
    has the same lines (a multi-line text before it included)."""
    import csv
    import shutil

    from helpers.extracts.load import load_extracts

    edited = tmp_path / "edited"
    shutil.copytree(SAMPLE, edited)
    with open(edited / "CMS_CRIMES.csv", encoding="cp1252", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[2][rows[0].index("CIRCUMSTANCES")] = "over\r\ntwo lines"
    rows[4][rows[0].index("DATE RECORDED")] = "31/02/2017 10:00"
    with open(edited / "CMS_CRIMES.csv", "w", encoding="cp1252", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)
    values = shipped()
    rewritten = rewrite(tmp_path / "extracts", values, {"CMS": ("utf-16", ",", '"'), "Connect": ("utf-8", ",", '"')}, sample=edited)
    other = force_profile.read_profile(written(tmp_path, values)).sources()

    theirs = load_extracts(rewritten, other).quarantine
    assert theirs[["file", "line", "column", "value"]].values.tolist() == [["CMS_CRIMES.csv", 6, "DATE RECORDED", "31/02/2017 10:00"]]
    assert load_extracts(edited).quarantine.equals(theirs)


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda data: data + b"A", "truncated data"),  # an odd number of bytes: cut short
        (lambda data: data[:40] + b"\x00\xd8A\x00" + data[40:], "illegal UTF-16 surrogate"),  # a lone high surrogate
    ],
)
def test_a_damaged_utf16_file_is_one_line_naming_it(tmp_path, damage, reason):
    from helpers.errors import ExtractError
    from helpers.extracts.load import load_extracts

    values = shipped()
    rewritten = rewrite(tmp_path / "extracts", values, {"CMS": ("utf-16-le", ",", '"'), "Connect": ("utf-8", ",", '"')})
    crimes = rewritten / "CMS_CRIMES.csv"
    crimes.write_bytes(damage(crimes.read_bytes()))
    other = force_profile.read_profile(written(tmp_path, values)).sources()
    with pytest.raises(ExtractError) as caught:
        load_extracts(rewritten, other)
    message = str(caught.value)
    assert message.startswith("CMS_CRIMES.csv: not valid utf-16-le near byte ") and reason in message and "\n" not in message


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("encoding", "shift_jis", "systems.0.encoding: must be utf-8, utf-16, utf-32 or an 8-bit encoding"),
        ("encoding", "klingon", "systems.0.encoding: not an encoding Python knows"),
        ("delimiter", ";;", "systems.0.delimiter: must be one ASCII character"),
        ("delimiter", "\n", "systems.0.delimiter: must be one ASCII character"),
        ("quote_char", ",", "systems.0: quote_char: the same character as the delimiter (',')"),
    ],
)
def test_a_layout_the_reader_cannot_take_is_one_line(tmp_path, key, value, expected):
    values = shipped()
    values["systems"][0][key] = value
    with pytest.raises(ProfileError, match="^force.yaml: " + re.escape(expected)):
        force_profile.read_profile(written(tmp_path, values))


def test_encodings_are_kept_under_pythons_own_names(tmp_path):
    values = shipped()
    values["systems"][0]["encoding"], values["systems"][1]["encoding"] = "Windows-1252", "UTF8"
    cms, connect = force_profile.read_profile(written(tmp_path, values)).sources()
    assert (cms.encoding, connect.encoding) == ("cp1252", "utf-8")


def test_a_malformed_row_in_a_semicolon_file_is_set_aside_with_its_line(tmp_path):
    """The quarantine finds a record's line by the profile's delimiter and quote, not a comma's."""
    from helpers.extracts.load import load_extracts

    values = shipped()
    folder = rewrite(tmp_path / "extracts", values, {"CMS": ("cp1252", ",", '"'), "Connect": ("utf-8", ";", "'")})
    connect = values["systems"][1]
    crimes = folder / connect["files"]["crimes"]["file"]
    lines = crimes.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(";")
    # the header and two records of plain values, separated by semicolons; the second has a field too many
    row = ["X"] * len(header)
    crimes.write_text(";".join(header) + "\r\n" + ";".join(row) + "\r\n" + "'a;b';" + ";".join(row) + "\r\n", encoding="utf-8")
    extract = load_extracts(folder, force_profile.read_profile(written(tmp_path, values)).sources())
    malformed = extract.quarantine[extract.quarantine["column"] == "(whole record)"]
    assert malformed[["file", "line"]].to_dict("records") == [{"file": crimes.name, "line": 3}]


# ---- foi-briefing profile check


def run_check(*args: str) -> tuple[int, str, str]:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "helpers", "profile", "check", *args], capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout, done.stderr


def test_profile_check_of_the_shipped_profile_on_the_sample_sets_nothing_aside():
    code, out, err = run_check(str(SHIPPED), "--extracts", str(SAMPLE))
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"{SHIPPED}: ok (2 systems: CMS, Connect)"
    assert "no value of any column would be set aside" in out


def test_profile_check_lists_every_missing_column_and_what_would_be_set_aside(tmp_path):
    values = shipped()
    folder = rewrite(tmp_path / "extracts", values, {"CMS": ("cp1252", ",", '"'), "Connect": ("utf-8", ",", '"')})
    # a status the profile does not list, and a recorded date in a format it does not read
    crimes = folder / "CMS_CRIMES.csv"
    crimes.write_bytes(crimes.read_bytes().replace(b",CONFIRMED,", b",REOPENED,", 3))
    connect = folder / "connect_crimes.csv"
    text = connect.read_text(encoding="utf-8")
    first = text.splitlines()[1].split(",")[2]  # the third column: Recorded Date
    connect.write_text(text.replace("," + first + ",", ",31/12/2017 10:00,", 1), encoding="utf-8")
    profile = written(tmp_path, values)
    code, out, _ = run_check(str(profile), "--extracts", str(folder))
    assert code == 0, out
    assert "CMS_CRIMES.csv: CRIME STATUS: 3 set aside" in out and "'REOPENED'" in out
    assert "connect_crimes.csv: Recorded Date: 1 set aside" in out and "'31/12/2017 10:00'" in out
    assert "committed" not in out
    # a committed date no format reads is left empty, not set aside: said all the same (found by
    # a new force's analyst, whose offence dates had no time: 5,962 of 6,000 unread, unsaid)
    lines = text.splitlines()
    committed = lines[0].split(",").index("Committed Date")
    fields = lines[2].split(",")
    fields[committed] = "09-Jun-2018"
    connect.write_text("\n".join([lines[0], lines[1], ",".join(fields), *lines[3:]]) + "\n", encoding="utf-8")
    code, out, _ = run_check(str(profile), "--extracts", str(folder))
    assert code == 0, out
    assert (
        "connect_crimes.csv: Committed Date: 1 not read by the system's datetime_formats or "
        "date_format (values seen: '09-Jun-2018'): a run leaves it empty, and says so"
    ) in out.splitlines(), out

    values["systems"][1]["files"]["people"]["columns"]["role"] = "Part Played"
    values["systems"][0]["files"]["crimes"]["file"] = "cms_crimes_2017.csv"
    code, out, _ = run_check(str(written(tmp_path, values)), "--extracts", str(folder))
    errors = [line for line in out.splitlines() if line.startswith("error:")]
    assert code == 3 and len(errors) == 2, out
    assert "cms_crimes_2017.csv: file not found" in errors[0] and "missing column 'Part Played'; the header has 'Role'" in errors[1]


def test_the_docs_example_of_every_key_is_a_profile_that_passes_its_check(tmp_path):
    """Found by a docs audit: the example of "The keys", pasted as shown, was refused (it took
    crimes over from a system it did not list)."""
    text = (project_root() / "docs" / "force-profiles.md").read_text(encoding="utf-8")
    block = text[text.index("## The keys"):].split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "force.yaml"
    path.write_text(block, encoding="utf-8")
    code, out, err = run_check(str(path))
    assert (code, err) == (0, "") and out.startswith(f"{path}: ok (1 system: Niche)"), out + err


def test_profile_check_reads_as_many_records_as_rows_asks(tmp_path):
    """Found by a docs audit: the docs say `--rows` reads further, and `profile check` ignored it
    (a status met only after the first 2,000 records was never shown)."""
    values = shipped()
    folder = rewrite(tmp_path / "extracts", values, {"CMS": ("cp1252", ",", '"'), "Connect": ("utf-8", ",", '"')})
    crimes = folder / "CMS_CRIMES.csv"
    data = crimes.read_bytes()
    last = data.rindex(b",CONFIRMED,")
    assert data.count(b"\n", 0, last) > 5000  # beyond the first rows read by default
    crimes.write_bytes(data[:last] + b",REOPENED," + data[last + len(b",CONFIRMED,"):])
    profile = written(tmp_path, values)
    code, out, _ = run_check(str(profile), "--extracts", str(folder))
    assert code == 0 and "REOPENED" not in out and "first 2,000 records" in out, out
    code, out, _ = run_check(str(profile), "--extracts", str(folder), "--rows", "1000000")
    assert code == 0 and "CMS_CRIMES.csv: CRIME STATUS: 1 set aside" in out and "'REOPENED'" in out, out
    assert "first 1,000,000 records" in out, out


def test_profile_check_of_a_bad_profile_is_one_line_exit_2(tmp_path):
    values = shipped()
    values["systems"][0]["encoding"] = "shift_jis"
    code, out, err = run_check(str(written(tmp_path, values)))
    assert code == 2 and out == "" and err.count("\n") == 1 and "systems.0.encoding: must be utf-8" in err


# ---- date formats


def test_month_names_are_read_in_any_case_and_nothing_else_is():
    from helpers.extracts import codes

    values = ["04-Dec-2017 10:30", "04-DEC-2017 10:30", "29-feb-2016 00:00", "29-Feb-2017 00:00", "04-Dex-2017 10:30", "04-12-2017 10:30", "4-Dec-2017 10:30"]
    parsed = codes.parse_datetimes(pa.array(values), ["%d-%b-%Y %H:%M"]).to_pylist()
    assert parsed[:3] == [datetime(2017, 12, 4, 10, 30), datetime(2017, 12, 4, 10, 30), datetime(2016, 2, 29)]
    assert parsed[3:] == [None, None, None, None]  # 29 Feb 2017 does not exist; Dex is no month


def test_the_reader_and_the_profile_know_the_same_date_parts():
    from helpers.extracts import codes

    assert set(codes._WIDTHS) == set(sources.DATE_DIRECTIVES)


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("%d/%m/%y", "'%y' is not a part the reader knows"),
        ("%d/%B/%Y", "'%B' is not a part the reader knows"),
        ("%m/%Y", "a date needs a day, a month and a year"),
        ("%d/%m/%b/%Y", "each part once"),
        ("dd/mm/yyyy", "a date needs a day, a month and a year"),
    ],
)
def test_a_date_format_the_reader_cannot_read_is_one_line(tmp_path, fmt, expected):
    values = shipped()
    values["systems"][0]["date_format"] = fmt
    with pytest.raises(ProfileError, match=re.escape(f"force.yaml: systems.0.date_format: {expected}")):
        force_profile.read_profile(written(tmp_path, values))


# ---- a request run with another profile


@pytest.mark.slow
def test_a_run_with_another_profile_gives_the_same_release(tmp_path):
    """Request 20180075 on the data contract's sample, and on the same records exported in another
    layout and encoding read through `--profile`: the released tables are byte for byte the same,
    and the manifest names the profile each was read with."""
    import json
    import subprocess
    import sys

    values = shipped()
    rewritten = rewrite(tmp_path / "extracts", values, {"CMS": ("utf-8", "\t", '"'), "Connect": ("cp1252", ";", "'")})
    profile = written(tmp_path, values)
    foi = Path(sys.executable).parent / "foi-briefing"
    params = project_root() / "parameters" / "20180075.yaml"

    def run(extracts: Path, out: Path, *options: str) -> Path:
        done = subprocess.run([foi, "run", params, "--extracts", extracts, "--out", out, "--formats", "html", "--no-progress", *options], capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        return out / "20180075" / "release"

    ours = run(SAMPLE, tmp_path / "ours")
    theirs = run(rewritten, tmp_path / "theirs", "--profile", str(profile))
    tables = sorted(path.name for path in (ours / "tables").iterdir())
    assert tables and tables == sorted(path.name for path in (theirs / "tables").iterdir())
    for name in tables:
        assert (ours / "tables" / name).read_bytes() == (theirs / "tables" / name).read_bytes(), name
    manifests = [json.loads((folder / "manifest.json").read_text(encoding="utf-8")) for folder in (ours, theirs)]
    assert manifests[0]["force_profile"] == {"file": "cms-connect.yaml", "sha256": force_profile.profile_sha256(SHIPPED)}
    assert manifests[1]["force_profile"] == {"file": "force.yaml", "sha256": force_profile.profile_sha256(profile)}
    assert manifests[1]["parameters"]["profile"] == "(not published)"


def test_check_names_the_profile_and_refuses_a_bad_one(tmp_path):
    import subprocess
    import sys

    foi = Path(sys.executable).parent / "foi-briefing"
    params = project_root() / "parameters" / "20180075.yaml"
    values = shipped()
    values["systems"][1]["took_over_from"] = "Niche"
    bad = written(tmp_path, values)
    done = subprocess.run([foi, "check", params, "--profile", bad], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.strip() == "foi-briefing: force.yaml: systems.1.took_over_from: 'Niche' is not a system listed before it (list the systems oldest first)"
    with_key = tmp_path / "request.yaml"
    lines = [f"profile: {bad}" if line.startswith("profile:") else line for line in params.read_text(encoding="utf-8").splitlines()]
    with_key.write_text("\n".join(lines) + "\n", encoding="utf-8")  # its profile line replaced: a key given twice is refused
    done = subprocess.run([foi, "check", with_key], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "took_over_from" in done.stderr
    done = subprocess.run([foi, "check", with_key, "--profile", SHIPPED], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (0, f"{with_key}: ok (request 20180075, profile cms-connect.yaml)\n")  # the option wins


# ---- the release gate reads the profile's identifier forms


def five_digit_force():
    """A force whose person numbers have five digits and crime references are `AB-17-000123`."""
    import pandas as pd

    from helpers.gate.sensitive import FrameSensitive

    crimes = pd.DataFrame({"crime_ref": ["AB-17-000123"], "circumstances": ["Victim approached near the park."]})
    people = pd.DataFrame({"crime_ref": ["AB-17-000123"], "person_ref": ["40865"], "pnc_id": [None], "role": ["Victim"], "surname": ["Okafor"], "forenames": ["Ada"], "date_of_birth": ["2005-07-19"]})
    values = shipped()
    values["systems"] = values["systems"][:1]
    values["systems"][0]["identifier_formats"] = {"crime number": r"AB-\d{2}-\d{6}", "person number": r"\d{5}"}
    forms = force_profile.ForceProfile.model_validate(values).sources()
    from helpers.gate.sensitive import formats_of

    return FrameSensitive(crimes, people, formats=formats_of(forms))


@pytest.mark.parametrize(
    ("label", "named"),
    [
        ("Charged (person 40865)", "person number"),
        ("Ref AB-17-000123", "crime number"),
        ("Ref AB 17 000123", "crime number"),
        ("Ref ab.17.000123", "crime number"),
    ],
)
def test_an_identifier_in_the_profiles_form_is_caught_however_short_or_spaced(label, named):
    import pandas as pd

    from helpers.gate.check import check_tables

    table = {"charged": pd.DataFrame({"Charged": ["27"]}, index=pd.Index([label], name="Charge group"))}
    report = check_tables(table, 5, five_digit_force())
    assert [f.rule for f in report.findings] == ["identifier"], report.findings
    assert report.findings[0].detail.startswith(named) and "40865" not in report.findings[0].detail
    # the console's one line names the profile's own kind, not a bare "identifier"
    assert report.summary_line().startswith(f"release gate: FAILED: charged contains a {named} ")


def test_a_number_in_the_form_that_is_no_ones_passes():
    import pandas as pd

    from helpers.gate.check import check_tables

    table = {"charged": pd.DataFrame({"Charged": ["27"]}, index=pd.Index(["Charged (person 40866), AB-17-000124"], name="Charge group"))}
    assert check_tables(table, 5, five_digit_force()).findings == []


def test_without_the_profiles_forms_a_five_digit_person_number_would_pass():
    """What the forms are for: the generic rule takes tokens of six characters or more."""
    from dataclasses import replace

    import pandas as pd

    from helpers.gate.check import check_tables

    table = {"charged": pd.DataFrame({"Charged": ["27"]}, index=pd.Index(["Charged (person 40865)"], name="Charge group"))}
    assert check_tables(table, 5, replace(five_digit_force(), formats={})).findings == []


@pytest.mark.parametrize("pattern", ["", r"\d*", "[A-Z]", "((", r"(\d+)+X", r"(?:[A-Z]\d*){2,}"])
def test_an_identifier_form_that_matches_nothing_in_particular_is_refused(tmp_path, pattern):
    values = shipped()
    values["systems"][0]["identifier_formats"] = {"nominal number": pattern}
    with pytest.raises(ProfileError, match=r"^force.yaml: systems.0.identifier_formats.nominal number: "):
        force_profile.read_profile(written(tmp_path, values))


def briefed(tmp_path: Path, layout: str, profile: Path, n_crimes: int = 8000) -> tuple[dict, dict, str]:
    """Request 20180075 run by `foi-briefing run --profile` on the generator's extract of a layout:
    its results.json, the generator's truth for it, and the page to publish."""
    import json
    import subprocess
    import sys

    from helpers.synthetic.generator import generate_extracts
    from helpers.synthetic.truth import truth_for_request

    truth = generate_extracts(tmp_path / layout, n_crimes=n_crimes, layout=layout)
    params = project_root() / "parameters" / "20180075.yaml"
    foi = Path(sys.executable).parent / "foi-briefing"
    done = subprocess.run([foi, "run", params, "--extracts", tmp_path / layout, "--out", tmp_path / "out", "--formats", "html", "--no-progress", "--profile", profile], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    outputs = tmp_path / "out" / "20180075"
    results = json.loads((outputs / "restricted" / "results.json").read_text(encoding="utf-8"))
    p = yaml.safe_load(params.read_text(encoding="utf-8"))
    groups = p["charge_groups"]
    expected = truth_for_request(truth, p["period_from"], p["period_to"], p["charge_year"], p["offence_classes"], groups["section_15"]["codes"], groups["attempt_section_15"]["codes"])
    return results, expected, (outputs / "restricted" / "to-publish" / "briefing.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_request_20180075_on_a_one_system_force_end_to_end(tmp_path):
    """The generator's one-system force (another layout, encoding, date and class format) briefed
    by `foi-briefing run --profile`: its exact figures are the generator's truth, and the briefing
    describes one system, with no migration."""
    results, expected, page = briefed(tmp_path, "one-system", project_root() / "profiles" / "examples" / "synthetic-one-system.yaml")
    assert results["offences_by_year"] == expected["offences_by_year"]
    assert results["persons_charged"] == expected["persons_charged"]
    assert "We used one crime system: the Occurrence system" in page and "migrated" not in page
    assert "People with more than one record are counted once (Table 6)." in page


@pytest.mark.slow
def test_request_20180075_on_a_three_system_force_end_to_end(tmp_path):
    """After a second migration (CMS, Connect, then Niche), `foi-briefing run --profile` gives the
    generator's truth, and the briefing describes three systems and counts the moves between them."""
    results, expected, page = briefed(tmp_path, "three-systems", project_root() / "profiles" / "examples" / "synthetic-three-systems.yaml")
    assert results["offences_by_year"] == expected["offences_by_year"]
    assert results["persons_charged"] == expected["persons_charged"]
    assert "We used three crime systems in this period" in page and "A crime migrated from Connect to Niche" in page
    merging = (tmp_path / "out" / "20180075" / "release" / "tables" / "data_quality_merging.csv").read_text(encoding="utf-8")
    assert merging.startswith("Combining the three systems,Records") and "Moves of a crime from one system to the next" in merging


# ---- the release gate's disguised-identifier tests, on the one-system force's identifiers


ONE_SYSTEM_PLANTS = {
    "occurrence number as written": "crime OCC-0000123",
    "occurrence number with spaces": "crime OCC 0000123",
    "occurrence number with a dot": "crime occ.0000123",
    "occurrence number with a zero-width space": "crime OCC-000\u200b0123",
    "occurrence number in look-alike letters": "crime \u041e\u0421\u0421-0000123",
    "occurrence number in fullwidth digits": "crime OCC-\uff10\uff10\uff10\uff10\uff11\uff12\uff13",
    "five-digit person reference": "person 40865",
    "five-digit person reference with a zero-width space": "person 408\u200b65",
    "five-digit person reference in fullwidth digits": "person \uff14\uff10\uff18\uff16\uff15",
}


def one_system_force():
    """The generator's one-system force's identifier forms, over a crime and a person of its own."""
    import pandas as pd

    from helpers.gate.sensitive import FrameSensitive, formats_of

    crimes = pd.DataFrame({"crime_ref": ["OCC-0000123"], "circumstances": ["Victim approached near the park."]})
    people = pd.DataFrame({"crime_ref": ["OCC-0000123"], "person_ref": ["40865"], "pnc_id": [None], "role": ["Victim"], "surname": ["Okafor"], "forenames": ["Ada"], "date_of_birth": ["2005-07-19"]})
    sources = force_profile.read_profile(project_root() / "profiles" / "examples" / "synthetic-one-system.yaml").sources()
    return FrameSensitive(crimes, people, formats=formats_of(sources))


@pytest.mark.parametrize("label", ONE_SYSTEM_PLANTS.values(), ids=ONE_SYSTEM_PLANTS.keys())
def test_a_disguised_identifier_of_the_one_system_force_is_caught(label):
    import pandas as pd

    from helpers.gate.check import check_tables

    table = {"charged": pd.DataFrame({"Charged": ["27"]}, index=pd.Index([label], name="Charge group"))}
    report = check_tables(table, 5, one_system_force())
    assert [f.rule for f in report.findings] == ["identifier"], report.findings
    assert report.findings[0].detail.split(" ")[0] in ("occurrence", "person")


def test_a_run_refuses_a_draft_whose_questions_are_not_all_answered(tmp_path):
    """`read_profile` (every run, check and cache build) refuses a `TODO` anywhere, even where the
    schema would take it (a force's name, a description): a briefing must never say "TODO"."""
    values = shipped()
    values["systems"][0]["description"] = "TODO"
    values["force"] = "TODO"
    with pytest.raises(ProfileError, match=r"^force.yaml: force: TODO: a draft's question to answer \(see its comment\) \(and 1 more TODO\)$"):
        force_profile.read_profile(written(tmp_path, values))


@pytest.mark.slow
def test_a_force_whose_export_lacks_pnc_names_births_and_text_is_briefed_saying_so(tmp_path):
    """PNC IDs, names, dates of birth and circumstances are optional: a run without them counts
    what it can (the generator's one-system force gives each person one reference, so its people
    charged are still the truth's), and the briefing says what could not be done without them."""
    values = yaml.safe_load((project_root() / "profiles" / "examples" / "synthetic-one-system.yaml").read_text(encoding="utf-8"))
    system = values["systems"][0]
    for field in ("pnc_id", "surname", "forenames", "date_of_birth"):
        del system["files"]["people"]["columns"][field]
    del system["files"]["crimes"]["columns"]["circumstances"], system["pnc_pattern"]
    results, expected, page = briefed(tmp_path, "one-system", written(tmp_path, values), n_crimes=6000)
    assert results["offences_by_year"] == expected["offences_by_year"]
    assert {k: v for k, v in results["persons_charged"].items() if k != "vigilante"} == {k: v for k, v in expected["persons_charged"].items() if k != "vigilante"}
    assert results["persons_charged"]["vigilante"] == 0  # nothing to search
    assert "export has no circumstances text: its crimes could not be searched" in page
    assert "export has no Police National Computer IDs" in page
    assert "cannot be answered from these extracts" in page  # the hunter-group question


class ReleasedFigures:
    """The released tables' values the narrative reads, each the same figure."""

    def __init__(self, figure: str) -> None:
        self.figure = figure

    def value(self, table: str, row, column) -> str:
        return self.figure


def briefing_words(tmp_path: Path, values: dict) -> dict[str, str]:
    """The narrative's words about the hunter-group question, by part of the briefing, for a
    profile (every released figure 0)."""
    from helpers.briefing import narrative
    from helpers.request.parameters import read_parameters

    params = read_parameters(project_root() / "parameters" / "20180075.yaml", {"profile": str(written(tmp_path, values)), "extracts_dir": str(tmp_path)})
    released = ReleasedFigures("0")
    return {
        "answer": narrative.answers(params, released)[-1],
        "key fact": str(narrative.key_facts(params, released)).rsplit('<div class="fact">', 1)[-1],
        "caveat": narrative.caveats(params)[1],
        "table's introduction": str(narrative.offences_intro(params)),
        "table's note": narrative.people_table_notes(params)[-1],
    }


def test_without_circumstances_text_the_hunter_group_question_cannot_be_answered(tmp_path):
    """No system exports the text the hunter-group search reads: the briefing says the question
    cannot be answered, never that none of the people charged had such evidence (its 0)."""
    from helpers.briefing import narrative
    from helpers.request.parameters import read_parameters

    values = yaml.safe_load((project_root() / "profiles" / "examples" / "synthetic-one-system.yaml").read_text(encoding="utf-8"))
    del values["systems"][0]["files"]["crimes"]["columns"]["circumstances"]
    words = briefing_words(tmp_path, values)
    params = read_parameters(project_root() / "parameters" / "20180075.yaml", {"profile": str(written(tmp_path, values)), "extracts_dir": str(tmp_path)})
    words["method"] = str(narrative.evidence_method(params, ReleasedFigures("0"), None))  # no search made: no findings
    for part, text in words.items():
        assert "cannot be answered from these extracts" in text, part
        assert "none were charged" not in text and ">0<" not in text, part
    assert "Occurrence\u2019s export has no circumstances text: its crimes could not be searched" in words["answer"]


def test_with_circumstances_text_on_one_system_of_two_the_hunter_group_question_is_answered(tmp_path):
    """One system's crimes can be searched: the question is answered (the method says which
    system's crimes could not be searched)."""
    values = shipped()
    del values["systems"][0]["files"]["crimes"]["columns"]["circumstances"]
    words = briefing_words(tmp_path, values)
    assert not [part for part, text in words.items() if "cannot be answered" in text]
    assert "none were charged on a crime whose record shows evidence" in words["answer"]


def test_a_profiles_texts_reach_the_briefing_escaped(tmp_path):
    """A description is text like every input: markup in it is shown, never live."""
    from helpers.briefing import narrative
    from helpers.request.parameters import read_parameters

    values = shipped()
    values["systems"][0]["description"] = '<script>alert(1)</script> the "old" system & <b>CMS</b>'
    profile = written(tmp_path, values)
    params = read_parameters(project_root() / "parameters" / "20180075.yaml", {"profile": str(profile), "extracts_dir": str(tmp_path)})
    page = str(narrative.method(params))
    assert "<script>" not in page and "<b>CMS</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;b&gt;CMS&lt;/b&gt;" in page


def test_a_class_title_of_the_force_reaches_the_briefing_escaped_and_must_be_one_line(tmp_path):
    """A force's own class title (`class_titles`) is printed in the method and the tables: markup
    in it is shown, never live; a line break or an invisible format character is refused."""
    from helpers.briefing import narrative
    from helpers.request.parameters import read_parameters

    values = shipped() | {"class_titles": {"88/1": '<img src=x onerror="alert(1)"> grooming & <b>more</b>'}}
    profile = written(tmp_path, values)
    params = read_parameters(project_root() / "parameters" / "20180075.yaml", {"profile": str(profile), "extracts_dir": str(tmp_path)})
    page = str(narrative.method(params))
    assert "<img" not in page and "<b>more</b>" not in page
    assert "088/01 (&lt;img src=x onerror=" in page and "grooming &amp; &lt;b&gt;more&lt;/b&gt;) and 088/02" in page
    # today's request shape says which class is titled so, as a request of tables does
    assert "<dt>Class titles</dt><dd>A class is titled as the Home Office\u2019s list" in page
    assert "under a title of its own: 088/01 (\u201c&lt;img src=x onerror=" in page
    for bad in ["two\nlines", "zero\u200bwidth", "bidi\u202eflip", "", "   ", "\u3000"]:
        with pytest.raises(ProfileError, match=r"class_titles\.088/01"):
            force_profile.read_profile(written(tmp_path, shipped() | {"class_titles": {"088/01": bad}}))
    spaced = force_profile.read_profile(written(tmp_path, shipped() | {"class_titles": {"088/01": " Meeting  a\u00a0child "}}))
    assert spaced.class_titles == {"088/01": "Meeting a child"}
    with pytest.raises(ProfileError, match=r"class_titles: .*'058/03' and '58/3' are the same class, 058/03"):
        force_profile.read_profile(written(tmp_path, shipped() | {"class_titles": {"058/03": "A", "58/3": "B"}}))


# ---- a file that is several files (a glob)


def split_by_year(folder: Path, values: dict, sample: Path = SAMPLE) -> dict:
    """The sample copied with each crimes file split in two where the year recorded of its last
    record starts (the records are in date order), and the profile `values` naming the two by a
    pattern. Returns each original crimes file -> the two it became, in name order."""
    import csv
    import shutil

    shutil.copytree(sample, folder)
    split = {}
    for system in values["systems"]:
        spec = system["files"]["crimes"]
        encoding = "cp1252" if system["encoding"] == "cp1252" else "utf-8-sig"
        with open(folder / spec["file"], encoding=encoding, newline="") as handle:
            header, *rows = list(csv.reader(handle))
        column = header.index(spec["columns"]["recorded_at"])
        years = [re.search(r"\d{4}", row[column]).group() for row in rows]
        cut = years.index(years[-1])
        stem = Path(spec["file"]).stem
        parts = {f"{stem}_{years[0]}.csv": rows[:cut], f"{stem}_{years[-1]}.csv": rows[cut:]}
        assert all(parts.values()) and sum(map(len, parts.values())) == len(rows)
        for name, part in parts.items():
            with open(folder / name, "w", encoding=encoding, newline="") as handle:
                csv.writer(handle, lineterminator="\r\n").writerows([header, *part])
        (folder / spec["file"]).unlink()
        spec["file"] = f"{stem}_*.csv"
        split[stem + ".csv"] = list(parts)
    return split


def test_a_glob_reads_several_files_as_one_table(tmp_path):
    """Each system's crimes split into two files by year and named by a pattern: the same
    extract, each crime's file the one it is in, and every matched file in the manifest with its
    own SHA-256."""
    import hashlib

    import pandas as pd

    from helpers.extracts.load import load_extracts

    values = shipped()
    split = split_by_year(tmp_path / "extracts", values)
    other = force_profile.read_profile(written(tmp_path, values)).sources()
    assert other[0].crimes.filename == "CMS_CRIMES_*.csv"

    ours, theirs = load_extracts(SAMPLE), load_extracts(tmp_path / "extracts", other)
    pd.testing.assert_frame_equal(ours.crimes.drop(columns="file"), theirs.crimes.drop(columns="file"))
    pd.testing.assert_frame_equal(ours.charges, theirs.charges)
    pd.testing.assert_series_equal(ours.circumstances(), theirs.circumstances())
    for whole, parts in split.items():
        were = ours.crimes["file"] == whole  # a crime migrated on is counted as the newer system's
        assert set(theirs.crimes.loc[were, "file"]) <= set(parts)
        assert sum(theirs.files[part]["records"] for part in parts) == ours.files[whole]["records"]
    for name, entry in theirs.files.items():
        assert entry["sha256"] == hashlib.sha256((tmp_path / "extracts" / name).read_bytes()).hexdigest()
    assert len(theirs.files) == len(ours.files) + 2


def test_a_globbed_files_quarantine_names_the_file_and_its_own_line(tmp_path):
    import csv
    import shutil

    from helpers.extracts.load import load_extracts

    edited = tmp_path / "edited"
    shutil.copytree(SAMPLE, edited)
    with open(edited / "CMS_CRIMES.csv", encoding="cp1252", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[-3][rows[0].index("DATE RECORDED")] = "31/02/2017 10:00"  # in the second file
    with open(edited / "CMS_CRIMES.csv", "w", encoding="cp1252", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)
    whole = load_extracts(edited).quarantine
    values = shipped()
    first, second = split_by_year(tmp_path / "extracts", values, sample=edited)["CMS_CRIMES.csv"]
    other = force_profile.read_profile(written(tmp_path, values)).sources()

    split = load_extracts(tmp_path / "extracts", other).quarantine
    records_before = (tmp_path / "extracts" / first).read_bytes().count(b"\n") - 1  # lines, less the header
    assert whole[["file", "column", "value"]].values.tolist() == [["CMS_CRIMES.csv", "DATE RECORDED", "31/02/2017 10:00"]]
    assert split[["file", "line", "column", "value"]].values.tolist() == [[second, whole["line"][0] - records_before, "DATE RECORDED", "31/02/2017 10:00"]]


def test_a_glob_matching_nothing_or_a_file_with_another_header_is_one_line(tmp_path):
    import csv

    from helpers.errors import ExtractError
    from helpers.extracts.load import load_extracts

    values = shipped()
    first, second = split_by_year(tmp_path / "extracts", values)["connect_crimes.csv"]
    other = force_profile.read_profile(written(tmp_path, values)).sources()
    path = tmp_path / "extracts" / second
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    with open(path, "w", encoding="utf-8", newline="") as handle:  # one more column: every column needed is there
        csv.writer(handle, lineterminator="\r\n").writerows([row + [f"extra {n}"] for n, row in enumerate(rows)])
    with pytest.raises(ExtractError, match=f"^{re.escape(second)}: its header is not {re.escape(first)}'s \\(the files matching connect_crimes_\\*.csv are read as one table"):
        load_extracts(tmp_path / "extracts", other)

    for name in (first, second):
        (tmp_path / "extracts" / name).unlink()
    with pytest.raises(ExtractError, match=r"^connect_crimes_\*.csv: file not found in .* \(no file matches\)$"):
        load_extracts(tmp_path / "extracts", other)


def test_the_cache_key_covers_every_file_a_glob_matches(tmp_path):
    import os

    from helpers.cache.keys import entry_name

    values = shipped()
    first, second = split_by_year(tmp_path / "extracts", values)["CMS_CRIMES.csv"]
    other = force_profile.read_profile(written(tmp_path, values)).sources()
    folder = tmp_path / "extracts"
    key = entry_name(folder, other)
    stat = (folder / second).stat()
    os.utime(folder / second, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    changed = entry_name(folder, other)
    (folder / "CMS_CRIMES_2020.csv").write_bytes((folder / first).read_bytes())
    assert len({key, changed, entry_name(folder, other)}) == 3


def test_a_crime_in_two_files_of_a_glob_is_a_duplicate_as_in_one_file(tmp_path):
    """The files a pattern matches are one table: a crime reference already in an earlier file is
    set aside as duplicated, as it would be within one file."""
    import csv

    from helpers.extracts.load import load_extracts

    values = shipped()
    first, second = split_by_year(tmp_path / "extracts", values)["CMS_CRIMES.csv"]
    other = force_profile.read_profile(written(tmp_path, values)).sources()
    with open(tmp_path / "extracts" / first, encoding="cp1252", newline="") as handle:
        again = list(csv.reader(handle))[1]
    with open(tmp_path / "extracts" / second, "a", encoding="cp1252", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerow(again)

    quarantine = load_extracts(tmp_path / "extracts", other).quarantine
    assert quarantine[["file", "column", "value", "reason"]].values.tolist() == [[second, "CRIME NO", again[0], "duplicated crime reference"]]


def test_profile_check_reads_every_file_a_glob_matches(tmp_path):
    values = shipped()
    split_by_year(tmp_path / "extracts", values)
    code, out, _ = run_check(str(written(tmp_path, values)), "--extracts", str(tmp_path / "extracts"))
    assert code == 0, out
    for name in ("CMS_CRIMES_*.csv", "connect_crimes_*.csv"):
        (tmp_path / "extracts" / name.replace("*", "1999")).write_text("nothing,here\r\n", encoding="utf-8")
    code, out, _ = run_check(str(written(tmp_path, values)), "--extracts", str(tmp_path / "extracts"))
    errors = [line for line in out.splitlines() if line.startswith("error:")]
    assert code == 3 and len(errors) == 2 and "CMS_CRIMES_1999.csv: missing column 'CRIME NO'" in errors[0], out


# ---- spreadsheet exports (xlsx, ods) read with python-calamine


def write_xlsx(path: Path, rows: list[list[str]], sheet: str = "Sheet1", numbers: tuple[str, ...] = ()) -> None:
    """A minimal workbook of one sheet, written by hand (no writer library needed): every cell a
    text cell as typed, except those of the columns `numbers` holding digits, written as numbers."""
    import zipfile
    from xml.sax.saxutils import escape, quoteattr

    def ref(row: int, column: int) -> str:
        letters, n = "", column + 1
        while n:
            n, rest = divmod(n - 1, 26)
            letters = chr(65 + rest) + letters
        return f"{letters}{row + 1}"

    numeric = {rows[0].index(name) for name in numbers}

    def cell(row: int, column: int, value: str) -> str:
        if value == "":
            return ""
        if column in numeric and row and value.isdigit():
            return f'<c r="{ref(row, column)}"><v>{value}</v></c>'
        text = escape(value, {"\r": "&#13;"})  # a carriage return kept, not normalised away
        return f'<c r="{ref(row, column)}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'

    data = "".join(f'<row r="{r + 1}">' + "".join(cell(r, c, v) for c, v in enumerate(row)) + "</row>" for r, row in enumerate(rows))
    main = "http://schemas.openxmlformats.org"
    rels = f"{main}/officeDocument/2006/relationships"
    files = {
        "[Content_Types].xml": f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{main}/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{main}/package/2006/relationships"><Relationship Id="rId1" Type="{rels}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}/spreadsheetml/2006/main" xmlns:r="{rels}"><sheets><sheet name={quoteattr(sheet)} sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{main}/package/2006/relationships"><Relationship Id="rId1" Type="{rels}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}/spreadsheetml/2006/main"><sheetData>{data}</sheetData></worksheet>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)


def as_workbooks(folder: Path, values: dict, sample: Path = SAMPLE, edit=None) -> dict:
    """The sample's files written as workbooks (`.xlsx`, each on a sheet named after its table;
    outcomes as numbers), and the profile `values` naming them and their sheets. `edit(name,
    rows)` may change a file's rows first. Returns each workbook's rows."""
    import csv

    folder.mkdir()
    written_rows = {}
    for system in values["systems"]:
        encoding = "cp1252" if system["encoding"] == "cp1252" else "utf-8-sig"
        for table, spec in system["files"].items():
            with open(sample / spec["file"], encoding=encoding, newline="") as handle:
                rows = list(csv.reader(handle))
            name = Path(spec["file"]).stem + ".xlsx"
            if edit is not None:
                edit(name, rows)
            outcome = spec["columns"].get("outcome")
            write_xlsx(folder / name, rows, sheet=table.title(), numbers=(outcome,) if outcome else ())
            spec.update(file=name, sheet=table.title())
            written_rows[name] = rows
    return written_rows


def test_xlsx_exports_read_to_the_same_extract(tmp_path):
    """The data contract's sample as workbooks (text cells, outcomes as numbers) read through a
    profile naming them and their sheets: the same extract, each workbook's SHA-256 in the
    manifest."""
    import hashlib

    import pandas as pd

    from helpers.extracts.load import load_extracts

    values = shipped()
    as_workbooks(tmp_path / "extracts", values)
    other = force_profile.read_profile(written(tmp_path, values)).sources()
    assert (other[0].crimes.filename, other[0].crimes.sheet) == ("CMS_CRIMES.xlsx", "Crimes")

    ours, theirs = load_extracts(SAMPLE), load_extracts(tmp_path / "extracts", other)
    pd.testing.assert_frame_equal(ours.crimes.drop(columns="file"), theirs.crimes.drop(columns="file"))
    pd.testing.assert_frame_equal(ours.charges.drop(columns="file"), theirs.charges.drop(columns="file"))
    pd.testing.assert_series_equal(ours.circumstances(), theirs.circumstances())
    assert theirs.quarantine.empty
    for name, entry in theirs.files.items():
        assert entry["sha256"] == hashlib.sha256((tmp_path / "extracts" / name).read_bytes()).hexdigest()


def test_a_workbooks_quarantine_line_is_the_sheet_row(tmp_path):
    """A record set aside is named by its row in the sheet, a cell holding two lines above it
    (which would move a CSV's line) and an empty row (skipped, but counted as a row) included."""
    from helpers.extracts.load import load_extracts

    def edit(name, rows):
        if name == "CMS_CRIMES.xlsx":
            rows[2][rows[0].index("CIRCUMSTANCES")] = "over\r\ntwo lines"
            rows[5][rows[0].index("DATE RECORDED")] = "31/02/2017 10:00"
            rows.insert(3, [""] * len(rows[0]))  # the bad record is now sheet row 7

    values = shipped()
    as_workbooks(tmp_path / "extracts", values, edit=edit)
    other = force_profile.read_profile(written(tmp_path, values)).sources()
    quarantine = load_extracts(tmp_path / "extracts", other).quarantine
    assert quarantine[["file", "line", "column", "value"]].values.tolist() == [["CMS_CRIMES.xlsx", 7, "DATE RECORDED", "31/02/2017 10:00"]]


def test_a_sheet_that_is_not_there_or_a_sheet_of_a_csv_is_one_line(tmp_path):
    from helpers.errors import ExtractError
    from helpers.extracts.load import load_extracts

    values = shipped()
    as_workbooks(tmp_path / "extracts", values)
    values["systems"][1]["files"]["people"]["sheet"] = "Persons"
    other = force_profile.read_profile(written(tmp_path, values)).sources()
    with pytest.raises(ExtractError, match=r"^connect_persons.xlsx: no sheet 'Persons' \(the sheets: 'People'\)$"):
        load_extracts(tmp_path / "extracts", other)

    values = shipped()
    values["systems"][0]["files"]["crimes"]["sheet"] = "Crimes"
    with pytest.raises(ProfileError, match=r"^force.yaml: systems.0.files.crimes: .*sheet: 'CMS_CRIMES.csv' is not a spreadsheet"):
        force_profile.read_profile(written(tmp_path, values))


@pytest.mark.parametrize("kind", ["utf-16", "xlsx"])
def test_profile_check_reads_utf16_files_and_workbooks(tmp_path, kind):
    values = shipped()
    if kind == "xlsx":
        as_workbooks(tmp_path / "extracts", values)
    else:
        rewrite(tmp_path / "extracts", values, {"CMS": ("utf-16", ",", '"'), "Connect": ("utf-16-le", ",", '"')})
    code, out, err = run_check(str(written(tmp_path, values)), "--extracts", str(tmp_path / "extracts"))
    assert (code, err) == (0, ""), out
    assert ("no value of any column would be set aside" in out or "nothing would be set aside" in out) and "CMS_CRIMES" in out


def test_a_cells_text_is_what_a_csv_would_hold():
    import datetime as dt

    from helpers.extracts.sheets import cell_text

    cells = ["CM/13/0000001", 18.0, 2.5, 7, True, dt.datetime(2017, 12, 4, 7, 0), dt.date(2017, 12, 4), dt.time(7, 5), None, ""]
    assert [cell_text(cell) for cell in cells] == ["CM/13/0000001", "18", "2.5", "7", "TRUE", "2017-12-04T07:00:00", "2017-12-04", "07:05:00", "", ""]


def test_a_workbook_that_cannot_be_read_is_one_line(tmp_path):
    from helpers.errors import ExtractError
    from helpers.extracts.load import load_extracts

    values = shipped()
    as_workbooks(tmp_path / "extracts", values)
    (tmp_path / "extracts" / "CMS_CRIMES.xlsx").write_bytes(b"CRIME NO,DATE RECORDED\r\n")  # a CSV renamed
    other = force_profile.read_profile(written(tmp_path, values)).sources()
    with pytest.raises(ExtractError) as caught:
        load_extracts(tmp_path / "extracts", other)
    assert str(caught.value).startswith("CMS_CRIMES.xlsx: the spreadsheet cannot be read (") and "\n" not in str(caught.value)


def write_ods(path: Path, rows: list[list[str]], sheet: str = "Sheet1") -> None:
    """A minimal OpenDocument spreadsheet of one sheet, written by hand: every cell a text cell."""
    import zipfile
    from xml.sax.saxutils import escape, quoteattr

    def cell(value: str) -> str:
        if value == "":
            return "<table:table-cell/>"
        return f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(cell(value) for value in row) + "</table:table-row>" for row in rows)
    office = "urn:oasis:names:tc:opendocument:xmlns"
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="{office}:office:1.0" '
        f'xmlns:table="{office}:table:1.0" xmlns:text="{office}:text:1.0" office:version="1.2"><office:body>'
        f"<office:spreadsheet><table:table table:name={quoteattr(sheet)}>{body}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")  # first, stored
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)


def test_ods_exports_read_as_workbooks_do(tmp_path):
    """Each system's charges file as an OpenDocument spreadsheet: the same charges."""
    import csv
    import shutil

    import pandas as pd

    from helpers.extracts.load import load_extracts

    folder = tmp_path / "extracts"
    shutil.copytree(SAMPLE, folder)
    values = shipped()
    for system in values["systems"]:
        spec = system["files"]["charges"]
        with open(folder / spec["file"], encoding="cp1252" if system["encoding"] == "cp1252" else "utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        (folder / spec["file"]).unlink()
        spec["file"] = Path(spec["file"]).stem + ".ods"
        write_ods(folder / spec["file"], rows)
    other = force_profile.read_profile(written(tmp_path, values)).sources()

    ours, theirs = load_extracts(SAMPLE), load_extracts(folder, other)
    assert set(theirs.charges["file"]) == {"CMS_CHARGES.ods", "connect_charges.ods"}
    pd.testing.assert_frame_equal(ours.charges.drop(columns="file"), theirs.charges.drop(columns="file"))
    pd.testing.assert_frame_equal(ours.crimes, theirs.crimes)


def test_a_glob_in_a_folder_that_is_not_there_is_the_missing_files_error(tmp_path):
    from helpers.errors import ExtractError
    from helpers.extracts.sources import FileSpec, concrete_files

    with pytest.raises(ExtractError, match=r"^crimes_\*.csv: file not found in .*gone \(no file matches\)$"):
        concrete_files(tmp_path / "gone", FileSpec("crimes", "crimes_*.csv", {"crime_ref": "REF"}))


@pytest.mark.parametrize("fault", [False, True])
def test_profile_check_leaves_no_copy_of_a_utf16_file(tmp_path, fault):
    """The command ends at once (os._exit, no exit handlers): a UTF-16 file's private UTF-8 copy
    is removed before, after a header fault too."""
    import os
    import subprocess
    import sys

    values = shipped()
    rewrite(tmp_path / "extracts", values, {"CMS": ("utf-16", ",", '"'), "Connect": ("utf-8", ",", '"')})
    if fault:
        values["systems"][0]["files"]["crimes"]["columns"]["ho_class"] = "HO CLASSIFICATION"
    private = tmp_path / "tmp"
    private.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "helpers", "profile", "check", str(written(tmp_path, values)), "--extracts", str(tmp_path / "extracts")],
        capture_output=True, text=True, timeout=120, env={**os.environ, "TMPDIR": str(private)},
    )
    assert done.returncode == (3 if fault else 0), done.stdout + done.stderr
    assert ("missing column 'HO CLASSIFICATION'" in done.stdout) == fault
    assert not list(private.iterdir())


def test_an_unreadable_committed_date_is_left_empty_and_counted_never_a_reason_to_set_a_crime_aside(tmp_path):
    import shutil

    from helpers.extracts.load import load_extracts

    folder = tmp_path / "extracts"
    shutil.copytree(SAMPLE, folder)
    crimes = folder / "CMS_CRIMES.csv"
    lines = crimes.read_bytes().split(b"\r\n")
    header = lines[0].split(b",")
    at = header.index(b"DATE COMMITTED")
    first = lines[1].split(b",")
    reference = first[0].decode()
    first[at] = b"31/02/2016"  # no such day
    lines[1] = b",".join(first)
    crimes.write_bytes(b"\r\n".join(lines))
    ours, theirs = load_extracts(SAMPLE), load_extracts(folder)
    assert ours.data_quality["committed_dates_unreadable"] == 0 and theirs.data_quality["committed_dates_unreadable"] == 1
    assert theirs.quarantine.empty and len(theirs.crimes) == len(ours.crimes)
    held = theirs.crimes.set_index("crime_id")["committed_at"]
    assert reference in held.index and held.isna()[reference]  # a 2013 crime CMS still holds
    assert not ours.crimes.set_index("crime_id")["committed_at"].isna()[reference]
