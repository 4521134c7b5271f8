"""The review store (`helpers.analysis.review_store`): append-only, one file per request in the
log folder, owner-only, a damaged line a one-line error, the second reviewer's sample."""

import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.analysis.review_store import (
    HUNTER_GROUP,
    ReviewStore,
    draw_rank,
    log_folder_for,
    second_review_size,
    text_hash,
)
from helpers.errors import DecisionsError
from helpers.request.parameters import read_parameters

PARAMS = Path(__file__).resolve().parents[1] / "parameters" / "20180075.yaml"


@pytest.fixture
def store(tmp_path) -> ReviewStore:
    return ReviewStore.for_request(tmp_path / "log", "20180075")


def test_the_store_is_one_file_per_request_in_the_log_folder_made_only_when_written(tmp_path):
    store = ReviewStore.for_request(tmp_path / "log", "A-1")
    assert store.path == tmp_path / "log" / "reviews" / "A-1.jsonl"
    assert store.latest() == {} and store.decisions() == []
    assert not (tmp_path / "log").exists()
    store.record("C1", "text", "yes", "AB")
    assert store.path.is_file()


def test_a_request_reference_that_is_not_one_is_refused(tmp_path):
    for bad in ("../x", "", "a/b", ".hidden"):
        with pytest.raises(DecisionsError):
            ReviewStore.for_request(tmp_path, bad)


def test_the_text_hash_ignores_line_endings_only():
    assert text_hash("a\r\nb\rc\n") == text_hash("a\nb\nc\n")
    assert text_hash("a b") != text_hash("a  b")
    assert text_hash(None) == text_hash("")


def test_a_changed_mind_is_a_new_line_and_the_latest_wins(store):
    store.record("C1", "first text", "yes", "AB", note="a group's sting")
    store.record("C2", "second text", "n", "AB")
    store.record("C1", "first text", "No", " CD ", note="a council team")
    lines = store.path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and json.loads(lines[0])["decision"] == "yes"
    latest = store.latest()
    assert {ref: d.decision for ref, d in latest.items()} == {"C1": "no", "C2": "no"}
    assert latest["C1"].reviewer == "CD" and latest["C1"].note == "a council team"
    assert latest["C1"].text_hash == text_hash("first text")
    assert latest["C1"].question == HUNTER_GROUP and latest["C1"].role == "first"


def test_questions_and_roles_are_kept_apart(store):
    store.record("C1", "t", "yes", "AB")
    store.record("C1", "t", "no", "AB", question="weapon")
    store.record("C1", "t", "no", "CD", role="second")
    assert store.latest()["C1"].decision == "yes"
    assert store.latest(question="weapon")["C1"].decision == "no"
    assert store.latest(role="second")["C1"].reviewer == "CD"


@pytest.mark.parametrize(
    ("kwargs", "names"),
    [
        ({"decision": "maybe"}, "decision must be yes or no"),
        ({"reviewer": "  "}, "reviewer: say who"),
        ({"reviewer": "A\x1bB"}, "control character"),
        ({"role": "third"}, "role: must be one of first, second"),
        ({"question": "two words"}, "question:"),
        ({"reference": " "}, "reference:"),
    ],
)
def test_a_bad_entry_is_a_one_line_error_and_writes_nothing(store, kwargs, names):
    entry = {"reference": "C1", "text": "t", "decision": "yes", "reviewer": "AB", **kwargs}
    with pytest.raises(DecisionsError, match=names) as raised:
        store.record(**entry)
    assert "\n" not in str(raised.value)
    assert not store.path.exists()


def test_a_note_is_kept_on_one_line(store):
    assert store.record("C1", "t", "yes", "AB", note=" two\nlines\t here ").note == "two lines here"


def test_the_second_review_is_another_reviewers(store):
    store.record("C1", "t", "yes", "AB")
    with pytest.raises(DecisionsError, match="another reviewer"):
        store.record("C1", "t", "no", "ab", role="second")


def test_a_damaged_line_is_a_one_line_error_naming_the_file_and_line(store):
    store.record("C1", "t", "yes", "AB")
    store.record("C2", "t", "no", "AB")
    with open(store.path, "ab") as file:
        file.write(b'{"reference": "C3", "decis')  # a write cut short
    with pytest.raises(DecisionsError) as raised:
        store.latest()
    message = str(raised.value)
    assert f"{store.path}: line 3: damaged" in message and "\n" not in message
    store.path.write_text('{"reference": "C1"}\n', encoding="utf-8")
    with pytest.raises(DecisionsError, match="line 1: not a review decision"):
        store.decisions()


