"""The claims ledger: every quantitative claim of Gordon (2010) against the data.

python analyses/claims.py
"""

from __future__ import annotations

import pandas as pd

from polecon.hypotheses.claims import ledger, to_frame


def main() -> None:
    with pd.option_context("display.width", 220, "display.max_colwidth", 80):
        print(to_frame(ledger())[["id", "essay", "ours", "verdict"]].to_string(index=False))


if __name__ == "__main__":
    main()
