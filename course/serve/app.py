"""`course serve`: students upload a notebook from the browser (or a script) and read their feedback
seconds later; instructors watch the class. Starlette on uvicorn, Jinja2 pages, one durable queue.

Pages (session cookie after pasting a token once; every form carries a CSRF token):
  GET /                      login, or the student's assignments, upload forms and attempts
  POST /login, /logout
  POST /assignments/{a}/upload
  GET /attempts/{id}/feedback
  GET /instructor            per-assignment table; /instructor/grades.csv; /instructor/report/{a}
JSON API (``Authorization: Bearer <token>``; GETs also accept the session):
  POST /api/assignments/{a}/submissions   multipart field ``notebook`` -> 202 {"id", "status"}
  GET  /api/submissions/{id}              {"status", "score", "max_score", "feedback_url"}
  GET /healthz               "ok", or 503 "degraded: why" when grading is not progressing

Facing the internet (README, "What the service guarantees"): connections are capped and those
still sending their request headers are timed out (and evicted first when the cap is reached);
every request body is capped while it streams (BodyLimit) and must arrive within a deadline;
form posts need the session's CSRF token and a same-origin request; sessions live in serve.db,
so logout and `course token --revoke` end them; uploads are parsed off the event loop.
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import os
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from course.config import DEFAULT_SUBMISSION_TIMEOUT
from course.grading.store import read_results
from course.html import render
from course.ids import valid_id
from course.paths import assignments as list_assignments
from course.paths import master_notebook
from course.sandbox.process import Limits
from course.serve.db import Job, ServeDB
from course.serve.runner import ATTEMPT_FEEDBACK

STATUS_TEXT = {"queued": "排队中", "grading": "评分中", "graded": "已评分"}


def page(name: str, context: dict, status_code: int = 200) -> HTMLResponse:
    """course/templates/serve/<name>, rendered by the environment the feedback page and the
    report use (autoescaped, no undefined variable)."""
    return HTMLResponse(render(f"serve/{name}", **context), status_code)


@dataclass
class ServeConfig:
    root: Path
    db_url: str
    max_upload_bytes: int = 8 << 20
    uploads_per_minute: int = 6
    attempts_per_assignment: int = 30
    workers: int | None = None
    scheduler: str | None = None
    allow_insecure_scheduler: bool = False  # a plain tcp:// scheduler (see parallel.check_scheduler_address)
    secure_cookies: bool = False
    limits: Limits = field(default_factory=Limits)  # of each submission's sandbox child
    timeout: float = DEFAULT_SUBMISSION_TIMEOUT  # wall-clock seconds per submission
    max_connections: int = 1000  # open connections; over it the one idle the longest is dropped
    header_timeout: float = 10.0  # seconds for a connection to send its request line and headers
    body_timeout: float = 120.0  # seconds for a whole request body to arrive
    stall_seconds: float | None = None  # /healthz: degraded when work waits this long and nothing completes
    extra: dict = field(default_factory=dict)

    @property
    def stall_after(self) -> float:
        return self.stall_seconds if self.stall_seconds is not None else self.timeout + 60


# a course notebook has ~50 cells; 180,000 empty ones (8 MB) took 10 s to parse and 14 s to write
# back, in the service and again in the recording of the grade, holding up every other student
MAX_CELLS = 5000
SMALL_FORM_BYTES = 8 << 10  # /login, /logout: a token and a CSRF token
OTHER_BODY_BYTES = 64 << 10  # anything else (GETs carry no body)
UPLOAD_OVERHEAD = 64 << 10  # multipart headers and the CSRF field around the notebook
# connections asyncio accepts in one go (and the listen backlog): each holds a descriptor until
# the cap closes it, so the descriptors in use stay below the cap plus this
ACCEPT_BURST = 256


class BodyLimit:
    """ASGI middleware: each request body is counted while it streams, chunked bodies and file
    parts included, and refused (413) as soon as it passes its route's cap, before it reaches a
    temp file or memory; a body still arriving after ``timeout`` seconds is refused (408)."""

    def __init__(self, app, *, upload_bytes: int, timeout: float):
        self.app, self.upload_bytes, self.timeout = app, upload_bytes, timeout

    def cap(self, path: str) -> int:
        if path.startswith("/api/assignments/") or path.startswith("/assignments/"):
            return self.upload_bytes + UPLOAD_OVERHEAD
        return SMALL_FORM_BYTES if path in ("/login", "/logout") else OTHER_BODY_BYTES

    def too_large(self, cap: int) -> HTTPException:
        if cap > OTHER_BODY_BYTES:
            return HTTPException(413, f"文件太大：上限是 {self.upload_bytes >> 20} MB")
        return HTTPException(413, "请求内容太大")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        cap = self.cap(scope["path"])
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        chunked = any(k == b"transfer-encoding" for k, _ in scope["headers"])
        # "done": the body has been read to its end (or there is none); "unread": it never will be
        state = {"received": 0, "done": not chunked and declared in (None, b"0"), "unread": False}

        def refuse(exc: HTTPException) -> HTTPException:
            state["done"] = state["unread"] = True
            return exc

        async def limited_receive():
            if state["done"]:
                return await receive()
            if declared is not None and (not declared.isdigit() or int(declared) > cap):
                raise refuse(self.too_large(cap))
            try:
                message = await asyncio.wait_for(receive(), max(deadline - loop.time(), 0.001))
            except asyncio.TimeoutError:
                raise refuse(HTTPException(408, "上传太慢，连接已超时，请重试")) from None
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > cap:
                    raise refuse(self.too_large(cap))
                state["done"] = not message.get("more_body", False)
            else:
                state["done"] = True
            return message

        async def closing_send(message):
            # answered before its body was read to the end (refused, or a 401/403/400 that never
            # read it): close the connection rather than let uvicorn read and discard the rest
            if message["type"] == "http.response.start" and (state["unread"] or not state["done"]):
                message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
            await send(message)

        await self.app(scope, limited_receive, closing_send)


def same_origin(request: Request) -> bool:
    """A form post comes from our own pages: the browser's Sec-Fetch-Site, where it sends one,
    says so, and an Origin header, where present, names this host (or the proxy's forwarded one).
    Another origin of the same site (another port) counts as foreign: it can set our cookies."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    hosts = {request.headers.get("host"), request.headers.get("x-forwarded-host")} - {None}
    return origin != "null" and urlsplit(origin).netloc in hosts


def csrf_ok(request: Request, form) -> bool:
    """Fails closed: a missing token on either side (a fresh browser has no session) refuses."""
    sent, expected = form.get("csrf"), request.session.get("csrf")
    return (isinstance(sent, str) and isinstance(expected, str) and bool(sent) and bool(expected)
            and secrets.compare_digest(sent.encode(), expected.encode()) and same_origin(request))


def _utc_stamp(t: float) -> str:
    """nbgrader's timestamp.txt format."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1e6):06d} UTC"


def _write_durably(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _due_dates(db_url: str) -> dict[str, datetime.datetime]:
    """assignment -> due date (naive UTC, nbgrader's convention) of those that have one."""
    from course.grading.store import gradebook

    out = {}
    with contextlib.suppress(Exception), gradebook(db_url) as gb:
        for a in gb.assignments:
            if a.duedate is not None:
                out[a.name] = a.duedate
    return out


def create_app(config: ServeConfig, *, start_runner: bool = True) -> Starlette:
    root = config.root
    db = ServeDB(root / "serve.db")
    state: dict = {}
    latest_lock, latest_copy = threading.Lock(), {}  # (student, assignment) -> newest upload stored

    @contextlib.asynccontextmanager
    async def lifespan(app):
        if start_runner:
            from course.grading.parallel import dask_client
            from course.grading.store import ensure_assignment
            from course.serve.runner import Runner

            if config.db_url != "none":  # results go to the gradebook exactly as `course grade` puts them
                for assignment in list_assignments(root):
                    ensure_assignment(root, assignment, config.db_url)

            with dask_client(config.workers, config.scheduler, config.allow_insecure_scheduler) as client:
                runner = Runner(root, db, client, db_url=config.db_url, limits=config.limits, timeout=config.timeout,
                                capacity=max(1, config.workers or len(client.scheduler_info()["workers"]) or 1))
                runner.recover()
                runner.start()
                state["runner"] = runner
                try:
                    yield
                finally:
                    runner.stop()
                    runner.join(timeout=30)
        else:
            yield

    # --- who is asking ---------------------------------------------------------------------------
    def bearer(request: Request) -> tuple[str, str] | None:
        header = request.headers.get("authorization", "")
        return db.user_for(header[7:].strip()) if header.lower().startswith("bearer ") else None

    def session_user(request: Request) -> tuple[str, str] | None:
        sid = request.session.get("sid")
        who = db.session_user(sid) if sid else None
        if sid and who is None:  # logged out, expired or revoked: the cookie is only a cookie now
            request.session.pop("sid", None)
        return who

    def csrf_token(request: Request) -> str:
        if "csrf" not in request.session:
            request.session["csrf"] = secrets.token_urlsafe(24)
        return request.session["csrf"]

    async def checked_form(request: Request):
        length = int(request.headers.get("content-length") or 0)
        if length > config.max_upload_bytes + (64 << 10):
            raise HTTPException(413, f"文件太大：上限是 {config.max_upload_bytes >> 20} MB")
        try:
            form = await request.form(max_files=1, max_fields=10, max_part_size=config.max_upload_bytes)
        except HTTPException:  # BodyLimit: over the cap, or too slow
            raise
        except Exception as exc:  # python-multipart: a part over the cap, or a malformed body
            too_big = "size" in str(exc).lower() or "exceed" in str(exc).lower()
            raise HTTPException(413 if too_big else 400, "上传的内容无法读取 (malformed upload)") from None
        return form

    async def small_form(request: Request):
        """/login and /logout: two short fields, no files (BodyLimit caps the body at 8 KB)."""
        try:
            return await request.form(max_files=0, max_fields=4, max_part_size=4096)
        except HTTPException:
            raise
        except Exception:
            raise HTTPException(400, "表单内容无法读取") from None

    # --- the upload ------------------------------------------------------------------------------
    async def accept(student: str, assignment: str, form) -> Job:
        if not valid_id(assignment) or assignment not in list_assignments(root):
            raise HTTPException(404, "没有这个作业")
        upload = form.get("notebook")
        if upload is None or isinstance(upload, str):
            raise HTTPException(400, "请在字段 notebook 中上传 .ipynb 文件")
        data = await upload.read(config.max_upload_bytes + 1)
        if len(data) > config.max_upload_bytes:
            raise HTTPException(413, f"文件太大：上限是 {config.max_upload_bytes >> 20} MB")
        # storing (fsync) and parsing take seconds for a big notebook: never on the event loop
        return await run_in_threadpool(store, student, assignment, data)

    def store(student: str, assignment: str, data: bytes) -> Job:
        now = time.time()
        name = master_notebook(root, assignment).name
        attempt_id = f"{time.time_ns():x}{secrets.token_hex(4)}"
        submission = root / "submitted" / student / assignment
        folder = submission / ".attempts" / attempt_id
        refused = db.admit(attempt_id, student, assignment, folder, now, per_minute=config.uploads_per_minute,
                           per_assignment=config.attempts_per_assignment)
        if refused == "rate":
            raise HTTPException(429, f"提交太频繁：每分钟最多 {config.uploads_per_minute} 次，请稍后再试")
        if refused == "attempts":
            raise HTTPException(429, f"这个作业的提交次数已达上限（{config.attempts_per_assignment} 次）")
        try:
            folder.mkdir(parents=True)
            stamp = _utc_stamp(now).encode()
            _write_durably(folder / name, data)  # stored as received, before anything else
            _write_durably(folder / "timestamp.txt", stamp)
            try:
                text = data.decode("utf-8")
                cells = json.loads(text).get("cells")  # fast (C); nbformat's validation is ~55 us a cell
                if isinstance(cells, list) and len(cells) > MAX_CELLS:
                    raise HTTPException(400, f"notebook 的单元格太多（上限 {MAX_CELLS} 个），这次提交也计入次数限制")
                nbformat.reads(text, as_version=4)
            except HTTPException:
                raise
            except Exception:
                raise HTTPException(400, "上传的文件不是有效的 Jupyter notebook (.ipynb)，这次提交也计入次数限制") from None
            with latest_lock:  # uploads are stored in parallel threads: the newest one stays the latest copy
                if now >= latest_copy.get((student, assignment), 0.0):
                    _write_durably(submission / name, data)  # nbgrader's layout: the latest attempt
                    _write_durably(submission / "timestamp.txt", stamp)
                    latest_copy[(student, assignment)] = now
        except BaseException:
            db.refuse(attempt_id)  # it still counts against the limits
            raise
        db.enqueue(attempt_id)
        if "runner" in state:
            state["runner"].wake.set()
        # what was accepted; the runner may already be grading it
        return Job(attempt_id, student, assignment, str(folder), now, "queued")

    def job_json(job: Job) -> dict:
        return {"id": job.id, "assignment": job.assignment, "status": job.status, "score": job.score,
                "max_score": job.max_score, "result_status": job.result_status,
                "feedback_url": f"/attempts/{job.id}/feedback" if job.status == "graded" else None}

    # --- API -------------------------------------------------------------------------------------
    async def api_submit(request: Request):
        who = bearer(request)
        if who is None:
            return JSONResponse({"error": "missing or invalid token"}, 401)
        form = await checked_form(request)
        job = await accept(who[0], request.path_params["assignment"], form)
        return JSONResponse({"id": job.id, "status": job.status}, 202)

    async def api_status(request: Request):
        who = bearer(request) or session_user(request)
        if who is None:
            return JSONResponse({"error": "missing or invalid token"}, 401)
        job = db.job(request.path_params["job_id"])
        if job is None or (who[1] != "instructor" and job.student != who[0]):
            return JSONResponse({"error": "not found"}, 404)
        return JSONResponse(job_json(job))

    # --- pages -----------------------------------------------------------------------------------
    async def home(request: Request):
        who = session_user(request)
        if who is None:
            return page("login.html", {"csrf": csrf_token(request), "error": None})
        if who[1] == "instructor":
            return RedirectResponse("/instructor", 303)
        jobs = db.jobs(who[0])
        due = _due_dates(config.db_url)
        now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        rows = [{"id": a, "due": due[a].strftime("%Y-%m-%d %H:%M UTC") if a in due else None,
                 "past_due": a in due and now > due[a],  # the page warns before a late upload
                 "recorded": read_results(root, who[0], a) or {},  # what counts now, penalty included
                 "attempts": [job_json(j) for j in jobs if j.assignment == a]}
                for a in list_assignments(root)]
        pending = any(j.status != "graded" for j in jobs)
        return page("home.html", {"student": who[0], "assignments": rows, "csrf": csrf_token(request),
                                  "pending": pending, "status_text": STATUS_TEXT})

    async def login(request: Request):
        form = await small_form(request)
        if not csrf_ok(request, form):
            raise HTTPException(403, "页面已过期，请刷新后重试 (CSRF)")
        opened = await run_in_threadpool(db.open_session, str(form.get("token", "")).strip())
        if opened is None:
            return page("login.html", {"csrf": csrf_token(request), "error": "令牌无效"}, status_code=401)
        request.session.clear()
        request.session.update(sid=opened[0], csrf=secrets.token_urlsafe(24))
        return RedirectResponse("/", 303)

    async def logout(request: Request):
        form = await small_form(request)
        if csrf_ok(request, form):
            await run_in_threadpool(db.close_session, request.session.get("sid"))  # the old cookie stops working
            request.session.clear()
        return RedirectResponse("/", 303)

    async def upload_page(request: Request):
        who = session_user(request)
        if who is None:
            return RedirectResponse("/", 303)
        form = await checked_form(request)
        if not csrf_ok(request, form):
            raise HTTPException(403, "页面已过期，请刷新后重试 (CSRF)")
        await accept(who[0], request.path_params["assignment"], form)
        return RedirectResponse("/", 303)

    async def feedback(request: Request):
        who = bearer(request) or session_user(request)
        job = db.job(request.path_params["job_id"])
        if who is None:
            return RedirectResponse("/", 303)
        if job is None or (who[1] != "instructor" and job.student != who[0]) or job.status != "graded":
            raise HTTPException(404, "没有找到这次提交的反馈")
        return HTMLResponse((Path(job.folder) / ATTEMPT_FEEDBACK).read_text(encoding="utf-8"))

    def instructor_only(request: Request) -> None:
        who = session_user(request) or bearer(request)
        if who is None or who[1] != "instructor":
            raise HTTPException(403, "只有老师可以查看")

    async def instructor(request: Request):
        instructor_only(request)
        tables = []
        for a in list_assignments(root):
            jobs = db.jobs(assignment=a)
            by_student: dict[str, list[Job]] = {}
            for j in jobs:
                by_student.setdefault(j.student, []).append(j)
            tables.append({"id": a, "rows": [{"student": s, "latest": job_json(js[0]), "attempts": len(js)}
                                             for s, js in sorted(by_student.items())]})
        return page("instructor.html", {"tables": tables, "csrf": csrf_token(request), "status_text": STATUS_TEXT})

    async def grades_csv(request: Request):
        from course.grading.store import export_csv

        instructor_only(request)
        with tempfile.TemporaryDirectory() as tmp:
            export_csv(root, list_assignments(root), Path(tmp) / "grades.csv", config.db_url)
            text = (Path(tmp) / "grades.csv").read_text(encoding="utf-8")
        return Response(text, media_type="text/csv", headers={"Content-Disposition": "attachment; filename=grades.csv"})

    async def report(request: Request):
        from course.report import build_report

        instructor_only(request)
        assignment = request.path_params["assignment"]
        if assignment not in list_assignments(root):
            raise HTTPException(404, "没有这个作业")
        path = build_report(root, assignment)
        return FileResponse(path)

    async def report_image(request: Request):
        instructor_only(request)
        assignment, name = request.path_params["assignment"], request.path_params["name"]
        path = root / "reports" / assignment / name
        if assignment not in list_assignments(root) or not valid_id(name) or not path.is_file():
            raise HTTPException(404, "not found")
        return FileResponse(path)

    def grading_problem() -> str | None:
        if not start_runner:
            return None
        if "runner" not in state:
            return "grading not started"
        try:
            oldest = db.oldest_queued()
        except Exception as exc:
            return f"serve.db unreadable: {type(exc).__name__}: {exc}"
        return state["runner"].health(oldest, config.stall_after)

    async def healthz(request: Request):
        problem = await run_in_threadpool(grading_problem)
        return PlainTextResponse("ok") if problem is None else PlainTextResponse(f"degraded: {problem}", 503)

    async def http_error(request: Request, exc: HTTPException):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.detail}, exc.status_code)
        return page("error.html", {"message": exc.detail}, status_code=exc.status_code)

    routes = [
        Route("/", home), Route("/login", login, methods=["POST"]), Route("/logout", logout, methods=["POST"]),
        Route("/assignments/{assignment}/upload", upload_page, methods=["POST"]),
        Route("/attempts/{job_id}/feedback", feedback),
        Route("/instructor", instructor), Route("/instructor/grades.csv", grades_csv),
        Route("/instructor/report/{assignment}", report),
        Route("/instructor/report/{assignment}/{name}", report_image),
        Route("/api/assignments/{assignment}/submissions", api_submit, methods=["POST"]),
        Route("/api/submissions/{job_id}", api_status), Route("/healthz", healthz),
    ]
    middleware = [Middleware(BodyLimit, upload_bytes=config.max_upload_bytes, timeout=config.body_timeout),
                  Middleware(SessionMiddleware, secret_key=db.secret(), session_cookie="course_session",
                             same_site="lax", https_only=config.secure_cookies, max_age=14 * 24 * 3600)]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                     exception_handlers={HTTPException: http_error})


