"""nbgrader configuration for this course (run nbgrader from the repository root)."""
import os

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

here = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "practical-aspects-dl"
c.CourseDirectory.root = here
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.solution_directory = "solutions"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = os.environ.get(
    "COURSE_DB_URL", "sqlite:///" + os.path.join(here, "gradebook.db")
)
# Only notebooks are assignments; helper modules and data are copied alongside.
c.CourseDirectory.notebook_id = "*"
# results.json (ours, in autograded/) stays out of what generate_feedback copies to feedback/.
# translations/ (the master's other languages) is read by the release, not shipped with it.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "results.json", "translations"]

# The students' language: zh (the masters' own) or en (source/<a>/translations/en.md; course/language.py).
# `course release --lang` overrides it for one build; formgrader's Generate button uses this one.
c.CourseGrading.language = os.environ.get("COURSE_LANGUAGE", "zh")
# nbgrader's generate_assignment steps (its default list, nbgrader 0.9), after the master is put in
# that language; tests/test_language.py checks the list against the installed nbgrader's.
c.GenerateAssignment.preprocessors = ["course.language_release.SelectLanguage"] + [
    "nbgrader.preprocessors." + step for step in (
        "IncludeHeaderFooter", "InstantiateTests", "LockCells", "ClearSolutions", "ClearOutput",
        "CheckCellMetadata", "ComputeChecksums", "SaveCells", "ClearHiddenTests", "ClearMarkScheme",
        "ComputeChecksums", "CheckCellMetadata")]

# What the student sees where a solution was removed.
_STUBS = {
    "zh": ("# 请在此处编写你的代码 (write your code here)", "请在此处作答 (write your answer here)"),
    "en": ("# YOUR CODE HERE", "YOUR ANSWER HERE"),
}
_code_stub, c.ClearSolutions.text_stub = _STUBS.get(c.CourseGrading.language, _STUBS["en"])
c.ClearSolutions.code_stub = {"python": _code_stub + "\nraise NotImplementedError()"}
c.ClearSolutions.enforce_metadata = True

# Limits of every grading path (course grade, course serve, nbgrader autograde; course.config):
# c.CourseGrading.submission_timeout, call_timeout, memory_mb, max_notebook_mb. Unset, they are
# the defaults `course grade --help` names; a command-line flag overrides one for one run.

# Late work (course grade and nbgrader autograde alike): "none", "zero" or "per_hour"; due dates are
# in the gradebook (`nbgrader db assignment add ID --duedate=...`), extensions via `course extension`.
c.AssignLatePenalties.plugin_class = "course.late.LatePenalty"
c.LatePenalty.penalty_method = "none"
c.LatePenalty.points_per_hour = 1.0
c.LatePenalty.per_assignment = {}

# nbgrader zip_collect: Canvas's and Moodle's download names (course/grading/lms.py); a
# c.FileNameCollectorPlugin.named_regexp set here (for another layout) is used instead.
c.ZipCollectApp.collector_plugin = "course.grading.lms.LmsFileNames"
# c.LmsFileNames.student_ids = {"12345": "alice"}  # LMS id -> the course's student id

# nbgrader autograde (and formgrader's Autograde button) never runs a student's notebook in a
# kernel as the instructor: the sanitize step is our sandboxed engine (the same grading and records
# as `course grade`), and nbgrader's Execute/SaveAutoGrades step is empty
# (course/grading/nbgrader_autograde.py). Without bubblewrap it refuses and points to `course grade`.
c.Autograde.sanitize_preprocessors = ["course.grading.nbgrader_autograde.GradeInSandbox"]
c.Autograde.autograde_preprocessors = []
c.GradeInSandbox.course_root = here
