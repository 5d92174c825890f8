"""The web view under ``/ui``: programs, jobs (live), tokens, behind a sign-in with a token.

Pages are rendered on the server (Jinja2, every value escaped) and read without
JavaScript; the live parts (statuses, interim results, the chart, logs) follow server-sent
events with a small script served from ``/ui/static``; the service's icon is ``/favicon.ico``.
Include ``router`` in the app.
"""

from __future__ import annotations

from fastapi import APIRouter

from runtime_kit.service.ui import (
    assets,
    job_routes,
    live,
    program_routes,
    session_routes,
    token_routes,
)

router = APIRouter(include_in_schema=False)
for _module in (assets, session_routes, program_routes, job_routes, token_routes, live):
    router.include_router(_module.router)

__all__ = ["router"]
