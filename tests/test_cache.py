"""The extract cache: the same model as the CSV files give, rebuilt when a file changes, safe
when two runs build it at once, and cleared with one command."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from builders import cms_crime, connect_crime, migrated, write_extract

from helpers.cache import entries as cache
from helpers.errors import ParameterError
from helpers.extracts.load import load_extracts


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("FOI_CACHE_DIR", str(folder))
    return folder


def extract_folder(tmp_path) -> Path:
    cms, connect = migrated("CM/16/0000001", "00000001/16", "2016-03-01T09:30:00", Circumstances="Updated: Predator Patrol sting.")
    return write_extract(
        tmp_path / "extracts",
        CMS_CRIMES=[cms, cms_crime("CM/16/0000002", CIRCUMSTANCES="Bike taken from a shed.", **{"OFFENCE DESCRIPTION": "OTHER THEFT"})],
        connect_crimes=[connect, connect_crime("00000002/17", **{"HO Class Description": "Other theft"})],
        CMS_NOMINALS=[{"CRIME NO": "CM/16/0000002", "NOMINAL NO": "400001", "PNC ID": "2000/0448754A", "SURNAME": "SMITH", "DOB": "24/05/1992"}],
        connect_persons=[{"Crime Reference": "00000002/17", "Person ID": "PERD1", "PNC ID": "00/448754A"}],
    )


def test_the_cached_model_equals_the_one_read_from_the_files(tmp_path, cache_dir):
    folder = extract_folder(tmp_path)
    direct = load_extracts(folder, personal_data=True)
    built = cache.open_extract(folder)  # builds
    again = cache.open_extract(folder)  # reads
    for cached in (built, again):
        pd.testing.assert_frame_equal(cached.crimes, direct.crimes, check_dtype=False, check_categorical=False)
        pd.testing.assert_frame_equal(cached.charges, direct.charges, check_dtype=False, check_categorical=False)
        pd.testing.assert_frame_equal(cached.people, direct.people, check_dtype=False, check_categorical=False)
        assert cached.data_quality == direct.data_quality
        assert cached.files == direct.files  # the manifest's hashes come from here
        assert cached.class_titles == direct.class_titles
        assert cached.circumstances(["00000001/16"]).tolist() == ["Updated: Predator Patrol sting."]
        assert set(cached.store.personal().to_pandas()["surname"].dropna()) == {"SMITH", "Smith"}


def test_a_changed_file_rebuilds_the_entry_and_the_old_one_goes(tmp_path, cache_dir):
    folder = extract_folder(tmp_path)
    assert len(cache.open_extract(folder).crimes) == 3
    first = cache.entry_name(folder)
    time.sleep(0.01)
    write_extract(folder, CMS_CRIMES=[cms_crime("CM/16/0000009")])  # re-exported: another state
    assert cache.entry_name(folder) != first
    assert cache.open_extract(folder).crimes["crime_id"].tolist() == ["CM/16/0000009"]
    entries = [p.name for p in cache_dir.iterdir() if p.is_dir()]
    assert entries == [cache.entry_name(folder)]


def test_two_runs_building_at_once_leave_one_good_entry(tmp_path, cache_dir):
    folder = extract_folder(tmp_path)
    code = "from helpers.cache import entries as cache; import sys; e = cache.open_extract(sys.argv[1]); print(len(e.crimes))"
    runs = [subprocess.Popen([sys.executable, "-c", code, str(folder)], stdout=subprocess.PIPE, text=True, env={**os.environ}) for _ in range(3)]
    assert [run.communicate()[0].strip() for run in runs] == ["3", "3", "3"]
    entries = [p for p in cache_dir.iterdir() if p.is_dir()]
    assert len(entries) == 1 and (entries[0] / "meta.json").is_file()
    assert not list(cache_dir.glob(".*building*"))


def test_the_cache_lives_outside_the_outputs_and_is_private(tmp_path, cache_dir):
    cache.open_extract(extract_folder(tmp_path))
    entry = next(p for p in cache_dir.iterdir() if p.is_dir())
    assert entry.stat().st_mode & 0o077 == 0  # as restricted as the extracts: owner only


def test_clear_removes_everything_it_made_but_its_root_and_mark(tmp_path, cache_dir):
    cache.open_extract(extract_folder(tmp_path))
    freed, kept = cache.clear()
    assert freed > 0 and kept == 0
    assert [p.name for p in cache_dir.iterdir()] == [".foi-briefing-cache"]


def test_an_entry_a_run_is_still_reading_stays_until_it_is_done(tmp_path, cache_dir):
    import gc

    folder = extract_folder(tmp_path)
    cache.open_extract(folder)
    reading = cache.open_built(folder)  # a run half-way through: it reads texts and names later
    old = reading.store.folder
    time.sleep(0.01)
    write_extract(folder, CMS_CRIMES=[cms_crime("CM/16/0000009")])  # a new export lands meanwhile
    assert cache.open_extract(folder).crimes["crime_id"].tolist() == ["CM/16/0000009"]  # built anew
    assert old.is_dir()  # not removed from under the run
    assert reading.store.texts(["00000001/16"])["circumstances"].to_pylist() == ["Updated: Predator Patrol sting."]
    assert cache.clear()[1] == 1 and old.is_dir()  # clear leaves it too, and says so
    del reading
    gc.collect()
    freed, kept = cache.clear()
    assert freed > 0 and kept == 0 and [p.name for p in cache_dir.iterdir()] == [".foi-briefing-cache"]


def test_a_reader_waiting_on_an_entry_being_removed_finds_it_gone(tmp_path, cache_dir):
    import fcntl
    import threading

    folder = extract_folder(tmp_path)
    entry = cache.open_extract(folder).store.folder
    cache._OPENED.clear()
    blocker = open(entry / "meta.json", "rb")
    fcntl.flock(blocker, fcntl.LOCK_EX)  # a remover, half-way
    found = []
    reader = threading.Thread(target=lambda: found.append(cache.hold_entry(entry)))
    reader.start()
    time.sleep(0.1)
    assert reader.is_alive()  # waits for the remover
    os.rename(entry, entry.with_name(".gone"))
    blocker.close()
    reader.join(5)
    assert found == [None]


def test_the_command_clears_the_cache(tmp_path, cache_dir):
    cache.open_extract(extract_folder(tmp_path))  # this process is reading it
    command = [Path(sys.executable).parent / "foi-briefing", "cache", "clear"]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ})
    assert done.returncode == 0 and "1 entry left: a running briefing is reading it" in done.stdout
    cache._OPENED.clear()  # done with it
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ})
    assert done.returncode == 0 and "removed" in done.stdout and "left" not in done.stdout
    assert [p.name for p in cache_dir.iterdir()] == [".foi-briefing-cache"]


@pytest.mark.parametrize("cached", ["memory", "cache", "cached files, read ahead"])
def test_the_gate_finds_the_extract_s_identifiers_names_and_texts_in_either_store(tmp_path, cache_dir, cached):
    from datetime import date

    from helpers.gate.sensitive import ExtractSensitive

    folder = extract_folder(tmp_path)
    assert cache.open_built(folder) is None  # not built yet
    if cached == "memory":
        extract = load_extracts(folder, personal_data=True)
    else:
        extract = cache.open_extract(folder)
    if cached == "cached files, read ahead":  # the runner's gate: no frames, columns read ahead
        extract = cache.open_built(folder)
        assert not hasattr(extract, "crimes") and extract.files == cache.open_extract(folder).files
    sensitive = ExtractSensitive(extract, ["00000001/16"])
    if cached == "cached files, read ahead":
        sensitive.prefetch()
    tokens = {"CM/16/0000001", "00000002/17", "400001", "PERD1", "00/448754A", "CM/16/0000404", "123456", "PER2"}
    assert sensitive.identifiers_present(tokens) == {"CM/16/0000001", "00000002/17", "400001", "PERD1", "00/448754A"}
    born = sensitive.people_with_dob({date(1992, 5, 24), date(2001, 1, 1)})
    assert born["surname"].tolist() == ["SMITH"] and born["date_of_birth"].tolist() == [date(1992, 5, 24)]
    # the next request's gate on the same extract: answers kept for tokens seen, new ones looked up
    assert sensitive.identifiers_present({"cm/16/0000001", "123456", "CM/16/0000002", "PERD9"}) == {"cm/16/0000001", "CM/16/0000002"}
    assert sensitive.identifiers_present(set()) == set()
    assert sensitive.people_with_dob({date(2001, 1, 1)}).empty
    assert sensitive.people_with_dob({date(1992, 5, 24)})["surname"].tolist() == ["SMITH"]
    assert sensitive.texts().to_pylist() == ["Updated: Predator Patrol sting."]


def test_the_gate_refuses_an_extract_loaded_without_its_personal_data(tmp_path):
    from helpers.gate.sensitive import ExtractSensitive

    with pytest.raises(ValueError, match="personal data"):
        ExtractSensitive(load_extracts(extract_folder(tmp_path)))  # it could not see names


def test_lookups_by_key_read_the_right_rows_across_many_record_batches(tmp_path, cache_dir, monkeypatch):
    """Texts and dates of birth are looked up by key: with record batches of 2 rows in the
    entry's files, every lookup crosses batches. Both stores give the same rows."""
    import pyarrow as pa

    write = cache._write_ipc

    def small_batches(table, path):
        write(pa.Table.from_batches(table.combine_chunks().to_batches(max_chunksize=2), table.schema) if table.num_rows else table, path)

    monkeypatch.setattr(cache, "_write_ipc", small_batches)
    crimes = [cms_crime(f"CM/16/{i:07d}", HO_CLASS=f"{88 + i % 3}/1", CIRCUMSTANCES=f"text {i}") for i in range(1, 12)]
    nominals = [{"CRIME NO": f"CM/16/{i:07d}", "NOMINAL NO": str(400000 + i), "SURNAME": f"NAME{i}", "DOB": f"{i:02d}/05/1992"} for i in range(1, 12)]
    folder = write_extract(tmp_path / "extracts", CMS_CRIMES=crimes, CMS_NOMINALS=nominals)
    memory, cached = load_extracts(folder, personal_data=True), cache.open_extract(folder)
    wanted = ["CM/16/0000002", "CM/16/0000007", "CM/16/0000011", "CM/16/0000404"]
    for extract in (memory, cached):
        assert extract.circumstances(wanted).sort_index().to_dict() == {"CM/16/0000002": "text 2", "CM/16/0000007": "text 7", "CM/16/0000011": "text 11"}
        born = extract.store.people_born(["03/05/1992", " 09/05/1992", "10/05/1992"]).to_pandas()
        assert sorted(born["surname"]) == ["NAME10", "NAME3"]
        assert extract.store.people_born([]).num_rows == 0
    assert len(cached.store.texts()) == 11
    with pa.memory_map(str(cached.store.folder / "texts-CMS_CRIMES.csv.arrow")) as source:
        assert pa.ipc.open_file(source).num_record_batches == 6


