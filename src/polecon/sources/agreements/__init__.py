"""Canonical table ``agreements``: one row per agreement x party pair.

Columns (:data:`COLUMN_NAMES`): ``agreement_id, type, party_a, party_b, signed, in_force,
terminated, source, source_id, n_parties, title`` plus two declared extras: ``bloc`` (the
bloc through which a party entered the pair by expansion, e.g. ``BLEU``, ``EU``) and
``termination_type`` (UNCTAD 2020's type of termination, also copied onto matching 2025 BIT
pairs).  Sources, each parsed by its own module into these columns:

- ``bit`` / ``tip``: UNCTAD IIA Navigator (:mod:`.unctad`), the Feb-2025 scrape by default
  (option ``unctad="2020"`` uses the Jan-2020 export instead);
- ``bfta`` / ``pta``: DESTA v2.3 dyads minus withdrawals (:mod:`.desta`);
- ``blma``: Chilton & Woda (2022) bilateral labour agreements (:mod:`.chilton_woda`).

Pairs are undirected: ``party_a < party_b`` (canonical codes, both countries).  Dates are
``datetime64[ms]`` (``NaT`` = missing); DESTA gives years only, read as 1 January of that
year.  ``in_force`` NaT means not (known to be) in force, e.g. TPP for the United States.
Key: ``(agreement_id, party_a, party_b)``.  An agreement listed by a source under several
successor states, or for both members of a bloc, keeps one ``agreement_id`` and one row
per pair; ``source_id`` is the id of the source row behind each pair.

Modules (the dependency runs one way: schema <- parsers <- build):

- :mod:`.schema`: the columns, notes, raw-file keys and the helpers the parsers share;
- :mod:`.unctad`, :mod:`.desta`, :mod:`.chilton_woda`: one parser per source (Chilton-Woda
  also registers the ``blma_provisions`` table);
- :mod:`.build`: registers the ``agreements`` table and combines the parsers' rows
  (``polecon.load("agreements")`` finds it by importing the source modules).

This package re-exports the names of :mod:`.schema` only: importing it (as ``wto_rta`` does for
the pair helpers) does not import the parsers.
"""

from __future__ import annotations

from polecon.sources.agreements import schema as _schema
from polecon.sources.agreements.schema import *  # noqa: F403 (the schema's public names)

__all__ = list(_schema.__all__)
