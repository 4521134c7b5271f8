"""The truth's tables: the drawn model as DataFrames of crimes, individuals, links and charges."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.synthetic.arrays import int_str, or_none
from helpers.synthetic.charges import WORDING, DrawnCharges
from helpers.synthetic.classes import CLS_CODE
from helpers.synthetic.crimes import CrimeModel
from helpers.synthetic.involvements import Involvements
from helpers.synthetic.mentions import PlantedMentions
from helpers.synthetic.names import FORENAMES, MIDDLE, SURNAMES
from helpers.synthetic.people import Individuals, PersonRecords

_NAT = np.iinfo(np.int64).min  # NaT once cast to datetime64


def links_frame(inv: Involvements, records: PersonRecords) -> pd.DataFrame:
    """One row per (crime, individual) involvement, with the record each system used."""
    ind, in_cms_l, dup = inv.ind, records.in_cms, records.duplicate
    frame = pd.DataFrame(
        {
            "crime_id": inv.crime,
            "individual_id": ind,
            "role": np.array(["victim", "suspect", "witness"], dtype=object)[inv.role],
            "cms_nominal_no": pd.array(np.where(in_cms_l, records.nominal[ind], -1), dtype="Int64"),
            "connect_person_id": or_none(
                records.in_connect,
                np.where(
                    dup,
                    "PERD" + int_str(records.perd_no, 7),
                    "PER" + int_str(records.per_no[ind], 7),
                ),
            ),
            "duplicate_record": dup,
        }
    )
    frame["cms_nominal_no"] = frame["cms_nominal_no"].mask(~in_cms_l)
    return frame


def individuals_frame(
    inv: Involvements, people: Individuals, records: PersonRecords
) -> pd.DataFrame:
    """One row per real person (whatever number of person records the systems hold)."""
    pnc, middle_i, nominal, per_no = people.pnc, people.middle_i, records.nominal, records.per_no
    frame = pd.DataFrame(
        {
            "individual_id": np.arange(inv.n_ind),
            "sex": np.where(people.male, "M", "F"),
            "surname": np.array(SURNAMES, dtype=object)[people.surname_i],
            "forename": np.array(FORENAMES, dtype=object)[people.forename_i],
            "middle_name": or_none(
                middle_i >= 0, np.array(MIDDLE, dtype=object)[np.maximum(middle_i, 0)]
            ),
            "dob": (people.dob.astype("datetime64[D]")).astype("datetime64[s]"),
            "pnc_id": pnc.canonical,
            "pnc_year": pd.array(np.where(pnc.has, pnc.year, -1), dtype="Int64"),
            "pnc_serial": pd.array(np.where(pnc.has, pnc.serial, -1), dtype="Int64"),
            "pnc_check": or_none(pnc.has, pnc.check),
            "nominal_no": pd.array(nominal, dtype="Int64"),
            "connect_person_id": or_none(per_no > 0, "PER" + int_str(np.maximum(per_no, 0), 7)),
            "n_links": inv.link_count,
        }
    )
    for col in ("pnc_year", "pnc_serial"):
        frame[col] = frame[col].mask(~pnc.has)
    frame["nominal_no"] = frame["nominal_no"].mask(nominal < 0)
    return frame


def charges_frame(c: CrimeModel, charges: DrawnCharges, links: pd.DataFrame) -> pd.DataFrame:
    """One row per true charge (a charge copied into both systems is ONE row), by crime and date."""
    ch_link_arr, ch_day_arr, ch_crime, ch_code = (
        charges.link,
        charges.day,
        charges.crime,
        charges.code,
    )
    ch_in_cms = c.switchover.in_cms[ch_crime] & (ch_day_arr < c.span.switch_day)
    ch_in_con = c.switchover.in_connect[ch_crime]
    frame = pd.DataFrame(
        {
            "charge_id": np.arange(len(ch_crime)),
            "crime_id": ch_crime,
            "individual_id": charges.ind,
            "charge_date": ch_day_arr.astype("datetime64[D]").astype("datetime64[s]"),
            "cjs_code": ch_code,
            "wording": pd.Series(ch_code).map(WORDING).to_numpy(dtype=object),
            "in_cms": ch_in_cms,
            "in_connect": ch_in_con,
            "cms_nominal_no": links["cms_nominal_no"].array[ch_link_arr],
            "connect_person_id": links["connect_person_id"].to_numpy()[ch_link_arr],
        }
    )
    frame["cms_nominal_no"] = frame["cms_nominal_no"].mask(~ch_in_cms)
    frame["connect_person_id"] = frame["connect_person_id"].where(ch_in_con, None)
    frame = frame.sort_values(["crime_id", "charge_date", "charge_id"], kind="stable")
    frame["charge_id"] = np.arange(len(frame))
    return frame.reset_index(drop=True)


def _day_col(day: np.ndarray, valid: np.ndarray) -> np.ndarray:
    return np.where(valid, day, _NAT).astype("datetime64[D]").astype("datetime64[s]")


def _outcome_col(v: np.ndarray) -> pd.api.extensions.ExtensionArray:
    return pd.array(np.where(v > 0, v, 0), dtype="Int64").copy()


def crimes_frame(c: CrimeModel, planted: PlantedMentions | None = None) -> pd.DataFrame:
    """One row per true crime (CMS row and Connect copy of a migrated crime are ONE row).

    With `planted`: `mentions_<term>` (the circumstances mention the term, not only negated),
    `mention_planted` (the kind of sentence planted, "" for none) and `mention_phrase` (the
    phrase the crime's only mention of its term sits in, e.g. "hot dog", else None)."""
    r, sw, now, texts, labels = c.recording, c.switchover, c.now, c.texts, c.labels
    df = pd.DataFrame(
        {
            "crime_id": np.arange(c.n),
            "system": np.where(sw.migrated, "MIGRATED", np.where(sw.cms_only, "CMS", "CONNECT")),
            "migrated": sw.migrated,
            "in_cms": sw.in_cms,
            "in_connect": sw.in_connect,
            "cms_ref": labels.cms_ref,
            "connect_ref": labels.connect_ref,
            "canonical_ref": np.where(sw.in_connect, labels.connect_ref, labels.cms_ref),
            "recorded": r.rec.astype("datetime64[s]"),
            "committed": _day_col(r.committed, r.committed_known),
            "migration_time": np.where(sw.migrated, labels.migration_sec, _NAT).astype(
                "datetime64[s]"
            ),
            "ho_class": CLS_CODE[now.cls],
            "ho_class_at_switch": or_none(sw.cls >= 0, CLS_CODE[np.maximum(sw.cls, 0)]),
            "reclassified": now.reclassified,
            "cancelled": now.cancelled,
            "cancel_code": labels.cancel_code,
            "cancelled_at_switch": sw.cancelled,
            "cancelled_later": now.cancelled_later,
            "outcome": _outcome_col(now.outcome),
            "outcome_date": _day_col(now.outcome_day, now.outcome > 0),
            "outcome_at_switch": _outcome_col(sw.outcome),
            "outcome_date_at_switch": _day_col(sw.outcome_day, sw.outcome > 0),
            "outcome_revised": now.revised,
            "cms_status": labels.cms_status,
            "circumstances": texts.text,
            "cms_circumstances": texts.cms_text,
            "text_kind": texts.kind,
            "hunter": texts.hunter,
            "hunter_negated": texts.negated,
            "hunter_late": texts.late_hunter,
            "boundary_case": c.final.protected,
        }
    )
    for col, v in (("outcome", now.outcome), ("outcome_at_switch", sw.outcome)):
        df[col] = df[col].mask(v == 0)
    df["ho_class_at_switch"] = df["ho_class_at_switch"].where(sw.cls >= 0, None)
    if planted is not None:
        for term, mentioned in planted.mentions.items():
            df[f"mentions_{term}"] = mentioned
        df["mention_planted"] = planted.kind
        df["mention_phrase"] = planted.phrase
    return df
