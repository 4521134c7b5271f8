"""Free-text templates of the circumstances (written for this generator) and their fill-in words."""

from __future__ import annotations

PLACES = [
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
APPS = [
    "Snapchat",
    "Instagram",
    "Kik",
    "WhatsApp",
    "Facebook Messenger",
    "an online game's chat",
    "a dating app",
    "Omegle",
]
AGES = ["11", "12", "13", "14", "15"]
VALUES = [
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
HUNTER_GROUPS = [
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
TEMPLATES: dict[str, list[tuple[str, float]]] = {
    "theft": [
        (
            "Victim's bag, left on a table at {place}, was taken; it held a purse with £{v} in "
            "cash.",
            1,
        ),
        ("Pedal cycle worth £{v} stolen from outside {place}, lock cut. No CCTV.", 1),
        (
            "Suspect took goods worth £{v} from the shelves and left without paying; staff said "
            '"he does this every week".',
            1,
        ),
        (
            "Phone snatched from the victim's hand at {place}, value £{v}.\nSuspect described as "
            "male, dark clothing.",
            1,
        ),
        (
            "Victim, Renée, had her purse taken from her coat pocket on a crowded bus near "
            "{place}.",
            1,
        ),
    ],
    "burglary": [
        (
            "Rear door forced at the victim's home near {place}; jewellery, a laptop and £{v} "
            "cash taken.",
            1,
        ),
        (
            "Entry gained through an insecure window while the occupants, Siobhán and her "
            "partner, slept; car keys taken.",
            1,
        ),
        ("House searched, drawers emptied,\nitems worth about £{v} taken. Forensics attended.", 1),
    ],
    "assault": [
        (
            "Victim punched in the face outside {place} after an argument over a taxi, sustaining "
            "a broken nose.",
            1,
        ),
        (
            "Domestic: partner pushed the victim against a wall, causing bruising. Victim, "
            "Siobhán, does not support a prosecution.",
            1,
        ),
        (
            "Victim, Mr Hunter, assaulted by a neighbour during a dispute about parking at "
            "{place}.",
            1,
        ),
        (
            "Suspect threatened door staff at {place} with a hunting knife, then struck one with "
            "a bottle.",
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
            "Front windows of the house smashed with a brick overnight, estimate £{v}; neighbour "
            "Mr Hunter heard the noise.",
            1,
        ),
        ("Graffiti sprayed on a van parked at {place}, cleaning cost £{v}.\nOwner has CCTV.", 1),
    ],
    "public": [
        ("Male shouting abuse and threatening staff at {place}, causing alarm to customers.", 1),
        (
            "Group of youths, one carrying what looked like a hunting knife, intimidating "
            "residents near {place}.",
            1,
        ),
        (
            "Suspect sent the victim repeated threatening messages, including \"you'll regret "
            'this".',
            1,
        ),
    ],
    "groom_plain": [
        (
            "The {age} year old {child} was contacted on {app} by an adult male who, over several "
            "weeks, persuaded {obj} to meet at {place}. Officers attended and detained the male.",
            1,
        ),
        (
            "School safeguarding lead reported that a pupil aged {age} had been messaging an "
            "older man on {app}; he arranged to collect {obj} from {place}.",
            1,
        ),
        (
            "Parent found sexualised chat on {app} between {pos} {age} year old and an adult, who "
            "then travelled to {place} to meet the child.",
            1,
        ),
        (
            "Suspect, a 41 year old man, groomed the {child} (aged {age}) with gifts and phone "
            "credit worth £{v}, then met {obj} at {place}.",
            1,
        ),
        (
            "Victim's aunt, Siobhán, saw messages on {app} arranging a meeting at {place}; the "
            "adult suspect was traced and arrested.",
            1,
        ),
        (
            'Suspect told the {age} year old on {app} he was "only 16" and asked to meet at '
            "{place}, where officers arrested him.",
            1,
        ),
        (
            "Social worker Renée reported that a man the {child} knew from {app} met {obj} at "
            "{place}, bought {obj} alcohol and asked for photos.",
            1,
        ),
        (
            "Initial report via 101.\nThe {age} year old {child} met an adult from {app} at "
            "{place}; suspect identified from the messages.",
            1,
        ),
        (
            "The {child}'s stepfather, Mr Hunter, found messages on {app} from an adult arranging "
            "to meet at {place} and reported it the same evening.",
            1,
        ),
        (
            "Suspect drove to {place} to meet a {child} aged {age} he had groomed on {app}; a "
            'hunting knife was found in his car ("for fishing", he said).',
            0.5,
        ),
    ],
    "groom_covert": [
        (
            "Undercover officer from the force online child protection team posed as a {child} "
            "aged {age} on {app}. Suspect arranged to meet at {place} and was arrested on "
            "arrival.",
            1,
        ),
        (
            "Decoy account run by the police online team received sexual messages from the "
            "suspect, who believed he was talking to a child aged {age}; he travelled to {place} "
            "and was detained.",
            1,
        ),
        (
            "Covert operation: an officer posing as a child aged {age} on {app}.\nSuspect "
            "travelled to {place} for the meeting and was arrested by the arrest team.",
            1,
        ),
    ],
    "groom_negated": [
        (
            "Suspect arranged via {app} to meet a child aged {age} at {place}. Enquiries confirm "
            "this is not a vigilante or hunter group referral.",
            1,
        ),
        (
            "Report from the {child}'s school; nil vigilante involvement. The adult met the child "
            "at {place} after contact on {app}.",
            1,
        ),
        (
            "Mother reported messages on {app}; the suspect met the {age} year old at {place}. No "
            "paedophile hunter involvement.",
            1,
        ),
        (
            "Adult suspect met the {child} (aged {age}) at {place} after contact on {app}.\nNo "
            "Paedophile Hunter involvement; reported by the family.",
            0.5,
        ),
    ],
    "groom_hunter": [
        (
            "Suspect detained at {place} by members of {grp} who had posed as a {child} aged "
            "{age} on {app}; the confrontation was live-streamed before police arrived.",
            1,
        ),
        (
            "Referral from {grp}: the suspect had messaged their decoy profile (stated age {age}) "
            "on {app} and turned up at {place}. Chat logs handed to the OIC.",
            1,
        ),
        (
            "Call from a member of {grp} saying they were holding a man at {place}\nwho had "
            "arranged to meet a {child} aged {age} from {app}.",
            1,
        ),
        (
            "Suspect met what he believed was a {child} aged {age} at {place}; the profile on "
            "{app} was run by {grp}. Screenshots, video and a statement provided.",
            1,
        ),
        (
            "Initially logged as no paedophile hunter involvement; it later emerged the meeting "
            "at {place} was set up by {grp} using a profile on {app}.",
            0.15,
        ),
    ],
    "sexcomm_plain": [
        (
            "Adult sent sexual messages and images to a {child} aged {age} via {app}; no meeting "
            "took place.",
            1,
        ),
        (
            'Suspect asked the {child} (aged {age}) for indecent photos on {app}, saying "delete '
            'these after".',
            1,
        ),
        (
            "Teacher noticed the {age} year old {child} was distressed; {app} chat with an adult "
            "contained sexual content.\nDevice seized.",
            1,
        ),
    ],
    "sexcomm_hunter": [
        (
            "Sexual messages sent on {app} to a profile posing as a child aged {age}; the profile "
            "belonged to {grp}, who passed the logs to police.",
            1,
        ),
        (
            "Evidence pack received from {grp}: explicit chat on {app} with a decoy claiming to "
            "be {age}.",
            1,
        ),
    ],
    "sexcomm_negated": [
        (
            "Explicit messages sent to a child aged {age} on {app}; nil vigilante involvement, "
            "reported by the child's father.",
            1,
        ),
    ],
    "sexother_plain": [
        (
            "Historic disclosure by the victim, now {age}, of sexual abuse by a family friend at "
            "an address near {place}.",
            1,
        ),
        (
            "The {child}, aged {age}, disclosed abuse by a relative to a school counsellor; ABE "
            "interview arranged.",
            1,
        ),
    ],
    "exposure_plain": [
        (
            "Male exposed himself to two women walking through {place}, then ran off towards the "
            "canal.",
            1,
        ),
        (
            "Man seen exposing himself from a car parked at {place}; partial registration "
            "obtained.",
            1,
        ),
    ],
    "update": [  # appended to Connect's text of a migrated crime after switch-over
        (
            "\nUpdate: it has since emerged that {grp} had also been messaging the suspect; their "
            "chat logs and video were passed to the OIC.",
            1,
        ),
    ],
}
TEXT_FIELDS = {
    "place": PLACES,
    "app": APPS,
    "age": AGES,
    "v": VALUES,
    "grp": HUNTER_GROUPS,
}
SEX_WORDS = {
    "F": {"child": "girl", "obj": "her", "pos": "her"},
    "M": {"child": "boy", "obj": "him", "pos": "his"},
}
