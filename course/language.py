"""One master notebook, several languages.

The master of an assignment is written in the course's source language, Simplified Chinese
(``zh``). Every other language is a translation file beside it, ``source/<a>/translations/<lang>.md``:
for each cell whose text belongs to one language (prose, docstrings, comments, printed messages),
the cell's id and its whole source in that language::

    <!-- cell: cell-00 zh:6f1c2a9e -->
    # Gradient Checking
    ...
    <!-- cell: forward_propagation zh:0b7d4e11 -->
    def forward_propagation(x, theta):
        ...

``zh:`` is the start of the SHA-256 of the master cell's source the text was written from: when the
master's cell changes, the translation is reported stale until it is brought up to date (and its
hash with it, ``python -m course.language --stamp FILE``).

A release in that language is the master with those cells' sources replaced, so both languages
have the same cells, ids, code, graded items and points, and the same notebook names: the
gradebook, formgrader and every tool work unchanged. ``check_translation`` holds a file to that:
a code cell may change only its comments and the strings that hold Chinese text.
"""
from __future__ import annotations

import ast
import copy
import hashlib
import io
import re
import string
import tokenize
from pathlib import Path

SOURCE_LANGUAGE = "zh"
LANGUAGES = ("zh", "en")
TRANSLATIONS = "translations"  # the folder of source/<a>/ that holds them (not copied into releases)
CELL_MARKER = re.compile(r"^<!-- cell: (\S+) zh:([0-9a-f]{8}) -->[ \t]*$", re.M)
ANY_MARKER = re.compile(r"^<!-- cell: .*$", re.M)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
NBGRADER_MARKER = re.compile(r"^\s*#+\s*(BEGIN|END) (SOLUTION|HIDDEN TESTS)\s*$", re.M)


class TranslationError(ValueError):
    """A translation file that is missing, malformed, or does not match its master."""


def has_cjk(text: str) -> bool:
    return bool(CJK.search(text))


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise TranslationError(f"unknown language {language!r}: the course has {', '.join(LANGUAGES)}")
    return language


def translation_file(master: Path, language: str) -> Path:
    return Path(master).parent / TRANSLATIONS / f"{language}.md"


def source_hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:8]


class Translation(dict):
    """cell id -> translated source, in the file's order; ``.written_from``: cell id -> the zh: hash."""

    written_from: dict[str, str]


def parse_translation(text: str, where: str = "translation") -> Translation:
    """The sections of a translation file. Text before the first marker must be blank."""
    bad = [m.group(0) for m in ANY_MARKER.finditer(text) if not CELL_MARKER.fullmatch(m.group(0).rstrip())]
    if bad:
        raise TranslationError(f"{where}: malformed marker {bad[0]!r} (expected '<!-- cell: ID zh:HASH8 -->')")
    parts = CELL_MARKER.split(text)
    if parts[0].strip():
        raise TranslationError(f"{where}: text before the first '<!-- cell: ID zh:HASH8 -->' line")
    cells = Translation()
    cells.written_from = {}
    for cell_id, digest, body in zip(parts[1::3], parts[2::3], parts[3::3]):
        if cell_id in cells:
            raise TranslationError(f"{where}: cell {cell_id!r} appears twice")
        cells[cell_id] = body.strip("\n")
        cells.written_from[cell_id] = digest
    return cells


def format_translation(cells: dict[str, str], master_nb) -> str:
    """A translation file of ``cells``, each stamped with the hash of the master cell it translates."""
    sources = {cell.get("id"): cell.source for cell in master_nb.cells}
    return "\n".join(f"<!-- cell: {cell_id} zh:{source_hash(sources.get(cell_id, ''))} -->\n{text}\n"
                     for cell_id, text in cells.items())


def read_translation(master: Path, language: str) -> dict[str, str]:
    path = translation_file(master, language)
    if not path.is_file():
        raise TranslationError(f"{path} is missing: {Path(master).name} has no {language!r} translation yet "
                               "(see README, 'Languages')")
    return parse_translation(path.read_text(encoding="utf-8"), str(path))


def translate(nb, cells: dict[str, str]):
    """A copy of notebook ``nb`` with the sources of ``cells`` (id -> source) replaced."""
    out = copy.deepcopy(nb)
    known = {cell.get("id") for cell in out.cells}
    unknown = [cell_id for cell_id in cells if cell_id not in known]
    if unknown:
        raise TranslationError(f"the translation names cells the master does not have: {', '.join(unknown)}")
    for cell in out.cells:
        if cell.get("id") in cells:
            cell.source = cells[cell["id"]]
    return out


def in_language(nb, master: Path, language: str):
    """The master notebook ``nb`` (read from ``master``) as students of ``language`` get it; refused
    (TranslationError) unless the translation covers every Chinese cell and keeps the code."""
    if check_language(language) == SOURCE_LANGUAGE:
        return nb
    cells = read_translation(master, language)
    problems = check_translation(nb, cells, language)
    if problems:
        raise TranslationError(f"{translation_file(master, language)} does not match {Path(master).name}:\n  "
                               + "\n  ".join(problems))
    return translate(nb, cells)


