"""H5 Weaker agreements: provision shares of BLMAs, BITs and trade agreements, and the tests.

python analyses/h5_weaker.py
"""

from __future__ import annotations

import pandas as pd

from polecon.hypotheses.h5_weaker import PERIOD, h5, load_codings, shares
from polecon.reports.hypotheses import results_table


def main() -> None:
    codings = load_codings()
    table = pd.concat([shares(codings), shares(codings, PERIOD)], ignore_index=True)
    with pd.option_context("display.width", 200, "display.max_colwidth", 60):
        print(table[["period", "provision", "kind", "n_coded", "n_with", "share", "note"]])
    print()
    print("\n".join(results_table(h5(codings) + h5(codings, PERIOD))))


if __name__ == "__main__":
    main()
