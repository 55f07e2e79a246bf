"""The dashboard: FastAPI pages (server-rendered, inline SVG, no JavaScript) and their JSON API.

Handlers are thin: they check the session, call :mod:`ddj.web.data` and render or return it.
"""

from __future__ import annotations

import contextlib
import csv
import io
import logging
import threading
from datetime import datetime
from importlib import resources
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment
from markupsafe import Markup
from pydantic import BaseModel

from ddj import __version__
from ddj.errors import DdjError
from ddj.export import write_xlsx
from ddj.govern import LoginRefused, Session, audit, authenticate, end_session, open_session
from ddj.govern.consent import REDISCLOSURE_NOTICE
from ddj.govern.policy import Policy
from ddj.govern.scope import NotAllowed
from ddj.model import EVENT_TYPES, SYSTEMS
from ddj.report import charts
from ddj.report.labels import event_label, system_label
from ddj.report.render import template_environment
from ddj.report.time_charts import line_chart, person_timeline
from ddj.store import Store
from ddj.web import data
from ddj.web.auth import (
    COOKIE,
    CSRF_HEADER,
    LOGIN_CSRF_COOKIE,
    LoginRequired,
    SessionCache,
    api_session,
    check_csrf,
    new_login_csrf,
    page_session,
    safe_next,
    store_of,
)
from ddj.web.gate import Gate, NotFound

PAGE_SIZE = 100
log = logging.getLogger("ddj.web")
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

PageSession = Annotated[Session, Depends(page_session)]
ApiSession = Annotated[Session, Depends(api_session)]


class ThreadStores:
    """One cursor of the workspace database per server thread (DuckDB cursors are not shared)."""

    def __init__(self, store: Store):
        self.store = store
        self._local = threading.local()

    def get(self) -> Store:
        cursor = getattr(self._local, "store", None)
        if cursor is None:
            cursor = self._local.store = self.store.cursor()
        return cursor


class Decision(BaseModel):
    record_key_l: str
    record_key_r: str
    decision: str
    note: str | None = None