_LAYOUT = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}
_TEXT = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", -1)}


def code_tokens(source: str) -> list[tuple[int, str]]:
    """(type, text) of a cell's tokens without comments and layout; a cell that is not Python (a
    magic) is one token, compared whole."""
    try:
        return [(t.type, t.string) for t in tokenize.generate_tokens(io.StringIO(source).readline)
                if t.type not in _LAYOUT]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return [(-1, source)]


def same_code(master: str, translated: str) -> bool:
    """True when ``translated`` is ``master`` with only comments and its Chinese strings changed: a
    string without Chinese text (a key, a format) is code and must stay as it is."""
    ours, theirs = code_tokens(master), code_tokens(translated)
    return len(ours) == len(theirs) and all(
        a == b or (a[0] == b[0] and a[0] in _TEXT and has_cjk(a[1])) for a, b in zip(ours, theirs))


def check_translation(nb, cells: dict[str, str], language: str) -> list[str]:
    """Every way the translation ``cells`` of master ``nb`` breaks the rules, one line each."""
    problems = []
    by_id = {cell.get("id"): cell for cell in nb.cells}
    for cell_id in cells:
        if cell_id not in by_id:
            problems.append(f"cell {cell_id}: not a cell of the master")
    for cell in nb.cells:
        cell_id = cell.get("id")
        if cell_id not in cells:
            if has_cjk(cell.source) and language != SOURCE_LANGUAGE:
                problems.append(f"cell {cell_id}: has Chinese text and no {language} translation")
            continue
        text = cells[cell_id]
        written_from = getattr(cells, "written_from", {}).get(cell_id)
        if written_from is not None and written_from != source_hash(cell.source):
            problems.append(f"cell {cell_id}: the master's cell changed since this translation was written "
                            f"(zh:{written_from}, now zh:{source_hash(cell.source)}): translate the change, then stamp it")
        if language != SOURCE_LANGUAGE and has_cjk(text):
            line = next(l for l in text.splitlines() if has_cjk(l))
            problems.append(f"cell {cell_id}: Chinese text in the {language} translation: {line.strip()[:60]!r}")
        if cell.cell_type == "code":
            if not same_code(cell.source, text):
                problems.append(f"cell {cell_id}: its code differs from the master's (a translation may change "
                                "only comments and the strings that hold Chinese text)")
            if NBGRADER_MARKER.findall(text) != NBGRADER_MARKER.findall(cell.source):
                problems.append(f"cell {cell_id}: its nbgrader markers (BEGIN/END SOLUTION) differ from the master's")
    return problems


# --- the Python files shipped with a release (public tests, helpers) ------------------------------
# Their Chinese strings are translated where they are written: each string literal that holds
# Chinese text (a message, a docstring) is an entry of source/<a>/translations/<lang>.po, whose
# msgid is the literal as written in the code (prefix and quotes included) and whose msgstr is the
# literal that replaces it. The code itself is never touched.

