"""Rendering the model into the two systems' six files, with the quirks of the real exports.

CMS: Windows-1252, CRLF, `dd/mm/yyyy`, upper-case names (middle names in FORENAMES), outcomes
sometimes zero-padded, hand-keyed PNC IDs (lower case, spaces). Connect: UTF-8 with a byte-order
mark, LF, ISO 8601, two-digit PNC years, "OCnn – label" outcomes, duplicate person records.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from helpers.synthetic.arrays import (
    DMY,
    ISO,
    ensure,
    fmt_cms_datetime,
    fmt_day,
    fmt_iso_datetime,
    int_str,
)
from helpers.synthetic.classes import CLS_CMS_TITLE, CLS_CODE, CLS_CONNECT, CLS_TITLE
from helpers.synthetic.contract import FILE_COLUMNS, OUTCOME_LABEL
from helpers.synthetic.crimes import CrimeModel
from helpers.synthetic.involvements import Involvements
from helpers.synthetic.names import FORENAMES, MIDDLE, SURNAMES
from helpers.synthetic.people import Individuals, PersonRecords


def write_files(
    rng: np.random.Generator,
    out: Path,
    c: CrimeModel,
    inv: Involvements,
    people: Individuals,
    records: PersonRecords,
    links: pd.DataFrame,
    charges: pd.DataFrame,
) -> dict[str, Path]:
    """Write the six files into out (links and charges: the truth's tables) and name them."""
    files = {name: out / name for name in FILE_COLUMNS}
    _write_cms_crimes(rng, files["CMS_CRIMES.csv"], c)
    _write_connect_crimes(files["connect_crimes.csv"], c)
    _write_cms_nominals(rng, files["CMS_NOMINALS.csv"], c, inv, people, records)
    _write_connect_persons(files["connect_persons.csv"], c, inv, people, records, links)
    _write_charges(files, c, charges)
    return files


def _write_csv(frame: pd.DataFrame, path: Path, cms: bool) -> None:
    frame.to_csv(
        path,
        index=False,
        encoding="cp1252" if cms else "utf-8-sig",
        lineterminator="\r\n" if cms else "\n",
    )


def _write_cms_crimes(rng: np.random.Generator, path: Path, c: CrimeModel) -> None:
    sw = c.switchover
    ci = np.flatnonzero(sw.in_cms)
    out_sw = sw.outcome[ci]
    out_txt = int_str(out_sw)
    pad = (out_sw > 0) & (out_sw < 10) & (rng.random(len(ci)) < 0.3)
    pad = ensure(rng, pad, (out_sw == 1) & sw.cms_only[ci])
    out_txt = np.where(pad, "0" + out_txt, out_txt)
    out_txt = np.where(out_sw > 0, out_txt, "")
    cls_sw = sw.cls[ci]
    cms_crimes = pd.DataFrame(
        {
            "CRIME NO": c.labels.cms_ref[ci],
            "DATE RECORDED": fmt_cms_datetime(c.recording.rec[ci]),
            "DATE COMMITTED": fmt_day(
                c.recording.committed[ci], DMY, c.recording.committed_known[ci]
            ),
            "HO CLASS": CLS_CODE[cls_sw],
            "OFFENCE DESCRIPTION": CLS_CMS_TITLE[cls_sw],
            "CRIME STATUS": c.labels.cms_status[ci],
            "HO OUTCOME": out_txt,
            "OUTCOME DATE": fmt_day(sw.outcome_day[ci], DMY, out_sw > 0),
            "CIRCUMSTANCES": c.texts.cms_text[ci],
        },
        dtype=object,
    )
    _write_csv(cms_crimes, path, cms=True)


def _write_connect_crimes(path: Path, c: CrimeModel) -> None:
    ki = np.flatnonzero(c.switchover.in_connect)
    mig = c.switchover.migrated[ki]
    rec = c.recording.rec[ki]
    cur_out = c.now.outcome[ki]
    labels = np.array([""] + [OUTCOME_LABEL.get(i, "") for i in range(1, 23)], dtype=object)
    cur_cls = c.now.cls[ki]
    connect_crimes = pd.DataFrame(
        {
            "Crime Reference": c.labels.connect_ref[ki],
            "Legacy Crime No": np.where(mig, c.labels.cms_ref[ki], ""),
            "Recorded Date": fmt_iso_datetime(np.where(mig, c.labels.migration_sec[ki], rec)),
            "Original Recorded Date": fmt_iso_datetime(rec, mig),
            "Committed Date": fmt_day(
                c.recording.committed[ki], ISO, c.recording.committed_known[ki]
            ),
            "HO Class": CLS_CONNECT[cur_cls],
            "HO Class Description": CLS_TITLE[cur_cls],
            "Crime Status": np.where(c.now.cancelled[ki], c.labels.cancel_code[ki], "Confirmed"),
            "Outcome": labels[cur_out],
            "Outcome Date": fmt_day(c.now.outcome_day[ki], ISO, cur_out > 0),
            "Circumstances": c.texts.text[ki],
        },
        dtype=object,
    )
    _write_csv(connect_crimes, path, cms=False)


def _cms_pnc_ids(rng: np.random.Generator, people: Individuals, pi: np.ndarray) -> np.ndarray:
    """PNC IDs as hand-keyed into CMS: some in lower case, some padded or with a space inside."""
    pnc = people.pnc
    has_pnc = pnc.has
    base = np.where(
        has_pnc[pi],
        int_str(pnc.year[pi]) + "/" + int_str(pnc.serial[pi], 7) + pnc.check[pi],
        "",
    )
    u = rng.random((3, len(pi)))
    lower = ensure(rng, has_pnc[pi] & (u[0] < 0.04), has_pnc[pi])
    spaced = ensure(rng, has_pnc[pi] & (u[1] < 0.03), has_pnc[pi])
    inner = has_pnc[pi] & (u[2] < 0.01)
    base = np.where(lower, pd.Series(base, dtype=object).str.lower().to_numpy(dtype=object), base)
    base = np.where(
        inner,
        pd.Series(base, dtype=object).str.replace("/", "/ ", regex=False).to_numpy(dtype=object),
        base,
    )
    return np.where(spaced, " " + base + " ", base)


def _write_cms_nominals(
    rng: np.random.Generator,
    path: Path,
    c: CrimeModel,
    inv: Involvements,
    people: Individuals,
    records: PersonRecords,
) -> None:
    sur_cms = np.array([s.upper().replace("’", "'") for s in SURNAMES], dtype=object)
    fore_cms = np.array([s.upper() for s in FORENAMES], dtype=object)
    mid_cms = np.array([" " + s.upper() for s in MIDDLE] + [""], dtype=object)
    li = np.flatnonzero(records.in_cms)
    pi = inv.ind[li]
    cms_nominals = pd.DataFrame(
        {
            "CRIME NO": c.labels.cms_ref[inv.crime[li]],
            "NOMINAL NO": int_str(records.nominal[pi]),
            "PNC ID": _cms_pnc_ids(rng, people, pi),
            "INVOLVEMENT": np.array(["VICTIM", "SUSPECT", "WITNESS"], dtype=object)[inv.role[li]],
            "SURNAME": sur_cms[people.surname_i[pi]],
            "FORENAMES": fore_cms[people.forename_i[pi]] + mid_cms[people.middle_i[pi]],
            "DOB": fmt_day(people.dob[pi], DMY),
        },
        dtype=object,
    )
    _write_csv(cms_nominals, path, cms=True)


def _write_connect_persons(
    path: Path,
    c: CrimeModel,
    inv: Involvements,
    people: Individuals,
    records: PersonRecords,
    links: pd.DataFrame,
) -> None:
    pnc = people.pnc
    lk = np.flatnonzero(records.in_connect)
    pk = inv.ind[lk]
    dup = records.duplicate[lk]
    nom = records.nominal[pk]
    con_pnc = np.where(
        pnc.has[pk],
        int_str(pnc.year[pk] % 100, 2) + "/" + int_str(pnc.serial[pk]) + pnc.check[pk],
        "",
    )
    person_id = links["connect_person_id"].to_numpy(dtype=object)[lk]
    connect_persons = pd.DataFrame(
        {
            "Crime Reference": c.labels.connect_ref[inv.crime[lk]],
            "Person ID": person_id,
            "Legacy Nominal No": np.where(~dup & (nom > 0), int_str(nom), ""),
            "PNC ID": con_pnc,
            "Role": np.array(["Victim", "Suspect", "Witness"], dtype=object)[inv.role[lk]],
            "Surname": np.array(SURNAMES, dtype=object)[people.surname_i[pk]],
            "Forename": np.array(FORENAMES, dtype=object)[people.forename_i[pk]],
            "Date of Birth": fmt_day(people.dob[pk], ISO),
        },
        dtype=object,
    )
    _write_csv(connect_persons, path, cms=False)


def _write_charges(files: dict[str, Path], c: CrimeModel, ch: pd.DataFrame) -> None:
    """Both systems' charges files, from the truth's charges table."""
    ch_day = ch["charge_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    code = ch["cjs_code"].to_numpy(dtype=object)
    wording = ch["wording"].to_numpy(dtype=object)
    crime = ch["crime_id"].to_numpy()
    m_cms = ch["in_cms"].to_numpy()
    m_con = ch["in_connect"].to_numpy()
    cms_charges = pd.DataFrame(
        {
            "CRIME NO": c.labels.cms_ref[crime[m_cms]],
            "NOMINAL NO": int_str(ch["cms_nominal_no"].to_numpy(dtype=np.int64, na_value=0)[m_cms]),
            "CHARGE DATE": fmt_day(ch_day[m_cms], DMY),
            "CJS CODE": code[m_cms],
            "OFFENCE WORDING": wording[m_cms],
        },
        dtype=object,
    )
    _write_csv(cms_charges, files["CMS_CHARGES.csv"], cms=True)
    connect_charges = pd.DataFrame(
        {
            "Crime Reference": c.labels.connect_ref[crime[m_con]],
            "Person ID": ch["connect_person_id"].to_numpy(dtype=object)[m_con],
            "Charge Date": fmt_day(ch_day[m_con], ISO),
            "CJS Offence Code": code[m_con],
            "Charge Wording": wording[m_con],
        },
        dtype=object,
    )
    _write_csv(connect_charges, files["connect_charges.csv"], cms=False)
