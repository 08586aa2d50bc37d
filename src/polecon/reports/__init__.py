"""Report layer: regression tables, figures and the replication stages that write ``reports/``.

The last layer: it may import every other layer; nothing but the CLI imports it.
"""

from polecon.reports.etable import RegressionTable, etable

__all__ = ["RegressionTable", "etable"]
