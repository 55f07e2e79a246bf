"""Run the dashboard with uvicorn, bound to loopback unless told otherwise."""

from __future__ import annotations

from ddj.govern.policy import Policy
from ddj.store import Store


def serve(
    store: Store, policy: Policy, *, host: str = "127.0.0.1", port: int = 8000, title: str = "ddj"
) -> None:
    import uvicorn

    from ddj.web.app import create_app

    uvicorn.run(
        create_app(store, policy, title=title),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
    )