def chinese_literals(source: str) -> list[tuple[int, int, str]]:
    """(start offset, end offset, literal as written) of each outermost string literal of
    ``source`` that holds Chinese text, in order."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    inner = {id(n) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for n in ast.walk(node) if n is not node}
    found = []
    for node in ast.walk(tree):
        if id(node) in inner or not (isinstance(node, ast.JoinedStr) or
                                      (isinstance(node, ast.Constant) and isinstance(node.value, str))):
            continue
        start = starts[node.lineno - 1] + len(lines[node.lineno - 1].encode()[:node.col_offset].decode())
        end = starts[node.end_lineno - 1] + len(lines[node.end_lineno - 1].encode()[:node.end_col_offset].decode())
        text = source[start:end]
        if has_cjk(text):
            found.append((start, end, text))
    return sorted(found)


def _parse_literal(literal: str) -> ast.expr:
    """The expression ``literal`` is; parsed inside brackets, as a literal written across lines
    (implicit concatenation) always stands in the code."""
    return ast.parse(f"(\n{literal}\n)", mode="eval").body


def placeholders(literal: str) -> list[str]:
    """The values a literal interpolates: f-string fields, str.format fields and %-specifiers."""
    node = _parse_literal(literal)
    if isinstance(node, ast.JoinedStr):
        return sorted(ast.unparse(v) for v in node.values if isinstance(v, ast.FormattedValue))
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        raise TranslationError(f"not a string literal: {literal[:60]!r}")
    fields = []
    try:
        fields = [f"{{{name}}}" for _, name, _, _ in string.Formatter().parse(node.value) if name is not None]
    except ValueError:  # braces that are not a format (a dict shown as text)
        pass
    return sorted(fields + re.findall(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifgrexXc%]", node.value))


def check_literal(msgid: str, msgstr: str) -> str | None:
    """Why ``msgstr`` cannot replace the literal ``msgid``, or None."""
    try:
        kind = type(_parse_literal(msgstr))
    except SyntaxError as exc:
        return f"not a Python literal ({exc.msg})"
    if kind is not type(_parse_literal(msgid)):
        return "not the same kind of literal (f-string or plain string) as the original"
    if "\n" in msgstr and "\n" not in msgid:  # the original may stand outside brackets
        return "on several lines where the original is on one"
    try:
        if placeholders(msgid) != placeholders(msgstr):
            return f"placeholders {placeholders(msgstr)} instead of {placeholders(msgid)}"
    except TranslationError as exc:
        return str(exc)
    if has_cjk(msgstr):
        return "still holds Chinese text"
    return None


def catalog_file(folder: Path, language: str) -> Path:
    return Path(folder) / TRANSLATIONS / f"{language}.po"


def read_catalog(folder: Path, language: str) -> dict[str, str]:
    """msgid -> msgstr of source/<a>/translations/<language>.po (untranslated entries left out)."""
    from babel.messages.pofile import read_po

    path = catalog_file(folder, language)
    if not path.is_file():
        raise TranslationError(f"{path} is missing: the Python files of {Path(folder).name} have no "
                               f"{language!r} messages yet (see README, 'Languages')")
    with path.open("rb") as f:
        catalog = read_po(f, locale=None)
    return {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}


def shipped_modules(folder: Path) -> list[Path]:
    """The Python files of source/<a>/ that go to students with the notebook."""
    return sorted(p for p in Path(folder).glob("*.py"))


def check_modules(folder: Path, catalog: dict[str, str], language: str) -> list[str]:
    problems = []
    for path in shipped_modules(folder):
        source = path.read_text(encoding="utf-8")
        for start, _, literal in chinese_literals(source):
            line = source.count("\n", 0, start) + 1
            if literal not in catalog:
                problems.append(f"{path.name}:{line}: no {language} message for {literal[:60]!r}")
                continue
            why = check_literal(literal, catalog[literal])
            if why:
                problems.append(f"{path.name}:{line}: the {language} message for {literal[:40]!r}: {why}")
    return problems


def translate_module(source: str, catalog: dict[str, str]) -> str:
    """``source`` with each Chinese literal replaced by its catalog entry (KeyError if one is missing)."""
    out, last = [], 0
    for start, end, literal in chinese_literals(source):
        out += [source[last:start], catalog[literal]]
        last = end
    return "".join(out) + source[last:]


def translated_modules(folder: Path, language: str) -> dict[str, str]:
    """File name -> text of the shipped Python files of ``folder`` in ``language`` ({} for the masters'
    own language); refused (TranslationError) unless the catalog has a valid message for every
    Chinese literal."""
    if check_language(language) == SOURCE_LANGUAGE:
        return {}
    catalog = read_catalog(folder, language)
    problems = check_modules(folder, catalog, language)
    if problems:
        raise TranslationError(f"{catalog_file(folder, language)} does not cover {Path(folder).name}'s Python "
                               "files:\n  " + "\n  ".join(problems))
    return {path.name: translate_module(path.read_text(encoding="utf-8"), catalog) for path in shipped_modules(folder)}


def translate_modules(folder: Path, out: Path, language: str) -> list[Path]:
    """Rewrite the shipped Python files copied from ``folder`` into ``out`` in ``language``."""
    written = []
    for name, text in translated_modules(folder, language).items():
        (Path(out) / name).write_text(text, encoding="utf-8")
        written.append(Path(out) / name)
    return written


def extract(folder: Path, language: str) -> Path:
    """Write source/<a>/translations/<language>.po: every Chinese literal of the shipped Python files,
    with the translations it already had (a literal no longer in the code is dropped)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    path = catalog_file(folder, language)
    old = read_catalog(folder, language) if path.is_file() else {}
    catalog = Catalog(locale=None, charset="utf-8")
    for module in shipped_modules(folder):
        source = module.read_text(encoding="utf-8")
        for start, _, literal in chinese_literals(source):
            catalog.add(literal, old.get(literal, ""), locations=[(module.name, source.count("\n", 0, start) + 1)])
    path.parent.mkdir(exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=0, omit_header=True, sort_output=False)  # no dates: a rerun changes nothing
    return path


def stamp(path: Path) -> None:
    """Rewrite translation file ``path`` with the current hash of every master cell: after its text
    has been brought up to date with the master."""
    path = Path(path)
    master = next(path.parent.parent.glob("*.ipynb"))
    import nbformat

    nb = nbformat.read(master, as_version=4)
    cells = parse_translation(path.read_text(encoding="utf-8"), str(path))
    path.write_text(format_translation(cells, nb), encoding="utf-8")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Maintain translation files (README, 'Languages').")
    parser.add_argument("--stamp", nargs="+", type=Path, default=[], metavar="FILE",
                        help="restamp notebook translations with their masters' cell hashes")
    parser.add_argument("--extract", nargs="+", type=Path, default=[], metavar="FOLDER",
                        help="update translations/<lang>.po of source folders from their Python files")
    parser.add_argument("--lang", default="en")
    args = parser.parse_args()
    for file in args.stamp:
        stamp(file)
        print(f"stamped {file}")
    for folder in args.extract:
        print(f"wrote {extract(folder, check_language(args.lang))}")
