"""Yotov et al. (2016) ch. 1, Table 3: RTA effects under both small-sample conventions.

Prints our estimates with the Stata/ppmlhdfe convention (which the book used) and with the
fixest/pyfixest convention, beside the published numbers. Run from the repository root:

    python analyses/yotov2016_ssc.py
"""

from __future__ import annotations

import pandas as pd

from polecon.reports.yotov2016 import table3


def main() -> None:
    stata = table3(ssc="stata")
    fixest = table3(ssc="fixest")
    out = stata[
        ["table", "column", "model", "term", "estimate", "se", "target", "target_se"]
    ].copy()
    out["se_fixest"] = fixest["se"].to_numpy()
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(out.to_string(index=False))


if __name__ == "__main__":
    main()