def test_the_store_is_owner_only_whatever_the_umask(tmp_path, monkeypatch):
    monkeypatch.delenv("FOI_SHARE_GROUP", raising=False)
    previous = os.umask(0o022)
    try:
        store = ReviewStore.for_request(tmp_path / "log", "R1")
        store.record("C1", "t", "yes", "AB")
    finally:
        os.umask(previous)
    for path in (tmp_path / "log", store.path.parent, store.path):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


APPENDER = """
import sys
from pathlib import Path
from helpers.analysis.review_store import ReviewStore
store = ReviewStore.for_request(Path(sys.argv[1]), "R1")
for n in range(40):
    store.record(f"{sys.argv[2]}{n}", "x" * 3000, "yes", sys.argv[2], note="y" * 2000)
"""


def test_two_reviewers_writing_at_once_lose_no_line_and_mix_none(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    writers = [
        subprocess.Popen([sys.executable, "-c", APPENDER, str(tmp_path / "log"), name], env=env)
        for name in ("A", "B")
    ]
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0]
    latest = ReviewStore.for_request(tmp_path / "log", "R1").latest()
    assert sorted(latest) == sorted(f"{name}{n}" for name in "AB" for n in range(40))


def test_the_second_reviewers_sample_is_a_seeded_fifth_at_least_ten(store):
    assert [second_review_size(n) for n in (0, 3, 10, 49, 50, 51, 100)] == [0, 3, 10, 10, 10, 11, 20]
    for n in range(60):
        store.record(f"C{n}", "t", "yes", "AB")
    sample = store.second_review_sample()
    assert len(sample) == 12 and len(set(sample)) == 12
    expected = sorted((f"C{n}" for n in range(60)), key=lambda ref: draw_rank("20180075", ref))[:12]
    assert sample == expected
    other = ReviewStore(store.path, seed="another request")
    assert other.second_review_sample() != sample  # the seed is the request's reference


def test_the_sample_keeps_its_crimes_as_decisions_are_added(store):
    for n in range(60):
        store.record(f"C{n}", "t", "yes", "AB")
    before = set(store.second_review_sample())
    for n in range(60, 70):
        store.record(f"C{n}", "t", "yes", "AB")
    after = set(store.second_review_sample())
    assert len(after) == 14
    # a crime leaves the sample only for a new crime drawn ahead of it
    assert all(int(ref[1:]) >= 60 for ref in after - before)


def test_a_disagreement_is_listed_until_a_later_first_decision_settles_it(store):
    store.record("C1", "t", "yes", "AB")
    store.record("C2", "t", "no", "AB")
    store.record("C1", "t", "no", "CD", role="second")
    store.record("C2", "t", "no", "CD", role="second")
    pairs = store.disagreements()
    assert [(f.reference, f.decision, s.decision) for f, s in pairs] == [("C1", "yes", "no")]
    assert store.state()["open_disagreements"] == 1
    store.record("C1", "t", "yes", "AB", note="settled with CD: the group's own video")
    assert store.disagreements() == []


def test_the_state_hashes_the_file_and_counts_without_naming_a_crime(store):
    assert store.state()["sha256"] is None and store.state()["lines"] == 0
    store.record("C1", "t", "yes", "AB")
    store.record("C1", "t", "no", "AB")
    store.record("C2", "t", "yes", "AB")
    state = store.state()
    assert state["sha256"] == hashlib.sha256(store.path.read_bytes()).hexdigest()
    assert (state["lines"], state["decided"], state["decided_yes"]) == (3, 2, 1)
    assert "C1" not in json.dumps(state)


def test_the_state_counts_the_decisions_of_the_question_asked(store):
    """A search of the request grammar has its own question: its run's state counts its own
    decisions (it said `decided: 0` beside `reviewed: 2`)."""
    store.record("C1", "t", "yes", "AB", question="search_dog")
    store.record("C2", "t", "no", "AB", question="search_dog")
    store.record("C3", "t", "yes", "AB")
    assert (store.state("search_dog")["decided"], store.state("search_dog")["decided_yes"]) == (2, 1)
    assert (store.state()["decided"], store.state()["lines"]) == (1, 3)


def test_the_notebooks_find_the_runs_log_folder(tmp_path, monkeypatch):
    params = read_parameters(PARAMS)
    monkeypatch.setenv("FOI_LOG_DIR", str(tmp_path / "env-log"))
    assert log_folder_for(params) == (tmp_path / "env-log").resolve()
    assert log_folder_for(params, tmp_path / "given") == (tmp_path / "given").resolve()
