"""`course` command line: a thin layer over course.build and course.grading."""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path

from course.paths import assignments as list_assignments
from course.paths import course_root, master_notebook


def _course():
    from course.config import Course

    return Course.load(course_root())


CLASS_DIR_HELP = ("folder of the class's data: submitted/, autograded/, feedback/, gradebook.db, grades.csv, "
                  "reports/ (default: the course root; `make demo` grades the samples in samples/)")


def cmd_release(args) -> int:
    from course.build import BuildError, build

    root = course_root()
    try:
        built = build(root, assignments=args.assignment or None, solutions=not args.release_only, db_url=args.db,
                      language=args.lang)
    except BuildError as exc:
        print(f"course release: {exc}", file=sys.stderr)
        return 1
    print(("built release/" if args.release_only else "built release/ and solutions/") + " for: " + ", ".join(built))
    return 0


def cmd_grade(args) -> int:
    helper = head_start = None
    if not (args.workers or args.scheduler) and args.db != "none":
        from course.grading.gradebook_process import GradebookHelper

        # started first: it loads the gradebook's libraries while this process imports the grading stack
        with contextlib.suppress(OSError):
            helper = GradebookHelper()
    try:
        if not (args.workers or args.scheduler):
            head_start = _head_start(args)  # the first sandbox child boots while the grading stack imports
        return _grade(args, helper, head_start)
    finally:
        if head_start is not None:
            head_start[1].close()
        if helper is not None:
            helper.close()


def _head_start(args):
    """(the first assignment, a WarmPool holding a child spawned for it), or None (no sandbox...)."""
    from course.grading.pool import WarmPool, warm_key
    from course.sandbox.base import SandboxUnavailable
    from course.sandbox.launchers import select_launcher

    course = _course()
    ids = args.assignment or list_assignments(course.root)
    if not ids:
        return None
    limits = course.limits(call_timeout=args.call_timeout, memory_mb=args.memory_mb, max_notebook_mb=args.max_notebook_mb)
    try:
        key = warm_key(course.root, ids[0], limits, select_launcher(course.grading.sandbox, args.allow_unsandboxed))
    except (SandboxUnavailable, OSError):  # grade_all says why (or grades without a sandbox, if allowed)
        return None
    pool = WarmPool(max_keys=1)
    if not pool.head_start(key):
        pool.close()
        return None
    return ids[0], pool


def _grade(args, helper, head_start=None) -> int:
    from course.grading.batch import final_grades_of, grader_failures, score_table
    from course.ids import InvalidId
    from course.sandbox.process import SandboxUnavailable

    course = _course()
    root = course.root
    ids = args.assignment or list_assignments(root)
    limits = course.limits(call_timeout=args.call_timeout, memory_mb=args.memory_mb, max_notebook_mb=args.max_notebook_mb)
    args.timeout = course.submission_timeout(args.timeout)
    insecure_scheduler: tuple = ()  # catches nothing unless a cluster (and so distributed) is used
    if args.workers or args.scheduler:
        from course.grading.parallel import InsecureScheduler

        insecure_scheduler = (InsecureScheduler,)
    try:
        results = _grade_assignments(args, root, ids, limits, helper, head_start)
    except insecure_scheduler as exc:
        print(f"course grade: refusing to grade: {exc}", file=sys.stderr)
        return 2
    except SandboxUnavailable as exc:
        print(f"course grade: refusing to grade: {exc}", file=sys.stderr)
        return 2
    except InvalidId as exc:
        print(f"course grade: {exc}", file=sys.stderr)
        return 2
    except _imported("course.build", "BuildError") as exc:  # the gradebook could not take the assignment's grade cells
        print(f"course grade: {exc}", file=sys.stderr)
        return 1
    db_url = args.db or course.gradebook_url(_class_dir(root, args))
    notebook_ids = {a: master_notebook(root, a).stem for a in {r["assignment"] for r in results}}
    try:
        grades = final_grades_of(results, db_url, notebook_ids, helper, class_dir=_class_dir(root, args))
    except Exception as exc:  # the grades are recorded; only the table's gradebook view is missing
        print(f"warning: could not read the gradebook for the table ({type(exc).__name__}: {exc}); "
              "showing the autograder's scores", file=sys.stderr)
        grades = None
    print(score_table(results, grades))
    failed = grader_failures(results)
    if failed:  # the graders themselves failed: results are incomplete until they are fixed
        print(f"error: {len(failed)} grader failure(s); fix the graders and regrade with --force:", file=sys.stderr)
        for line in failed:
            print(f"  {line}", file=sys.stderr)
        return 1
    return 0


