"""Hostile and careless parameters files (issue 17): each is one line naming the file and the
line, byte or key, never a traceback, and `check` says so before any data is read (exit 2)."""

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.errors import ParameterError
from helpers.project import project_root
from helpers.request import parameters
from helpers.request.parameters import read_parameters, validate_parameters

PARAMS = project_root() / "parameters" / "20180075.yaml"
TEXT = PARAMS.read_text(encoding="utf-8")
SRC = Path(__file__).resolve().parents[1] / "src"


def with_line(key: str, value: str) -> str:
    """The example file with `key:`'s line (its comment dropped) set to `key: value`."""
    lines = TEXT.splitlines()
    (where,) = [i for i, line in enumerate(lines) if line.startswith(f"{key}:")]
    lines[where] = f"{key}: {value}"
    return "\n".join(lines) + "\n"


def line_of(key: str) -> int:
    return next(i for i, line in enumerate(TEXT.splitlines(), 1) if line.startswith(f"{key}:"))


def refused(path: Path) -> str:
    with pytest.raises(ParameterError) as caught:
        read_parameters(path)
    message = str(caught.value)
    assert "\n" not in message and len(message) < 300, message
    assert message.startswith(f"{path.name}: "), message
    return message


def write(tmp_path: Path, content: str | bytes, name: str = "request.yaml") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


# ---- encoding


def test_a_utf16_file_is_refused_in_one_line(tmp_path):
    path = write(tmp_path, TEXT.encode("utf-16"))  # with its byte-order mark, as Notepad saves
    assert refused(path) == "request.yaml: saved as UTF-16: save it as UTF-8"


def test_a_utf16_file_without_a_byte_order_mark_is_refused_in_one_line(tmp_path):
    path = write(tmp_path, TEXT.encode("utf-16-le"))
    assert "UTF-16" in refused(path)


def test_a_latin1_file_names_the_line_and_byte_of_the_first_letter_that_is_not_utf8(tmp_path):
    text = with_line("offence_description", '"rencontre d\'un enfant (café)"')
    data = text.encode("latin-1")
    path = write(tmp_path, data)
    at = data.index(b"\xe9")
    line = line_of("offence_description")
    assert refused(path) == (
        f"request.yaml: line {line}, byte {at + 1}: not UTF-8 text (byte 0xE9): "
        "save the file as UTF-8"
    )


def test_undecodable_bytes_are_refused_naming_the_line(tmp_path):
    data = TEXT.encode() + b"# \x80\xff\xfe\xc3(\n"
    path = write(tmp_path, data)
    line = TEXT.count("\n") + 1
    assert refused(path).startswith(f"request.yaml: line {line}, byte {len(TEXT.encode()) + 3}: ")


def test_a_utf8_byte_order_mark_is_fine(tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbf" + TEXT.encode())
    assert read_parameters(path).reference == "20180075"


def test_a_control_character_is_refused_naming_the_line(tmp_path):
    path = write(tmp_path, with_line("title", '"People\x07 charged"'))
    message = refused(path)
    assert message.startswith(f"request.yaml: line {line_of('title')}: ")
    assert "#x0007" in message


# ---- structure and size


@pytest.mark.parametrize("brackets", ["[]", "{}"])
def test_yaml_nested_20000_deep_is_refused_in_one_line(tmp_path, brackets):
    opening, closing = brackets
    inner = "a: " if opening == "{" else ""
    deep = (opening + inner) * 20_000 + "1" + closing * 20_000
    path = write(tmp_path, with_line("title", deep))
    assert refused(path).startswith(f"request.yaml: line {line_of('title')}: nested more than 20 deep")


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path):
    assert parameters.MAX_FILE_BYTES == 1_000_000
    padding = ("# " + "x" * 98 + "\n") * 20_000  # 2 MB of comments: valid YAML
    path = write(tmp_path, TEXT + padding)
    assert refused(path) == (
        "request.yaml: larger than 1 MB (a parameters file is a few kB): is it the right file?"
    )


def test_an_alias_bomb_is_refused_in_one_line(tmp_path):
    bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        bomb.append(f"{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]")
    path = write(tmp_path, TEXT + "\n".join(bomb) + "\n")
    assert refused(path) == (
        f"request.yaml: line {TEXT.count(chr(10)) + 1}: anchors and aliases (& and *) are not "
        "allowed in a parameters file"
    )


def test_an_impossible_unquoted_date_names_the_line(tmp_path):
    path = write(tmp_path, with_line("period_from", "2015-02-30"))
    assert refused(path).startswith(f"request.yaml: line {line_of('period_from')}: ")


def test_a_whole_number_of_5000_digits_names_the_line(tmp_path):
    path = write(tmp_path, with_line("disclosure_threshold", "9" * 5000))
    assert refused(path).startswith(f"request.yaml: line {line_of('disclosure_threshold')}: ")


def test_a_key_with_a_line_break_stays_one_line(tmp_path):
    path = write(tmp_path, TEXT + '"colour\\nof the sky": blue\n')
    assert refused(path) == "request.yaml: 'colour\\nof the sky': unknown key (is it misspelt?)"


# ---- values out of their range


def error_for(tmp_path, key: str, value: str) -> str:
    return refused(write(tmp_path, with_line(key, value)))


def test_the_threshold_bounds_are_three_to_a_thousand():
    assert parameters.THRESHOLD_RANGE == range(3, 1001)


