"""The web dashboard (FastAPI): pages and a JSON API over the workspace, behind a login."""

from ddj.web.app import create_app
from ddj.web.server import serve

__all__ = ["create_app", "serve"]
