"""H1 Reciprocity: two-way indices of trade vs migration (H1a) and in adoption (H1b).

Prints the default tests and the H1a robustness grid, with the same package functions
``polecon replicate`` uses. Run from the repository root:

    python analyses/h1_reciprocity.py
"""

from __future__ import annotations

from polecon.hypotheses import grids, runner
from polecon.reports.hypotheses import results_table


def main() -> None:
    path = grids.pinned_panel()
    head = [r for r in grids.headline(path) if r.hypothesis in ("H1a", "H1b")]
    print("\n".join(results_table(head, ["wilcoxon_p"])))
    print()
    cells = runner.run(grids.grid_tasks("H1a", path))
    print("\n".join(results_table([r for c in cells for r in c])))


if __name__ == "__main__":
    main()