THRESHOLD_ERROR = "request.yaml: disclosure_threshold: must be a whole number from 3 to 1,000"


@pytest.mark.parametrize("value", ["2", "1", "0", "-5", "1001", str(10**21), "true", "5.5"])
def test_a_threshold_out_of_range_is_one_line(tmp_path, value):
    assert error_for(tmp_path, "disclosure_threshold", value).startswith(THRESHOLD_ERROR)


@pytest.mark.parametrize("value", [3, 1000])
def test_the_threshold_bounds_themselves_are_fine(tmp_path, value):
    path = write(tmp_path, with_line("disclosure_threshold", str(value)))
    assert read_parameters(path).disclosure_threshold == value


MINUTES_ERROR = (
    "request.yaml: review_minutes_per_record: must be a number of minutes above 0 and at most "
    "1,440"
)


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "0", "-1", "1441", "1e308"])
def test_review_minutes_out_of_range_are_one_line(tmp_path, value):
    assert error_for(tmp_path, "review_minutes_per_record", value).startswith(MINUTES_ERROR)


@pytest.mark.parametrize("value", [0.5, 1440])
def test_review_minutes_in_range_are_fine(tmp_path, value):
    path = write(tmp_path, with_line("review_minutes_per_record", str(value)))
    assert read_parameters(path).review_minutes_per_record == value


def test_review_minutes_from_a_notebook_are_checked_too():
    values = {**_values(), "review_minutes_per_record": math.inf}
    with pytest.raises(ParameterError, match="^parameters: review_minutes_per_record: must be"):
        validate_parameters(values)


def _values() -> dict:
    import yaml

    return yaml.safe_load(TEXT)


REFERENCE_ERROR = (
    "request.yaml: reference: must be 1 to 40 letters, digits, hyphens or underscores, "
    "starting with a letter or digit"
)


@pytest.mark.parametrize(
    "value", ["A" * 41, "2018" * 75, "2018/0075", "..", "../20180075", "-20180075", "2018 0075", "é2018"]
)
def test_a_reference_outside_its_alphabet_or_length_is_one_line(tmp_path, value):
    assert error_for(tmp_path, "reference", f'"{value}"').startswith(REFERENCE_ERROR)


@pytest.mark.parametrize("value", ["A" * 40, "FOI-2019_0123", "7"])
def test_a_reference_in_its_alphabet_is_fine(tmp_path, value):
    path = write(tmp_path, with_line("reference", f'"{value}"'))
    assert read_parameters(path).reference == value


# ---- the command line: exit 2, one line on stderr, no traceback


def foi_briefing(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "helpers", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        timeout=300,
    )


@pytest.mark.parametrize(
    "content",
    [
        TEXT.encode("utf-16"),
        TEXT.encode() + b"# \xe9\n",
        with_line("title", "[" * 20_000 + "]" * 20_000).encode(),
        with_line("disclosure_threshold", str(10**21)).encode(),
        with_line("review_minutes_per_record", ".inf").encode(),
        with_line("reference", '"' + "2018" * 75 + '"').encode(),
    ],
    ids=["utf16", "latin1", "deep", "threshold", "minutes", "reference"],
)
def test_check_on_a_bad_file_exits_2_with_one_line(tmp_path, content):
    path = write(tmp_path, content)
    done = foi_briefing("check", str(path), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith("foi-briefing: request.yaml: ")


def test_run_on_a_bad_file_exits_2_before_reading_any_data(tmp_path):
    path = write(tmp_path, TEXT.encode("utf-16"))
    out = tmp_path / "out"
    done = foi_briefing("run", str(path), "--out", str(out), "--no-progress", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "request.yaml: saved as UTF-16: save it as UTF-8" in done.stdout + done.stderr
    assert not out.exists()


def test_the_threshold_guards_of_the_gate_and_of_disclosure_control_agree():
    from helpers.disclosure.audit import _check_threshold as audit_guard
    from helpers.gate.check import _check_threshold as gate_guard

    for guard in (audit_guard, gate_guard):
        for bad in (2, 1001, 10**21):
            with pytest.raises(ValueError, match="from 3 to 1,000"):
                guard(bad)
        assert guard(3) == 3 and guard(1000) == 1000


def test_a_message_quoting_a_long_value_stays_short(tmp_path):
    message = error_for(tmp_path, "offence_classes", "[\"" + "8" * 5000 + "\"]")
    assert message.startswith("request.yaml: offence_classes: '8888") and message.endswith("...")


def test_a_key_given_twice_is_refused_naming_its_line(tmp_path):
    """YAML keeps the last of two equal keys: a second `search_terms:` (or a second search of the
    same name) silently replaced the first."""
    path = write(tmp_path, TEXT + "disclosure_threshold: 10\n")
    assert refused(path) == (
        f"request.yaml: line {TEXT.count(chr(10)) + 1}: the key 'disclosure_threshold' is given "
        f"twice (first on line {line_of('disclosure_threshold')})"
    )


@pytest.mark.parametrize("character", ["\x1b", "\x07", "\x85", "\u202e", "\u2066", "\u200f"])
def test_a_control_or_direction_character_in_a_text_is_refused(character):
    values = {**read_parameters(PARAMS).model_dump(mode="json"), "title": f"Snap{character}chat"}
    with pytest.raises(ParameterError) as caught:
        validate_parameters(values)
    assert str(caught.value).startswith("parameters: title: a control character (U+")
