"""Letters of other scripts drawn like Latin ones: the Cyrillic `а` of a pasted `Snаpchat`.

The release gate folds them to the Latin letter they look like before it matches a text
(`helpers.gate.normalise`: a reader cannot tell them apart, so neither can the gate), and
`foi-briefing check` warns of a word of a request that mixes them with Latin letters
(`helpers.request.checks`: such a word is not the one it shows, and a search for it finds
nothing).
"""

from __future__ import annotations

import unicodedata

#: Cyrillic and Greek letters drawn like a Latin letter in common fonts (after NFKC), and that
#: letter: a compact table from Unicode's confusables list, for the scripts an analyst's keyboard
#: or a pasted text brings in
CONFUSABLES = str.maketrans(
    {
        # Cyrillic capitals
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
        "С": "C", "Т": "T", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J", "Ү": "Y", "Һ": "H",
        "Ӏ": "I", "Ԛ": "Q", "Ԝ": "W", "Ё": "Ë", "Ї": "Ï",
        # Cyrillic small letters
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "ѕ": "s",
        "і": "i", "ј": "j", "һ": "h", "ӏ": "l", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ё": "ë",
        "ї": "ï", "ү": "y",
        # Greek capitals
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
        "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
        # Greek small letters
        "ο": "o", "ν": "v", "ι": "i", "α": "a", "κ": "k", "ρ": "p", "υ": "u", "χ": "x",
        "ϲ": "c", "ϳ": "j",
        # Latin letters drawn like others
        "ı": "i", "ɡ": "g", "ȷ": "j",
    }
)  # fmt: skip

#: the Cyrillic and Greek ones (the Latin letters drawn like others, such as the Turkish `ı`,
#: belong in Latin words)
OTHER_SCRIPT = frozenset(
    chr(code)
    for code in CONFUSABLES
    if unicodedata.name(chr(code), "").startswith(("CYRILLIC", "GREEK"))
)
