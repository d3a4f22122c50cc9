"""How far the form is: the rule lives in the service (`spj.service.progress`), shared with the case list."""

from __future__ import annotations

from spj.service.progress import FormProgress, content_applicability, form_progress

__all__ = ["FormProgress", "content_applicability", "form_progress"]
