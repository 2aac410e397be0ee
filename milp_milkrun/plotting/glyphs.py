"""Fonts that can draw every id of a plot (Chinese DC names, emoji), so matplotlib never warns of a missing glyph.

Matplotlib draws a text with the first font of a family list that has each character. The list is
matplotlib's default font, then any installed font that has a character the default lacks, then
matplotlib's own "Last Resort" font (a box naming the character's block) where it ships one; a
character no font has is drawn as ``?``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

LAST_RESORT = "Last Resort High-Efficiency"  # shipped with matplotlib >= 3.10: a glyph for every code point


@dataclass(frozen=True)
class Glyphs:
    """The font families a plot's texts are drawn with, and the characters none of them has."""

    families: tuple[str, ...]
    missing: frozenset[str]

    def text(self, text: str) -> str:
        """``text`` with every character no font can draw replaced by ``?``.

        Parameters
        ----------
        text : str
            A label, title or legend entry.

        Returns
        -------
        str
            The drawable text.
        """
        return "".join("?" if c in self.missing else c for c in text)


def glyphs_for(texts: Iterable[str]) -> Glyphs:
    """The font families that draw every character of ``texts``.

    Parameters
    ----------
    texts : Iterable[str]
        Every text the plot will show.

    Returns
    -------
    Glyphs
        The families (the default font first) and the characters that stay undrawable.
    """
    default = font_manager.findfont(font_manager.FontProperties())
    needed = {c for text in texts for c in text if c.isprintable() and not c.isspace()}
    lacking = {c for c in needed if ord(c) not in _charmap(default)}
    families = [font_manager.FontProperties(fname=default).get_name()]
    for entry in font_manager.fontManager.ttflist:
        if not lacking:
            break
        if entry.name == LAST_RESORT or entry.name in families:
            continue
        covered = {c for c in lacking if ord(c) in _charmap(entry.fname)}
        if covered:
            families.append(entry.name)
            lacking -= covered
    if lacking and any(entry.name == LAST_RESORT for entry in font_manager.fontManager.ttflist):
        families.append(LAST_RESORT)
        lacking = set()
    return Glyphs(tuple(families), frozenset(lacking))


@cache
def _charmap(path: str) -> frozenset[int]:
    """The code points a font file has glyphs for (empty for a file FreeType cannot read)."""
    try:
        return frozenset(FT2Font(path).get_charmap())
    except (OSError, RuntimeError, ValueError):
        return frozenset()
