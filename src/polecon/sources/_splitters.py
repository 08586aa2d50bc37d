"""Splitters of cells that name several countries, shared by the parsers and the declarations.

One function per way a raw file lists several countries in one cell. The parser that reads the
column calls the function, and the column's :class:`~polecon.sources._decl.RawIdentifier`
names the same function object, so the crosswalk coverage report
(:mod:`polecon.sources.coverage`) splits exactly as the parser does.

- :func:`split_title`: a bilateral UNCTAD short title (``"Japan - Zambia BIT (2025)"``);
- :func:`split_parties`: UNCTAD's ``", "``-separated ``parties`` field;
- :func:`split_semicolons`: ``";"``-separated lists (WTO signatories, UNCTAD 2020 ``Parties``);
- :func:`wto_specific_names`: the names of WTO's ``Specific Entry/Exit dates`` (``"X (date)"``);
- :func:`split_names`: a ``", "``-separated list of names that may contain ``", "`` themselves
  (WTO ``RTA Changes``).
"""

from __future__ import annotations

import re

# Name fragments that continue the previous comma-separated token in UNCTAD ``parties``
# ("Korea, Republic of", "Hong Kong, China SAR", "ACP (African, Caribbean and Pacific ...)").
_CONTINUATION = re.compile(r"^(?:.* of(?: the)?|China SAR|[^(]*\))$")
_TITLE_TAIL = re.compile(r"\s*(?:BIT)?\s*(?:\(\d{4}\))?\s*$")
# Continuations of names that contain ", " ("Korea, Republic of", "Hong Kong, China SAR",
# "Venezuela, Bolivarian Republic of", "Saint Helena, Ascension and Tristan da Cunha").
_NAME_CONTINUATION = re.compile(
    r"Republic of|Dem\. People's Rep\. of|Democratic Republic of the|Democratic Republic of|"
    r"Islamic Republic of|United Republic of|Bolivarian Republic of|Plurinational State of|"
    r"Federated States of|The former Yugoslav Republic(?: of)?|China SAR|Province of China|"
    r"Kingdom of|People's Republic of|Ascension and Tristan da Cunha|British|U\.S\.|"
    r"with respect to .*"
)
_WTO_SPECIFIC = re.compile(r"^(.*?)\s*\((?:[^()]*)\)\s*$")


def split_title(title: str) -> list[str]:
    """Party names of a BIT short title (``"Japan - Zambia BIT (2025)"`` -> Japan, Zambia)."""
    core = _TITLE_TAIL.sub("", title).strip()
    if " - " in core:
        return [p.strip() for p in core.split(" - ")]
    if core.count("-") == 1:  # the 3 titles written without spaces, e.g. China-Tajikistan
        return [p.strip() for p in core.split("-")]
    return [core]


def split_parties(text: str) -> list[str]:
    """Split UNCTAD ``parties`` on ", ", re-joining fragments such as ``Republic of``."""
    out: list[str] = []
    for tok in text.split(", "):
        tok = tok.strip()
        if out and _CONTINUATION.match(tok):
            out[-1] = f"{out[-1]}, {tok}"
        elif tok:
            out.append(tok)
    return out


def split_semicolons(cell: object) -> list[str]:
    """The non-empty ``";"``-separated parts of a text cell (none for a missing cell)."""
    if not isinstance(cell, str):
        return []
    return [x.strip() for x in cell.split(";") if x.strip()]


def wto_specific_names(cell: object) -> list[str]:
    """Country names of WTO ``Specific Entry/Exit dates`` (``"Name (dd/mm/yyyy)"; ...``)."""
    names = []
    for part in split_semicolons(cell):
        m = _WTO_SPECIFIC.match(part)
        names.append(m.group(1).strip() if m else part)
    return names


def split_names(cell: object, sep: str = ", ") -> list[str]:
    """Split a ``sep``-separated list of country names without breaking names that contain it.

    A piece is glued to the previous one when it is a known name continuation (``Republic of``,
    ``China SAR``, ``Bolivarian Republic of``, ...) or while a parenthesis is open
    (``ACP (African, Caribbean and Pacific Group of States)``).
    """
    if not isinstance(cell, str) or not cell.strip():
        return []
    out: list[str] = []
    for tok in (t.strip() for t in cell.split(sep)):
        if not tok:
            continue
        if out and (_NAME_CONTINUATION.fullmatch(tok) or out[-1].count("(") > out[-1].count(")")):
            out[-1] = f"{out[-1]}{sep}{tok}"
        else:
            out.append(tok)
    return out


__all__ = ["split_names", "split_parties", "split_semicolons", "split_title", "wto_specific_names"]