def test_dates_of_birth_are_looked_up_across_record_batches_and_files(tmp_path):
    """The store's lookup of people by date of birth, as written (blanks around it forgiven),
    over personal files of several record batches, one of them without dates at all."""
    import pyarrow as pa

    rows = pa.table({"person_key": [f"CMS:{i}" for i in range(7)], "surname": [f"NAME{i}" for i in range(7)],
                     "date_of_birth": ["01/05/1992", "02/05/1992 ", "", None, " 01/05/1992", "03/05/1992", "02/05/1992"]})
    for name, table in (("personal-A.csv.arrow", rows), ("personal-B.csv.arrow", rows.drop_columns(["date_of_birth"]))):
        with pa.OSFile(str(tmp_path / name), "wb") as handle, pa.ipc.new_file(handle, table.schema) as writer:
            writer.write_table(table, max_chunksize=2)
    store = cache.EntryStore(tmp_path)
    assert store.people_born([]).num_rows == 0
    born = store.people_born(["02/05/1992", "01/05/1992"])
    assert sorted(born["surname"].to_pylist()) == ["NAME0", "NAME1", "NAME4", "NAME6"]
    assert store.people_born(["03/05/1992"])["surname"].to_pylist() == ["NAME5"]
    assert store.personal().num_rows == 14


