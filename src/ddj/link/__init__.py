"""Link: person records across sources, clustered to persons with stable ids."""

from ddj.link.run import LinkSummary, link_workspace

__all__ = ["LinkSummary", "link_workspace"]