def _grade_assignments(args, root: Path, ids: list[str], limits, helper, head_start=None) -> list[dict]:
    from course.grading.batch import grade_all

    results = []
    with contextlib.ExitStack() as stack:
        client = None
        if args.workers or args.scheduler:  # one cluster for every assignment
            from course.grading.parallel import dask_client

            client = stack.enter_context(dask_client(args.workers, args.scheduler, args.allow_insecure_scheduler))

        for assignment in ids:
            results += grade_all(root, assignment, submitted=Path(args.submitted) if args.submitted else None,
                                 students=args.student, force=args.force, timeout=args.timeout,
                                 db_url=args.db, limits=limits, client=client, progress=sys.stderr.isatty(),
                                 allow_unsandboxed=args.allow_unsandboxed,
                                 log=print if args.verbose else (lambda *_: None), class_dir=_class_dir(root, args),
                                 gradebook_helper=helper,
                                 head_start=head_start[1] if head_start and head_start[0] == assignment else None)
    return results


def cmd_export(args) -> int:
    from course.grading.store import export_csv

    course = _course()
    root = course.root
    data = _class_dir(root, args)
    out = Path(args.out) if args.out else data / "grades.csv"
    db_url = None if args.db == "none" else args.db or course.existing_gradebook(data)
    ids = args.assignment or list_assignments(root)
    policies = {a: course.late_policy(a) for a in ids}
    if args.format != "long":
        from course.roster import write_lms_csv

        out = Path(args.out) if args.out else data / f"grades-{args.format}.csv"
        n = write_lms_csv(args.format, out, root, ids, db_url, class_dir=data, late_policies=policies)
        print(f"wrote {out} ({n} students, {args.format}'s gradebook import)")
        return 0
    n = export_csv(root, ids, out, db_url, class_dir=data, late_policies=policies)
    print(f"wrote {out} ({n} rows)")
    return 0


def cmd_sync(args) -> int:
    from course.grading.store import sync_recorded

    course = _course()
    root = course.root
    data = _class_dir(root, args)
    db_url = args.db or course.existing_gradebook(data)
    if db_url is None:
        print("course sync: no gradebook to read (nothing graded yet?)", file=sys.stderr)
        return 2
    for assignment in args.assignment or list_assignments(root):
        changed, finals = sync_recorded(data, assignment, master_notebook(root, assignment).stem, db_url,
                                        course.late_policy(assignment))
        for student, late in sorted(changed.items()):
            print(f"{student}/{assignment}: late penalty now {late['late_penalty']:g}")
        print(f"{assignment}: {len(finals)} recorded grades as the gradebook states them "
              f"({sum(bool(g['manual']) for g in finals.values())} with manual grades, "
              f"{sum(g['late_penalty'] > 0 for g in finals.values())} late)")
    return 0


def cmd_copy_gradebook(args) -> int:
    from course.grading.store import GradebookNotEmpty, copy_gradebook, gradebook_identity, retarget_results

    course = _course()
    data = _class_dir(course.root, args)
    source = args.db or course.existing_gradebook(data)
    if source is None:
        print("course copy-gradebook: there is no gradebook to copy", file=sys.stderr)
        return 2
    try:
        copied = copy_gradebook(source, args.target)
    except GradebookNotEmpty as exc:
        print(f"course copy-gradebook: {exc}", file=sys.stderr)
        return 1
    moved = retarget_results(data, source, args.target)
    print(f"copied {gradebook_identity(source)} into {gradebook_identity(args.target)}: "
          + ", ".join(f"{n} {table}" for table, n in copied.items() if n) + f"; {moved} results.json now name it")
    print("now point the course at it (COURSE_DB_URL, or c.CourseDirectory.db_url in nbgrader_config.py)")
    return 0


def cmd_roster(args) -> int:
    from course.roster import RosterError, import_roster, read_roster

    course = _course()
    data = _class_dir(course.root, args)
    try:
        rows = read_roster(Path(args.file))
    except (OSError, RosterError) as exc:
        print(f"course roster: {exc}", file=sys.stderr)
        return 2
    db_url = args.db or course.gradebook_url(data)
    n = import_roster(rows, db_url)
    print(f"{n} students in the gradebook")
    if args.tokens:  # one access token per student for course serve, printed once (stored hashed)
        from course.serve.db import ServeDB

        db = ServeDB(course.root / "serve.db")
        for row in rows:
            print(f"{row['id']}\t{db.create_token(row['id'])}")
    return 0