def test_a_run_claims_the_build_so_its_builder_not_its_kernel_builds(tmp_path, cache_dir):
    """The runner takes the build lock before its kernel starts and hands it to the builder
    process; a kernel (here: another process) quicker off the mark waits for the entry."""
    folder = extract_folder(tmp_path)
    lock = cache.claim_build(folder)
    assert lock is not None and cache.claim_build(folder) is None  # one claim at a time
    reader = subprocess.Popen(
        [sys.executable, "-c", "from helpers.cache import entries as cache; import sys; print(len(cache.open_extract(sys.argv[1]).crimes))", str(folder)],
        stdout=subprocess.PIPE, text=True, env={**os.environ},
    )
    builder = subprocess.run(
        [Path(sys.executable).parent / "foi-briefing", "cache", "build", "--extracts", str(folder), "--lock-fd", str(lock.fileno())],
        pass_fds=[lock.fileno()], capture_output=True, text=True, env={**os.environ}, timeout=120,
    )
    assert builder.returncode == 0, builder.stderr
    assert cache.is_built(folder)
    assert reader.poll() is None  # still waiting: the lock is ours until we let it go
    lock.close()
    assert reader.communicate(timeout=120)[0].strip() == "3"
    assert cache.claim_build(folder) is None  # built: nothing to claim


def test_the_builder_a_run_starts_builds_the_entry_itself(tmp_path, cache_dir):
    """The builder command a run starts builds the entry (were it to fail, the kernel would build
    it instead and nothing else would show it): the crimes here, the people beside it, no leftovers."""
    from helpers.extracts.profile import default_profile_path
    from helpers.run.background import builder_command

    folder = extract_folder(tmp_path)
    lock = cache.claim_build(folder)
    done = subprocess.run(builder_command(folder, lock.fileno(), cache_dir, default_profile_path()), pass_fds=[lock.fileno()], capture_output=True, text=True, timeout=120)
    lock.close()
    assert done.returncode == 0, done.stderr
    assert cache.is_built(folder)
    assert [p.name for p in cache_dir.iterdir() if p.is_dir()] == [cache.entry_name(folder)]  # no staging folder left
    assert sorted(p.name for p in (cache_dir / cache.entry_name(folder)).iterdir() if p.name.startswith(".")) == []  # nor the side's files
    assert len(cache.open_extract(folder).people) == 2


def test_a_fault_in_a_person_file_read_apart_is_named_and_leaves_no_entry(tmp_path, cache_dir):
    """The cache build reads the person and charge files in a process of its own: a fault there
    still stops the build with the one-line message, and leaves nothing half-built."""
    from helpers.errors import ExtractError

    folder = extract_folder(tmp_path)
    path = folder / "CMS_NOMINALS.csv"
    path.write_bytes(path.read_bytes().replace(b"NOMINAL NO", b"NOMINAL NUMBER", 1))
    with pytest.raises(ExtractError, match=r"^CMS_NOMINALS.csv: missing column 'NOMINAL NO'; the header has 'NOMINAL NUMBER' instead"):
        cache.open_extract(folder)
    assert not cache.is_built(folder)
    assert not [p for p in cache_dir.iterdir() if p.is_dir()]  # no entry, no staging folder


def test_a_fault_in_a_crimes_file_stops_the_build_while_the_people_are_read_apart(tmp_path, cache_dir):
    from helpers.errors import ExtractError

    folder = extract_folder(tmp_path)
    (folder / "connect_crimes.csv").write_bytes(b"")
    with pytest.raises(ExtractError, match=r"^connect_crimes.csv: the file is empty"):
        cache.open_extract(folder)
    assert not [p for p in cache_dir.iterdir() if p.is_dir()]


def test_a_missing_extracts_folder_is_named(tmp_path, cache_dir):
    from helpers.errors import ExtractError

    with pytest.raises(ExtractError, match="extracts folder not found"):
        cache.open_extract(tmp_path / "nowhere")


