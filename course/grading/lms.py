"""`nbgrader zip_collect` for the archives an LMS downloads: the file names Canvas and Moodle give.

nbgrader's FileNameCollectorPlugin needs a ``named_regexp`` the instructor writes (without one:
"Regular expression not provided for plugin", nothing collected). This plugin knows the two
common layouts, and takes a ``named_regexp`` of the instructor's instead when one is set:

- Canvas ("Download Submissions"): ``{login}_{late_}{user id}_{submission id}_{file name}``, the
  file name with ``-N`` added to a resubmission (``Initialization-1.ipynb``); the student id is
  the login (the name part).
- Moodle ("Download all submissions"): ``{Full name}_{participant id}_assignsubmission_file_{file
  name}``, or with "Download submissions in folders" the file in a folder
  ``{Full name}_{participant id}_assignsubmission_file/``; the student id is the participant id.

``c.LmsFileNames.student_ids`` maps these ids to the course's (``{"12345": "alice"}``).

Neither archive carries the submission time. A file is collected without one (nbgrader then
writes no time: never late, as nbgrader has it), and the run warns that lateness is not checked;
Canvas's ``late`` marker is used: such a submission counts as handed in one second after the
assignment's due date (plus the student's extension) from the gradebook, so the late policy
applies (``zero`` in full; ``per_hour`` for that one second only, since the real time is unknown).
"""
from __future__ import annotations

import os
import re
from datetime import timedelta

from nbgrader.plugins import FileNameCollectorPlugin
from traitlets import Dict, Unicode

CANVAS = re.compile(r"(?P<student_id>[^_/]+)_(?P<late>[Ll][Aa][Tt][Ee]_)?\d+_\d+_(?P<file_id>.+?)(?:-\d+)?(?P<ext>\.[^.]+)")
MOODLE = re.compile(r"(?P<name>.+?)_(?P<student_id>\d+)_assignsubmission_(?:file|onlinetext)")
NO_TIME_WARNING = ("{lms} archives carry no submission time: lateness is not checked for files collected "
                   "without one{late} (put the time into timestamp.txt, or set "
                   "c.FileNameCollectorPlugin.named_regexp with a (?P<timestamp>...) group, where it is known)")


class LmsFileNames(FileNameCollectorPlugin):
    """Canvas and Moodle download names (module docstring); the instructor's named_regexp wins."""

    student_ids = Dict(Unicode(), default_value={},
                       help="LMS id (Canvas login, Moodle participant id) -> the course's student id").tag(config=True)

    def collect(self, submitted_file: str) -> dict | None:
        if self.named_regexp:  # the instructor's own layout: nbgrader's plugin as documented
            return super().collect(submitted_file)
        if os.path.splitext(submitted_file)[1] not in self.valid_ext:
            return None
        name = os.path.basename(submitted_file)
        folder = os.path.basename(os.path.dirname(submitted_file))
        if (m := MOODLE.match(name)) and name[m.end():].startswith("_"):
            info, lms = {"student_id": m["student_id"], "file_id": name[m.end() + 1:]}, "Moodle"
        elif (m := MOODLE.fullmatch(folder)):
            info, lms = {"student_id": m["student_id"], "file_id": name}, "Moodle"
        elif (m := CANVAS.fullmatch(name)):
            info, lms = {"student_id": m["student_id"], "file_id": m["file_id"] + m["ext"]}, "Canvas"
        else:
            self.log.warning("Not a Canvas or Moodle download name (set c.FileNameCollectorPlugin.named_regexp "
                             "for another layout): %s", submitted_file)
            return None
        info["student_id"] = self.student_ids.get(info["student_id"], info["student_id"])
        self._warn_once(lms)
        if lms == "Canvas" and m["late"]:
            late = self._after_due(info["student_id"])
            if late is not None:
                info["timestamp"] = late
        return info

    def _warn_once(self, lms: str) -> None:
        warned = self.__dict__.setdefault("_warned", set())
        if lms not in warned:
            warned.add(lms)
            late = ("; Canvas's 'late' marker counts as one second after the due date (plus extension)"
                    if lms == "Canvas" else "")
            self.log.warning(NO_TIME_WARNING.format(lms=lms, late=late))

    def _after_due(self, student: str) -> str | None:
        """One second after the student's due date (the gradebook's, extension included), as
        nbgrader's timestamp text; None (with a warning) when the gradebook has no due date."""
        from nbgrader.api import Gradebook, MissingEntry

        coursedir = self.parent.coursedir
        assignment = coursedir.assignment_id
        with Gradebook(coursedir.db_url) as gb:
            try:
                due = gb.find_assignment(assignment).duedate
            except MissingEntry:
                due = None
            try:
                extension = gb.find_submission(assignment, student).extension
            except MissingEntry:
                extension = None
        if due is None:
            self.log.warning("Canvas marks %s's submission late, but %s has no due date in the gradebook "
                             "(nbgrader db assignment add %s --duedate=...): not counted late", student,
                             assignment, assignment)
            return None
        when = due + (extension or timedelta()) + timedelta(seconds=1)
        self.log.warning("Canvas marks %s's submission late; its time is not in the archive: counted as "
                         "handed in at %s UTC, one second after the due date", student, f"{when:%Y-%m-%d %H:%M:%S}")
        return f"{when:%Y-%m-%d %H:%M:%S.%f} UTC"
