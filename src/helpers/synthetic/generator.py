"""Synthetic crime extracts: six CSV files in the force's export formats, plus the truth behind them.

`generate_extracts` draws a seeded, vectorised model of a force's crimes, the individuals linked to
them and the charges laid, then renders that model into the two systems' formats (the legacy CMS:
Windows-1252, CRLF, `dd/mm/yyyy`; Connect: UTF-8 with a byte-order mark, LF, ISO 8601), with the
quirks of the real exports (migrated crimes, hand-keyed PNC IDs, duplicate person records, copied
charges, zero-padded outcomes, free text with commas, quotes, `£` and line breaks, ...).

It returns a `SyntheticTruth` holding the internal model *before* rendering. `truth_for_request`
answers a request from that model alone, never from the CSV files, so it is an independent check of
the project's loader and counting rules.

Nothing here reads real data: demos, tests and benchmarks run on what this module writes.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from itertools import product
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "SWITCHOVER",
    "SyntheticTruth",
    "generate_extracts",
    "truth_for_request",
    "FILE_COLUMNS",
]

# --------------------------------------------------------------------------------------------------
# Constants of the data contract
# --------------------------------------------------------------------------------------------------

SWITCHOVER = datetime(2017, 12, 4, 7, 0, 0)
"""CMS -> Connect switch-over (UK local time)."""
_MIGRATE_ALL_FROM = date(2016, 1, 1)  # every CMS crime recorded on/after this was migrated
_MIGRATE_OPEN_FROM = date(2014, 1, 1)  # ... and every older one since this that was still open
_S15A_IN_FORCE = date(2017, 4, 3)  # s15A (071/17, SX03224) exists from this day
_OUTCOME21_FROM = date(2016, 1, 1)

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

# HO classes: code, title, family ("ord" ordinary, "groom" s15 grooming, "sex" other sexual), text kind,
# relative weight (ordinary weights are rescaled to fill what the sexual classes leave).
_CLASSES: list[tuple[str, str, str, str, float]] = [
    ("008/06", "Assault with injury", "ord", "assault", 0.14),
    ("105/01", "Assault without injury", "ord", "assault", 0.15),
    ("028/03", "Burglary - residential", "ord", "burglary", 0.09),
    ("039/00", "Theft from the person", "ord", "theft", 0.05),
    ("046/00", "Shoplifting", "ord", "theft", 0.13),
    ("049/00", "Other theft", "ord", "theft", 0.14),
    ("058/01", "Criminal damage to a dwelling", "ord", "damage", 0.07),
    ("058/03", "Criminal damage to a vehicle", "ord", "damage", 0.09),
    ("125/12", "Public fear, alarm or distress", "ord", "public", 0.11),
    ("088/01", "Meeting a female child following sexual grooming etc", "groom", "groom", 0.0057),
    ("088/02", "Meeting a male child following sexual grooming etc", "groom", "groom", 0.0010),
    ("071/17", "Sexual communication with a child", "sex", "sexcomm", 0.0025),
    (
        "071/01",
        "Arranging or facilitating commission of a child sex offence",
        "sex",
        "sexcomm",
        0.0012,
    ),
    ("022/02", "Sexual activity involving a child under 13", "sex", "sexother", 0.0014),
    ("019/11", "Rape of a female child under 16", "sex", "sexother", 0.0012),
    ("088/09", "Exposure", "sex", "exposure", 0.0020),
]
_CLS_CODE = np.array([c[0] for c in _CLASSES], dtype=object)
_CLS_TITLE = np.array([c[1] for c in _CLASSES], dtype=object)
_CLS_FAMILY = np.array([c[2] for c in _CLASSES], dtype=object)
_CLS_TEXT = np.array([c[3] for c in _CLASSES], dtype=object)
_CLS_INDEX = {c[0]: i for i, c in enumerate(_CLASSES)}
_CLS_CONNECT = np.array([f"{int(c[0][:3])}/{int(c[0][4:])}" for c in _CLASSES], dtype=object)
_CLS_CMS_TITLE = np.array([c[1].upper() for c in _CLASSES], dtype=object)
_IS_GROOM = _CLS_FAMILY == "groom"
_IS_SEXUAL = _CLS_FAMILY != "ord"

# Reclassification after switch-over (migrated crimes only): class -> (probability, targets, weights)
_RECLASS: dict[str, tuple[float, list[str], list[float]]] = {
    "008/06": (0.02, ["105/01"], [1.0]),
    "105/01": (0.02, ["008/06"], [1.0]),
    "049/00": (0.01, ["039/00", "046/00"], [0.5, 0.5]),
    "088/01": (0.10, ["071/17", "088/02", "022/02"], [0.5, 0.2, 0.3]),
    "088/02": (0.10, ["088/01", "071/17"], [0.6, 0.4]),
    "071/17": (0.12, ["088/01", "088/02"], [0.8, 0.2]),
    "071/01": (0.06, ["088/01"], [1.0]),
    "022/02": (0.05, ["088/01"], [1.0]),
}

# Home Office outcome types: weights per family, and Connect's labels
_OUT_ORD = {
    18: 0.44,
    14: 0.12,
    15: 0.10,
    1: 0.12,
    16: 0.05,
    20: 0.03,
    21: 0.03,
    3: 0.03,
    2: 0.01,
    8: 0.03,
    10: 0.015,
    6: 0.01,
    9: 0.005,
    5: 0.002,
    17: 0.003,
    4: 0.005,
    11: 0.002,
    12: 0.002,
    13: 0.002,
}
_OUT_SEX = {
    1: 0.40,
    15: 0.18,
    14: 0.07,
    16: 0.08,
    18: 0.06,
    20: 0.06,
    21: 0.06,
    3: 0.03,
    10: 0.02,
    12: 0.015,
    9: 0.01,
    8: 0.005,
    17: 0.005,
    13: 0.005,
}
_OUTCOME_LABEL = {
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
_CANCEL_CODES = np.array(
    ["Cancelled - C1", "Cancelled - C2", "Cancelled - C3", "Cancelled - C4"], dtype=object
)

# CJS offence codes and wordings
_S15_GIRL = ["SX03225", "SX03210", "SX03048"]
_S15_BOY = ["SX03226", "SX03211", "SX03049"]
_S15_BASE_W = [0.55, 0.30, 0.15]
_SUFFIXES = ["", "A", "B", "C", "E"]
_SUFFIX_W = [0.80, 0.12, 0.04, 0.02, 0.02]
_OTHER_WORDING = {
    "SX03224": "Sexual communication with a child - SOA 2003 s.15A",
    "SX03047": "Arranging or facilitating a child sex offence - SOA 2003 s.14",
    "SX03010": "Causing or inciting a girl under 16 to engage in sexual activity - SOA 2003 s.10",
    "SX03005": "Rape of a girl under 13 - SOA 2003 s.5",
    "SX03066": "Exposure - SOA 2003 s.66",
    "PC78001": "Making an indecent photograph of a child - Protection of Children Act 1978 s.1(1)(a)",
    "TH68001": "Theft - Theft Act 1968 s.1",
    "TH68010": "Burglary (dwelling) - Theft Act 1968 s.9",
    "OF61047": "Assault occasioning actual bodily harm - OAPA 1861 s.47",
    "CJ88116": "Common assault - Criminal Justice Act 1988 s.39",
    "CD71001": "Criminal damage - Criminal Damage Act 1971 s.1(1)",
    "PU86003": "Threatening behaviour - Public Order Act 1986 s.4",
    "PU86011": "Causing harassment, alarm or distress - Public Order Act 1986 s.5",
}


def _s15_wording(code: str) -> str:
    who = "girl" if code[:7] in _S15_GIRL else "boy"
    suffix = code[7:]
    act = f"meeting a {who} under 16 following sexual grooming"
    if suffix == "":
        return f"Meeting a {who} under 16 following sexual grooming etc - SOA 2003 s.15"
    if suffix == "A":
        return f"Attempting {act} - SOA 2003 s.15 and Criminal Attempts Act 1981 s.1(1)"
    if suffix == "B":
        return (
            f"Aiding and abetting {act} - SOA 2003 s.15 and Accessories and Abettors Act 1861 s.8"
        )
    if suffix == "C":
        return f"Conspiracy to commit {act} - SOA 2003 s.15 and Criminal Law Act 1977 s.1"
    return f"Encouraging or assisting {act} - SOA 2003 s.15 and Serious Crime Act 2007 s.46"


_WORDING: dict[str, str] = dict(_OTHER_WORDING)
for _base in _S15_GIRL + _S15_BOY:
    for _sfx in _SUFFIXES:
        _WORDING[_base + _sfx] = _s15_wording(_base + _sfx)

# Primary charge code per class (codes, weights); "S15G"/"S15B" draw an s15 code (girl/boy) with suffix
_PRIMARY_CODES: dict[str, tuple[list[str], list[float]]] = {
    "008/06": (["OF61047", "CJ88116"], [0.8, 0.2]),
    "105/01": (["CJ88116", "OF61047"], [0.85, 0.15]),
    "028/03": (["TH68010"], [1.0]),
    "039/00": (["TH68001"], [1.0]),
    "046/00": (["TH68001"], [1.0]),
    "049/00": (["TH68001"], [1.0]),
    "058/01": (["CD71001"], [1.0]),
    "058/03": (["CD71001"], [1.0]),
    "125/12": (["PU86003", "PU86011"], [0.6, 0.4]),
    "088/01": (["S15G"], [1.0]),
    "088/02": (["S15B"], [1.0]),
    "071/17": (["SX03224", "S15G"], [0.82, 0.18]),  # s15 charges on crimes classed otherwise
    "071/01": (["SX03047", "S15G"], [0.85, 0.15]),
    "022/02": (["SX03010", "SX03005", "S15G"], [0.6, 0.28, 0.12]),
    "019/11": (["SX03005", "SX03010"], [0.8, 0.2]),
    "088/09": (["SX03066"], [1.0]),
}
# Further charges on the same crime and person ("ATT" = the attempt/complete twin of the primary s15 code)
_SECONDARY_CODES: dict[str, tuple[list[str], list[float]]] = {
    "ord": (["SAME", "CJ88116", "CD71001", "TH68001", "PU86003"], [0.4, 0.15, 0.15, 0.15, 0.15]),
    "groom": (["ATT", "SX03224", "SX03010", "PC78001", "SX03047"], [0.35, 0.25, 0.15, 0.15, 0.10]),
    "sex": (["SX03224", "SX03010", "PC78001", "SX03047", "ATT"], [0.25, 0.25, 0.25, 0.15, 0.10]),
}

# --------------------------------------------------------------------------------------------------
# Names (fake) and free-text templates (written for this generator)
# --------------------------------------------------------------------------------------------------

_SURNAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Hughes",
    "Edwards",
    "Hunter",
    "O’Neill",
    "Ní Bhriain",
    "McKenzie",
    "Nowak",
    "Khan",
    "Begum",
    "Ahmed",
    "Lloyd",
    "Morgan",
    "Price",
    "Doyle",
    "Müller",
    "Fernández",
    "Okafor",
    "Baker",
    "Turner",
]
_FORENAMES_F = [
    "Olivia",
    "Amelia",
    "Isla",
    "Chloé",
    "Renée",
    "Siobhán",
    "Zoë",
    "Aoife",
    "Bethan",
    "Emily",
    "Sophie",
    "Jessica",
    "Ella",
    "Grace",
    "Ayesha",
    "Niamh",
    "Priya",
    "Megan",
    "Hannah",
    "Agnieszka",
]
_FORENAMES_M = [
    "Oliver",
    "Jack",
    "Harry",
    "George",
    "Noah",
    "Mohammed",
    "James",
    "Dafydd",
    "Seán",
    "Kieran",
    "Lewis",
    "Ryan",
    "Daniel",
    "Connor",
    "Thomas",
    "Liam",
    "Tomasz",
    "Callum",
    "José",
    "Rhys",
]
_FORENAMES = _FORENAMES_F + _FORENAMES_M
_MIDDLE_F = ["Marie", "Louise", "Ann", "Rose"]
_MIDDLE_M = ["John", "David", "Michael", "Lee"]
_MIDDLE = _MIDDLE_F + _MIDDLE_M

_PLACES = [
    "the bus station",
    "Market Street, by the clock tower",
    "a supermarket car park",
    "the retail park",
    "Victoria Park",
    "the railway station",
    "a fast food restaurant on the High Street",
    "the leisure centre",
    "the Crown & Anchor pub",
    "St Mary's churchyard",
]
_APPS = [
    "Snapchat",
    "Instagram",
    "Kik",
    "WhatsApp",
    "Facebook Messenger",
    "an online game's chat",
    "a dating app",
    "Omegle",
]
_AGES = ["11", "12", "13", "14", "15"]
_VALUES = [
    "12",
    "25.50",
    "40",
    "60",
    "85",
    "120",
    "149.99",
    "199",
    "250",
    "340",
    "480",
    "650",
    "900",
    "1,200",
    "1,500",
    "2,350",
]
# How a text names a "paedophile hunter" group: the variants a search has to catch
_HUNTER_GROUPS = [
    "a paedophile hunter group",
    "a Paedophile Hunter group",
    "PAEDOPHILE HUNTERS",
    "a paedophile-hunter team",
    "the paedophile\nhunters",
    "a pedophile hunter group",
    "a peadophile hunter group",
    "paedophile hunters",
    "online vigilantes",
    "a vigilante group",
    "a vigilanty group",
    "Northern Shield",
    "Nothern Shield",
    "NORTHERN SHIELD",
    "Predator Patrol",
    "Predator Patrl",
    "Safeguard Sentinels",
    "OCAG",
    "OCAG (online child abuse activists)",
    "an online child abuse activist group",
    "the Paedophile-Hunters",
    "Northern Shield (paedophile hunters)",
]

# kind -> list of (template, weight). {child}/{obj}/{pos} follow the child's sex.
_TEMPLATES: dict[str, list[tuple[str, float]]] = {
    "theft": [
        (
            "Victim's bag, left on a table at {place}, was taken; it held a purse with £{v} in cash.",
            1,
        ),
        ("Pedal cycle worth £{v} stolen from outside {place}, lock cut. No CCTV.", 1),
        (
            'Suspect took goods worth £{v} from the shelves and left without paying; staff said "he does this every week".',
            1,
        ),
        (
            "Phone snatched from the victim's hand at {place}, value £{v}.\nSuspect described as male, dark clothing.",
            1,
        ),
        (
            "Victim, Renée, had her purse taken from her coat pocket on a crowded bus near {place}.",
            1,
        ),
    ],
    "burglary": [
        (
            "Rear door forced at the victim's home near {place}; jewellery, a laptop and £{v} cash taken.",
            1,
        ),
        (
            "Entry gained through an insecure window while the occupants, Siobhán and her partner, slept; car keys taken.",
            1,
        ),
        ("House searched, drawers emptied,\nitems worth about £{v} taken. Forensics attended.", 1),
    ],
    "assault": [
        (
            "Victim punched in the face outside {place} after an argument over a taxi, sustaining a broken nose.",
            1,
        ),
        (
            "Domestic: partner pushed the victim against a wall, causing bruising. Victim, Siobhán, does not support a prosecution.",
            1,
        ),
        (
            "Victim, Mr Hunter, assaulted by a neighbour during a dispute about parking at {place}.",
            1,
        ),
        (
            "Suspect threatened door staff at {place} with a hunting knife, then struck one with a bottle.",
            1,
        ),
        (
            'Push and slap during a row at {place}; no injuries. Both parties "had been drinking".',
            1,
        ),
    ],
    "damage": [
        ("Wing mirror of a parked car at {place} kicked off, repair estimate £{v}.", 1),
        (
            "Front windows of the house smashed with a brick overnight, estimate £{v}; neighbour Mr Hunter heard the noise.",
            1,
        ),
        ("Graffiti sprayed on a van parked at {place}, cleaning cost £{v}.\nOwner has CCTV.", 1),
    ],
    "public": [
        ("Male shouting abuse and threatening staff at {place}, causing alarm to customers.", 1),
        (
            "Group of youths, one carrying what looked like a hunting knife, intimidating residents near {place}.",
            1,
        ),
        (
            'Suspect sent the victim repeated threatening messages, including "you\'ll regret this".',
            1,
        ),
    ],
    "groom_plain": [
        (
            "The {age} year old {child} was contacted on {app} by an adult male who, over several weeks, persuaded {obj} to meet at {place}. Officers attended and detained the male.",
            1,
        ),
        (
            "School safeguarding lead reported that a pupil aged {age} had been messaging an older man on {app}; he arranged to collect {obj} from {place}.",
            1,
        ),
        (
            "Parent found sexualised chat on {app} between {pos} {age} year old and an adult, who then travelled to {place} to meet the child.",
            1,
        ),
        (
            "Suspect, a 41 year old man, groomed the {child} (aged {age}) with gifts and phone credit worth £{v}, then met {obj} at {place}.",
            1,
        ),
        (
            "Victim's aunt, Siobhán, saw messages on {app} arranging a meeting at {place}; the adult suspect was traced and arrested.",
            1,
        ),
        (
            'Suspect told the {age} year old on {app} he was "only 16" and asked to meet at {place}, where officers arrested him.',
            1,
        ),
        (
            "Social worker Renée reported that a man the {child} knew from {app} met {obj} at {place}, bought {obj} alcohol and asked for photos.",
            1,
        ),
        (
            "Initial report via 101.\nThe {age} year old {child} met an adult from {app} at {place}; suspect identified from the messages.",
            1,
        ),
        (
            "The {child}'s stepfather, Mr Hunter, found messages on {app} from an adult arranging to meet at {place} and reported it the same evening.",
            1,
        ),
        (
            'Suspect drove to {place} to meet a {child} aged {age} he had groomed on {app}; a hunting knife was found in his car ("for fishing", he said).',
            0.5,
        ),
    ],
    "groom_covert": [
        (
            "Undercover officer from the force online child protection team posed as a {child} aged {age} on {app}. Suspect arranged to meet at {place} and was arrested on arrival.",
            1,
        ),
        (
            "Decoy account run by the police online team received sexual messages from the suspect, who believed he was talking to a child aged {age}; he travelled to {place} and was detained.",
            1,
        ),
        (
            "Covert operation: an officer posing as a child aged {age} on {app}.\nSuspect travelled to {place} for the meeting and was arrested by the arrest team.",
            1,
        ),
    ],
    "groom_negated": [
        (
            "Suspect arranged via {app} to meet a child aged {age} at {place}. Enquiries confirm this is not a vigilante or hunter group referral.",
            1,
        ),
        (
            "Report from the {child}'s school; nil vigilante involvement. The adult met the child at {place} after contact on {app}.",
            1,
        ),
        (
            "Mother reported messages on {app}; the suspect met the {age} year old at {place}. No paedophile hunter involvement.",
            1,
        ),
        (
            "Adult suspect met the {child} (aged {age}) at {place} after contact on {app}.\nNo Paedophile Hunter involvement; reported by the family.",
            0.5,
        ),
    ],
    "groom_hunter": [
        (
            "Suspect detained at {place} by members of {grp} who had posed as a {child} aged {age} on {app}; the confrontation was live-streamed before police arrived.",
            1,
        ),
        (
            "Referral from {grp}: the suspect had messaged their decoy profile (stated age {age}) on {app} and turned up at {place}. Chat logs handed to the OIC.",
            1,
        ),
        (
            "Call from a member of {grp} saying they were holding a man at {place}\nwho had arranged to meet a {child} aged {age} from {app}.",
            1,
        ),
        (
            "Suspect met what he believed was a {child} aged {age} at {place}; the profile on {app} was run by {grp}. Screenshots, video and a statement provided.",
            1,
        ),
        (
            "Initially logged as no paedophile hunter involvement; it later emerged the meeting at {place} was set up by {grp} using a profile on {app}.",
            0.15,
        ),
    ],
    "sexcomm_plain": [
        (
            "Adult sent sexual messages and images to a {child} aged {age} via {app}; no meeting took place.",
            1,
        ),
        (
            'Suspect asked the {child} (aged {age}) for indecent photos on {app}, saying "delete these after".',
            1,
        ),
        (
            "Teacher noticed the {age} year old {child} was distressed; {app} chat with an adult contained sexual content.\nDevice seized.",
            1,
        ),
    ],
    "sexcomm_hunter": [
        (
            "Sexual messages sent on {app} to a profile posing as a child aged {age}; the profile belonged to {grp}, who passed the logs to police.",
            1,
        ),
        (
            "Evidence pack received from {grp}: explicit chat on {app} with a decoy claiming to be {age}.",
            1,
        ),
    ],
    "sexcomm_negated": [
        (
            "Explicit messages sent to a child aged {age} on {app}; nil vigilante involvement, reported by the child's father.",
            1,
        ),
    ],
    "sexother_plain": [
        (
            "Historic disclosure by the victim, now {age}, of sexual abuse by a family friend at an address near {place}.",
            1,
        ),
        (
            "The {child}, aged {age}, disclosed abuse by a relative to a school counsellor; ABE interview arranged.",
            1,
        ),
    ],
    "exposure_plain": [
        (
            "Male exposed himself to two women walking through {place}, then ran off towards the canal.",
            1,
        ),
        (
            "Man seen exposing himself from a car parked at {place}; partial registration obtained.",
            1,
        ),
    ],
    "update": [  # appended to Connect's text of a migrated crime after switch-over
        (
            "\nUpdate: it has since emerged that {grp} had also been messaging the suspect; their chat logs and video were passed to the OIC.",
            1,
        ),
    ],
}
_TEXT_FIELDS = {
    "place": _PLACES,
    "app": _APPS,
    "age": _AGES,
    "v": _VALUES,
    "grp": _HUNTER_GROUPS,
}
_SEX_WORDS = {
    "F": {"child": "girl", "obj": "her", "pos": "her"},
    "M": {"child": "boy", "obj": "him", "pos": "his"},
}


@cache
def _text_table(kind: str, sex: str) -> _TextTable:
    return _TextTable(kind, sex)


_GRP = "\x00"  # placeholder for the hunter group's name, filled in after drawing


class _TextTable:
    """Every expansion of one kind's templates (group names left as a placeholder), for fast drawing.

    A draw picks a template by weight, then one of its expansions uniformly; the first draws of a
    table cover every template, so each wording occurs even in a small extract.
    """

    def __init__(self, kind: str, sex: str):
        texts: list[str] = []
        offsets, counts, weights = [], [], []
        fmt = string.Formatter()
        fields = {k: v for k, v in _TEXT_FIELDS.items() if k != "grp"}
        for template, weight in _TEMPLATES[kind]:
            names = sorted({f for _, f, _, _ in fmt.parse(template) if f and f in fields})
            offsets.append(len(texts))
            n = 0
            for values in product(*(fields[k] for k in names)):
                texts.append(
                    template.format(**_SEX_WORDS[sex], grp=_GRP, **dict(zip(names, values)))
                )
                n += 1
            counts.append(n)
            weights.append(weight)
        self.texts = np.array(texts, dtype=object)
        w = np.asarray(weights, dtype=float)
        self.p = w / w.sum()
        self.offsets = np.asarray(offsets)
        self.counts = np.asarray(counts)

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        t = rng.choice(len(self.p), size=size, p=self.p)
        k = min(size, len(self.p))
        t[rng.permutation(size)[:k]] = np.arange(k)
        j = (rng.random(size) * self.counts[t]).astype(np.int64)
        return self.texts[self.offsets[t] + j]


def _fill_groups(rng: np.random.Generator, texts: np.ndarray) -> np.ndarray:
    """Put a hunter group's name in each text's placeholder; the first draws cover every variant."""
    size = len(texts)
    g = rng.integers(0, len(_HUNTER_GROUPS), size=size)
    k = min(size, len(_HUNTER_GROUPS))
    g[rng.permutation(size)[:k]] = np.arange(k)
    out = texts.copy()
    for i, name in enumerate(_HUNTER_GROUPS):
        sel = np.flatnonzero(g == i)
        if len(sel):
            out[sel] = (
                pd.Series(texts[sel], dtype=object)
                .str.replace(_GRP, name, regex=False)
                .to_numpy(dtype=object)
            )
    return out


# --------------------------------------------------------------------------------------------------
# The truth
# --------------------------------------------------------------------------------------------------


@dataclass
class SyntheticTruth:
    """The generator's internal model, before rendering into the two systems' formats.

    crimes: one row per true crime (CMS row and Connect copy of a migrated crime are ONE row).
    individuals: one row per real person (whatever number of person records the systems hold).
    links: one row per (crime, individual) involvement, with the record each system used.
    charges: one row per true charge (a charge copied into both systems is ONE row).
    """

    crimes: pd.DataFrame
    individuals: pd.DataFrame
    links: pd.DataFrame
    charges: pd.DataFrame
    seed: int
    n_crimes: int
    taken_on: date
    start_year: int
    switchover: datetime = SWITCHOVER
    files: dict[str, Path] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------
# Small vectorised helpers
# --------------------------------------------------------------------------------------------------

_EPOCH = date(1970, 1, 1)
_DAY_TABLE_FROM = date(1900, 1, 1)
_DAY_TABLE_TO = date(2045, 12, 31)


def _days(d: date) -> int:
    return (d - _EPOCH).days


def _day_tables() -> tuple[np.ndarray, np.ndarray]:
    n = (_DAY_TABLE_TO - _DAY_TABLE_FROM).days + 1
    days = [_DAY_TABLE_FROM + timedelta(days=i) for i in range(n)]
    dmy = np.array([d.strftime("%d/%m/%Y") for d in days], dtype=object)
    iso = np.array([d.isoformat() for d in days], dtype=object)
    return dmy, iso


_DMY, _ISO = _day_tables()
_DAY0 = _days(_DAY_TABLE_FROM)
_HHMM = np.array([f"{m // 60:02d}:{m % 60:02d}" for m in range(1440)], dtype=object)
_HHMMSS = np.array(
    [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)], dtype=object
)


def _fmt_day(day: np.ndarray, table: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """Days since epoch -> strings via a lookup table ('' where not valid)."""
    day = np.asarray(day, dtype=np.int64)
    if valid is None:
        return table[day - _DAY0]
    out = np.full(day.shape, "", dtype=object)
    out[valid] = table[day[valid] - _DAY0]
    return out


def _fmt_cms_datetime(sec: np.ndarray) -> np.ndarray:
    return _fmt_day(sec // 86400, _DMY) + " " + _HHMM[(sec % 86400) // 60]


def _fmt_iso_datetime(sec: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    sec = np.asarray(sec, dtype=np.int64)
    if valid is None:
        return _fmt_day(sec // 86400, _ISO) + "T" + _HHMMSS[sec % 86400]
    out = np.full(sec.shape, "", dtype=object)
    s = sec[valid]
    out[valid] = _fmt_day(s // 86400, _ISO) + "T" + _HHMMSS[s % 86400]
    return out


def _int_str(a: np.ndarray, width: int = 0) -> np.ndarray:
    """Integers -> decimal strings (object array), zero-padded to width."""
    s = pa.array(np.asarray(a, dtype=np.int64)).cast(pa.string())
    if width:
        s = pc.utf8_lpad(s, width=width, padding="0")
    return s.to_numpy(zero_copy_only=False).astype(object)


def _group_rank(sorted_keys: np.ndarray) -> np.ndarray:
    """0-based position of each element within its run of equal keys (keys sorted)."""
    n = len(sorted_keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.r_[0, np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1]
    lengths = np.diff(np.r_[starts, n])
    return np.arange(n) - np.repeat(starts, lengths)


def _ensure(
    rng: np.random.Generator, selected: np.ndarray, candidates: np.ndarray, k: int = 1
) -> np.ndarray:
    """Make sure at least k candidates are selected (so every quirk occurs even in small extracts)."""
    have = int((selected & candidates).sum())
    if have < k:
        pool = np.flatnonzero(candidates & ~selected)
        if len(pool):
            pick = rng.choice(pool, size=min(k - have, len(pool)), replace=False)
            selected[pick] = True
    return selected


def _year_of_day(day: np.ndarray) -> np.ndarray:
    return np.asarray(day, dtype="datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def _choice_by_class(
    rng, cls: np.ndarray, table: dict[str, tuple[list[str], list[float]]], key
) -> np.ndarray:
    """Draw a code per row from the table entry of key(class) (one vectorised draw per table entry)."""
    out = np.empty(len(cls), dtype=object)
    row_key = np.array([key(c) for c in _CLS_CODE], dtype=object)[cls]
    for k in sorted(table):
        idx = np.flatnonzero(row_key == k)
        if len(idx) == 0:
            continue
        codes, w = table[k]
        out[idx] = np.array(codes, dtype=object)[
            rng.choice(len(codes), size=len(idx), p=np.asarray(w) / sum(w))
        ]
    return out


def _draw_s15(rng, n: int, boy: np.ndarray) -> np.ndarray:
    base_i = rng.choice(3, size=n, p=_S15_BASE_W)
    base = np.where(
        boy, np.array(_S15_BOY, dtype=object)[base_i], np.array(_S15_GIRL, dtype=object)[base_i]
    )
    sfx = np.array(_SUFFIXES, dtype=object)[rng.choice(len(_SUFFIXES), size=n, p=_SUFFIX_W)]
    return base + sfx


# --------------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------------


def generate_extracts(
    out_dir,
    n_crimes: int = 20_000,
    seed: int = 20180075,
    taken_on: str = "2019-01-01",
    start_year: int = 2013,
) -> SyntheticTruth:
    """Write the six extract files into out_dir and return the model they were rendered from.

    Crimes are recorded uniformly from 1 January of start_year up to taken_on (the moment the
    extracts were taken). The same arguments always give byte-identical files.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    taken = date.fromisoformat(str(taken_on))
    if not date(start_year, 1, 1) < SWITCHOVER.date() < taken:
        raise ValueError(
            "the extract must span the switch-over: start_year-01-01 < 2017-12-04 < taken_on"
        )
    if n_crimes < 200:
        raise ValueError("n_crimes must be at least 200")
    rng = np.random.default_rng(seed)
    crimes = _draw_crimes(rng, n_crimes, taken, start_year)
    links, individuals, charges = _draw_people_and_charges(rng, crimes, taken)
    files = _render(rng, out, crimes, links, individuals, charges)
    return SyntheticTruth(
        crimes=_crimes_frame(crimes),
        individuals=individuals["frame"],
        links=links["frame"],
        charges=charges["frame"],
        seed=seed,
        n_crimes=n_crimes,
        taken_on=taken,
        start_year=start_year,
        files=files,
    )


