"""What every page shares: the signed-in user, the workspace, rendering, posted forms, error pages.

`WebRoute` turns the service's errors into pages: not found (another
agency's record included) → the one 404 page, CSRF → 403 `csrf`, a role
that may not act → 403 `forbidden`, no session → the login page.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from starlette.datastructures import FormData

from spj.api.deps import get_workspace
from spj.api.web.carry import assessment_form_target, carried_fields
from spj.api.web.session import CSRF_FIELD, CsrfError, LoginRequired, check_csrf, csrf_token, session_of
from spj.api.web.templating import DEFAULT_LANGUAGE, LANGUAGES, environment, gettext
from spj.errors import SpjError
from spj.report.i18n import report_languages
from spj.service import FinaliseRefusedError, ForbiddenError, InvalidRequestError, StateError, Workspace
from spj.service.errors import BlindedError
from spj.service.limiter import BusyError
from spj.service.views import AssessmentView
from spj.store.interface import ConflictError, LockedError, NotFoundError, User

MAX_FORM_FIELDS = 5000
MAX_FORM_FILES = 0
MAX_REVISION = 2**31 - 1


def workspace_of(request: Request) -> Workspace:
    """The app's `Workspace` (set up by `spj.api.app.create_app`)."""
    return get_workspace(request)


def base_path(request: Request) -> str:
    """Where the pages are mounted (`root_path`), without a trailing slash."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def language_of(request: Request) -> str:
    lang = session_of(request).get("lang")
    return lang if isinstance(lang, str) and lang in LANGUAGES else DEFAULT_LANGUAGE


def optional_user(request: Request) -> User | None:
    """The signed-in user, or None (also when the session's epoch is not the account's: signed out since)."""
    session = session_of(request)
    user_id = session.get("user")
    if not isinstance(user_id, str):
        return None
    return workspace_of(request).signed_in(user_id, session.get("epoch"))


def report_language(request: Request, instrument_languages: Sequence[str]) -> str:
    """The page's language for a report or an extract, when the report or the instrument has it; else the default."""
    lang = language_of(request)
    return lang if lang in set(report_languages()) | set(instrument_languages) else instrument_languages[0]


def current_user(request: Request) -> User:
    """The signed-in user; `LoginRequired` otherwise."""
    user = optional_user(request)
    if user is None:
        raise LoginRequired()
    return user


def t(request: Request, message: str, **values: Any) -> str:
    """A page string in the session's language."""
    return gettext(language_of(request), message, **values)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    user: User | None = None,
) -> HTMLResponse:
    """A page: `template` with the shared context (user, language, CSRF token, paths)."""
    lang = language_of(request)
    path = request.url.path
    if request.url.query:
        path += "?" + request.url.query
    shared = {
        "request": request,
        "lang": lang,
        "languages": LANGUAGES,
        "user": user,
        "csrf": csrf_token(request),
        "csrf_field": CSRF_FIELD,
        "base_path": base_path(request),
        "static_url": base_path(request) + "/static/web.css",
        "current_path": path,
        "nav": "",
        "title": "",
    }
    html = environment(lang).get_template(template).render({**shared, **(context or {})})
    return HTMLResponse(html, status_code=status_code, headers=_NO_STORE)


_NO_STORE = {"Cache-Control": "no-store", "X-Frame-Options": "SAMEORIGIN"}  # CSP and the rest: spj.api.headers


def redirect(request: Request, path: str) -> RedirectResponse:
    """POST-redirect-GET to a path of the pages."""
    return RedirectResponse(base_path(request) + path, status_code=303)


async def posted_form(request: Request) -> FormData:
    """The posted form, after its CSRF token is checked."""
    form = await request.form(max_fields=MAX_FORM_FIELDS, max_files=MAX_FORM_FILES)
    token = form.get(CSRF_FIELD)
    check_csrf(request, token if isinstance(token, str) else None)
    return form


def form_lists(form: FormData) -> dict[str, list[str]]:
    """Every field's values, as `spj.api.web.forms` reads them."""
    out: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            out.setdefault(key, []).append(value)
    return out


def posted_revision(form: Mapping[str, Sequence[str]]) -> int:
    """The posted `base_revision`: ASCII digits only ('²' is a digit to `isdigit`), 1 to 2**31-1."""
    raw = (form.get("base_revision") or [""])[0]
    if not (raw.isascii() and raw.isdecimal() and len(raw) <= 10 and 1 <= int(raw) <= MAX_REVISION):
        raise InvalidRequestError("base_revision must be the revision number you edited", "base_revision")
    return int(raw)


