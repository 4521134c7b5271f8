"""The whole counting pipeline against the synthetic generator's own truth.

The generator knows each crime's true state before it wrote it out in two systems' formats, with
their quirks; `truth_for_request` counts from that internal model, never from the files. So these
tests check the loader, the merging of the systems, the person matching, the counting rules and
the evidence search together, on data the project did not make up for itself.
"""

from datetime import date

import pytest

from helpers.project import project_root
from helpers.request import steps
from helpers.request.parameters import read_parameters
from helpers.synthetic.generator import generate_extracts
from helpers.synthetic.truth import truth_for_request

PARAMS = project_root() / "parameters" / "20180075.yaml"

REQUESTS = {
    "20180075": {},
    "mid-2016-to-mid-2018": {
        "period_from": "2016-06-01", "period_to": "2018-06-30", "charge_year": 2018, "offence_classes": ["88/1"],
        "charge_groups": {
            "section_15": {"label": "s15", "codes": ["SX03225", "SX03210"]},
            "attempt_section_15": {"label": "attempt", "codes": ["SX03225A", "SX03210A"]},
        },
    },
    "switch-over-day": {"period_from": "2017-12-04", "period_to": "2017-12-04", "charge_year": 2017},
}


@pytest.fixture(scope="module", params=[20180075, 3])
def synthetic(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"synthetic-{request.param}")
    return folder, generate_extracts(folder, n_crimes=15_000, seed=request.param)


@pytest.mark.parametrize("name", REQUESTS)
def test_figures_equal_the_generators_truth(synthetic, tmp_path, name):
    folder, truth = synthetic
    params = read_parameters(PARAMS, {"extracts_dir": str(folder), "output_dir": str(tmp_path), **REQUESTS[name]})
    groups = params.charge_groups
    expected = truth_for_request(
        truth, params.period_from, params.period_to, params.charge_year, params.offence_classes,
        groups["section_15"].codes, groups["attempt_section_15"].codes,
    )
    extract = steps.load(params)
    results = steps.results(params, extract, steps.answer(params, extract))

    assert results["offences_by_year"] == expected["offences_by_year"]
    assert results["outcomes_by_year"] == expected["outcomes_by_year"]
    assert results["persons_charged"] == expected["persons_charged"]
    assert results["data_quality"]["migrated_crimes"] == expected["migrated_crimes"]
    assert results["vigilante"]["crime_references"] == sorted(expected["hunter_crime_ids"])
    assert results["vigilante"]["negated_references"] == sorted(expected["hunter_negated_ids"] - expected["hunter_crime_ids"])


def test_the_synthetic_extract_exercises_the_rules(synthetic, tmp_path):
    """A truth with no migrated crime, no hunter crime or nobody charged would test little."""
    folder, truth = synthetic
    params = read_parameters(PARAMS, {"extracts_dir": str(folder), "output_dir": str(tmp_path)})
    groups = params.charge_groups
    expected = truth_for_request(truth, date(2015, 1, 1), date(2017, 12, 31), 2017, params.offence_classes,
                                 groups["section_15"].codes, groups["attempt_section_15"].codes)
    assert expected["migrated_crimes"] > 1000
    assert all(count > 5 for count in expected["offences_by_year"].values())
    assert expected["persons_charged"]["attempt_section_15"] > 0
    assert expected["persons_charged"]["vigilante"] > 0
    assert expected["hunter_crime_ids"] and expected["hunter_negated_ids"]


# ---- the same truth, exported by a force with one system in another layout and encoding


ONE_SYSTEM = project_root() / "profiles" / "examples" / "synthetic-one-system.yaml"


@pytest.fixture(scope="module")
def one_system(tmp_path_factory):
    from helpers.synthetic.one_system import write_one_system

    truth = generate_extracts(tmp_path_factory.mktemp("two-systems"), n_crimes=15_000, seed=20180075)
    folder = tmp_path_factory.mktemp("one-system")
    write_one_system(truth, folder)
    return folder, truth


@pytest.mark.parametrize("name", REQUESTS)
def test_figures_on_a_one_system_force_equal_the_generators_truth(one_system, tmp_path, name):
    from helpers.synthetic.one_system import occurrence_ref

    folder, truth = one_system
    params = read_parameters(PARAMS, {"extracts_dir": str(folder), "output_dir": str(tmp_path), "profile": str(ONE_SYSTEM), **REQUESTS[name]})
    groups = params.charge_groups
    expected = truth_for_request(
        truth, params.period_from, params.period_to, params.charge_year, params.offence_classes,
        groups["section_15"].codes, groups["attempt_section_15"].codes,
    )
    extract = steps.load(params)
    assert extract.quarantine.empty and [s.system for s in extract.sources] == ["Occurrence"]
    results = steps.results(params, extract, steps.answer(params, extract))

    def as_occurrences(canonical: set[str]) -> list[str]:
        ids = truth.crimes.set_index("canonical_ref").loc[sorted(canonical), "crime_id"]
        return sorted(occurrence_ref(ids))

    assert results["offences_by_year"] == expected["offences_by_year"]
    assert results["outcomes_by_year"] == expected["outcomes_by_year"]
    assert results["persons_charged"] == expected["persons_charged"]
    assert results["data_quality"]["migrated_crimes"] == 0
    assert results["vigilante"]["crime_references"] == as_occurrences(expected["hunter_crime_ids"])
    assert results["vigilante"]["negated_references"] == as_occurrences(expected["hunter_negated_ids"] - expected["hunter_crime_ids"])


