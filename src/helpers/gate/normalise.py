"""The release's text as the gate matches it: what a reader sees, spelled one way.

`normalise` gives a text in Unicode NFKC (fullwidth digits, ligatures, non-breaking and other
spaces as their plain forms), with invisible characters removed (format characters, Unicode
category Cf: zero-width spaces and joiners, soft hyphens, word joiners, byte-order marks,
bidirectional marks; control characters other than whitespace; variation selectors and the
Hangul fillers, which draw nothing) and the Cyrillic and Greek letters that look like Latin ones
folded to them (`CONFUSABLES`: `Мсkenzie` with a Cyrillic М and с is `Mckenzie`). A reader cannot
tell the two apart, so neither can the gate. `Normalised.original` maps a position in the result
back to the text as written, so a finding still says where (line, cell, page) it is.

`fold_name` is the form names are compared in, on both sides (the release and the extract): the
same, then accents dropped and case folded (`SIOBHÁN` -> `siobhan`).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

from helpers.look_alike import CONFUSABLES

#: characters that draw nothing but are not in category Cf
_INVISIBLE_OTHER = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0"  # grapheme joiner, Hangul and Khmer fillers
    + "".join(chr(c) for c in range(0xFE00, 0xFE10))  # variation selectors
    + "".join(chr(c) for c in range(0xE0100, 0xE01F0))
)
_WHITESPACE_CONTROLS = frozenset("\t\n\v\f\r\x1c\x1d\x1e\x1f\x85")

#: what is left alone: printable ASCII and the whitespace controls (most of any release)
_SPECIAL = re.compile(r"[^\t\n\r\x20-\x7e]+")


def is_invisible(ch: str) -> bool:
    """A character that draws nothing: a format character (Cf), a control character other than
    whitespace, a variation selector or a filler."""
    category = unicodedata.category(ch)
    return (
        category == "Cf"
        or (category == "Cc" and ch not in _WHITESPACE_CONTROLS)
        or ch in _INVISIBLE_OTHER
    )


def _normal_piece(piece: str) -> str:
    visible = "".join(ch for ch in piece if not is_invisible(ch))
    return unicodedata.normalize("NFKC", visible).translate(CONFUSABLES)


@dataclass(frozen=True)
class Normalised:
    """A text as the gate matches it, and the way back to the text as written.

    `_pieces`: (start in `text`, start in the original, the piece's length in `text`, its length
    in the original) of each piece that changed; between them, the text is as written.
    """

    text: str
    _pieces: tuple[tuple[int, int, int, int], ...] = ()

    def original(self, pos: int) -> int:
        """The position in the text as written of position `pos` of `text`."""
        k = bisect.bisect_right(self._pieces, (pos, float("inf"))) - 1
        if k < 0:
            return pos
        start, original, length, original_length = self._pieces[k]
        if pos < start + length:  # inside a changed piece: its character, or its last
            return original + min(pos - start, max(original_length - 1, 0))
        return original + original_length + (pos - start - length)


def normalise(text: str) -> Normalised:
    """`text` in NFKC, without invisible characters, confusable letters folded to Latin.

    A changed piece is a run of characters outside printable ASCII together with the character
    before it (a combining accent composes with its letter: `e` + `◌́` is `é`)."""
    pieces: list[tuple[int, int, int, int]] = []
    out: list[str] = []
    done = 0  # characters of `text` copied or replaced so far
    length = 0  # characters of the result so far
    for m in _SPECIAL.finditer(text):
        start = max(m.start() - 1, done)
        if start > done:
            out.append(text[done:start])
            length += start - done
        piece = text[start : m.end()]
        normal = _normal_piece(piece)
        if normal != piece:
            pieces.append((length, start, len(normal), len(piece)))
        out.append(normal)
        length += len(normal)
        done = m.end()
    if not pieces:
        return Normalised(text)
    out.append(text[done:])
    return Normalised("".join(out), tuple(pieces))


def fold_name(text: str) -> str:
    """A name (or a word) as names are compared: normalised, accents dropped, case folded."""
    decomposed = unicodedata.normalize("NFKD", normalise(text).text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def normalised_segment(segment) -> Normalised:
    """A release segment's text normalised, worked out once for the rules that read it (kept on
    the segment, as it keeps its line breaks)."""
    found = getattr(segment, "_normalised", None)
    if found is None:
        found = normalise(segment.text)
        segment._normalised = found
    return found