def _imported(module: str, name: str) -> tuple:
    """(module.name,) once ``module`` is imported, else (): an exception class to catch without
    importing its module (course.build imports nbclient), as an exception of it can only come from there."""
    loaded = sys.modules.get(module)
    return (getattr(loaded, name),) if loaded is not None else ()


def _class_dir(root: Path, args) -> Path:
    """Where the class's data lives (submitted/, autograded/, feedback/, gradebook.db, grades.csv,
    reports/): --class-dir, else the course root (nbgrader's layout)."""
    if not getattr(args, "class_dir", None):
        return root
    path = Path(args.class_dir).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def cmd_extension(args) -> int:
    from course.ids import InvalidId, valid_id
    from course.grading.store import ensure_assignment, grant_extension, sync_recorded

    course = _course()
    root = course.root
    if not (valid_id(args.assignment) and valid_id(args.student)):
        print(f"course extension: {InvalidId('invalid assignment or student id')}", file=sys.stderr)
        return 2
    data = _class_dir(root, args)
    db_url = args.db or course.gradebook_url(data)
    if not _known_student(root, data, args.student, args.db or course.existing_gradebook(data)):
        # a typo would otherwise create a student and an extension no one uses, silently
        print(f"course extension: unknown student {args.student!r}: not in the gradebook, no submission in "
              f"submitted/ or autograded/ and no course serve token; nothing granted (add the student first: "
              f"nbgrader db student add {args.student})", file=sys.stderr)
        return 2
    ensure_assignment(root, args.assignment, db_url)
    grant_extension(db_url, args.assignment, args.student, args.hours)
    print(f"{args.student}: extension of {args.hours:g} h on {args.assignment}")
    # a submission graded already: its late penalty as the extension makes it, at once (no regrade)
    changed, _ = sync_recorded(data, args.assignment, master_notebook(root, args.assignment).stem, db_url,
                               course.late_policy(args.assignment), students=[args.student])
    for student, late in changed.items():
        print(f"{student}: late penalty on {args.assignment} is now {late['late_penalty']:g}")
    return 0


def _known_student(root: Path, data: Path, student: str, db_url: str | None) -> bool:
    """In the gradebook's roster, with a submission (any assignment, either hand-in path), or with
    a course serve token."""
    if any(os.path.lexists(data / part / student) for part in ("submitted", "autograded")):
        return True
    if (root / "serve.db").is_file():
        from course.serve.db import ServeDB

        if any(user == student for user, role, *_ in ServeDB(root / "serve.db").users() if role == "student"):
            return True
    if db_url is None:  # no gradebook yet: no roster
        return False
    from course.grading.store import gradebook_students

    return student in gradebook_students(db_url)


def cmd_token(args) -> int:
    from course.ids import valid_id
    from course.serve.db import ServeDB

    root = course_root()
    db = ServeDB(root / "serve.db")
    if args.list:
        for user, role, tokens, created, sessions in db.users():
            print(f"{user}\t{role}\t{tokens} token(s), newest {time.strftime('%Y-%m-%d %H:%M', time.gmtime(created))} UTC"
                  f"\t{sessions} session(s)")
        return 0
    user = args.revoke or args.user
    if not user or not valid_id(user):
        print(f"course token: invalid id {user!r}", file=sys.stderr)
        return 2
    if args.revoke:  # takes effect at once: the running service checks serve.db on every request
        tokens, sessions = db.revoke(user)
        print(f"revoked {tokens} token(s) and {sessions} browser session(s) of {user}")
        return 0
    role = "instructor" if args.instructor else "student"
    token = db.create_token(user, role)
    print(f"access token for {role} {user} (shown once; stored hashed): {token}")
    return 0


