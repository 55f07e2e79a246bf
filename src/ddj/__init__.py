"""ddj: Data-Driven Justice toolkit for matching records across county systems."""

from ddj.workspace import Workspace

__version__ = "0.1.0"
__all__ = ["Workspace", "__version__"]
