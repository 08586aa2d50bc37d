"""H3 No substitution: migration gravity (PPML) per migration series, event study, grid.

python analyses/h3_substitution.py
"""

from __future__ import annotations

from polecon.hypotheses import grids, runner
from polecon.reports.hypotheses import results_table


def main() -> None:
    path = grids.pinned_panel()
    head = [r for r in grids.headline(path) if r.hypothesis.startswith("H3")]
    print("\n".join(results_table(head, ["p_value", "leads_wald_p"])))
    print()
    cells = runner.run(grids.grid_tasks("H3", path))
    for r in (r for c in cells for r in c):
        print(r.params, r.label, f"{r.estimate:.3f}", r.verdict)


if __name__ == "__main__":
    main()
