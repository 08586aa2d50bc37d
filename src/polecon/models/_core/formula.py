"""fixest-style model formulas: ``y ~ x1 + x2 | fe1 + fe2^fe3``.

The part before ``|`` is an ordinary Wilkinson formula, parsed and materialised by
formulaic (transforms such as ``np.log(dist)`` or ``C(region)`` work as in formulaic). The part
after ``|`` lists fixed effects separated by ``+``; ``a^b`` is the interaction of the factors
``a`` and ``b`` (one level per observed combination). Only column names are allowed there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")


class FormulaError(ValueError):
    """A model formula that cannot be parsed or does not fit the data."""


@dataclass(frozen=True)
class ModelFormula:
    """A parsed formula.

    ``lhs`` and ``rhs`` are formulaic expressions; ``fixef`` holds one tuple of column names
    per fixed effect (length > 1 for interactions ``a^b``).
    """

    raw: str
    lhs: str
    rhs: str
    fixef: tuple[tuple[str, ...], ...]

    @property
    def fe_names(self) -> list[str]:
        """Display names of the fixed effects, e.g. ``["exp_year", "exporter^year"]``."""
        return ["^".join(f) for f in self.fixef]

    @property
    def formulaic_spec(self) -> str:
        return f"{self.lhs} ~ {self.rhs}"


def parse_fe_term(term: str, *, what: str = "fixed effect", raw: str = "") -> tuple[str, ...]:
    """Split ``a^b`` into ``("a", "b")`` and check that each part is a plain column name."""
    parts = tuple(p.strip() for p in term.split("^"))
    for p in parts:
        if not _NAME.match(p):
            raise FormulaError(
                f"{what} term {term.strip()!r}{f' in {raw!r}' if raw else ''} is not a column name "
                "(use plain column names joined by '^'; transforms are not allowed here)"
            )
    return parts


def parse_formula(formula: str) -> ModelFormula:
    """Parse ``"y ~ x1 + x2 | fe1 + fe2^fe3"``; raise :class:`FormulaError` on bad input."""
    if not isinstance(formula, str):
        raise FormulaError(f"formula must be a string, got {type(formula).__name__}")
    raw = formula.strip()
    if raw.count("~") != 1:
        raise FormulaError(f"formula {raw!r} must contain exactly one '~' (as in 'y ~ x | fe')")
    lhs, right = (s.strip() for s in raw.split("~"))
    if not lhs:
        raise FormulaError(f"formula {raw!r} has no dependent variable left of '~'")
    parts = right.split("|")
    if len(parts) > 2:
        raise FormulaError(
            f"formula {raw!r} has {len(parts) - 1} '|' separators; only 'y ~ x | fe' is supported "
            "(no IV or multi-part syntax)"
        )
    rhs = parts[0].strip()
    if not rhs:
        raise FormulaError(f"formula {raw!r} has an empty regressor part (write '1' for none)")
    fixef: tuple[tuple[str, ...], ...] = ()
    if len(parts) == 2:
        fe_part = parts[1].strip()
        if not fe_part:
            raise FormulaError(f"formula {raw!r} has an empty fixed-effect part after '|'")
        terms = [t for t in fe_part.split("+")]
        if any(not t.strip() for t in terms):
            raise FormulaError(f"formula {raw!r}: empty fixed-effect term in {fe_part!r}")
        fixef = tuple(parse_fe_term(t, raw=raw) for t in terms)
        if len(set(fixef)) != len(fixef):
            raise FormulaError(f"formula {raw!r} lists the same fixed effect twice")
    return ModelFormula(raw=raw, lhs=lhs, rhs=rhs, fixef=fixef)


def parse_cluster(spec: str) -> tuple[tuple[str, ...], ...]:
    """Cluster specification ``"a"``, ``"a+b"`` (two-way) or ``"a^b"`` (interaction)."""
    if not isinstance(spec, str) or not spec.strip():
        raise FormulaError(f"cluster specification must be a non-empty string, got {spec!r}")
    terms = spec.split("+")
    out = tuple(parse_fe_term(t, what="cluster", raw=spec) for t in terms)
    if len(set(out)) != len(out):
        raise FormulaError(f"cluster specification {spec!r} repeats a variable")
    return out