def test_a_one_system_forces_table_notes_say_nothing_of_crimes_moved_between_systems(one_system, tmp_path):
    """Found by a new force's analyst: under every table of a one-system force, "a crime moved
    from one system to another by the day it was first recorded on either", and "the records the
    systems hold"."""
    folder, _ = one_system
    example = project_root() / "parameters" / "examples" / "sexual-offences-by-age.yaml"
    params = read_parameters(example, {"extracts_dir": str(folder), "output_dir": str(tmp_path), "profile": str(ONE_SYSTEM)})
    notes = " ".join(note for answer in steps.answer(params, steps.load(params)) for note in answer.notes)
    assert "first recorded (UK time)." in notes and "People are counted once however many records the system holds" in notes
    assert "system to another" not in notes and "systems hold" not in notes


# ---- the same truth after a second migration: CMS, then Connect, then Niche


THREE_SYSTEMS = project_root() / "profiles" / "examples" / "synthetic-three-systems.yaml"


@pytest.fixture(scope="module")
def three_systems(tmp_path_factory):
    folder = tmp_path_factory.mktemp("three-systems")
    return folder, generate_extracts(folder, n_crimes=15_000, seed=20180075, layout="three-systems")


@pytest.mark.parametrize("name", REQUESTS)
def test_figures_on_a_three_system_force_equal_the_generators_truth(three_systems, tmp_path, name):
    from helpers.synthetic.three_systems import niche_ref

    folder, truth = three_systems
    params = read_parameters(PARAMS, {"extracts_dir": str(folder), "output_dir": str(tmp_path), "profile": str(THREE_SYSTEMS), **REQUESTS[name]})
    groups = params.charge_groups
    expected = truth_for_request(
        truth, params.period_from, params.period_to, params.charge_year, params.offence_classes,
        groups["section_15"].codes, groups["attempt_section_15"].codes,
    )
    extract = steps.load(params)
    assert [s.system for s in extract.sources] == ["CMS", "Connect", "Niche"] and extract.quarantine.empty
    # every charge and person row names a crime counted: a CMS reference of a crime migrated twice
    # names its Niche crime, not the Connect row Niche superseded
    crimes_held = set(extract.crimes["crime_id"])
    assert set(extract.charges["crime_id"]) <= crimes_held and set(extract.people["crime_id"]) <= crimes_held
    results = steps.results(params, extract, steps.answer(params, extract))

    crimes = truth.crimes.set_index("canonical_ref")
    on_niche = crimes["in_connect"] & (crimes["recorded"] >= "2016-01-01")

    def as_held(canonical: set[str]) -> list[str]:
        """A crime's reference on the system that holds it now: Niche's for those it took over."""
        ids = sorted(canonical)
        return sorted(niche_ref(crimes.loc[[r], "crime_id"])[0] if on_niche[r] else r for r in ids)

    assert results["offences_by_year"] == expected["offences_by_year"]
    assert results["outcomes_by_year"] == expected["outcomes_by_year"]
    assert results["persons_charged"] == expected["persons_charged"]
    # each crime migrated once or twice: CMS to Connect, and Connect to Niche
    assert results["data_quality"]["migrated_crimes"] == expected["migrated_crimes"] + int(on_niche.sum())
    assert results["vigilante"]["crime_references"] == as_held(expected["hunter_crime_ids"])
    assert results["vigilante"]["negated_references"] == as_held(expected["hunter_negated_ids"] - expected["hunter_crime_ids"])


# ---- the committed date and the canonical roles, on every layout


LAYOUT_PROFILES = {"cms-connect": None, "one-system": ONE_SYSTEM, "three-systems": THREE_SYSTEMS}


@pytest.mark.parametrize("layout", LAYOUT_PROFILES)
def test_each_crimes_committed_date_and_each_persons_role_are_the_truths(tmp_path, layout):
    """The model's committed date (the day the offence was committed, where known) and the roles
    of the people on each crime, read through each layout's profile."""
    import pandas as pd

    from helpers.extracts.load import load_extracts
    from helpers.extracts.profile import profile_sources
    from helpers.synthetic.one_system import occurrence_ref
    from helpers.synthetic.three_systems import niche_ref

    truth = generate_extracts(tmp_path, n_crimes=3_000, seed=7, layout=layout)
    extract = load_extracts(tmp_path, profile_sources(LAYOUT_PROFILES[layout]))
    crimes = truth.crimes
    if layout == "one-system":
        held = pd.Series(occurrence_ref(crimes["crime_id"]), index=crimes.index)
    elif layout == "three-systems":
        on_niche = crimes["in_connect"] & (crimes["recorded"] >= "2016-01-01")
        held = crimes["canonical_ref"].where(~on_niche, pd.Series(niche_ref(crimes["crime_id"]), index=crimes.index))
    else:
        held = crimes["canonical_ref"]
    expected = pd.Series(crimes["committed"].to_numpy(), index=held.to_numpy()).sort_index()
    found = extract.crimes.set_index("crime_id")["committed_at"].reindex(expected.index)
    assert expected.notna().sum() > 100 and (found.isna() == expected.isna()).all()
    assert (found[expected.notna()].to_numpy() == expected[expected.notna()].to_numpy()).all()

    people = extract.people.drop_duplicates(["crime_id", "individual_id", "role"])
    assert set(people["role"]) == {"victim", "suspect", "witness"}
    roles = people.groupby("crime_id")["role"].apply(lambda r: tuple(sorted(r)))
    links = truth.links.assign(crime_ref=held.to_numpy()[truth.links["crime_id"].to_numpy()])
    truth_roles = links.groupby("crime_ref")["role"].apply(lambda r: tuple(sorted(r)))
    assert roles.sort_index().equals(truth_roles.sort_index())
