"""The model's Home Office classes (weights, families, reclassification) and outcome weights."""

from __future__ import annotations

import numpy as np

# HO classes: code, title, family ("ord" ordinary, "groom" s15 grooming, "sex" other sexual),
# text kind, relative weight (ordinary weights are rescaled to fill what the sexual classes leave).
CLASSES: list[tuple[str, str, str, str, float]] = [
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
CLS_CODE = np.array([c[0] for c in CLASSES], dtype=object)
CLS_TITLE = np.array([c[1] for c in CLASSES], dtype=object)
CLS_FAMILY = np.array([c[2] for c in CLASSES], dtype=object)
CLS_TEXT = np.array([c[3] for c in CLASSES], dtype=object)
CLS_INDEX = {c[0]: i for i, c in enumerate(CLASSES)}
CLS_CONNECT = np.array([f"{int(c[0][:3])}/{int(c[0][4:])}" for c in CLASSES], dtype=object)
CLS_CMS_TITLE = np.array([c[1].upper() for c in CLASSES], dtype=object)
IS_GROOM = CLS_FAMILY == "groom"
IS_SEXUAL = CLS_FAMILY != "ord"

# Reclassification after switch-over (migrated crimes only):
# class -> (probability, targets, weights)
RECLASS: dict[str, tuple[float, list[str], list[float]]] = {
    "008/06": (0.02, ["105/01"], [1.0]),
    "105/01": (0.02, ["008/06"], [1.0]),
    "049/00": (0.01, ["039/00", "046/00"], [0.5, 0.5]),
    "088/01": (0.10, ["071/17", "088/02", "022/02"], [0.5, 0.2, 0.3]),
    "088/02": (0.10, ["088/01", "071/17"], [0.6, 0.4]),
    "071/17": (0.12, ["088/01", "088/02"], [0.8, 0.2]),
    "071/01": (0.06, ["088/01"], [1.0]),
    "022/02": (0.05, ["088/01"], [1.0]),
}


# The published Home Office outcome groups, in order, and the outcome types in each ("pending": no
# outcome yet). The truth's own copy (the synthetic package is below helpers.disclosure, whose
# OUTCOME_GROUPS a test checks it against).
HO_OUTCOME_GROUPS: dict[str, tuple[int | str, ...]] = {
    "Charged/summonsed": (1,),
    "Out-of-court (formal)": (2, 3, 6),
    "Out-of-court (informal)": (7, 8),
    "Taken into consideration": (4,),
    "Evidential difficulties": (14, 15, 16),
    "Investigation complete – no suspect identified": (18,),
    "Other outcomes": (5, 9, 10, 11, 12, 13, 17, 19, 20, 21, 22),
    "Not yet assigned an outcome": ("pending",),
}

# Home Office outcome types: weights per family
OUT_ORD = {
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
OUT_SEX = {
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
