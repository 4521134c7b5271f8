"""The data contract the synthetic extracts follow: file columns, the switch-over and its rules."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np

SWITCHOVER = datetime(2017, 12, 4, 7, 0, 0)
"""CMS -> Connect switch-over (UK local time)."""
MIGRATE_ALL_FROM = date(2016, 1, 1)  # every CMS crime recorded on/after this was migrated
MIGRATE_OPEN_FROM = date(2014, 1, 1)  # ... and every older one since this that was still open
S15A_IN_FORCE = date(2017, 4, 3)  # s15A (071/17, SX03224) exists from this day
OUTCOME21_FROM = date(2016, 1, 1)

FILE_COLUMNS: dict[str, list[str]] = {
    "CMS_CRIMES.csv": [
        "CRIME NO",
        "DATE RECORDED",
        "DATE COMMITTED",
        "HO CLASS",
        "OFFENCE DESCRIPTION",
        "CRIME STATUS",
        "HO OUTCOME",
        "OUTCOME DATE",
        "CIRCUMSTANCES",
    ],
    "CMS_NOMINALS.csv": [
        "CRIME NO",
        "NOMINAL NO",
        "PNC ID",
        "INVOLVEMENT",
        "SURNAME",
        "FORENAMES",
        "DOB",
    ],
    "CMS_CHARGES.csv": ["CRIME NO", "NOMINAL NO", "CHARGE DATE", "CJS CODE", "OFFENCE WORDING"],
    "connect_crimes.csv": [
        "Crime Reference",
        "Legacy Crime No",
        "Recorded Date",
        "Original Recorded Date",
        "Committed Date",
        "HO Class",
        "HO Class Description",
        "Crime Status",
        "Outcome",
        "Outcome Date",
        "Circumstances",
    ],
    "connect_persons.csv": [
        "Crime Reference",
        "Person ID",
        "Legacy Nominal No",
        "PNC ID",
        "Role",
        "Surname",
        "Forename",
        "Date of Birth",
    ],
    "connect_charges.csv": [
        "Crime Reference",
        "Person ID",
        "Charge Date",
        "CJS Offence Code",
        "Charge Wording",
    ],
}

# Connect's labels of the Home Office outcome types
OUTCOME_LABEL = {
    1: "OC01 – Charge/Summons",
    2: "OC02 – Caution – Youths",
    3: "OC03 – Caution – Adults",
    4: "OC04 – Taken into Consideration",
    5: "OC05 – Offender Died",
    6: "OC06 – Penalty Notice for Disorder",
    7: "OC07 – Cannabis/Khat Warning",
    8: "OC08 – Community Resolution",
    9: "OC09 – Not in Public Interest (CPS)",
    10: "OC10 – Not in Public Interest (Pol)",
    11: "OC11 – Prosecution Prevented – Sus Under Age",
    12: "OC12 – Prosecution Prevented – Sus Too Ill",
    13: "OC13 – Prosecution Prevented – Victim/Witness",
    14: "OC14 – No Sus / Victim Decline",
    15: "OC15 – Sus/Insuff.Evidence",
    16: "OC16 – Sus/Victim Declines",
    17: "OC17 – Time Limit Expired",
    18: "OC18 – No Sus / No Line Enq / Filed",
    19: "OC19 – NFIB Filed",
    20: "OC20 – Transferred Oth Agency",
    21: "OC21 – Investig. not in Public Int. (Police)",
    22: "OC22 – Diversionary Activity",
}
CANCEL_CODES = np.array(
    ["Cancelled - C1", "Cancelled - C2", "Cancelled - C3", "Cancelled - C4"], dtype=object
)