def test_the_cache_builds_from_any_python_even_one_reading_its_code_from_stdin(tmp_path, cache_dir):
    """The side process is a plain `python -c`: it never re-imports its parent's main script
    (multiprocessing's spawn did, and broke when the code came from a pipe)."""
    folder = extract_folder(tmp_path)
    code = f"from helpers.cache import entries as cache\nprint(len(cache.open_extract({str(folder)!r}).crimes))\n"
    done = subprocess.run([sys.executable, "-"], input=code, capture_output=True, text=True, env={**os.environ}, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "3"


def test_person_rows_are_stored_and_read_back_whole_and_by_column(tmp_path):
    """The people file (Arrow IPC) keeps every value, whether or not the chunks of a dictionary
    column share one dictionary (the person side unifies them; a table built here may not)."""
    import pyarrow as pa

    shared = pa.array(["CMS:1", "CMS:2"])
    own = pa.DictionaryArray.from_arrays(pa.array([1, 0], pa.int32()), shared)
    other = pa.DictionaryArray.from_arrays(pa.array([0], pa.int32()), pa.array(["Connect:9"]))
    for second in (pa.DictionaryArray.from_arrays(pa.array([0], pa.int32()), shared), other):
        table = pa.table({"person_key": pa.chunked_array([["CMS:2", "CMS:1"], ["Connect:9"]]), "individual_id": pa.chunked_array([own, second])})
        cache._write_ipc(table, tmp_path / cache.PEOPLE_FILE)
        store = cache.EntryStore(tmp_path)
        assert store.people().column("individual_id").to_pylist() == table.column("individual_id").to_pylist()
        assert store.people(["individual_id", "no_such_column", "person_key"]).column_names == ["individual_id", "person_key"]
        assert store.people(["person_key"]).column("person_key").to_pylist() == ["CMS:2", "CMS:1", "Connect:9"]


def test_a_single_run_starts_its_build_from_the_parameters_file_before_anything_else(tmp_path, cache_dir):
    """`start_build_for`: the build a parameters file's run needs, started from the file alone;
    nothing for a file with a fault (the run reports it), nor once the entry is built."""
    from helpers.run.request import start_build_for

    folder = extract_folder(tmp_path)
    params = tmp_path / "request.yaml"
    params.write_text((Path(__file__).parents[1] / "parameters" / "20180075.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    builder = start_build_for(params, str(folder), str(tmp_path / "out"), None)
    assert builder is not None
    assert builder.wait(timeout=120) == 0
    assert cache.is_built(folder)
    assert start_build_for(params, str(folder), str(tmp_path / "out"), None) is None  # built already
    broken = tmp_path / "broken.yaml"
    broken.write_text("reference: 1\n", encoding="utf-8")
    assert start_build_for(broken, str(tmp_path / "other"), None, None) is None


def test_person_and_charge_rows_set_aside_apart_are_quarantined_as_when_read_here(tmp_path, cache_dir):
    """The person side (a process without pandas) quarantines its rows, malformed records too,
    and the builder its rows whose crime is in no file (looked up while the side works), exactly
    as the files read in one process do."""
    folder = extract_folder(tmp_path)
    with open(folder / "CMS_NOMINALS.csv", "ab") as handle:  # no nominal number, then a field too many
        handle.write('CM/16/0000002,,,,,,\r\nCM/16/0000002,400009,x,y,z,1,2,3,4,5,6,7,8,9\r\n'.encode("cp1252"))
    with open(folder / "connect_persons.csv", "ab") as handle:  # no person reference; a crime in no file
        handle.write(b"00000002/17,,,,,,,\n99999999/17,PERD9,,,,,,\n")
    direct = load_extracts(folder, personal_data=True)
    assert sorted(direct.quarantine["reason"]) == ["crime not found in any crimes file", "has 14 fields, the header has 7", "no person reference", "no person reference"]
    cached = cache.open_extract(folder)
    pd.testing.assert_frame_equal(cached.quarantine.reset_index(drop=True), direct.quarantine.reset_index(drop=True), check_dtype=False)
    assert cached.data_quality == direct.data_quality
    pd.testing.assert_frame_equal(cached.people, direct.people, check_dtype=False, check_categorical=False)


def test_work_to_do_while_waiting_is_done_once_and_only_while_the_entry_is_not_built(tmp_path, cache_dir):
    folder = extract_folder(tmp_path)
    calls = []
    cache.open_extract(folder, while_waiting=lambda: calls.append(cache.is_built(folder)))
    assert calls == [False]  # before the build (here, this process's own)
    cache._OPENED.clear()
    cache.open_extract(folder, while_waiting=lambda: calls.append("again"))
    assert calls == [False]  # built: nothing to wait for


def test_the_person_side_leaves_its_rows_crime_references_before_working_out_who_is_who(tmp_path, monkeypatch):
    """The builder looks the references up while the side resolves individuals: they are the
    person then charge rows' own, in the order of the tables the side hands over after."""
    import pyarrow as pa

    from helpers.extracts import side_work
    from helpers.extracts.people_side import SIDE_REFS, SIDE_TABLES
    from helpers.extracts.profile import profile_sources

    folder = extract_folder(tmp_path)
    with open(folder / "CMS_CHARGES.csv", "ab") as handle:
        handle.write(b"CM/16/0000001,400001,01/06/2017,SX03225,Meet\r\n")
    seen = {}
    resolve = side_work.resolve_individuals
    monkeypatch.setattr(side_work, "resolve_individuals", lambda *a: seen.setdefault("refs there", (tmp_path / "side" / SIDE_REFS).is_file()) and resolve(*a))
    (tmp_path / "side").mkdir()
    side_work._people_side(folder, profile_sources(), False, tmp_path / "side")
    assert seen == {"refs there": True}
    refs = pa.ipc.open_file(pa.memory_map(str(tmp_path / "side" / SIDE_REFS))).read_all()["crime_ref"].to_pylist()
    people, charges = (pa.ipc.open_file(pa.memory_map(str(tmp_path / "side" / name))).read_all() for name in SIDE_TABLES)
    assert refs == people["crime_ref"].to_pylist() + charges["crime_ref"].to_pylist()
    assert refs == ["CM/16/0000002", "00000002/17", "CM/16/0000001"]  # two person rows, one charge


def test_texts_asked_for_again_are_the_same_and_other_crimes_get_their_own(tmp_path, cache_dir):
    store = cache.open_extract(extract_folder(tmp_path)).store
    everything = store.texts().to_pandas().set_index("crime_id")["circumstances"]
    ids = list(everything.index[:3])

    def texts(crime_ids):
        got = store.texts(crime_ids).to_pandas()
        return dict(zip(got["crime_id"], got["circumstances"]))

    first = texts(ids)
    assert first == everything[ids].to_dict()
    assert texts(ids[::-1] + ids[:1]) == first  # the same crimes, in another order, repeated
    assert texts(ids[1:]) == everything[ids[1:]].to_dict()  # fewer: not the last answer
    assert texts([]) == {}
    assert texts(ids) == first


def test_the_gate_s_answers_are_kept_with_the_extract_for_the_next_checker(tmp_path, cache_dir, monkeypatch):
    """The kernel makes a new checker for each request's tables: what the checks of one extract
    read and found serves the next checker of the same extract, and only of it."""
    from helpers.gate import sensitive
    from helpers.gate.sensitive import ExtractSensitive

    # kept by the files' contents too: another test's extract of the same files answered already
    monkeypatch.setattr(sensitive, "_LOOKUPS_BY_FILES", {})
    extract = cache.open_extract(extract_folder(tmp_path))
    first = ExtractSensitive(extract)
    assert first.identifiers_present({"CM/16/0000001", "123456"}) == {"CM/16/0000001"}
    looked_up = []
    monkeypatch.setattr(sensitive.ExtractSensitive, "_identifiers_among", lambda self, upper: looked_up.append(upper) or set())
    second = ExtractSensitive(extract)
    assert second.identifiers_present({"cm/16/0000001", "123456"}) == {"cm/16/0000001"}  # from the first's answers
    assert looked_up == []
    second.identifiers_present({"PER2"})
    assert looked_up == [{"PER2"}]  # a token not asked about before is looked up
    # the same files loaded another way (in memory): the same answers, by the files' SHA-256s;
    # an extract of other files gets its own (tests/test_gate_disguised.py)
    other = load_extracts(extract_folder(tmp_path / "other"), personal_data=True)
    ExtractSensitive(other).identifiers_present({"CM/16/0000001"})
    assert looked_up == [{"PER2"}]


# ---- what searches of an entry's texts found, kept in the entry for the next process


def test_a_search_of_the_texts_is_kept_in_the_entry_for_the_next_process(tmp_path, cache_dir):
    import numpy as np

    from helpers.cache.searches import KeptSearches

    entry = cache.open_extract(extract_folder(tmp_path)).store.folder
    assert KeptSearches(entry, 3).get("grey van") is None
    KeptSearches(entry, 3).put("grey van", np.array([0, 2]))
    assert KeptSearches(entry, 3).get("grey van").tolist() == [0, 2]  # another process's
    assert KeptSearches(entry, 3).get("red van") is None  # another search
    KeptSearches(entry, 3).put("no van", np.array([], np.int64))
    assert KeptSearches(entry, 3).get("no van").tolist() == []  # found in no text: kept too


def test_a_kept_search_that_is_not_whole_or_not_of_these_texts_is_not_used(tmp_path, cache_dir):
    import numpy as np

    from helpers.cache.searches import KeptSearches

    entry = cache.open_extract(extract_folder(tmp_path)).store.folder
    kept = KeptSearches(entry, 3)
    kept.put("grey van", np.array([0, 2]))
    path = kept._path("grey van")
    whole = path.read_bytes()
    assert KeptSearches(entry, 2).get("grey van") is None  # text no. 2 is not among 2 texts
    path.write_bytes(whole[:-3])  # cut short
    assert kept.get("grey van") is None
    path.write_bytes(whole.replace(b"grey", b"gray"))  # another search's file under this name
    assert kept.get("grey van") is None
    path.write_bytes(whole[: -16] + np.array([2, 0], "<i8").tobytes())  # not ascending
    assert kept.get("grey van") is None
    path.write_bytes(whole)
    assert kept.get("grey van").tolist() == [0, 2]


def test_a_search_is_kept_nowhere_without_an_error_where_the_entry_cannot_be_written(tmp_path, cache_dir):
    import numpy as np

    from helpers.cache.searches import SEARCHES, KeptSearches

    entry = cache.open_extract(extract_folder(tmp_path)).store.folder
    (entry / SEARCHES).write_text("not a folder")  # as a folder nobody may write in would
    KeptSearches(entry, 3).put("grey van", np.array([0]))
    assert KeptSearches(entry, 3).get("grey van") is None
    assert (entry / SEARCHES).read_text() == "not a folder"


COPIED = "Caller reported that a grey van had been parked near the primary school gates."


def copied_text_extract(tmp_path) -> Path:
    """An extract with a text an analyst could paste into a label, and a person's data."""
    return write_extract(
        tmp_path / "extracts",
        CMS_CRIMES=[cms_crime("CM/16/0000001", CIRCUMSTANCES="Bike taken from a shed."), cms_crime("CM/16/0000002", CIRCUMSTANCES=COPIED)],
        CMS_NOMINALS=[{"CRIME NO": "CM/16/0000002", "NOMINAL NO": "400001", "SURNAME": "SMITH", "DOB": "24/05/1992"}],
    )


def test_the_gate_finds_a_label_copied_from_any_text_through_the_searches_the_entry_keeps(tmp_path, cache_dir, monkeypatch):
    """The first process to gate a label searches every text for its anchor words and keeps what
    it found in the extract's cache entry; the next (a new process: nothing kept in memory) reads
    it from there instead of searching, and still finds the copied label; a kept search that is
    damaged is searched again."""
    from helpers.cache.searches import SEARCHES
    from helpers.gate import sensitive
    from helpers.gate.check import check_tables
    from helpers.gate.rules import copied_text
    from helpers.gate.sensitive import ExtractSensitive

    extract = cache.open_extract(copied_text_extract(tmp_path))
    label = "grey van had been parked near the primary school"
    table = {"charged": pd.DataFrame({"Charged": ["27"]}, index=pd.Index([label], name="Charge group"))}
    searched = []
    real = copied_text._holding
    monkeypatch.setattr(copied_text, "_holding", lambda texts, anchors: searched.append(anchors) or real(texts, anchors))

    def gate_in_a_new_process():
        monkeypatch.setattr(sensitive, "_LOOKUPS_BY_FILES", {})
        monkeypatch.setattr(sensitive, "_LOOKUPS", __import__("weakref").WeakKeyDictionary())
        monkeypatch.setattr(copied_text, "_KEPT", {})
        searched.clear()
        report = check_tables(table, 5, ExtractSensitive(extract, []))  # no text in the scope
        return [f.rule for f in report.findings]

    assert gate_in_a_new_process() == ["copied_text"]
    assert searched  # every text searched, and what was found kept in the entry
    assert list((extract.store.folder / SEARCHES).iterdir())
    assert gate_in_a_new_process() == ["copied_text"]
    assert searched == []  # read from the entry
    for path in (extract.store.folder / SEARCHES).iterdir():
        path.write_bytes(path.read_bytes()[:-1])
    assert gate_in_a_new_process() == ["copied_text"]
    assert searched  # not whole: searched again


def test_a_look_up_s_answer_is_kept_in_the_entry_as_a_table_and_not_used_if_damaged(tmp_path, cache_dir):
    import pyarrow as pa

    from helpers.cache.searches import KeptSearches

    entry = cache.open_extract(extract_folder(tmp_path)).store.folder
    answer = pa.table({"surname": ["SMITH"], "forenames": ["JOHN"]})
    assert KeptSearches(entry).table("people named") is None
    KeptSearches(entry).keep_table("people named", answer)
    assert KeptSearches(entry).table("people named").equals(answer)
    assert KeptSearches(entry).table("people born") is None  # another look-up
    path = KeptSearches(entry)._path("people named")
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    assert KeptSearches(entry).table("people named") is None  # not whole: looked up again
    KeptSearches(entry).keep_table("people born", answer)
    path.write_bytes(KeptSearches(entry)._path("people born").read_bytes())  # another's answer
    assert KeptSearches(entry).table("people named") is None
    # found by a reviewer: a table Arrow cannot write as one file raised; now nothing is kept
    two = pa.chunked_array([pa.array(["a"]).dictionary_encode(), pa.array(["b"]).dictionary_encode()])
    KeptSearches(entry).keep_table("two dictionaries", pa.table({"x": two}))
    assert KeptSearches(entry).table("two dictionaries") is None


def test_the_gate_s_look_ups_of_people_are_kept_in_the_entry_and_still_find_the_person(tmp_path, cache_dir, monkeypatch):
    """The kernel's gate on the tables and the runner's on the release ask who is named on the
    request's crimes, and who was born on the release's dates: the first to ask keeps the answer
    in the extract's cache entry, the next (a new process) reads it without reading a name or a
    date of birth of the extract, and still finds the person."""
    from helpers.gate import sensitive
    from helpers.gate.check import check_tables
    from helpers.gate.rules import copied_text
    from helpers.gate.sensitive import ExtractSensitive

    extract = cache.open_extract(copied_text_extract(tmp_path))

    def gate_in_a_new_process(label):
        monkeypatch.setattr(sensitive, "_LOOKUPS_BY_FILES", {})
        monkeypatch.setattr(sensitive, "_LOOKUPS", __import__("weakref").WeakKeyDictionary())
        monkeypatch.setattr(copied_text, "_KEPT", {})
        table = {"charged": pd.DataFrame({"Charged": ["27"]}, index=pd.Index([label], name="Charge group"))}
        report = check_tables(table, 5, ExtractSensitive(extract, ["CM/16/0000002"]))
        return [(f.rule, f.detail) for f in report.findings]

    full_name = gate_in_a_new_process("Charged: John Smith")
    with_dob = gate_in_a_new_process("Smith, born 24/05/1992, charged")
    assert [rule for rule, _ in full_name] == ["name_with_dob"] and [rule for rule, _ in with_dob] == ["name_with_dob"]

    def no_reading(*args):
        raise AssertionError("read the extract's names or dates of birth again")

    monkeypatch.setattr(ExtractSensitive, "_name_tables", no_reading)
    monkeypatch.setattr(type(extract.store), "people_born", no_reading)
    assert gate_in_a_new_process("Charged: John Smith") == full_name
    assert gate_in_a_new_process("Smith, born 24/05/1992, charged") == with_dob
    assert gate_in_a_new_process("Charged: 27 people") == []


# ---- issue 17: the cache deletes nothing it did not make, and is private whatever the umask


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under `folder`."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))}


def clear_command(env=None) -> subprocess.CompletedProcess:
    command = [Path(sys.executable).parent / "foi-briefing", "cache", "clear"]
    return subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120)


def test_clear_refuses_a_folder_the_cache_did_not_make_and_deletes_nothing(tmp_path):
    mine = tmp_path / "documents"  # FOI_CACHE_DIR set to a user's own folder by mistake
    (mine / "holiday").mkdir(parents=True)
    (mine / "notes.txt").write_text("my notes\n")
    (mine / "holiday" / "photo.jpg").write_bytes(b"\xff\xd8 a photo")
    before = tree(mine)
    done = clear_command({"FOI_CACHE_DIR": str(mine)})
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1, done.stderr
    assert str(mine) in done.stderr and "not foi-briefing's extract cache" in done.stderr, done.stderr
    assert tree(mine) == before  # nothing deleted, nothing added


def test_clear_removes_the_entries_and_locks_but_not_a_stray_file_nor_the_root(tmp_path, cache_dir):
    cache.open_extract(extract_folder(tmp_path))
    cache._OPENED.clear()
    assert (cache_dir / ".foi-briefing-cache").is_file()  # the cache marked the root it made
    (cache_dir / "notes.txt").write_text("someone's file\n")
    (cache_dir / "kept").mkdir()
    (cache_dir / "kept" / "a.txt").write_text("someone's folder\n")
    (cache_dir / ".hidden").mkdir()  # a dot-folder that is not a build of ours
    stopped = cache_dir / f".{'a' * 16}-{'b' * 16}.building-999999999"  # a build that was stopped
    running = cache_dir / f".{'c' * 16}-{'d' * 16}.building-{os.getpid()}"  # one still at work
    for build in (stopped, running):
        build.mkdir()
        (build / "crimes.arrow").write_bytes(b"half")
    freed, kept = cache.clear()
    assert not stopped.exists() and (running / "crimes.arrow").is_file()
    running.rename(cache_dir / "kept" / running.name)  # done with it
    assert freed > 0 and kept == 0
    assert sorted(p.name for p in cache_dir.iterdir()) == [".foi-briefing-cache", ".hidden", "kept", "notes.txt"]
    assert (cache_dir / "notes.txt").read_text() == "someone's file\n"
    assert (cache_dir / "kept" / "a.txt").read_text() == "someone's folder\n"


def test_a_cache_from_before_the_mark_is_adopted_only_if_all_in_it_is_the_cache_s(tmp_path, cache_dir):
    cache.open_extract(extract_folder(tmp_path))
    cache._OPENED.clear()
    (cache_dir / ".foi-briefing-cache").unlink()  # as an older version left it: entries, locks, no mark
    done = clear_command()
    assert done.returncode == 0, done.stderr
    assert "adopted" in done.stdout and "removed" in done.stdout, done.stdout
    assert [p.name for p in cache_dir.iterdir()] == [".foi-briefing-cache"]
    # an unmarked folder with anything else in it is not adopted, by a clear or by a build
    (cache_dir / ".foi-briefing-cache").unlink()
    (cache_dir / "notes.txt").write_text("someone's file\n")
    assert clear_command().returncode == 2
    with pytest.raises(ParameterError, match="not foi-briefing's extract cache"):
        cache.open_extract(extract_folder(tmp_path))
    assert [p.name for p in cache_dir.iterdir()] == ["notes.txt"]


def keep_a_search(extract) -> None:
    """A search of the entry's texts kept in it (`helpers.cache.searches`), as the gate keeps one."""
    import numpy as np

    from helpers.cache.searches import SEARCHES, KeptSearches

    KeptSearches(extract.store.folder, 3).put("grey van", np.array([1]))
    assert list((extract.store.folder / SEARCHES).iterdir())


def test_the_cache_is_owner_only_whatever_the_umask(tmp_path, cache_dir):
    old = os.umask(0o022)
    try:
        folder = extract_folder(tmp_path)
        lock = cache.claim_build(folder)  # as a run claims the build: the root and its lock file
        lock.close()
        keep_a_search(cache.open_extract(folder))
    finally:
        os.umask(old)
    everything = [cache_dir, *cache_dir.rglob("*")]
    assert len(everything) > 8
    modes = {str(p.relative_to(cache_dir)): oct(p.stat().st_mode & 0o777) for p in everything}
    assert {m for p, m in modes.items() if Path(cache_dir / p).is_dir()} == {"0o700"}, modes
    assert {m for p, m in modes.items() if Path(cache_dir / p).is_file()} == {"0o600"}, modes


def a_share_group():
    """A group to share with other than the user's own (as root, any; else one the user is in),
    so that the cache's files really change group; the user's own if there is none."""
    import grp

    others = [g for g in grp.getgrall() if g.gr_gid != os.getegid() and (os.geteuid() == 0 or g.gr_gid in os.getgroups())]
    return others[0] if others else grp.getgrgid(os.getegid())


def modes_and_groups(folder: Path) -> set[tuple[str, str, int]]:
    """(kind, mode, group) of `folder` and everything under it."""
    return {("folder" if p.is_dir() else "file", oct(p.stat().st_mode & 0o777), p.stat().st_gid) for p in [folder, *folder.rglob("*")]}


def test_a_share_group_makes_the_cache_readable_by_that_group_only(tmp_path, cache_dir, monkeypatch):
    group = a_share_group()
    monkeypatch.setenv("FOI_SHARE_GROUP", group.gr_name)
    old = os.umask(0o022)
    try:
        folder = extract_folder(tmp_path)
        lock = cache.claim_build(folder)  # as a run claims the build: the root and its lock file
        lock.close()
        keep_a_search(cache.open_extract(folder))
    finally:
        os.umask(old)
    assert len(list(cache_dir.rglob("*"))) > 8
    assert modes_and_groups(cache_dir) == {("folder", "0o750", group.gr_gid), ("file", "0o640", group.gr_gid)}


def test_the_cache_root_follows_the_share_setting_and_leaves_a_stray_file_alone(tmp_path, cache_dir, monkeypatch):
    folder = extract_folder(tmp_path)
    cache.open_extract(folder)  # owner-only
    cache._OPENED.clear()
    stray = cache_dir / "notes.txt"
    stray.write_text("someone's file\n")
    os.chmod(stray, 0o644)
    group = a_share_group()
    monkeypatch.setenv("FOI_SHARE_GROUP", group.gr_name)
    (folder / "CMS_CRIMES.csv").write_bytes((folder / "CMS_CRIMES.csv").read_bytes() + b"\r\n")  # a new entry
    cache.open_extract(folder)
    cache._OPENED.clear()
    assert oct(cache_dir.stat().st_mode & 0o777) == "0o750" and cache_dir.stat().st_gid == group.gr_gid
    entries = [p for p in cache_dir.iterdir() if p.is_dir()]
    assert len(entries) == 1 and modes_and_groups(entries[0]) == {("folder", "0o750", group.gr_gid), ("file", "0o640", group.gr_gid)}
    assert oct(stray.stat().st_mode & 0o777) == "0o644"  # not the cache's: not touched
    monkeypatch.delenv("FOI_SHARE_GROUP")
    cache.own_root()  # the root's next use (a build, a lock, a clear) without the setting
    assert oct(cache_dir.stat().st_mode & 0o777) == "0o700"


def test_the_entry_keeps_the_crimes_in_one_record_batch(tmp_path, cache_dir):
    """The counts take rows of the crimes' columns, and Arrow takes rows of an array in pieces
    far slower than of one (docs/performance.md): the two systems' crimes are written as one."""
    import pyarrow as pa

    entry = cache.open_extract(extract_folder(tmp_path))
    with pa.memory_map(str(entry.store.folder / cache.CRIMES_FILE)) as source:
        assert pa.ipc.open_file(source).num_record_batches == 1
    assert entry.crimes["crime_id"].array._pa_array.num_chunks == 1


def test_columns_of_an_entry_file_are_mapped_not_copied(tmp_path):
    """Some of a file's columns are read as all of them are, mapped: Arrow's reader of chosen
    columns copies whole record batches into memory (docs/performance.md: 0.2-0.45 s of the
    kernel's time for the person rows' four columns)."""
    import pyarrow as pa

    table = pa.table({"crime_id": [f"CMS:{i}" for i in range(50_000)], "role": ["victim"] * 50_000, "note": ["x" * 40] * 50_000})
    cache._write_ipc(table, tmp_path / cache.PEOPLE_FILE)
    before = pa.total_allocated_bytes()
    chosen = cache.EntryStore(tmp_path).people(["role", "crime_id"])
    assert pa.total_allocated_bytes() - before < 4096
    assert chosen.column_names == ["role", "crime_id"]
    assert chosen.column("crime_id").to_pylist()[-1] == "CMS:49999"


def rows_point_home(extract):
    """Every person and charge row's crime_row is its own crime's row (-1: a crime set aside, so
    not among the crimes), and its personal_row its own names and date of birth."""
    import pyarrow as pa

    ids = extract.crimes["crime_id"].astype(str).tolist()
    people = extract.store.people(["crime_id", "crime_row", "person_key", "file", "personal_row"]).to_pylist()
    charges = extract.charges[["crime_id", "crime_row"]].astype(object).to_dict("records")
    for row in people + charges:
        if row["crime_row"] >= 0:
            assert ids[row["crime_row"]] == row["crime_id"]
        else:
            assert row["crime_id"] not in ids
    for row in people:
        personal = extract.store.personal_of(str(row["file"]), ["person_key", "date_of_birth"])
        if personal is not None:
            assert personal["person_key"][row["personal_row"]].as_py() == row["person_key"]
    assert isinstance(extract.store.people(["crime_row"])["crime_row"].type, pa.DataType)
    return people, charges


def test_each_person_and_charge_row_keeps_its_crime_s_row_and_its_personal_data_s_row(tmp_path, cache_dir):
    """A count finds a crime's people by the crime's row, and a person's date of birth by its row
    in its file's personal data (no hashing of millions of IDs): for a migrated crime's people on
    its legacy reference, on a crime set aside, on two files, in the cache and read directly."""
    cms, connect = migrated("CM/16/0000001", "00000001/16", "2016-03-01T09:30:00")
    folder = write_extract(
        tmp_path / "extracts",
        CMS_CRIMES=[cms_crime("CM/16/0000009"), cms, cms_crime("CM/16/0000002"), cms_crime("CM/16/0000003", "31/02/2016 10:00")],
        connect_crimes=[connect_crime("00000002/17"), connect],
        CMS_NOMINALS=[
            {"CRIME NO": "CM/16/0000002", "NOMINAL NO": "400001", "SURNAME": "SMITH", "DOB": "24/05/1992"},
            {"CRIME NO": "CM/16/0000001", "NOMINAL NO": "400002", "SURNAME": "JONES", "DOB": "01/01/1990"},
            {"CRIME NO": "CM/16/0000003", "NOMINAL NO": "400003", "SURNAME": "BROWN", "DOB": "02/02/1991"},
            {"CRIME NO": "CM/16/0000404", "NOMINAL NO": "400004", "SURNAME": "GREEN"},
            {"CRIME NO": "CM/16/0000009", "NOMINAL NO": "400005", "SURNAME": "WHITE"},
        ],
        connect_persons=[{"Crime Reference": "00000002/17", "Person ID": "PERD1"}, {"Crime Reference": "00000001/16", "Person ID": "PERD2"}],
        connect_charges=[{"Crime Reference": "00000002/17", "Person ID": "PERD1", "Charge Date": "2017-12-20", "CJS Code": "SX03225"}],
    )
    for extract in (load_extracts(folder, personal_data=True), cache.open_extract(folder)):
        people, charges = rows_point_home(extract)
        by_key = {row["person_key"]: row for row in people}
        assert by_key["CMS:400002"]["crime_id"] == "00000001/16" and by_key["CMS:400002"]["crime_row"] >= 0
        assert by_key["CMS:400003"]["crime_row"] == -1  # its crime was set aside (31 February)
        assert "CMS:400004" not in by_key  # no crime of that reference: quarantined
        assert len(charges) == 1 and charges[0]["crime_row"] >= 0


def test_the_sample_s_rows_keep_their_crimes_and_personal_data_rows(tmp_path_factory, cache_dir):
    from builders import sample_or_synthetic

    people, _ = rows_point_home(cache.open_extract(sample_or_synthetic(tmp_path_factory)))
    assert sum(row["crime_row"] >= 0 for row in people) > 1000