def _draw_crimes(rng: np.random.Generator, n: int, taken: date, start_year: int) -> dict:
    start_day, end_day = _days(date(start_year, 1, 1)), _days(taken)
    switch_sec = _days(SWITCHOVER.date()) * 86400 + 7 * 3600
    switch_day = _days(SWITCHOVER.date())

    rec = rng.integers(start_day * 86400, end_day * 86400, size=n, dtype=np.int64)
    w = np.array([c[4] for c in _CLASSES])
    sexual_total = w[_IS_SEXUAL].sum()
    w[~_IS_SEXUAL] *= (1 - sexual_total) / w[~_IS_SEXUAL].sum()
    cls = rng.choice(len(_CLASSES), size=n, p=w / w.sum())

    # Boundary recordings: the last second of each year and the first of the next, plus the switch-over
    boundary: list[tuple[int, bool]] = []  # (recorded second, open at switch-over?)
    for y in range(start_year, taken.year):
        boundary.append((_days(date(y, 12, 31)) * 86400 + 86399, True))
        boundary.append((_days(date(y + 1, 1, 1)) * 86400, False))
        boundary.append((_days(date(y + 1, 1, 1)) * 86400 + 1, True))
    boundary += [(switch_sec - 30, False), (switch_sec, False), (switch_sec - 3600, True)]
    boundary = [(s, o) for s, o in boundary if start_day * 86400 <= s < end_day * 86400]
    nb = len(boundary)
    rec[:nb] = [s for s, _ in boundary]
    cls[:nb] = _CLS_INDEX["088/01"]
    force_open = np.zeros(n, dtype=bool)
    force_open[:nb] = [o for _, o in boundary]
    protected = np.zeros(n, dtype=bool)
    protected[:nb] = True

    order = np.argsort(rec, kind="stable")
    rec, cls, force_open, protected = rec[order], cls[order], force_open[order], protected[order]
    rec_day = rec // 86400
    # s15A (071/17) did not exist before 3 April 2017
    early_s15a = (cls == _CLS_INDEX["071/17"]) & (rec_day < _days(_S15A_IN_FORCE))
    cls[early_s15a] = _CLS_INDEX["071/01"]
    fam = _CLS_FAMILY[cls]
    sexual = _IS_SEXUAL[cls]
    groom = _IS_GROOM[cls]

    committed = rec_day - np.where(
        sexual, rng.integers(0, 120, size=n), rng.geometric(0.45, size=n) - 1
    )
    committed_known = rng.random(n) >= 0.04

    # Final outcome (what the crime ends up with, if it is recorded by the time the extract is taken)
    cancelled = rng.random(n) < np.where(sexual, 0.04, 0.012)
    cancelled &= ~protected
    o_ord = np.array(list(_OUT_ORD)), np.array(list(_OUT_ORD.values()))
    o_sex = np.array(list(_OUT_SEX)), np.array(list(_OUT_SEX.values()))
    outcome = np.where(
        sexual,
        o_sex[0][rng.choice(len(o_sex[0]), size=n, p=o_sex[1] / o_sex[1].sum())],
        o_ord[0][rng.choice(len(o_ord[0]), size=n, p=o_ord[1] / o_ord[1].sum())],
    ).astype(np.int64)
    long = rng.random(n) < np.where(sexual, 0.22, 0.10)
    delay = (
        np.where(
            long,
            rng.uniform(500, 1900, size=n),
            rng.lognormal(np.where(sexual, np.log(160), np.log(35)), np.where(sexual, 0.8, 1.1)),
        ).astype(np.int64)
        + 1
    )
    out_day = rec_day + delay
    # boundary crimes recorded before 2016 that must still be open at switch-over (so migrated)
    still_open = force_open & (rec < switch_sec)
    out_day[still_open] = np.maximum(
        out_day[still_open], switch_day + 30 + (delay[still_open] % 300)
    )

    # Charges dated either side of each new year: grooming crimes whose charge/summons falls on
    # 31 December or 1 January
    cand_base = groom & ~cancelled & ~protected
    for y in range(start_year, taken.year):
        for d in (date(y, 12, 31), date(y + 1, 1, 1)):
            dd = _days(d)
            if dd >= end_day:
                continue
            cand = np.flatnonzero(cand_base & (rec_day >= dd - 500) & (rec_day <= dd - 20))
            if len(cand) == 0:
                continue
            pick = rng.choice(cand, size=min(2, len(cand)), replace=False)
            outcome[pick] = 1
            out_day[pick] = dd
            protected[pick] = True
            cand_base[pick] = False

    # ... and, each year, a grooming crime recorded three years earlier charged late in that year
    for y in range(start_year + 3, taken.year + 1):
        lo_day, hi_day = _days(date(y, 1, 1)), min(_days(date(y, 12, 31)), end_day - 1)
        cand = np.flatnonzero(
            cand_base & (rec_day >= _days(date(y - 3, 1, 1))) & (rec_day < _days(date(y - 2, 1, 1)))
        )
        if len(cand) == 0 or hi_day < lo_day:
            continue
        pick = rng.choice(cand)
        outcome[pick] = 1
        out_day[pick] = rng.integers(lo_day, hi_day + 1)
        protected[pick] = True
        cand_base[pick] = False

    outcome[(outcome == 21) & (out_day < _days(_OUTCOME21_FROM))] = 15
    has_out = ~cancelled & (out_day < end_day)
    outcome = np.where(has_out, outcome, 0)  # 0 = no outcome recorded
    out_day = np.where(has_out, out_day, 0)

    # State at switch-over and the migration rule
    pre = rec < switch_sec
    out_sw = np.where(pre & has_out & (out_day < switch_day), outcome, 0)
    out_day_sw = np.where(out_sw > 0, out_day, 0)
    open_sw = pre & ~cancelled & (out_sw == 0)
    migrated = pre & (
        (rec_day >= _days(_MIGRATE_ALL_FROM)) | ((rec_day >= _days(_MIGRATE_OPEN_FROM)) & open_sw)
    )
    cms_only = pre & ~migrated
    in_cms = pre
    in_connect = ~pre | migrated

    # Current state. CMS was frozen at switch-over: a crime left in CMS keeps its state then.
    cls_sw = np.where(pre, cls, -1)
    cur_cls = cls.copy()
    cur_out = np.where(cms_only, out_sw, outcome)
    cur_out_day = np.where(cms_only, out_day_sw, out_day)
    cur_cancel = cancelled.copy()

    # ... migrated crimes: Connect holds the current state, which may have moved on since
    later_cancel = migrated & open_sw & ~protected & (rng.random(n) < np.where(sexual, 0.08, 0.02))
    later_cancel = _ensure(rng, later_cancel, migrated & open_sw & ~protected & groom)
    cur_cancel |= later_cancel
    cur_out[later_cancel] = 0
    cur_out_day[later_cancel] = 0

    revisable = migrated & (out_sw > 0) & (out_sw != 1) & (outcome == out_sw) & ~cur_cancel
    revise = revisable & (rng.random(n) < np.where(sexual, 0.10, 0.03))
    revise = _ensure(rng, revise, revisable & sexual)
    ri = np.flatnonzero(revise)
    if len(ri):
        alt = np.array([o for o in _OUT_SEX if o != 1])
        new = alt[rng.integers(0, len(alt), size=len(ri))]
        new = np.where(new == cur_out[ri], 18, new)
        new = np.where(new == cur_out[ri], 14, new)
        cur_out[ri] = new
        cur_out_day[ri] = rng.integers(switch_day + 1, end_day, size=len(ri))

    reclass = np.zeros(n, dtype=bool)
    for code, (p, targets, tw) in _RECLASS.items():
        m = migrated & (cls == _CLS_INDEX[code]) & ~protected
        sel = m & (rng.random(n) < p)
        if code in ("088/01", "071/17"):  # at least one reclassified out of, and one into, 088/01
            sel = _ensure(rng, sel, m)
        idx = np.flatnonzero(sel)
        if len(idx):
            tgt = np.array([_CLS_INDEX[t] for t in targets])
            cur_cls[idx] = tgt[rng.choice(len(tgt), size=len(idx), p=np.asarray(tw) / sum(tw))]
            reclass[idx] = True
    # at least one migrated crime reclassified into the grooming classes, and one out of them
    g88 = np.isin(cur_cls, [_CLS_INDEX["088/01"], _CLS_INDEX["088/02"]])
    was88 = np.isin(cls, [_CLS_INDEX["088/01"], _CLS_INDEX["088/02"]])
    for into in (True, False):
        done = reclass & (g88 != was88) & (g88 if into else was88)
        if not done.any():
            src = ["071/17", "071/01", "022/02"] if into else ["088/01", "088/02"]
            cand = np.flatnonzero(
                migrated & ~protected & ~reclass & np.isin(cls, [_CLS_INDEX[x] for x in src])
            )
            if len(cand):
                j = rng.choice(cand)
                cur_cls[j] = _CLS_INDEX["088/01" if into else "071/17"]
                reclass[j] = True

    # Free text: kind by class family, hunters on grooming and sexual-communication crimes
    sex_of_child = np.where(
        cls == _CLS_INDEX["088/02"], "M", np.where(rng.random(n) < 0.75, "F", "M")
    )
    sex_of_child = np.where(cls == _CLS_INDEX["088/01"], "F", sex_of_child)
    u = rng.random(n)
    tkind = _CLS_TEXT[cls]
    kind = np.where(
        tkind == "groom",
        np.select([u < 0.16, u < 0.24, u < 0.32], ["hunter", "negated", "covert"], "plain"),
        np.where(
            tkind == "sexcomm",
            np.select([u < 0.08, u < 0.13], ["hunter", "negated"], "plain"),
            "plain",
        ),
    )
    kind = np.asarray(kind, dtype=object)
    key = np.where(
        np.isin(tkind, ["groom", "sexcomm", "sexother", "exposure"]), tkind + "_" + kind, tkind
    )
    key = np.asarray(key, dtype=object)
    text = np.empty(n, dtype=object)
    grouped = pd.Series(np.arange(n)).groupby([key, sex_of_child], sort=True).indices
    for (k, sx), idx in sorted(grouped.items()):
        text[idx] = _text_table(k, sx).draw(rng, len(idx))
    hunter = kind == "hunter"
    negated = kind == "negated"
    # Some migrated hunter cases only came to light after switch-over: CMS's text has no mention,
    # Connect's text has the update appended.
    late = migrated & hunter & groom & (rng.random(n) < 0.3)
    late = _ensure(rng, late, migrated & hunter & groom)
    cms_text = text.copy()
    li = np.flatnonzero(late)
    if len(li):
        for sx in ("F", "M"):
            sub = li[sex_of_child[li] == sx]
            if len(sub):
                cms_text[sub] = _text_table("groom_plain", sx).draw(rng, len(sub))
                text[sub] = cms_text[sub] + _text_table("update", sx).draw(rng, len(sub))
    # hunter groups' names, drawn together so that even a small extract has every variant
    gi = np.flatnonzero(
        pd.Series(text, dtype=object).str.contains(_GRP, regex=False).to_numpy(dtype=bool)
    )
    text[gi] = _fill_groups(rng, text[gi])
    cms_text = np.where(late, cms_text, text)
    cms_text = np.where(in_cms, cms_text, None)

    # CMS and Connect references: sequence numbers within the year of first recording
    year = _year_of_day(rec_day)
    cms_seq = np.zeros(n, dtype=np.int64)
    ci = np.flatnonzero(in_cms)
    cms_seq[ci] = _group_rank(year[ci]) + 1
    con_seq = np.zeros(n, dtype=np.int64)
    ki = np.flatnonzero(in_connect)
    con_seq[ki] = _group_rank(year[ki]) + 1
    yy = _int_str(year % 100, 2)
    cms_ref = np.full(n, None, dtype=object)
    cms_ref[ci] = "CM/" + yy[ci] + "/" + _int_str(cms_seq[ci], 7)
    connect_ref = np.full(n, None, dtype=object)
    connect_ref[ki] = _int_str(con_seq[ki], 8) + "/" + yy[ki]
    migration_sec = np.where(migrated, switch_sec + 60 * rng.integers(0, 246, size=n), 0)

    cms_status = np.where(
        migrated,
        "MIGRATED",
        np.where(cancelled, "NO CRIME", np.where(rng.random(n) < 0.33, "CRIMED", "CONFIRMED")),
    )
    cms_status = np.where(in_cms, cms_status, None)
    cancel_code = np.where(
        cur_cancel, _CANCEL_CODES[rng.choice(4, size=n, p=[0.55, 0.15, 0.2, 0.1])], None
    )

    return dict(
        n=n,
        rec=rec,
        rec_day=rec_day,
        cls=cls,
        cls_sw=cls_sw,
        cur_cls=cur_cls,
        fam=fam,
        sexual=sexual,
        groom=groom,
        committed=committed,
        committed_known=committed_known,
        cancelled_sw=cancelled & pre,
        cur_cancel=cur_cancel,
        cancel_code=cancel_code,
        out_sw=out_sw,
        out_day_sw=out_day_sw,
        cur_out=cur_out,
        cur_out_day=cur_out_day,
        final_out=outcome,
        migrated=migrated,
        cms_only=cms_only,
        in_cms=in_cms,
        in_connect=in_connect,
        reclass=reclass,
        later_cancel=later_cancel,
        revised=revise,
        protected=protected,
        cms_ref=cms_ref,
        connect_ref=connect_ref,
        migration_sec=migration_sec,
        cms_status=cms_status,
        text=text,
        cms_text=cms_text,
        text_kind=kind,
        hunter=hunter,
        negated=negated,
        late_hunter=late,
        sex_of_child=sex_of_child,
        switch_day=switch_day,
        end_day=end_day,
    )


