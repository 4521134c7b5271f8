"""Sinks and stores: where the parts of an extract that are read only on demand go, and come from.

While the files are read, a *sink* takes each file's circumstances texts and personal data as
soon as the file is read, and the final crimes table. After, a *store* hands back the person
rows, the personal data and the texts when asked. In memory here (`MemorySink`, `MemoryStore`:
runs without the cache); in the extract cache's files in `helpers.cache.entries` (`EntrySink`,
`EntryStore`). The protocols below are where the two meet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

import pyarrow as pa
import pyarrow.compute as pc

from helpers.extracts.arrays import as_arrow


class Sink(Protocol):
    """Takes, as each file is read, what loading makes beside the tables it hands on."""

    def texts(self, file: str, table: pa.Table) -> None:
        """A crimes file's crime_id, circumstances and ho_class, for the rows it keeps."""

    def personal(self, file: str, table: pa.Table) -> None:
        """A person file's person_key, surname, forenames and date_of_birth (as written)."""

    def crimes(self, table: pa.Table) -> None:
        """The crimes, merged across the systems: final."""

    def settle(self) -> None:
        """Finish what was handed over so far (a crimes file is about to be read)."""

    def wait(self) -> None:
        """Finish everything handed over, raising what went wrong."""


@runtime_checkable
class FolderSink(Sink, Protocol):
    """A sink that writes to a folder. Made from the folder alone (`cls(folder)`): the person
    side process writes through a sink of its parent's kind on the same folder."""

    folder: Path


class Store(Protocol):
    """The person rows, personal data and texts of a loaded extract, read when asked for."""

    def people(self, columns: list[str] | None = None) -> pa.Table:
        """The person rows (`helpers.extracts.model.PEOPLE_COLUMNS`), `columns` only if given."""

    def personal(self, columns: list[str] | None = None) -> pa.Table | None:
        """person_key, surname, forenames, date_of_birth (as written) of every person row
        (`columns` only, if given); None if the extract was loaded without personal data."""

    def personal_of(self, file: str, columns: list[str]) -> pa.Table | None:
        """`columns` of one person file's personal data, a row for each of its person rows (their
        `personal_row`); None if it has none (read without personal data, or none to keep)."""

    def has_personal(self) -> bool:
        """Whether the extract was loaded with its personal data."""

    def people_born(self, written: list[str]) -> pa.Table:
        """surname, forenames, date_of_birth of the person rows born on a date `written`."""

    def texts(self, crime_ids=None) -> pa.Table:
        """crime_id and circumstances of the crimes asked for (all if None)."""


class MemorySink:
    """Keeps the texts and personal data of each file, and the crimes, in memory (for runs
    without the cache)."""

    def __init__(self) -> None:
        self.text_tables: list[pa.Table] = []
        self.personal_tables: dict[str, pa.Table] = {}  # by file, in the order read
        self.crimes_table: pa.Table | None = None  # the crimes, once merged

    def texts(self, file: str, table: pa.Table) -> None:
        self.text_tables.append(table.drop_columns(["ho_class"]))

    def settle(self) -> None:
        """Nothing is pending: everything is kept in memory."""

    def crimes(self, table: pa.Table) -> None:
        self.crimes_table = table

    def personal(self, file: str, table: pa.Table) -> None:
        self.personal_tables[file] = table

    def wait(self) -> None:
        """Nothing is pending: everything is kept in memory."""

    def store(self, people: pa.Table) -> MemoryStore:
        """The person rows given, with the texts and personal data kept here."""
        empty_texts = pa.table(
            {"crime_id": pa.array([], pa.string()), "circumstances": pa.array([], pa.string())}
        )
        return MemoryStore(
            people,
            pa.concat_tables(self.text_tables) if self.text_tables else empty_texts,
            self.personal_tables or None,
        )


class MemoryStore:
    """The parts of an extract read only on demand, held in memory (no cache).

    texts: crime reference and circumstances, for every crime row kept (a migrated crime's old
    row too: its reference is never a crime ID, so it is only ever read by the release gate).
    """

    def __init__(self, people: pa.Table, texts: pa.Table, personal: dict[str, pa.Table] | None):
        self._people, self._texts, self._by_file = people, texts, personal
        self._personal = (
            pa.concat_tables(list(personal.values()), promote_options="default")
            if personal
            else None
        )

    def people(self, columns: list[str] | None = None) -> pa.Table:
        return (
            self._people.select([c for c in columns if c in self._people.column_names])
            if columns
            else self._people
        )

    def personal(self, columns: list[str] | None = None) -> pa.Table | None:
        """person_key, surname, forenames, date_of_birth (as written) of every person row."""
        if self._personal is None or not columns:
            return self._personal
        return self._personal.select([c for c in columns if c in self._personal.column_names])

    def personal_of(self, file: str, columns: list[str]) -> pa.Table | None:
        table = (self._by_file or {}).get(file)
        return (
            table.select([c for c in columns if c in table.column_names])
            if table is not None
            else None
        )

    def has_personal(self) -> bool:
        return self._personal is not None

    def people_born(self, written: list[str]) -> pa.Table:
        """surname, forenames, date_of_birth of the person rows born on a date `written` (as
        written)."""
        names = ["surname", "forenames", "date_of_birth"]
        if self._personal is None or "date_of_birth" not in self._personal.column_names:
            return pa.table({n: pa.array([], pa.string()) for n in names})
        dob = pc.utf8_trim_whitespace(self._personal["date_of_birth"])
        born = self._personal.filter(
            pc.fill_null(pc.is_in(dob, value_set=pa.array(written, pa.string())), False)
        )
        return born.select([n for n in names if n in born.column_names])

    def texts(self, crime_ids=None) -> pa.Table:
        if crime_ids is None:
            return self._texts
        return self._texts.filter(
            pc.is_in(self._texts["crime_id"], value_set=as_arrow(crime_ids, unique=True))
        )
