"""HTTP layer of the workspace: the JSON API (`json_api`), shared dependencies (`deps`), error mapping
(`errors`) and the app factory (`app.create_app`). The web pages live in `spj.api.web`.
Thin over `spj.service`: parse, call, format.
"""

from __future__ import annotations

from spj.api.app import create_app as create_app

__all__ = ["create_app"]