def create_app(store: Store, policy: Policy, *, title: str = "ddj") -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        # Fill the caches in the background so the first visitors do not wait for them.
        def warm() -> None:
            try:
                gate.warm(app.state.stores.get())
            except Exception as exc:  # the pages compute what they need themselves
                log.warning("could not prepare the dashboard's caches: %s", exc)

        warming = threading.Thread(target=warm, daemon=True)
        warming.start()
        yield
        warming.join(timeout=30)

    app = FastAPI(
        lifespan=lifespan,
        title=f"{title} dashboard API",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        description="Every dashboard page's data as JSON. All endpoints need a login session.",
    )
    app.state.stores = ThreadStores(store)
    app.state.sessions = SessionCache()
    app.state.cache = data.VersionedCache()
    app.state.title = title
    gate = Gate(policy, app.state.cache)
    env = _environment()
    static = resources.files("ddj.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired):
        return RedirectResponse(f"/login?next={exc.next_url}", status_code=303)

    @app.exception_handler(NotAllowed)
    async def not_allowed(request: Request, exc: NotAllowed):
        return _refusal(request, 403, exc.render())

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound):
        return _refusal(request, 404, f"no person {exc.args[0]} that you may see")

    @app.exception_handler(DdjError)
    async def ddj_error(request: Request, exc: DdjError):
        return _refusal(request, 409, exc.render())

    def _refusal(request: Request, status: int, message: str) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": message}, status_code=status)
        page = env.get_template("refused.html").render(
            title=app.state.title,
            session=None,
            now=datetime.now(),
            page="",
            message=message,
            status=status,
        )
        return HTMLResponse(page, status_code=status)

    def render(name: str, session: Session | None, **context: Any) -> HTMLResponse:
        section = {"person.html": "persons"}.get(name, name.removesuffix(".html"))
        page = env.get_template(name).render(
            title=app.state.title, session=session, now=datetime.now(), page=section, **context
        )
        return HTMLResponse(page)

    # -- login -----------------------------------------------------------------------------
    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request, next: str = "/", error: str | None = None):
        token = new_login_csrf()
        response = render("login.html", None, next=safe_next(next), error=error, csrf=token)
        response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict")
        return response

    @app.post("/login", include_in_schema=False)
    def login(
        request: Request,
        username: Annotated[str, Form()],
        password: Annotated[str, Form()],
        csrf: Annotated[str, Form()],
        next: Annotated[str, Form()] = "/",
    ):
        expected = request.cookies.get(LOGIN_CSRF_COOKIE)
        if not expected or expected != csrf:
            raise HTTPException(403, "the login form expired: reload the page and try again")
        store = store_of(request)
        name = username.strip().lower()
        try:
            account = authenticate(store, name, password)
        except LoginRefused as exc:
            known = bool(store.scalar("SELECT count(*) FROM account WHERE username = ?", [name]))
            # An unknown name may be a password typed in the wrong box: it is never logged.
            audit.record(
                store,
                actor=name if known else "(unknown account)",
                action="login_failed",
                subject_kind="account",
                subject_id=name if known else None,
            )
            token = new_login_csrf()
            response = render(
                "login.html", None, next=safe_next(next), error=exc.render(), csrf=token
            )
            response.status_code = 401
            response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict")
            return response
        token, session = open_session(store, account.username)
        audit.record(
            store,
            actor=account.username,
            action="login",
            subject_kind="account",
            subject_id=account.username,
            details={"role": account.role},
        )
        response = RedirectResponse(safe_next(next), status_code=303)
        response.set_cookie(
            COOKIE,
            token,
            httponly=True,
            samesite="strict",
            max_age=int((session.expires_at - datetime.now()).total_seconds()),
        )
        response.delete_cookie(LOGIN_CSRF_COOKIE)
        return response

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request, session: PageSession, csrf: Annotated[str, Form()]):
        check_csrf(session, csrf)
        end_session(store_of(request), request.cookies.get(COOKIE, ""))
        audit.record(
            store_of(request),
            actor=session.username,
            action="logout",
            subject_kind="account",
            subject_id=session.username,
        )
        app.state.sessions.forget(request.cookies.get(COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    # -- pages -----------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def overview_page(request: Request, session: PageSession):
        store = store_of(request)
        view = gate.overview(store, session)
        key = "overview-charts:" + ",".join(s["system"] for s in view["systems"])
        drawn = app.state.cache.get(store, key, lambda _s: _overview_charts(view))
        return render("overview.html", session, view=view, charts=drawn)

    @app.get("/persons", response_class=HTMLResponse, include_in_schema=False)
    def persons_page(
        request: Request,
        session: PageSession,
        cohort: str | None = None,
        need: str | None = None,
        q: str | None = None,
        sort: str = "total_contacts",
        order: str = "desc",
        page: Annotated[int, Query(ge=1)] = 1,
    ):
        store = store_of(request)
        rows = _members(request, session, cohort, need, q, sort, order)
        shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        gate.log_list(store, session, "view_list", shown, cohort=cohort, need=need, page=page)
        return render(
            "persons.html",
            session,
            rows=shown,
            total=len(rows),
            page_no=page,
            pages=max(1, -(-len(rows) // PAGE_SIZE)),
            choices=gate.choices(store, session),
            filters={"cohort": cohort or "", "need": need or "", "q": q or ""},
            sort=sort,
            order=order,
            query=request.url.query,
        )

    @app.get("/persons.{fmt}", include_in_schema=False)
    def persons_export(
        request: Request,
        session: PageSession,
        fmt: str,
        cohort: str | None = None,
        need: str | None = None,
        q: str | None = None,
        sort: str = "total_contacts",
        order: str = "desc",
    ):
        if fmt not in ("csv", "xlsx"):
            raise HTTPException(404, "export as .csv or .xlsx")
        rows = _members(request, session, cohort, need, q, sort, order)
        gate.log_list(
            store_of(request), session, "export", rows, format=fmt, cohort=cohort, need=need
        )
        return _export(rows, fmt)

    @app.get("/persons/{person_id}", response_class=HTMLResponse, include_in_schema=False)
    def person_page(request: Request, session: PageSession, person_id: str):
        view = gate.person(store_of(request), session, person_id)
        if view["person_id"] != person_id:
            return RedirectResponse(f"/persons/{view['person_id']}", status_code=303)
        lanes = [s for s in SYSTEMS if s in view["systems"]] + [
            s for s in view["systems"] if s not in SYSTEMS
        ]
        timeline = person_timeline(
            view["events"],
            lanes=lanes,
            lane_labels={s: system_label(s) for s in lanes},
            labels={e: event_label(e) for e in EVENT_TYPES},
        )
        return render(
            "person.html",
            session,
            view=view,
            timeline=Markup(timeline),
            part2_notice=REDISCLOSURE_NOTICE,
        )

    @app.get("/quality", response_class=HTMLResponse, include_in_schema=False)
    def quality_page(request: Request, session: PageSession):
        store = store_of(request)
        view = gate.quality(store, session)
        drawn = app.state.cache.get(store, "quality-charts", lambda _s: _quality_charts(view))
        review = gate.review_queue(store, session, 20) if gate.may_review(store, session) else []
        return render(
            "quality.html",
            session,
            view=view,
            review=review,
            may_review=gate.may_review(store, session),
            charts=drawn,
        )

    @app.post("/review", include_in_schema=False)
    def review_form(
        request: Request,
        session: PageSession,
        record_key_l: Annotated[str, Form()],
        record_key_r: Annotated[str, Form()],
        decision: Annotated[str, Form()],
        csrf: Annotated[str, Form()],
        note: Annotated[str | None, Form()] = None,
    ):
        check_csrf(session, csrf)
        _decide(
            request,
            session,
            Decision(
                record_key_l=record_key_l, record_key_r=record_key_r, decision=decision, note=note
            ),
        )
        return RedirectResponse("/quality#review", status_code=303)

    # -- JSON API --------------------------------------------------------------------------
    @app.get("/api/overview", tags=["overview"])
    def api_overview(request: Request, session: ApiSession) -> dict[str, Any]:
        """People and contacts per system over time, system overlap, cohort sizes and trend."""
        return gate.overview(store_of(request), session)

    @app.get("/api/persons", tags=["by-name list"])
    def api_persons(
        request: Request,
        session: ApiSession,
        cohort: str | None = None,
        need: str | None = None,
        q: str | None = None,
        sort: str = "total_contacts",
        order: str = "desc",
        limit: Annotated[int, Query(ge=1, le=10_000)] = PAGE_SIZE,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> dict[str, Any]:
        """The by-name list: cohort members with needs and qualifying counts, filtered, sorted."""
        rows = _members(request, session, cohort, need, q, sort, order)
        shown = rows[offset : offset + limit]
        gate.log_list(
            store_of(request), session, "view_list", shown, cohort=cohort, need=need, offset=offset
        )
        return {"total": len(rows), "offset": offset, "persons": shown}

    @app.get("/api/persons/{person_id}", tags=["person"])
    def api_person(request: Request, session: ApiSession, person_id: str) -> dict[str, Any]:
        """A person's identities in each system, every contact, needs with evidence, cohorts."""
        return gate.person(store_of(request), session, person_id)

    @app.get("/api/quality", tags=["data quality"])
    def api_quality(request: Request, session: ApiSession) -> dict[str, Any]:
        """Quarantined rows per source and reason; the link run's figures and match weights."""
        return gate.quality(store_of(request), session)

    @app.get("/api/review", tags=["review"])
    def api_review(
        request: Request, session: ApiSession, limit: Annotated[int, Query(ge=1, le=500)] = 20
    ) -> dict[str, Any]:
        """Record pairs the model is unsure of, nearest the linking threshold first."""
        return {"pairs": gate.review_queue(store_of(request), session, limit)}

    @app.post("/api/review", tags=["review"])
    def api_decide(request: Request, session: ApiSession, decision: Decision) -> dict[str, Any]:
        """Mark a pair link or not_link (with a session cookie, send its CSRF token in
        X-CSRF-Token; with an API token, no CSRF token is needed)."""
        if not session.via_token:
            check_csrf(session, request.headers.get(CSRF_HEADER))
        _decide(request, session, decision)
        return {"stored": True, "reviewer": session.username}

    @app.get("/api/session", tags=["session"])
    def api_whoami(session: ApiSession) -> dict[str, Any]:
        """Who is logged in, their role, and the CSRF token for JSON writes."""
        return {
            "username": session.username,
            "role": session.role,
            "csrf_token": session.csrf_token,
            "expires_at": session.expires_at.isoformat(timespec="seconds"),
        }

    @app.get("/api/openapi.json", include_in_schema=False)
    def api_schema(session: ApiSession) -> dict[str, Any]:
        return app.openapi()

    def _members(request, session, cohort, need, q, sort, order) -> list[dict[str, Any]]:
        return gate.members(
            store_of(request),
            session,
            cohort=cohort,
            need=need,
            search=q,
            sort=sort,
            descending=order != "asc",
        )

    def _decide(request: Request, session: Session, decision: Decision) -> None:
        from ddj.link.review import decide

        store = store_of(request)
        gate.scope(store, session).require_review()
        decide(
            store,
            decision.record_key_l,
            decision.record_key_r,
            decision.decision,
            reviewer=session.username,
            note=decision.note,
        )
        gate.log(
            store,
            session,
            "review_decision",
            "pair",
            f"{decision.record_key_l} / {decision.record_key_r}",
            {"decision": decision.decision},
        )

    return app


def _environment() -> Environment:
    env = template_environment("ddj.web")
    env.filters.update(
        system=system_label,
        event=event_label,
        num=lambda v: "—" if v is None else charts.fmt_num(v),
        day=lambda v: "—" if not v else str(v)[:10],
        when=lambda v: "—" if not v else str(v)[:16].replace("T", " "),
        label=lambda v: str(v).replace("_", " "),
    )
    return env


def _export(rows: list[dict[str, Any]], fmt: str) -> Response:
    """The list as CSV or XLSX; with the Part 2 redisclosure notice when any row carries Part 2
    derived data (the notice is the first line, marked with #, or the first sheet row)."""
    columns = list(data.LIST_COLUMNS) + ["reasons"]
    table = [
        [";".join(v) if isinstance(v, list) else v for v in (row[c] for c in columns)]
        for row in rows
    ]
    notice = [f"# {REDISCLOSURE_NOTICE}"] if any(r.get("part2") for r in rows) else []
    stamp = datetime.now().strftime("%Y%m%d")
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for line in notice:
            buffer.write(line + "\r\n")
        writer.writerow(columns)
        writer.writerows(table)
        body, media = buffer.getvalue().encode("utf-8"), "text/csv; charset=utf-8"
    else:
        out = io.BytesIO()
        write_xlsx(columns, [tuple(r) for r in table], out, sheet="by-name list", notice=notice)
        body = out.getvalue()
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="by-name-list-{stamp}.{fmt}"'},
    )


def _overview_charts(view: dict[str, Any]) -> dict[str, Markup]:
    months = sorted({m["month"] for m in view["monthly"]})
    systems = [s for s in SYSTEMS if any(m["system"] == s for m in view["monthly"])]

    def per_system(measure: str) -> list[tuple[str, list[float]]]:
        cells = {(m["month"], m["system"]): m[measure] for m in view["monthly"]}
        return [(system_label(s), [cells.get((mo, s), 0) for mo in months]) for s in systems]

    trend_dates = sorted({c["as_of"] for c in view["cohorts"]})
    cohort_names = sorted({c["cohort"] for c in view["cohorts"]})
    cells = {(c["as_of"], c["cohort"]): c["members"] for c in view["cohorts"]}
    latest = trend_dates[-1] if trend_dates else None
    overlap = view["overlap"]
    svg = {
        "people": line_chart(
            months,
            per_system("people"),
            chart="people-per-month",
            title="People in contact with each system, per month",
            value_label="People",
        ),
        "contacts": line_chart(
            months,
            per_system("contacts"),
            chart="contacts-per-month",
            title="Contacts per system, per month",
            value_label="Contacts",
        ),
        "upset": charts.upset_chart(
            [(c["systems"], c["people"]) for c in overlap["combinations"][:20]],
            [(s["system"], s["people"]) for s in overlap["set_sizes"]],
            title="People by the exact combination of systems they appear in",
            labels={s["system"]: system_label(s["system"]) for s in overlap["set_sizes"]},
        ),
        "cohorts": charts.bar_chart(
            cohort_names,
            [("Members", [cells.get((latest, c), 0) for c in cohort_names])],
            chart="cohorts",
            title=f"Cohort sizes as of {latest or '—'}",
            value_label="Members",
            category_label="Cohort",
        ),
        "cohort-trend": line_chart(
            trend_dates,
            [(c, [cells.get((d, c), 0) for d in trend_dates]) for c in cohort_names],
            chart="cohort-trend",
            title="Cohort sizes by as-of date",
            value_label="Members",
        ),
    }
    return {k: Markup(v) for k, v in svg.items()}


def _quality_charts(view: dict[str, Any]) -> dict[str, Markup]:
    weights = charts.weight_chart(
        [f"{w['comparison']}: {w['level']}" for w in view["match_weights"]],
        [w["weight"] for w in view["match_weights"]],
        chart="weights",
        title="What each comparison level says (match weights of the trained model)",
    )
    quarantine = charts.bar_chart(
        [q["source"] for q in view["quarantine_per_source"]],
        [("Rows", [q["rows"] for q in view["quarantine_per_source"]])],
        chart="quarantine",
        title="Quarantined rows per source",
        value_label="Rows quarantined",
        category_label="Source",
    )
    return {"weights": Markup(weights), "quarantine": Markup(quarantine)}