def guarded_protocol(max_connections: int, header_timeout: float):
    """uvicorn's h11 protocol with what it lacks against slow clients: a connection must send its
    request headers within ``header_timeout`` seconds (after connecting, and again after each
    response on a kept-alive connection), and at ``max_connections`` open connections a new one
    drops the one that has waited longest without a request (an idle or half-open socket, never
    a request being served), so idle sockets cannot lock honest clients out."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    waiting: dict = {}  # connections without a request in progress, longest waiting first

    class GuardedH11Protocol(H11Protocol):
        _deadline = None
        _seen_cycle = None

        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            self._await_request()
            if len(self.connections) > max_connections:
                next(iter(waiting), self)._drop()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            self._check_request_started()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self._check_request_started() and not self.transport.is_closing():
                self._await_request()

        def connection_lost(self, exc) -> None:
            self._request_started()
            super().connection_lost(exc)

        def _check_request_started(self) -> bool:
            if self.cycle is not None and self.cycle is not self._seen_cycle:
                self._seen_cycle = self.cycle
                self._request_started()
                return True
            return False

        def _await_request(self) -> None:
            self._request_started()
            waiting[self] = None
            self._deadline = self.loop.call_later(header_timeout, self._drop)

        def _request_started(self) -> None:
            waiting.pop(self, None)
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _drop(self) -> None:
            self._request_started()
            if not self.transport.is_closing():
                self.transport.close()

    return GuardedH11Protocol


def _file_descriptors_for(connections: int) -> int:
    """Raise the soft limit on open files as far as allowed; returns how many connections fit,
    leaving room for serve.db, the gradebook, temp files and the Dask comms."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + ACCEPT_BURST + 1024
    if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or soft < hard) and soft < wanted:
        soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return connections if soft == resource.RLIM_INFINITY else max(16, min(connections, soft - ACCEPT_BURST - 512))