def _draw_people_and_charges(rng: np.random.Generator, c: dict, taken: date):
    n = c["n"]
    sexual, groom = c["sexual"], c["groom"]
    final_out = c["final_out"]
    kind = c["text_kind"]

    # ---- involvements -------------------------------------------------------------------------
    r = rng.random((4, n))
    n_vic = np.where(r[0] < 0.08, 0, np.where(r[0] < 0.96, 1, 2))
    n_vic = np.where(
        groom & np.isin(kind, ["hunter", "covert"]) & (r[1] < 0.85), 0, n_vic
    )  # decoy "child"
    charged_final = final_out == 1
    n_sus = np.where(
        charged_final,
        1 + (r[2] < 0.25) + (r[3] < 0.06),
        np.where(
            np.isin(final_out, [0, 14, 18]), (r[2] < 0.2).astype(int), (r[2] < 0.9).astype(int)
        ),
    )
    n_wit = (r[3] > 0.92).astype(int)
    crime_of = np.concatenate([np.repeat(np.arange(n), k) for k in (n_vic, n_sus, n_wit)])
    role = np.concatenate(
        [np.full(n_vic.sum(), 0), np.full(n_sus.sum(), 1), np.full(n_wit.sum(), 2)]
    )
    o = np.lexsort((role, crime_of))
    crime_of, role = crime_of[o], role[o]
    m = len(crime_of)

    # individuals: pools of repeat offenders / repeat victims, else a new person
    n_groom = int(groom.sum())
    r_ord, r_sex, r_vic = max(20, n // 30), max(5, n_groom // 6), max(20, n // 60)
    sx_l = sexual[crime_of]
    u = rng.random(m)
    raw = np.full(m, -1, dtype=np.int64)
    sus = role == 1
    reuse_ord = sus & ~sx_l & (u < 0.35)
    reuse_sex = sus & sx_l & (u < 0.30)
    reuse_vic = (role == 0) & ~sx_l & (u < 0.05)
    raw[reuse_ord] = rng.integers(0, r_ord, size=reuse_ord.sum())
    raw[reuse_sex] = r_ord + rng.integers(0, r_sex, size=reuse_sex.sum())
    raw[reuse_vic] = r_ord + r_sex + rng.integers(0, r_vic, size=reuse_vic.sum())
    fresh = raw < 0
    raw[fresh] = r_ord + r_sex + r_vic + np.arange(fresh.sum())
    # one involvement per person per crime
    keep = ~pd.DataFrame({"c": crime_of, "p": raw}).duplicated().to_numpy()
    crime_of, role, raw = crime_of[keep], role[keep], raw[keep]
    m = len(crime_of)
    uniq, first_idx, inv = np.unique(raw, return_index=True, return_inverse=True)
    relabel = np.empty(len(uniq), dtype=np.int64)
    relabel[np.argsort(first_idx, kind="stable")] = np.arange(len(uniq))
    ind = relabel[inv]
    n_ind = len(uniq)
    first_link = np.sort(first_idx)  # earliest link of each individual, in label order
    sus_rank = np.zeros(m, dtype=np.int64)
    si = np.flatnonzero(role == 1)
    sus_rank[si] = _group_rank(crime_of[si])

    # ---- charges ------------------------------------------------------------------------------
    cur_out = c["cur_out"]
    charged_crime = cur_out == 1
    is_ch_link = (role == 1) & charged_crime[crime_of] & ((sus_rank == 0) | (rng.random(m) < 0.6))
    ch_link = np.flatnonzero(is_ch_link)
    lc = crime_of[ch_link]
    rr = rng.random(len(ch_link))
    n_ch = 1 + (rr < np.where(groom[lc], 0.45, 0.2)) + (rr < np.where(groom[lc], 0.10, 0.04))
    ch_l = np.repeat(ch_link, n_ch)
    k = _group_rank(ch_l)
    ch_c = crime_of[ch_l]
    out_day = c["cur_out_day"][ch_c]
    primary_of_crime = (sus_rank[ch_l] == 0) & (k == 0)
    ch_day = np.where(primary_of_crime, out_day, out_day - rng.integers(0, 21, size=len(ch_l)))
    ch_day = np.maximum(ch_day, c["rec_day"][ch_c])
    pre_switch = ch_day < c["switch_day"]
    ch_cls = np.where(c["migrated"][ch_c] & pre_switch, c["cls_sw"][ch_c], c["cur_cls"][ch_c])
    boy = c["sex_of_child"][ch_c] == "M"
    # primary code for each charged (crime, person) ...
    prim = _choice_by_class(rng, ch_cls, _PRIMARY_CODES, lambda code: code)
    s15_draw = _draw_s15(rng, len(ch_l), boy)
    prim = np.where(prim == "S15G", s15_draw, np.where(prim == "S15B", s15_draw, prim))
    first_of_link = k == 0
    link_primary = np.empty(m, dtype=object)
    link_primary[ch_l[first_of_link]] = prim[first_of_link]
    lp = link_primary[ch_l]
    # ... further charges
    sec = _choice_by_class(
        rng, ch_cls, _SECONDARY_CODES, lambda code: _CLS_FAMILY[_CLS_INDEX[code]]
    )
    lp_base = pd.Series(lp, dtype=object).str[:7].to_numpy(dtype=object)
    lp_is_s15 = np.isin(lp_base, _S15_GIRL + _S15_BOY)
    twin = np.where(lp == lp_base, lp_base + "A", lp_base)  # complete <-> attempt
    att_fallback = np.where(boy, "SX03226A", "SX03225A")
    sec = np.where(sec == "ATT", np.where(lp_is_s15, twin, att_fallback), sec)
    sec = np.where(sec == "SAME", lp, sec)
    sec = np.where((sec == "SX03224") & (ch_day < _days(_S15A_IN_FORCE)), "SX03010", sec)
    code = np.where(first_of_link, lp, sec)
    code = np.where((code == "SX03224") & (ch_day < _days(_S15A_IN_FORCE)), "SX03010", code)
    chg = pd.DataFrame({"link": ch_l, "crime": ch_c, "ind": ind[ch_l], "day": ch_day, "code": code})
    chg = chg.drop_duplicates(["crime", "ind", "code", "day"]).reset_index(drop=True)

    # ---- individuals: names, DOB, PNC ---------------------------------------------------------
    f_link = first_link
    f_crime = crime_of[f_link]
    f_role = role[f_link]
    f_day = c["rec_day"][f_crime]
    f_groom = groom[f_crime]
    f_sex = sexual[f_crime]
    age = np.select(
        [(f_role == 0) & f_groom, (f_role == 0) & f_sex, (f_role == 1) & f_sex, f_role == 1],
        [
            rng.integers(11, 16, n_ind),
            rng.integers(8, 16, n_ind),
            rng.integers(19, 69, n_ind),
            rng.integers(15, 61, n_ind),
        ],
        rng.integers(16, 89, n_ind),
    )
    dob = f_day - (age * 365.25).astype(np.int64) - rng.integers(0, 365, n_ind)
    dob_year = _year_of_day(dob)
    ever_charged = np.zeros(n_ind, dtype=bool)
    ever_charged[chg["ind"].to_numpy()] = True
    ever_suspect = np.zeros(n_ind, dtype=bool)
    ever_suspect[ind[role == 1]] = True
    first_year = _year_of_day(f_day)
    lo = np.maximum(1975, dob_year + 14)
    hi = np.maximum(lo, first_year)
    pnc_year = lo + (rng.random(n_ind) * (hi - lo + 1)).astype(np.int64)
    has_pnc = ever_charged | (ever_suspect & (rng.random(n_ind) < 0.7)) | (rng.random(n_ind) < 0.25)
    has_pnc &= pnc_year < taken.year
    has_pnc |= ever_charged
    pnc_year = np.minimum(pnc_year, taken.year - 1)
    pi = np.flatnonzero(has_pnc)
    perm = rng.permutation(999_999) + 1
    serial = np.zeros(n_ind, dtype=np.int64)
    serial[pi] = perm[np.arange(len(pi)) % len(perm)]
    clash = np.zeros(n_ind, dtype=bool)
    clash[pi] = pd.DataFrame({"y": pnc_year[pi] % 100, "s": serial[pi]}).duplicated().to_numpy()
    has_pnc &= ~clash  # only possible beyond ~1M people with a PNC ID
    check = np.array(list("ZABCDEFGHJKLMNPQRTUVWXY"), dtype=object)[
        ((pnc_year % 100) * 10_000_000 + serial) % 23
    ]
    pnc_canon = np.where(has_pnc, _int_str(pnc_year) + "/" + _int_str(serial, 7) + check, None)

    # sex: a sexual-offence victim's follows the child in the text; suspects of sexual offences male
    child_m = c["sex_of_child"][f_crime] == "M"
    male = np.select(
        [(f_role == 0) & f_sex, (f_role == 1) & f_sex, f_role == 1],
        [child_m, rng.random(n_ind) < 0.97, rng.random(n_ind) < 0.75],
        rng.random(n_ind) < 0.5,
    )
    surname_i = rng.integers(0, len(_SURNAMES), n_ind)
    forename_i = rng.integers(0, len(_FORENAMES_F), n_ind) + np.where(male, len(_FORENAMES_F), 0)
    middle_i = np.where(
        rng.random(n_ind) < 0.12,
        rng.integers(0, len(_MIDDLE_F), n_ind) + np.where(male, len(_MIDDLE_F), 0),
        -1,
    )

    # CMS nominal numbers (individuals on any CMS crime), Connect primary person records
    in_cms_l = c["in_cms"][crime_of]
    in_con_l = c["in_connect"][crime_of]
    nominal = np.full(n_ind, -1, dtype=np.int64)
    cms_first = pd.unique(ind[in_cms_l])
    nominal[cms_first] = 400_001 + np.arange(len(cms_first))
    con_first = pd.unique(ind[in_con_l])
    per_no = np.full(n_ind, -1, dtype=np.int64)
    per_no[con_first] = 1 + np.arange(len(con_first))

    # Duplicate Connect records (PERD...): created at a new crime instead of reusing the person's record
    link_count = np.bincount(ind, minlength=n_ind)
    ch_per_link = np.zeros(m, dtype=bool)
    ch_per_link[chg["link"].to_numpy()] = True
    cand = (
        c["in_connect"][crime_of] & ~c["migrated"][crime_of] & has_pnc[ind] & (link_count[ind] >= 2)
    )
    p_dup = np.where(ch_per_link & sexual[crime_of], 0.3, 0.03)
    dup = cand & (rng.random(m) < p_dup)
    dup = _ensure(rng, dup, cand & ch_per_link & sexual[crime_of])
    dup = _ensure(rng, dup, cand, 3)
    perd_no = np.full(m, -1, dtype=np.int64)
    perd_no[dup] = 1 + np.arange(dup.sum())

    links_frame = pd.DataFrame(
        {
            "crime_id": crime_of,
            "individual_id": ind,
            "role": np.array(["victim", "suspect", "witness"], dtype=object)[role],
            "cms_nominal_no": pd.array(np.where(in_cms_l, nominal[ind], -1), dtype="Int64"),
            "connect_person_id": np.where(
                in_con_l,
                np.where(dup, "PERD" + _int_str(perd_no, 7), "PER" + _int_str(per_no[ind], 7)),
                None,
            ),
            "duplicate_record": dup,
        }
    )
    links_frame["cms_nominal_no"] = links_frame["cms_nominal_no"].mask(~in_cms_l)
    individuals_frame = pd.DataFrame(
        {
            "individual_id": np.arange(n_ind),
            "sex": np.where(male, "M", "F"),
            "surname": np.array(_SURNAMES, dtype=object)[surname_i],
            "forename": np.array(_FORENAMES, dtype=object)[forename_i],
            "middle_name": np.where(
                middle_i >= 0, np.array(_MIDDLE, dtype=object)[np.maximum(middle_i, 0)], None
            ),
            "dob": (dob.astype("datetime64[D]")).astype("datetime64[s]"),
            "pnc_id": pnc_canon,
            "pnc_year": pd.array(np.where(has_pnc, pnc_year, -1), dtype="Int64"),
            "pnc_serial": pd.array(np.where(has_pnc, serial, -1), dtype="Int64"),
            "pnc_check": np.where(has_pnc, check, None),
            "nominal_no": pd.array(nominal, dtype="Int64"),
            "connect_person_id": np.where(
                per_no > 0, "PER" + _int_str(np.maximum(per_no, 0), 7), None
            ),
            "n_links": link_count,
        }
    )
    for col in ("pnc_year", "pnc_serial"):
        individuals_frame[col] = individuals_frame[col].mask(~has_pnc)
    individuals_frame["nominal_no"] = individuals_frame["nominal_no"].mask(nominal < 0)

    ch_link_arr = chg["link"].to_numpy()
    ch_day_arr = chg["day"].to_numpy()
    ch_crime = chg["crime"].to_numpy()
    ch_code = chg["code"].to_numpy(dtype=object)
    ch_in_cms = c["in_cms"][ch_crime] & (ch_day_arr < c["switch_day"])
    ch_in_con = c["in_connect"][ch_crime]
    charges_frame = pd.DataFrame(
        {
            "charge_id": np.arange(len(chg)),
            "crime_id": ch_crime,
            "individual_id": chg["ind"].to_numpy(),
            "charge_date": ch_day_arr.astype("datetime64[D]").astype("datetime64[s]"),
            "cjs_code": ch_code,
            "wording": pd.Series(ch_code).map(_WORDING).to_numpy(dtype=object),
            "in_cms": ch_in_cms,
            "in_connect": ch_in_con,
            "cms_nominal_no": links_frame["cms_nominal_no"].array[ch_link_arr],
            "connect_person_id": links_frame["connect_person_id"].to_numpy()[ch_link_arr],
        }
    )
    charges_frame["cms_nominal_no"] = charges_frame["cms_nominal_no"].mask(~ch_in_cms)
    charges_frame["connect_person_id"] = charges_frame["connect_person_id"].where(ch_in_con, None)
    charges_frame = charges_frame.sort_values(
        ["crime_id", "charge_date", "charge_id"], kind="stable"
    )
    charges_frame["charge_id"] = np.arange(len(charges_frame))
    charges_frame = charges_frame.reset_index(drop=True)

    links = dict(
        frame=links_frame,
        crime=crime_of,
        ind=ind,
        role=role,
        dup=dup,
        perd_no=perd_no,
        in_cms=in_cms_l,
        in_con=in_con_l,
    )
    individuals = dict(
        frame=individuals_frame,
        surname_i=surname_i,
        forename_i=forename_i,
        middle_i=middle_i,
        dob=dob,
        has_pnc=has_pnc,
        pnc_year=pnc_year,
        serial=serial,
        check=check,
        nominal=nominal,
        per_no=per_no,
    )
    return links, individuals, dict(frame=charges_frame)


def _crimes_frame(c: dict) -> pd.DataFrame:
    n = c["n"]

    def day_col(day, valid):
        return (
            np.where(valid, day, np.iinfo(np.int64).min)
            .astype("datetime64[D]")
            .astype("datetime64[s]")
        )

    def out_col(v):
        return pd.array(np.where(v > 0, v, 0), dtype="Int64").copy()

    df = pd.DataFrame(
        {
            "crime_id": np.arange(n),
            "system": np.where(
                c["migrated"], "MIGRATED", np.where(c["cms_only"], "CMS", "CONNECT")
            ),
            "migrated": c["migrated"],
            "in_cms": c["in_cms"],
            "in_connect": c["in_connect"],
            "cms_ref": c["cms_ref"],
            "connect_ref": c["connect_ref"],
            "canonical_ref": np.where(c["in_connect"], c["connect_ref"], c["cms_ref"]),
            "recorded": c["rec"].astype("datetime64[s]"),
            "committed": day_col(c["committed"], c["committed_known"]),
            "migration_time": np.where(
                c["migrated"], c["migration_sec"], np.iinfo(np.int64).min
            ).astype("datetime64[s]"),
            "ho_class": _CLS_CODE[c["cur_cls"]],
            "ho_class_at_switch": np.where(
                c["cls_sw"] >= 0, _CLS_CODE[np.maximum(c["cls_sw"], 0)], None
            ),
            "reclassified": c["reclass"],
            "cancelled": c["cur_cancel"],
            "cancel_code": c["cancel_code"],
            "cancelled_at_switch": c["cancelled_sw"],
            "cancelled_later": c["later_cancel"],
            "outcome": out_col(c["cur_out"]),
            "outcome_date": day_col(c["cur_out_day"], c["cur_out"] > 0),
            "outcome_at_switch": out_col(c["out_sw"]),
            "outcome_date_at_switch": day_col(c["out_day_sw"], c["out_sw"] > 0),
            "outcome_revised": c["revised"],
            "cms_status": c["cms_status"],
            "circumstances": c["text"],
            "cms_circumstances": c["cms_text"],
            "text_kind": c["text_kind"],
            "hunter": c["hunter"],
            "hunter_negated": c["negated"],
            "hunter_late": c["late_hunter"],
            "boundary_case": c["protected"],
        }
    )
    for col, v in (("outcome", c["cur_out"]), ("outcome_at_switch", c["out_sw"])):
        df[col] = df[col].mask(v == 0)
    df["ho_class_at_switch"] = df["ho_class_at_switch"].where(c["cls_sw"] >= 0, None)
    return df


# --------------------------------------------------------------------------------------------------
# Rendering into the two systems' formats
# --------------------------------------------------------------------------------------------------


def _write_csv(frame: pd.DataFrame, path: Path, cms: bool) -> None:
    frame.to_csv(
        path,
        index=False,
        encoding="cp1252" if cms else "utf-8-sig",
        lineterminator="\r\n" if cms else "\n",
    )


def _render(
    rng, out: Path, c: dict, links: dict, individuals: dict, charges: dict
) -> dict[str, Path]:
    files = {name: out / name for name in FILE_COLUMNS}
    ci = np.flatnonzero(c["in_cms"])
    ki = np.flatnonzero(c["in_connect"])

    # ---- CMS_CRIMES -----------------------------------------------------------------------------
    out_sw = c["out_sw"][ci]
    out_txt = _int_str(out_sw)
    pad = (out_sw > 0) & (out_sw < 10) & (rng.random(len(ci)) < 0.3)
    pad = _ensure(rng, pad, (out_sw == 1) & c["cms_only"][ci])
    out_txt = np.where(pad, "0" + out_txt, out_txt)
    out_txt = np.where(out_sw > 0, out_txt, "")
    cls_sw = c["cls_sw"][ci]
    cms_crimes = pd.DataFrame(
        {
            "CRIME NO": c["cms_ref"][ci],
            "DATE RECORDED": _fmt_cms_datetime(c["rec"][ci]),
            "DATE COMMITTED": _fmt_day(c["committed"][ci], _DMY, c["committed_known"][ci]),
            "HO CLASS": _CLS_CODE[cls_sw],
            "OFFENCE DESCRIPTION": _CLS_CMS_TITLE[cls_sw],
            "CRIME STATUS": c["cms_status"][ci],
            "HO OUTCOME": out_txt,
            "OUTCOME DATE": _fmt_day(c["out_day_sw"][ci], _DMY, out_sw > 0),
            "CIRCUMSTANCES": c["cms_text"][ci],
        },
        dtype=object,
    )
    _write_csv(cms_crimes, files["CMS_CRIMES.csv"], cms=True)
    del cms_crimes

    # ---- connect_crimes -------------------------------------------------------------------------
    mig = c["migrated"][ki]
    rec = c["rec"][ki]
    cur_out = c["cur_out"][ki]
    labels = np.array([""] + [_OUTCOME_LABEL.get(i, "") for i in range(1, 23)], dtype=object)
    cur_cls = c["cur_cls"][ki]
    connect_crimes = pd.DataFrame(
        {
            "Crime Reference": c["connect_ref"][ki],
            "Legacy Crime No": np.where(mig, c["cms_ref"][ki], ""),
            "Recorded Date": _fmt_iso_datetime(np.where(mig, c["migration_sec"][ki], rec)),
            "Original Recorded Date": _fmt_iso_datetime(rec, mig),
            "Committed Date": _fmt_day(c["committed"][ki], _ISO, c["committed_known"][ki]),
            "HO Class": _CLS_CONNECT[cur_cls],
            "HO Class Description": _CLS_TITLE[cur_cls],
            "Crime Status": np.where(c["cur_cancel"][ki], c["cancel_code"][ki], "Confirmed"),
            "Outcome": labels[cur_out],
            "Outcome Date": _fmt_day(c["cur_out_day"][ki], _ISO, cur_out > 0),
            "Circumstances": c["text"][ki],
        },
        dtype=object,
    )
    _write_csv(connect_crimes, files["connect_crimes.csv"], cms=False)
    del connect_crimes

    # ---- people -----------------------------------------------------------------------------------
    ind, crime_of, role = links["ind"], links["crime"], links["role"]
    sur = np.array(_SURNAMES, dtype=object)
    fore = np.array(_FORENAMES, dtype=object)
    sur_cms = np.array([s.upper().replace("’", "'") for s in _SURNAMES], dtype=object)
    fore_cms = np.array([s.upper() for s in _FORENAMES], dtype=object)
    mid_cms = np.array([" " + s.upper() for s in _MIDDLE] + [""], dtype=object)
    I = individuals
    has_pnc = I["has_pnc"]

    li = np.flatnonzero(links["in_cms"])
    pi = ind[li]
    base = np.where(
        has_pnc[pi],
        _int_str(I["pnc_year"][pi]) + "/" + _int_str(I["serial"][pi], 7) + I["check"][pi],
        "",
    )
    u = rng.random((3, len(li)))
    lower = _ensure(rng, has_pnc[pi] & (u[0] < 0.04), has_pnc[pi])
    spaced = _ensure(rng, has_pnc[pi] & (u[1] < 0.03), has_pnc[pi])
    inner = has_pnc[pi] & (u[2] < 0.01)
    base = np.where(lower, pd.Series(base, dtype=object).str.lower().to_numpy(dtype=object), base)
    base = np.where(
        inner,
        pd.Series(base, dtype=object).str.replace("/", "/ ", regex=False).to_numpy(dtype=object),
        base,
    )
    base = np.where(spaced, " " + base + " ", base)
    cms_nominals = pd.DataFrame(
        {
            "CRIME NO": c["cms_ref"][crime_of[li]],
            "NOMINAL NO": _int_str(I["nominal"][pi]),
            "PNC ID": base,
            "INVOLVEMENT": np.array(["VICTIM", "SUSPECT", "WITNESS"], dtype=object)[role[li]],
            "SURNAME": sur_cms[I["surname_i"][pi]],
            "FORENAMES": fore_cms[I["forename_i"][pi]] + mid_cms[I["middle_i"][pi]],
            "DOB": _fmt_day(I["dob"][pi], _DMY),
        },
        dtype=object,
    )
    _write_csv(cms_nominals, files["CMS_NOMINALS.csv"], cms=True)
    del cms_nominals

    lk = np.flatnonzero(links["in_con"])
    pk = ind[lk]
    dup = links["dup"][lk]
    nom = I["nominal"][pk]
    con_pnc = np.where(
        has_pnc[pk],
        _int_str(I["pnc_year"][pk] % 100, 2) + "/" + _int_str(I["serial"][pk]) + I["check"][pk],
        "",
    )
    person_id = links["frame"]["connect_person_id"].to_numpy(dtype=object)[lk]
    connect_persons = pd.DataFrame(
        {
            "Crime Reference": c["connect_ref"][crime_of[lk]],
            "Person ID": person_id,
            "Legacy Nominal No": np.where(~dup & (nom > 0), _int_str(nom), ""),
            "PNC ID": con_pnc,
            "Role": np.array(["Victim", "Suspect", "Witness"], dtype=object)[role[lk]],
            "Surname": sur[I["surname_i"][pk]],
            "Forename": fore[I["forename_i"][pk]],
            "Date of Birth": _fmt_day(I["dob"][pk], _ISO),
        },
        dtype=object,
    )
    _write_csv(connect_persons, files["connect_persons.csv"], cms=False)
    del connect_persons

    # ---- charges ------------------------------------------------------------------------------------
    ch = charges["frame"]
    ch_day = ch["charge_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    code = ch["cjs_code"].to_numpy(dtype=object)
    wording = ch["wording"].to_numpy(dtype=object)
    crime = ch["crime_id"].to_numpy()
    m_cms = ch["in_cms"].to_numpy()
    m_con = ch["in_connect"].to_numpy()
    cms_charges = pd.DataFrame(
        {
            "CRIME NO": c["cms_ref"][crime[m_cms]],
            "NOMINAL NO": _int_str(
                ch["cms_nominal_no"].to_numpy(dtype=np.int64, na_value=0)[m_cms]
            ),
            "CHARGE DATE": _fmt_day(ch_day[m_cms], _DMY),
            "CJS CODE": code[m_cms],
            "OFFENCE WORDING": wording[m_cms],
        },
        dtype=object,
    )
    _write_csv(cms_charges, files["CMS_CHARGES.csv"], cms=True)
    connect_charges = pd.DataFrame(
        {
            "Crime Reference": c["connect_ref"][crime[m_con]],
            "Person ID": ch["connect_person_id"].to_numpy(dtype=object)[m_con],
            "Charge Date": _fmt_day(ch_day[m_con], _ISO),
            "CJS Offence Code": code[m_con],
            "Charge Wording": wording[m_con],
        },
        dtype=object,
    )
    _write_csv(connect_charges, files["connect_charges.csv"], cms=False)
    return files


# --------------------------------------------------------------------------------------------------
# The answer a request should get, from the model alone
# --------------------------------------------------------------------------------------------------


def _norm_class(code: str) -> str:
    a, b = str(code).strip().split("/")
    return f"{int(a):03d}/{int(b):02d}"


def truth_for_request(
    truth: SyntheticTruth,
    period_from: date,
    period_to: date,
    charge_year: int,
    offence_classes: list[str],
    q1_codes: list[str],
    q2_codes: list[str],
) -> dict:
    """The figures a correct pipeline must report for a request, computed from the internal model."""
    crimes = truth.crimes
    classes = {_norm_class(x) for x in offence_classes}
    day = crimes["recorded"].dt.normalize()
    in_period = (day >= pd.Timestamp(period_from)) & (day <= pd.Timestamp(period_to))
    offences = crimes[crimes["ho_class"].isin(classes) & ~crimes["cancelled"] & in_period]
    years = list(range(period_from.year, period_to.year + 1))
    off_year = offences["recorded"].dt.year
    offences_by_year = {str(y): int((off_year == y).sum()) for y in years}
    labels = (
        offences["outcome"]
        .astype("Int64")
        .astype(str)
        .where(offences["outcome"].notna(), "pending")
    )
    outcomes_by_year: dict[str, dict[str, int]] = {}
    for y in years:
        counts = labels[off_year == y].value_counts()
        keys = sorted(counts.index, key=lambda s: (s == "pending", int(s) if s != "pending" else 0))
        outcomes_by_year[str(y)] = {k: int(counts[k]) for k in keys if counts[k] > 0}

    ch = truth.charges
    in_year = ch["charge_date"].dt.year == charge_year
    q1 = set(ch.loc[in_year & ch["cjs_code"].isin(list(q1_codes)), "individual_id"])
    q2 = set(ch.loc[in_year & ch["cjs_code"].isin(list(q2_codes)), "individual_id"])
    # charged on a hunter-group crime: whatever that crime's class or recorded date
    hunter_crimes = crimes.loc[crimes["hunter"], "crime_id"]
    wanted = ch.loc[
        in_year & ch["cjs_code"].isin([*q1_codes, *q2_codes]) & ch["crime_id"].isin(hunter_crimes)
    ]
    return {
        "offences_by_year": offences_by_year,
        "outcomes_by_year": outcomes_by_year,
        "persons_charged": {
            "year": int(charge_year),
            "section_15": len(q1),
            "attempt_section_15": len(q2),
            "either": len(q1 | q2),
            "vigilante": len(set(wanted["individual_id"])),
        },
        "migrated_crimes": int(crimes["migrated"].sum()),
        "hunter_crime_ids": set(offences.loc[offences["hunter"], "canonical_ref"]),
        "hunter_negated_ids": set(offences.loc[offences["hunter_negated"], "canonical_ref"]),
    }
