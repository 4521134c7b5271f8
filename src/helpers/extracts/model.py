"""The canonical model: what loading an export makes (`CanonicalTables`) and gives (`Extract`).

One model of crimes, people and charges across the force's systems, as Arrow tables while the
files are read, as pandas frames (crimes, charges) and a store (people, texts, personal data)
once loaded, from the files or from the extract cache.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from helpers.extracts.sources import SourceDefinition
from helpers.extracts.stores import Store

if TYPE_CHECKING:  # pandas is imported where frames are made: the person side never needs it
    import pandas as pd

#: the person rows' columns, as `Extract.people` gives them
PEOPLE_COLUMNS = ["crime_id", "person_key", "legacy_person_key", "individual_id", "pnc_id", "role"]


def people_frame(table: pa.Table) -> pd.DataFrame:
    """Person rows (`PEOPLE_COLUMNS`, or some of them) as `Extract.people` gives them."""
    at = table.schema.get_field_index("individual_id")  # stored dictionary-encoded: text here
    if at >= 0:
        table = table.set_column(at, "individual_id", pc.cast(table["individual_id"], pa.string()))
    return to_pandas(table)


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """Arrow to pandas: text as pandas' Arrow-backed strings, whole numbers as nullable Int64."""
    import pandas as pd  # here: the person side imports this module (the cache's sink needs it)

    return table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get, split_blocks=True)


@dataclass
class CanonicalTables:
    """What loading the files makes, as Arrow tables, beside the crimes (handed to the sink):
    `load_extracts` turns the charges into pandas; the extract cache writes them to its files
    as they are."""

    charges: pa.Table
    people: pa.Table
    quarantine: pd.DataFrame
    data_quality: dict
    files: dict[str, dict]
    #: how the systems title each class: class -> {title as written: crimes}
    class_titles: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass
class Extract:
    """The canonical model of one export, with what loading it took and found.

    crimes   crime_id (the newest system's reference), system, legacy_ref, recorded_at (original
             recording, local time), ho_class (`088/01`), cancelled, outcome (HO number or NA)
    charges  crime_id, person_key, individual_id, charge_date, cjs_code (each charge once)
    people   (on demand) crime_id, person_key (`SYSTEM:ref`), legacy_person_key, individual_id,
             pnc_id, role; names and dates of birth only in `store.personal()`, for the gate
             (a person row's `personal_row` is its row of its file's, `store.personal_of`)
    A person or charge row also keeps its crime's row in `crimes` (`crime_row`, -1 for a crime
    set aside), so a count finds a crime's people by number rather than by its ID.
    circumstances (on demand, by crime ID) the free text of each crime

    People and texts are the bulk of an extract and most requests need little of them, so they stay
    in the store (memory, or the extract cache's files) until asked for.
    """

    crimes: pd.DataFrame
    charges: pd.DataFrame
    quarantine: pd.DataFrame
    data_quality: dict
    files: dict[str, dict]  # file name -> {"system", "size", "sha256", "records"}
    directory: Path
    store: Store  # MemoryStore, or the extract cache's EntryStore
    sources: tuple[SourceDefinition, ...] = ()  # the force profile's systems it was read with
    #: how the systems title each class (a profile's `ho_class_title`): class -> {title: crimes}
    class_titles: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def first_recorded(self) -> pd.Timestamp:
        return self.crimes["recorded_at"].min()

    @property
    def last_recorded(self) -> pd.Timestamp:
        return self.crimes["recorded_at"].max()

    @property
    def people(self) -> pd.DataFrame:
        return people_frame(self.store.people(PEOPLE_COLUMNS))

    def circumstances(self, crime_ids=None) -> pd.Series:
        """The circumstances text of each crime asked for (all crimes if None), by crime ID."""
        import pandas as pd  # here, as in `to_pandas`

        texts = self.store.texts(crime_ids)
        return pd.Series(
            texts["circumstances"].to_pandas().array,
            index=pd.Index(texts["crime_id"].to_pandas().array, name="crime_id"),
            name="circumstances",
        )