def cmd_serve(args) -> int:
    from course.sandbox.process import INSTALL_HINT, bwrap_works
    from course.serve.app import ServeConfig, serve

    course = _course()
    root = course.root
    if not bwrap_works():  # the service hands the sandbox to every student: never without it
        print(f"course serve: refusing to start: bubblewrap is not usable on this machine: {INSTALL_HINT}",
              file=sys.stderr)
        return 2
    if args.scheduler:
        from course.grading.parallel import InsecureScheduler, check_scheduler_address

        try:
            check_scheduler_address(args.scheduler, args.allow_insecure_scheduler)
        except InsecureScheduler as exc:
            print(f"course serve: refusing to start: {exc}", file=sys.stderr)
            return 2
    config = ServeConfig(root=root, db_url=args.db or course.db_url,
                         max_upload_bytes=args.max_upload_mb << 20, uploads_per_minute=args.uploads_per_minute,
                         attempts_per_assignment=args.attempts, workers=args.workers, scheduler=args.scheduler,
                         allow_insecure_scheduler=args.allow_insecure_scheduler,
                         secure_cookies=args.secure_cookies, timeout=course.submission_timeout(args.timeout),
                         max_connections=args.max_connections, header_timeout=args.header_timeout,
                         body_timeout=args.body_timeout, stall_seconds=args.stall_seconds,
                         limits=course.limits(call_timeout=args.call_timeout, memory_mb=args.memory_mb))
    serve(config, args.host, args.port)
    return 0


def cmd_report(args) -> int:
    from course.report import build_report

    course = _course()
    data = _class_dir(course.root, args)
    db_url = args.db or course.existing_gradebook(data)
    if db_url == "none":
        db_url = None
    path = build_report(data, args.assignment, Path(args.out) if args.out else None, db_url=db_url,
                        notebook_id=master_notebook(course.root, args.assignment).stem,
                        late_policy=course.late_policy(args.assignment))
    print(f"wrote {path}" + ("" if db_url else " (no gradebook: the autograder's scores, no manual grades or late penalties)"))
    return 0


def cmd_gradescope(args) -> int:
    from course.gradescope import build_zip

    root = course_root()
    out = Path(args.out) if args.out else root / "build" / f"gradescope-{args.assignment}.zip"
    try:
        build_zip(root, args.assignment, out, timeout=args.timeout, call_timeout=args.call_timeout,
                  memory_mb=args.memory_mb, visibility=args.visibility)
    except (ValueError, FileNotFoundError) as exc:  # InvalidId is a ValueError
        print(f"course gradescope: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {out} (upload it as the assignment's autograder: Configure Autograder > Zip file upload)")
    return 0


def cmd_samples(args) -> int:
    from course.language import TranslationError
    from course.samples import build_samples

    root = course_root()
    try:
        paths = build_samples(root, args.assignment or None, language=args.lang)
    except TranslationError as exc:
        print(f"course samples: {exc}", file=sys.stderr)
        return 1
    for path in paths:
        print(f"wrote {path.relative_to(root)}")
    return 0


def _unknown_assignments(args) -> str:
    """The one-line error for assignment ids the course does not have (a typo would otherwise
    end in a traceback, or in an empty export or report), "" when every id is known."""
    given = getattr(args, "assignment", None)
    ids = [given] if isinstance(given, str) else list(given or [])
    if not ids:
        return ""
    known = list_assignments(course_root())
    unknown = [a for a in ids if a not in known]
    if not unknown:
        return ""
    import difflib

    hints = [f" (did you mean {close[0]!r}?)" if (close := difflib.get_close_matches(a, known, n=1)) else ""
             for a in unknown]
    named = ", ".join(f"{a!r}{hint}" for a, hint in zip(unknown, hints))
    return (f"unknown assignment{'s' if len(unknown) > 1 else ''} {named}; "
            f"known assignments: {', '.join(known) or 'none (source/ holds no assignment)'}")


def _configured(name: str) -> str:
    return f"(default: c.{name} in nbgrader_config.py)"


LANG_HELP_DEFAULT = "(default: c.CourseGrading.language in nbgrader_config.py, $COURSE_LANGUAGE)"
LANG_HELP = "the students' language, zh or en: the release, solutions and their messages " + LANG_HELP_DEFAULT
DB_HELP = ("SQLAlchemy URL of the gradebook, e.g. postgresql://USER:PASS@HOST/DB (default: c.CourseDirectory.db_url "
           "in nbgrader_config.py: $COURSE_DB_URL, else sqlite:///gradebook.db; with --class-dir, that folder's gradebook.db)")


