"""H2 Unilateral option: the destination's alternatives and the BLMA hazard (H2a), contrasted
with the BIT and BFTA hazards in the stacked model (H2b).

    python analyses/h2_unilateral.py
"""

from __future__ import annotations

from polecon.hypotheses import grids, runner
from polecon.reports.hypotheses import results_table


def main() -> None:
    path = grids.pinned_panel()
    head = [r for r in grids.headline(path) if r.hypothesis in ("H2a", "H2b")]
    print("\n".join(results_table(head, ["p_value"])))
    print()
    cells = runner.run(grids.grid_tasks("adoption", path))
    flat = [r for c in cells for r in c if r.hypothesis in ("H2a", "H2b")]
    for r in flat:
        print(r.params, r.label, f"{r.estimate:.3f}", r.verdict)


if __name__ == "__main__":
    main()