class NotFinalised(Exception):
    """Finalising was refused: `refusal` says why; `current` is the draft as it now stands (the edits kept)."""

    def __init__(self, refusal: FinaliseRefusedError, current: AssessmentView, *, kept: bool) -> None:
        super().__init__(str(refusal))
        self.refusal, self.current, self.kept = refusal, current, kept


def save_then_finalise(
    workspace: Workspace, user: User, view: AssessmentView, content: dict[str, Any], base: int
) -> AssessmentView:
    """Keep the user's edits as a draft revision first, then finalise; `NotFinalised` when refused.

    The edits are saved even when finalising is refused, so that nothing typed is lost.
    """
    if base == view.head and _same(content, view.content):
        current = view
    else:
        current = workspace.save(user, view.id, base, content)
    try:
        return workspace.finalise(user, view.id, current.head, content)
    except FinaliseRefusedError as exc:
        raise NotFinalised(exc, current, kept=current is not view) from exc


def _same(content: Mapping[str, Any], stored: Mapping[str, Any]) -> bool:
    owned = ("format", "instrument", "status", "id")
    return {k: v for k, v in content.items() if k not in owned} == {k: v for k, v in stored.items() if k not in owned}


def error_page(request: Request, status_code: int, code: str, heading: str, message: str) -> HTMLResponse:
    user = None
    try:
        user = optional_user(request)
    except Exception:
        user = None
    return render(
        request,
        "error.html",
        {"title": heading, "heading": heading, "message": message, "code": code},
        status_code=status_code,
        user=user,
    )


def not_found(request: Request) -> HTMLResponse:
    """The one 404 page: a missing record and another agency's record look the same."""
    return error_page(
        request,
        404,
        "not-found",
        t(request, "Not found"),
        t(request, "There is no such page, case or assessment in your agency."),
    )


async def _sign_in_again(request: Request) -> Response:
    """The sign-in page; a save of the assessment form posted after the session ended is carried, not lost."""
    if request.method == "POST" and assessment_form_target(request.url.path, base_path(request)):
        form = await request.form(max_fields=MAX_FORM_FIELDS, max_files=MAX_FORM_FILES)
        context = {
            "title": t(request, "Sign in"),
            "next": request.url.path,
            "username": "",
            "error": t(request, "Your session has ended. Sign in again: what you typed is kept and shown back to you."),
            "carried": carried_fields(form.multi_items()),
        }
        return render(request, "login.html", context, status_code=401)
    target = request.url.path if request.method == "GET" else base_path(request) + "/cases"
    return RedirectResponse(f"{base_path(request)}/login?next={quote(target)}", status_code=303)


class WebRoute(APIRoute):
    """A page route whose service errors become pages rather than JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired:
                return await _sign_in_again(request)
            except CsrfError:
                return error_page(
                    request,
                    403,
                    "csrf",
                    t(request, "Form expired"),
                    t(
                        request,
                        "This form's security token is missing or out of date. "
                        "Go back, reload the page and submit again; nothing was changed.",
                    ),
                )
            except NotFoundError:
                return not_found(request)
            except BlindedError:
                message = t(
                    request,
                    "This assessment is the other rating of a blind double rating of the case. "
                    "It is shown once both ratings are final.",
                )
                return error_page(request, 403, "blinded", t(request, "Sealed until both ratings are final"), message)
            except ForbiddenError as exc:
                return error_page(request, 403, "forbidden", t(request, "Not allowed"), exc.problems[0].message)
            except LockedError as exc:
                return error_page(request, 409, "locked", t(request, "Assessment is final"), exc.problems[0].message)
            except ConflictError:
                message = t(
                    request, "Someone saved this assessment since you opened the page. Reload it and try again."
                )
                return error_page(request, 409, "conflict", t(request, "Saved by someone else"), message)
            except StateError as exc:
                return error_page(request, 409, "state", t(request, "Not possible now"), exc.problems[0].message)
            except BusyError as exc:
                page = error_page(
                    request,
                    503,
                    "busy",
                    t(request, "Busy"),
                    t(
                        request,
                        "Too many PDFs are being made right now. Try again in %(n)s seconds.",
                        n=exc.retry_after,
                    ),
                )
                page.headers["Retry-After"] = str(exc.retry_after)
                return page
            except SpjError as exc:
                code = exc.codes[0] if exc.codes else "invalid-request"
                message = "; ".join(p.message for p in exc.problems)
                return error_page(request, 400, code, t(request, "Request refused"), message)

        return page_handler
