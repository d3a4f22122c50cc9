"""Signing in and out, the page language, the stylesheet."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from spj.api.web.pages import (
    WebRoute,
    base_path,
    form_lists,
    optional_user,
    posted_form,
    redirect,
    render,
    t,
    workspace_of,
)
from spj.api.web.routes_autosave import carry_after_sign_in
from spj.api.web.session import session_of, sign_in, sign_out
from spj.api.web.templating import HERE, LANGUAGES
from spj.service import TooManyAttemptsError

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _safe_next(request: Request, target: str | None) -> str:
    """Only paths of this site are followed after signing in (no open redirect)."""
    root = base_path(request)
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return root + "/cases"
    return target


@router.get("/")
async def home(request: Request) -> Response:
    user = optional_user(request)
    if user is None:
        return redirect(request, "/login")
    return redirect(request, "/referrals" if user.role == "partner" else "/cases")


@router.get("/login")
async def login_page(request: Request, next: str = "") -> Response:
    if optional_user(request) is not None:
        return RedirectResponse(_safe_next(request, next), status_code=303)
    return render(request, "login.html", {"title": t(request, "Sign in"), "next": next, "username": "", "error": ""})


@router.post("/login")
async def login(request: Request) -> Response:
    form = await posted_form(request)
    username = str(form.get("username") or "")
    password = str(form.get("password") or "")
    next_path = str(form.get("next") or "")
    client = request.client.host if request.client else None
    context = {"title": t(request, "Sign in"), "next": next_path, "username": username}
    try:
        # argon2 takes a while: off the event loop (at most a few at once, see spj.service.auth)
        user = (
            await run_in_threadpool(workspace_of(request).authenticate, username, password, client=client)
            if username and password
            else None
        )
    except TooManyAttemptsError as exc:
        context["error"] = t(
            request, "Too many failed sign-ins. Wait %(seconds)s seconds, then try again.", seconds=exc.retry_after
        )
        response = render(request, "login.html", context, status_code=429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if user is None:
        context["error"] = t(request, "The user name or password is not right.")
        return render(request, "login.html", context, status_code=401)
    sign_in(request, user.id, user.session_epoch)
    resumed = carry_after_sign_in(request, user, form_lists(form), next_path)  # a save posted after the session ended
    if resumed is not None:
        return redirect(request, resumed)
    return RedirectResponse(_safe_next(request, next_path), status_code=303)


@router.post("/logout")
async def logout(request: Request) -> Response:
    await posted_form(request)
    user = optional_user(request)
    if user is not None:
        workspace_of(request).end_sessions(user)  # every copy of this session cookie is signed out too
    sign_out(request)
    return redirect(request, "/login")


@router.post("/language")
async def language(request: Request) -> Response:
    form = await posted_form(request)
    lang = str(form.get("lang") or "")
    if lang in LANGUAGES:
        session_of(request)["lang"] = lang
    return RedirectResponse(_safe_next(request, str(form.get("next") or "")), status_code=303)


@router.get("/static/web.css")
async def stylesheet() -> Response:
    return FileResponse(HERE / "static" / "web.css", media_type="text/css", headers={"Cache-Control": "max-age=3600"})


@router.get("/static/assessment.js")
async def script() -> Response:
    return FileResponse(
        HERE / "static" / "assessment.js", media_type="text/javascript", headers={"Cache-Control": "max-age=3600"}
    )


@router.get("/static/confirm.js")
async def confirm_script() -> Response:
    return FileResponse(
        HERE / "static" / "confirm.js", media_type="text/javascript", headers={"Cache-Control": "max-age=3600"}
    )
