"""Which crime rows are counted when a crime migrated between systems (`extracts.merge.counted`):
each crime once, as its newer copy. The loader's end-to-end cases are in test_bad_extracts.py."""

import numpy as np
import pyarrow as pa

from helpers.extracts.merge import counted, migration_of
from helpers.extracts.profile import profile_sources


def crimes(*rows: tuple[str, str, str | None, str]) -> pa.Table:
    """(system, crime_ref, legacy_ref, state) rows, as the canonical crimes carry them."""
    system, ref, legacy, state = zip(*rows, strict=True)
    return pa.table(
        {
            "system": pa.array(system).dictionary_encode(),
            "crime_ref": pa.array(ref, pa.string()),
            "legacy_ref": pa.array(legacy, pa.string()),
            "state": pa.array(state, pa.string()),
        }
    )


def counted_refs(table: pa.Table, undated: list[bool] | None = None) -> list[str]:
    migration = migration_of(table, profile_sources())
    mask = counted(migration, np.array(undated or [False] * table.num_rows))
    return table["crime_ref"].filter(pa.array(mask)).to_pylist()


def test_a_migrated_crime_counts_as_its_newer_copy_only():
    table = crimes(
        ("CMS", "CM/16/0000001", None, "migrated"),
        ("Connect", "00000001/17", "CM/16/0000001", "live"),
        ("CMS", "CM/16/0000002", None, "live"),  # never migrated
    )
    assert counted_refs(table) == ["00000001/17", "CM/16/0000002"]


def test_a_legacy_row_not_marked_migrated_is_still_superseded_by_its_copy():
    table = crimes(
        ("CMS", "CM/16/0000001", None, "live"),
        ("Connect", "00000001/17", "CM/16/0000001", "cancelled"),
    )
    assert counted_refs(table) == ["00000001/17"]  # the copy's state stands (here: cancelled)


def test_a_row_marked_migrated_that_nothing_copies_is_not_counted():
    table = crimes(("CMS", "CM/16/0000001", None, "migrated"), ("CMS", "CM/16/0000002", None, "live"))
    assert counted_refs(table) == ["CM/16/0000002"]


def test_a_second_copy_of_one_legacy_crime_is_not_counted():
    table = crimes(
        ("CMS", "CM/16/0000001", None, "migrated"),
        ("Connect", "00000001/17", "CM/16/0000001", "live"),
        ("Connect", "00000002/17", "CM/16/0000001", "live"),
    )
    assert counted_refs(table) == ["00000001/17"]


def test_a_copy_with_no_date_to_go_by_is_not_counted():
    table = crimes(("Connect", "00000001/17", "CM/16/0000009", "live"), ("Connect", "00000002/17", None, "live"))
    assert counted_refs(table, undated=[True, False]) == ["00000002/17"]


def test_a_legacy_reference_names_a_crime_of_the_system_taken_over_from():
    # the same reference text in the newer system itself is another crime, not its legacy one
    table = crimes(
        ("Connect", "CM/16/0000001", None, "live"),
        ("Connect", "00000001/17", "CM/16/0000001", "live"),
    )
    assert counted_refs(table) == ["CM/16/0000001", "00000001/17"]