def serve(config: ServeConfig, host: str = "127.0.0.1", port: int = 8000) -> None:
    import signal

    import uvicorn

    # uvicorn shuts down on SIGTERM/SIGINT, then raises the signal again under the handler it found:
    # with this one a stop asked for is a clean exit (status 0), not a death by signal or a traceback
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda number, frame: None)
    connections = _file_descriptors_for(config.max_connections)

    class Server(uvicorn.Server):
        async def startup(self, sockets=None) -> None:
            await super().startup(sockets=sockets)
            if self.started and not self.should_exit:  # bound and the app started: say where (port 0: the real one)
                for address in sorted({sock.getsockname()[:2] for server in self.servers for sock in server.sockets}):
                    shown = f"[{address[0]}]" if ":" in address[0] else address[0]
                    print(f"course serve: listening on http://{shown}:{address[1]}", flush=True)

    Server(uvicorn.Config(
        create_app(config), host=host, port=port, log_level="warning", proxy_headers=True,
        http=guarded_protocol(connections, config.header_timeout),
        timeout_keep_alive=5,  # an idle kept-alive connection is closed after 5 s
        limit_concurrency=connections + 1,  # (uvicorn counts connections too: ours are capped at accept)
        h11_max_incomplete_event_size=16 << 10,  # request line and headers: 16 KB
        backlog=ACCEPT_BURST,
        timeout_graceful_shutdown=10,
    )).run()