def _limit_flags(p) -> None:
    """Overrides of the configured limits (course.config.CourseGrading) for one run."""
    p.add_argument("--timeout", type=float, default=None,
                   help="wall-clock seconds per submission " + _configured("CourseGrading.submission_timeout"))
    p.add_argument("--call-timeout", type=float, default=None,
                   help="seconds per cell or function call " + _configured("CourseGrading.call_timeout"))
    p.add_argument("--memory-mb", type=int, default=None,
                   help="memory of all the submission's processes together, tmpfs included (cgroup; else per "
                        "process) " + _configured("CourseGrading.memory_mb"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="course", description="Build and grade the course's assignments.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("release", help="build release/ and solutions/ from source/ (nbgrader)")
    p.add_argument("assignment", nargs="*")
    p.add_argument("--release-only", action="store_true", help="skip solutions/ (executing them takes a while)")
    p.add_argument("--db", help=DB_HELP)
    p.add_argument("--lang", help=LANG_HELP)  # checked by the build (course.language.check_language)
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("grade", help="grade submissions in submitted/<student>/<assignment>/")
    p.add_argument("assignment", nargs="*", help="assignment ids (default: all)")
    p.add_argument("--student", action="append", help="grade only this student (repeatable)")
    p.add_argument("--submitted", help="submissions folder (default: submitted/)")
    p.add_argument("--force", action="store_true", help="regrade submissions that already have results")
    _limit_flags(p)
    p.add_argument("--max-notebook-mb", type=int, default=None,
                   help="larger notebooks are refused unread " + _configured("CourseGrading.max_notebook_mb"))
    p.add_argument("--db", help=DB_HELP + "; 'none': results only")
    p.add_argument("--workers", type=int, nargs="?", const=os.cpu_count() or 1, default=None,
                   help="grade in parallel on a Dask LocalCluster of N worker processes (N defaults to the core count)")
    p.add_argument("--scheduler", help="address of an existing Dask scheduler to grade on: tls://HOST:8786, with "
                                       "certificates from Dask's distributed.comm.tls.* configuration (README)")
    p.add_argument("--allow-insecure-scheduler", action="store_true",
                   help="accept a plain tcp:// --scheduler (anyone who can reach it can run code on its workers)")
    p.add_argument("--allow-unsandboxed", action="store_true",
                   help="grade even where bubblewrap is not usable (resource limits only; submissions can then read "
                        "files and use the network: never for untrusted code)")
    p.add_argument("-q", "--quiet", dest="verbose", action="store_false", help="print only the final table")
    p.add_argument("--class-dir", help=CLASS_DIR_HELP)
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("export", help="write grades.csv from the recorded results (manual grades and late "
                                      "penalties from the gradebook)")
    p.add_argument("assignment", nargs="*")
    p.add_argument("--out")
    p.add_argument("--db", help=DB_HELP + "; 'none': results only")
    p.add_argument("--class-dir", help=CLASS_DIR_HELP)
    p.add_argument("--format", choices=("long", "canvas", "moodle"), default="long",
                   help="long: grades.csv, a row per student and assignment, per function; canvas, moodle: that "
                        "LMS's gradebook import, a row per student, a column per assignment (grades-FORMAT.csv)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("sync", help="bring results.json and the feedback pages to the gradebook: manual grades "
                                    "given in formgrader, extensions, the late policy as configured now")
    p.add_argument("assignment", nargs="*")
    p.add_argument("--db", help=DB_HELP)
    p.add_argument("--class-dir", help=CLASS_DIR_HELP)
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser("copy-gradebook", help="copy the whole gradebook (students, due dates, extensions, manual "
                                              "grades, comments) into a new, empty one: a switch to PostgreSQL")
    p.add_argument("target", help="SQLAlchemy URL of the new gradebook, e.g. postgresql://USER:PASS@HOST/DB")
    p.add_argument("--db", help="the gradebook to copy " + DB_HELP[DB_HELP.index("(default"):])
    p.add_argument("--class-dir", help=CLASS_DIR_HELP)
    p.set_defaults(func=cmd_copy_gradebook)

    p = sub.add_parser("roster", help="put the class list (CSV: id, first_name, last_name, email) into the gradebook")
    p.add_argument("file")
    p.add_argument("--tokens", action="store_true", help="also print one course serve access token per student")
    p.add_argument("--db", help=DB_HELP)
    p.add_argument("--class-dir", help=CLASS_DIR_HELP)
    p.set_defaults(func=cmd_roster)

    p = sub.add_parser("extension", help="give a student more time on an assignment (nbgrader's extension; "
                                         "0 removes it); due dates: nbgrader db assignment add ID --duedate=...")
    p.add_argument("assignment")
    p.add_argument("student")
    p.add_argument("--hours", type=float, required=True)
    p.add_argument("--db", help=DB_HELP)
    p.add_argument("--class-dir", help=CLASS_DIR_HELP)
    p.set_defaults(func=cmd_extension)

    p = sub.add_parser("token", help="create an access token for `course serve` (printed once, as the last word)")
    p.add_argument("user", nargs="?", help="student id (or instructor name with --instructor)")
    p.add_argument("--instructor", action="store_true", help="a token for the instructor dashboard")
    p.add_argument("--revoke", metavar="USER", help="delete all of USER's tokens and end their browser sessions")
    p.add_argument("--list", action="store_true", help="list users with tokens (never the tokens)")
    p.set_defaults(func=cmd_token)

    p = sub.add_parser("serve", help="web service: students upload notebooks and get feedback in seconds")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--db", help=DB_HELP)
    p.add_argument("--workers", type=int, default=None, help="grading processes (a Dask LocalCluster; default: cores)")
    p.add_argument("--scheduler", help="grade on an existing Dask scheduler instead (tls://HOST:8786, as course grade)")
    p.add_argument("--allow-insecure-scheduler", action="store_true",
                   help="accept a plain tcp:// --scheduler (anyone who can reach it can run code on its workers)")
    p.add_argument("--max-upload-mb", type=int, default=8)
    p.add_argument("--uploads-per-minute", type=int, default=6, help="per student")
    p.add_argument("--attempts", type=int, default=30, help="uploads per student and assignment")
    _limit_flags(p)
    p.add_argument("--secure-cookies", action="store_true", help="session cookie only over HTTPS (behind a TLS proxy)")
    p.add_argument("--max-connections", type=int, default=1000,
                   help="open connections; over it the one waiting longest without a request is dropped")
    p.add_argument("--header-timeout", type=float, default=10.0, help="seconds to send the request headers")
    p.add_argument("--body-timeout", type=float, default=120.0, help="seconds to send a whole request body")
    p.add_argument("--stall-seconds", type=float, default=None,
                   help="/healthz is degraded when an upload waits this long with nothing graded (default: --timeout + 60)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("report", help="write reports/<assignment>.html: score statistics for instructors")
    p.add_argument("assignment")
    p.add_argument("--out", help="output folder (default: reports/)")
    p.add_argument("--class-dir", help=CLASS_DIR_HELP)
    p.add_argument("--db", help=DB_HELP + " (manual grades and late penalties); 'none': the autograder's scores")
    p.set_defaults(func=cmd_report)

    from course.gradescope import DEFAULT_MEMORY_MB, VISIBILITIES  # light: no grading engine

    p = sub.add_parser("gradescope", help="build the Gradescope autograder zip of an assignment (setup.sh, "
                                          "run_autograder, the graders; nothing of students or other assignments)")
    p.add_argument("assignment")
    p.add_argument("--out", help="zip file to write (default: build/gradescope-ASSIGNMENT.zip)")
    p.add_argument("--timeout", type=float, default=None, help="wall-clock seconds per submission "
                   "(keep it under the assignment's Gradescope timeout, 10 min by default) "
                   + _configured("CourseGrading.submission_timeout"))
    p.add_argument("--call-timeout", type=float, default=None,
                   help="seconds per cell or function call " + _configured("CourseGrading.call_timeout"))
    p.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB, help="memory of the submission's processes "
                   "(keep it well under the container's, 768 MB by default on Gradescope)")
    p.add_argument("--visibility", choices=VISIBILITIES,
                   default="visible", help="when students see the tests and the score")
    p.set_defaults(func=cmd_gradescope)

    p = sub.add_parser("samples", help="rebuild the sample submissions under samples/submitted/")
    p.add_argument("assignment", nargs="*")
    p.add_argument("--lang", help="the language release/ was built in, zh or en " + LANG_HELP_DEFAULT)
    p.set_defaults(func=cmd_samples)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        problem = _unknown_assignments(args)
    except FileNotFoundError as exc:  # not inside the course repository
        print(f"course {args.command}: {exc}", file=sys.stderr)
        return 2
    if problem:
        print(f"course {args.command}: {problem}", file=sys.stderr)
        return 2
    # nbgrader shells out to `alembic`, installed beside this interpreter: work without an activated venv.
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    try:
        return args.func(args)
    except KeyboardInterrupt:  # what was recorded stays; a rerun grades only the rest
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
