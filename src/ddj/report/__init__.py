"""``ddj report``: the workspace as one self-contained HTML file (inline CSS and SVG charts)."""

from ddj.report.render import render_report, write_report

__all__ = ["render_report", "write_report"]
