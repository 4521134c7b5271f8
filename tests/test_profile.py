"""Force profiles (issue 20): a force's crime systems are a YAML file, checked in one line a key."""

from __future__ import annotations

from pathlib import Path

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
        ("systems.0.encoding", "latin-9", "force.yaml: systems.0.encoding: Input should be 'cp1252' or 'utf-8' (got 'latin-9')"),
        ("systems.1.files.crimes.columns.crime_ref", None, "force.yaml: systems.1: files.crimes.columns.crime_ref: missing (required)"),
        ("systems.0.files.people.columns.shoe_size", "SHOE", "force.yaml: systems.0: files.people.columns.shoe_size: not a field of people"),
        ("systems.0.ho_class_pattern", r"^(\d{3})/(\d{2})$", "force.yaml: systems.0.ho_class_pattern: needs the named groups (?P<cls>...), (?P<sub>...)"),
        ("systems.0.outcome_pattern", "([", "force.yaml: systems.0.outcome_pattern: not a regular expression"),
        ("systems.0.status_values.CONFIRMED", "open", "force.yaml: systems.0.status_values.CONFIRMED: Input should be 'live', 'cancelled' or 'migrated' (got 'open')"),
        ("systems.1.took_over_from", "Niche", "force.yaml: systems.1.took_over_from: 'Niche' is not a system listed before it"),
        ("systems.0.date_format", "dd/mm/yyyy", "force.yaml: systems.0.date_format: not a date format"),
        ("systems.0.colour", "blue", "force.yaml: systems.0.colour: unknown key (is it misspelt?)"),
        ("systems.1.system", "CMS", "force.yaml: systems.1.system: 'CMS' is listed twice"),
        ("force", None, "force.yaml: force: missing (required)"),
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
