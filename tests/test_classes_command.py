"""`foi-briefing classes`: the shipped Home Office class list, searched, as a class group to paste.

Found by a new user: a request about burglary needed every burglary class, and the only way to
find them was to read `src/helpers/extracts/ho_classes.csv` by hand.
"""

import copy
import csv
from importlib import resources

import yaml

from helpers.request.parameters import validate_parameters
from helpers.run.cli import main


def shipped_rows() -> list[dict[str, str]]:
    """The shipped list read with the csv module alone (not the code under test)."""
    text = resources.files("helpers.extracts").joinpath("ho_classes.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))


def shipped_profile_titles() -> dict[str, str]:
    """The shipped profile's own class titles, read with yaml alone."""
    from helpers.project import project_root

    values = yaml.safe_load((project_root() / "profiles" / "cms-connect.yaml").read_text(encoding="utf-8"))
    return {str(code): title for code, title in values["class_titles"].items()}


def snippet(out: str) -> dict:
    """The YAML the command prints to paste under `class_groups:`."""
    return yaml.safe_load(out.split("class_groups:\n", 1)[1])


def test_a_group_gives_every_class_of_that_group_as_a_class_group_to_paste(capsys):
    assert main(["classes", "--group", "burglary"]) == 0
    out = capsys.readouterr().out
    burglary = [row for row in shipped_rows() if row["group"] == "Burglary"]
    assert len(burglary) > 3
    own = shipped_profile_titles()  # 028/03: the force's "Burglary - residential"
    for row in burglary:
        assert f"{row['code']}  {own.get(row['code'], row['title'])}" in out
    pasted = snippet(out)
    assert pasted == {"burglary": {"label": "burglary", "classes": [row["code"] for row in burglary]}}
    # it is a class group a request takes as it is
    values = {
        "reference": "t", "title": "Burglary", "questions": ["How many?"], "extracts_taken_on": "2019-01-01", "extracts_dir": "data/extracts",
        "class_groups": pasted,
        "measures": {"b": {"count": "offences", "label": "offences of burglary", "classes": ["burglary"], "period": {"from": "2016-01-01", "to": "2018-12-31"}}},
        "tables": [{"name": "b", "question": 1, "title": "B", "measure": "b", "rows": "year"}],
    }
    assert validate_parameters(copy.deepcopy(values)).class_groups["burglary"].classes == pasted["burglary"]["classes"]


def test_words_find_the_classes_whose_title_has_every_one_of_them(capsys):
    assert main(["classes", "sexual", "grooming"]) == 0
    out = capsys.readouterr().out
    wanted = [row["code"] for row in shipped_rows() if "sexual grooming" in row["title"].lower()]
    assert {"088/01", "088/02"} <= set(wanted)
    assert snippet(out)["sexual_grooming"]["classes"] == wanted


def test_with_nothing_asked_it_lists_the_groups(capsys):
    assert main(["classes"]) == 0
    out = capsys.readouterr().out
    groups = {row["group"] for row in shipped_rows()}
    assert all(group in out for group in groups)
    assert "Burglary: " in out and "class_groups:" not in out


def test_an_unknown_group_or_words_that_match_nothing_is_one_line_and_exit_2(capsys):
    assert main(["classes", "--group", "burgalry"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("foi-briefing: --group: no group 'burgalry' in the shipped class list; did you mean Burglary?")
    assert err.count("\n") == 1
    assert main(["classes", "zzqq"]) == 2
    assert "no class of the shipped list has 'zzqq' in its title or code" in capsys.readouterr().err


def test_a_code_in_any_written_form_and_a_classs_subclasses(capsys):
    """Found by a reviewer: `28/3` (as the sample writes it) found nothing, `8/01` found 16
    classes holding those characters."""
    assert main(["classes", "28/3"]) == 0
    out = capsys.readouterr().out
    assert snippet(out) == {"burglary_residential": {"label": "burglary - residential", "classes": ["028/03"]}}  # the force's title
    assert "# 1 class of the list" in out
    assert main(["classes", "8/01"]) == 0
    assert list(snippet(capsys.readouterr().out).values())[0]["classes"] == ["008/01"]
    assert main(["classes", "028/"]) == 0
    assert list(snippet(capsys.readouterr().out).values())[0]["classes"] == [r["code"] for r in shipped_rows() if r["code"].startswith("028/")]


def test_a_word_is_a_whole_word_of_the_title_not_one_it_excludes(capsys):
    """Found by a reviewer: `arson` found "Criminal damage endangering life (excluding arson)"."""
    assert main(["classes", "arson"]) == 0
    out = capsys.readouterr().out
    assert "excluding arson" not in out and "Arson" in out
    assert main(["classes", "rape"]) == 0
    assert "grape" not in capsys.readouterr().out.casefold()


def test_blank_words_are_no_words_and_every_group_has_a_name_and_a_label(capsys):
    assert main(["classes", "", " "]) == 0
    assert "Burglary: " in capsys.readouterr().out  # the groups, as with nothing asked
    assert main(["classes", " ", "--group", "robbery"]) == 0
    (entry,) = snippet(capsys.readouterr().out).values()
    assert entry["label"] == "robbery"


def test_output_cut_short_by_its_reader_ends_quietly():
    """Found by a reviewer: `foi-briefing classes ... | head` ended in a BrokenPipeError traceback."""
    import subprocess
    import sys

    shown = subprocess.Popen(
        [sys.executable, "-m", "helpers", "classes", "--group", "Other summary offences"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert shown.stdout is not None and shown.stdout.readline()
    shown.stdout.close()  # as `head -1` does, long before the 1,206 classes are written
    assert shown.wait(timeout=60) == 0
    assert b"Traceback" not in shown.stderr.read()


def test_a_class_the_force_titles_itself_is_found_and_shown_by_the_title_the_briefing_prints(capsys, tmp_path):
    """The shipped profile titles 058/03 as the force's systems do ("Criminal damage to a
    vehicle"): a user looking for the force's vehicle damage found only the list's title, which
    the briefing no longer prints."""
    assert main(["classes", "vehicle"]) == 0
    out = capsys.readouterr().out
    assert (
        "058/03  Criminal damage to a vehicle  (Criminal damage; the force\u2019s title, the list\u2019s: "
        "Racially or religiously aggravated other criminal damage)"
    ) in out
    assert "058/03" in snippet(out)["vehicle"]["classes"]
    assert main(["classes", "racially", "aggravated", "damage"]) == 0
    out = capsys.readouterr().out
    assert "058/04  Racially or religiously aggravated criminal damage" in out and "058/03" not in out
    # another force's profile, with no titles of its own: the list's
    from helpers.project import project_root

    values = yaml.safe_load((project_root() / "profiles" / "cms-connect.yaml").read_text(encoding="utf-8"))
    del values["class_titles"]
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(values))
    assert main(["classes", "vehicle", "--profile", str(tmp_path / "p.yaml")]) == 0
    assert "058/03" not in capsys.readouterr().out
