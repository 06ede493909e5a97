"""nbgrader's first release step: the master in the course's language (course.language).

nbgrader_config.py puts ``SelectLanguage`` before nbgrader's own steps of generate_assignment, so
formgrader's "Generate" button builds the configured language as `course release` does. The
language is ``c.CourseGrading.language`` (``$COURSE_LANGUAGE``); ``--SelectLanguage.language``
overrides it for one run (``course release --lang``).
"""
from __future__ import annotations

from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from course.language import SOURCE_LANGUAGE, TranslationError, in_language, translate_modules

class SelectLanguage(NbGraderPreprocessor):
    """Replace the master's language-specific cells by their translation, and the shipped Python
    files' Chinese strings by their messages (source/<a>/translations/)."""

    language = Unicode("", help="the release's language (default: CourseGrading.language)").tag(config=True)

    def chosen(self) -> str:
        if self.language:
            return self.language
        return str(self.config.get("CourseGrading", {}).get("language", "") or SOURCE_LANGUAGE)

    def preprocess(self, nb, resources):
        meta = resources.get("metadata", {})
        master = Path(meta.get("path", ".")) / f"{meta.get('name', 'notebook')}.ipynb"
        try:
            nb = in_language(nb, master, self.chosen())
            translate_modules(master.parent, self.release_folder(resources), self.chosen())
        except TranslationError as exc:
            raise RuntimeError(f"{master}: {exc}") from None
        return nb, resources

    def release_folder(self, resources) -> Path:
        """Where nbgrader copied the assignment's other files (it does so before converting the
        notebooks): the shipped Python files are translated there."""
        converter = getattr(self.parent, "parent", None)
        coursedir = getattr(converter, "coursedir", None)
        if coursedir is None:
            raise TranslationError("SelectLanguage runs only inside nbgrader generate_assignment")
        assignment = resources["nbgrader"]["assignment"]
        return Path(coursedir.format_path(coursedir.release_directory, ".", assignment))
