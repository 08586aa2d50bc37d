"""H4 Why BLMAs exist: colonial ties and contiguity (BLMA vs BIT/BFTA), trade agreements.

python analyses/h4_why_blmas.py
"""

from __future__ import annotations

from polecon.hypotheses import grids
from polecon.reports.hypotheses import results_table


def main() -> None:
    path = grids.pinned_panel()
    head = [r for r in grids.headline(path) if r.hypothesis == "H4"]
    print("\n".join(results_table(head, ["p_value"])))


if __name__ == "__main__":
    main()
