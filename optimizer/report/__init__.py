"""Reports people open: report.html (self-contained) and report.xlsx, and the maps.

Commands build a :class:`Report` (what to show) and call :func:`write_report` (how).
"""

from optimizer.report.document import Report
from optimizer.report.html import write_report

__all__ = ["Report", "write_report"]
