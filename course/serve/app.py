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
"""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from course.grading.batch import valid_id
from course.grading.engine import DEFAULT_SUBMISSION_TIMEOUT
from course.paths import assignments as list_assignments
from course.paths import master_notebook
from course.sandbox.process import Limits
from course.serve.db import Job, ServeDB
from course.serve.runner import ATTEMPT_FEEDBACK

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
STATUS_TEXT = {"queued": "排队中", "grading": "评分中", "graded": "已评分"}


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
    extra: dict = field(default_factory=dict)


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


def _due_dates(db_url: str) -> dict[str, str]:
    from course.grading.store import _gradebook

    out = {}
    with contextlib.suppress(Exception), _gradebook(db_url) as gb:
        for a in gb.assignments:
            if a.duedate is not None:
                out[a.name] = a.duedate.strftime("%Y-%m-%d %H:%M UTC")
    return out


def create_app(config: ServeConfig, *, start_runner: bool = True) -> Starlette:
    root = config.root
    db = ServeDB(root / "serve.db")
    state: dict = {}

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
        user = request.session.get("user")
        return (user, request.session.get("role", "student")) if user else None

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
        except Exception as exc:  # python-multipart: a part over the cap, or a malformed body
            too_big = "size" in str(exc).lower() or "exceed" in str(exc).lower()
            raise HTTPException(413 if too_big else 400, "上传的内容无法读取 (malformed upload)") from None
        return form

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
                nbformat.reads(data.decode("utf-8"), as_version=4)
            except Exception:
                raise HTTPException(400, "上传的文件不是有效的 Jupyter notebook (.ipynb)，这次提交也计入次数限制") from None
            _write_durably(submission / name, data)  # nbgrader's layout: the latest attempt
            _write_durably(submission / "timestamp.txt", stamp)
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
            return TEMPLATES.TemplateResponse(request, "login.html", {"csrf": csrf_token(request), "error": None})
        if who[1] == "instructor":
            return RedirectResponse("/instructor", 303)
        jobs = db.jobs(who[0])
        due = _due_dates(config.db_url)
        rows = [{"id": a, "due": due.get(a), "attempts": [job_json(j) for j in jobs if j.assignment == a]}
                for a in list_assignments(root)]
        pending = any(j.status != "graded" for j in jobs)
        return TEMPLATES.TemplateResponse(request, "home.html", {"student": who[0], "assignments": rows,
                                                                 "csrf": csrf_token(request), "pending": pending,
                                                                 "status_text": STATUS_TEXT})

    async def login(request: Request):
        form = await request.form()
        if form.get("csrf") != request.session.get("csrf"):
            raise HTTPException(403, "页面已过期，请刷新后重试 (CSRF)")
        who = db.user_for(str(form.get("token", "")).strip())
        if who is None:
            return TEMPLATES.TemplateResponse(request, "login.html", {"csrf": csrf_token(request),
                                                                      "error": "令牌无效"}, status_code=401)
        request.session.clear()
        request.session.update(user=who[0], role=who[1], csrf=secrets.token_urlsafe(24))
        return RedirectResponse("/", 303)

    async def logout(request: Request):
        form = await request.form()
        if form.get("csrf") == request.session.get("csrf"):
            request.session.clear()
        return RedirectResponse("/", 303)

    async def upload_page(request: Request):
        who = session_user(request)
        if who is None:
            return RedirectResponse("/", 303)
        form = await checked_form(request)
        if form.get("csrf") != request.session.get("csrf"):
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
        return TEMPLATES.TemplateResponse(request, "instructor.html", {"tables": tables, "csrf": csrf_token(request),
                                                                       "status_text": STATUS_TEXT})

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

    async def healthz(request: Request):
        return PlainTextResponse("ok")

    async def http_error(request: Request, exc: HTTPException):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.detail}, exc.status_code)
        return TEMPLATES.TemplateResponse(request, "error.html", {"message": exc.detail}, status_code=exc.status_code)

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
    middleware = [Middleware(SessionMiddleware, secret_key=db.secret(), session_cookie="course_session",
                             same_site="lax", https_only=config.secure_cookies, max_age=14 * 24 * 3600)]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                     exception_handlers={HTTPException: http_error})


def serve(config: ServeConfig, host: str = "127.0.0.1", port: int = 8000) -> None:
    import uvicorn

    uvicorn.run(create_app(config), host=host, port=port, log_level="warning", proxy_headers=True)
