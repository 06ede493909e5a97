"""One master, two languages (course.language): the translation files' rules, each shown by a
planted defect, and the release step nbgrader runs first."""
from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course.language import (TranslationError, catalog_file, check_literal, check_translation,
                             format_translation, has_cjk, in_language, parse_translation, read_translation,
                             same_code, source_hash, stamp, translated_modules, translation_file)
from helpers import ASSIGNMENTS, ROOT

pytestmark = pytest.mark.unit

CODE = '''def double(x):
    """把 x 乘以 2。"""
    ### BEGIN SOLUTION
    y = 2 * x  # 乘以 2
    ### END SOLUTION
    print("结果：" + str(y), "W1")
    return y'''
ENGLISH_CODE = '''def double(x):
    """Multiply x by 2."""
    ### BEGIN SOLUTION
    y = 2 * x  # times 2
    ### END SOLUTION
    print("result: " + str(y), "W1")
    return y'''


def master(tmp_path):
    nb = new_notebook(cells=[new_markdown_cell(INTRO),
                             new_code_cell("import numpy as np"),
                             new_code_cell(CODE)])
    for cell, cell_id in zip(nb.cells, ("intro", "setup", "double")):
        cell["id"] = cell_id
    path = tmp_path / "source" / "a" / "A.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, str(path))
    return nb, path


INTRO = "# 练习\n\n把一个数乘以 2。"


def english(intro="# Exercise\n\nMultiply a number by 2.", code=ENGLISH_CODE, extra="", intro_from=INTRO):
    return (f"<!-- cell: intro zh:{source_hash(intro_from)} -->\n{intro}\n\n"
            f"<!-- cell: double zh:{source_hash(CODE)} -->\n{code}\n{extra}")


def write(path, text):
    target = translation_file(path, "en")
    target.parent.mkdir(exist_ok=True)
    target.write_text(text, encoding="utf-8")


def test_a_complete_translation_gives_the_same_cells_in_english(tmp_path):
    nb, path = master(tmp_path)
    write(path, english())
    out = in_language(nb, path, "en")
    assert [c.id for c in out.cells] == [c.id for c in nb.cells]
    assert [c.cell_type for c in out.cells] == [c.cell_type for c in nb.cells]
    assert out.cells[0].source == "# Exercise\n\nMultiply a number by 2."
    assert out.cells[1].source == "import numpy as np"  # no Chinese: shared, not listed
    assert out.cells[2].source == ENGLISH_CODE
    assert nb.cells[0].source.startswith("# 练习")  # the master itself is not changed
    assert in_language(nb, path, "zh") is nb


@pytest.mark.parametrize("defect, message", [
    (english()[english().index("<!-- cell: double"):], "cell intro: has Chinese text and no en translation"),
    (english(intro_from="# 练习\n\n把一个数乘以 3。"), "cell intro: the master's cell changed since this translation"),
    (english(intro="# 练习 (Exercise)"), "cell intro: Chinese text in the en translation"),
    (english(code=ENGLISH_CODE.replace("2 * x", "3 * x")), "cell double: its code differs"),
    (english(code=ENGLISH_CODE.replace('"W1"', '"W2"')), "cell double: its code differs"),
    (english(code=ENGLISH_CODE.replace("    ### END SOLUTION\n", "")), "nbgrader markers"),
    (english(code=ENGLISH_CODE.replace("### BEGIN SOLUTION", "# BEGIN SOLUTIONS")), "nbgrader markers"),
    (english(extra="<!-- cell: nosuch zh:00000000 -->\ntext\n"), "cell nosuch: not a cell of the master"),
], ids=["cell removed", "master changed", "Chinese left", "code changed", "code string changed", "marker line removed",
        "marker renamed", "unknown cell"])
def test_each_planted_defect_is_refused(tmp_path, defect, message):
    nb, path = master(tmp_path)
    write(path, defect)
    problems = check_translation(nb, read_translation(path, "en"), "en")
    assert any(message in p for p in problems), problems
    with pytest.raises(TranslationError, match="does not match A.ipynb"):
        in_language(nb, path, "en")


def test_a_missing_translation_or_language_is_a_clear_error(tmp_path):
    nb, path = master(tmp_path)
    with pytest.raises(TranslationError, match=r"translations/en.md is missing"):
        in_language(nb, path, "en")
    with pytest.raises(TranslationError, match="unknown language 'fr'"):
        in_language(nb, path, "fr")
    with pytest.raises(TranslationError, match="appears twice"):
        parse_translation("<!-- cell: a zh:00000000 -->\nx\n<!-- cell: a zh:00000000 -->\ny\n")
    with pytest.raises(TranslationError, match="before the first"):
        parse_translation("stray\n<!-- cell: a zh:00000000 -->\nx\n")
    with pytest.raises(TranslationError, match="malformed marker"):
        parse_translation("<!-- cell: a -->\nx\n")


def test_stamping_brings_the_hashes_to_the_master(tmp_path):
    nb, path = master(tmp_path)
    write(path, english(intro_from="an older master text"))
    assert any("changed since" in p for p in check_translation(nb, read_translation(path, "en"), "en"))
    stamp(translation_file(path, "en"))
    assert check_translation(nb, read_translation(path, "en"), "en") == []
    assert translation_file(path, "en").read_text(encoding="utf-8") == format_translation(
        read_translation(path, "en"), nb)


def test_only_comments_and_chinese_strings_may_change():
    assert same_code('x = 1  # 一', 'x = 1  # one')
    assert same_code('print("你好")', 'print("hello")')
    assert not same_code('d["W1"]', 'd["W2"]')  # no Chinese in it: a key, it is code
    assert not same_code('x = 1', 'x = 2')
    assert same_code('%matplotlib inline', '%matplotlib inline')
    assert not same_code('%matplotlib inline', '%matplotlib notebook')


def test_a_message_replaces_its_literal_with_the_same_placeholders():
    original = 'f"{n} 个样本，"\n            "请检查 X。"'   # written across lines, inside brackets in the code
    assert check_literal(original, 'f"{n} examples; "\n            "check X."') is None
    assert check_literal(original, 'f"{n} examples; check X."') is None
    assert "placeholders" in check_literal(original, 'f"{m} examples"')
    assert "same kind" in check_literal(original, '"examples"')
    assert "Chinese" in check_literal(original, 'f"{n} 个"')
    assert "not a Python literal" in check_literal(original, 'f"{n} examples')
    assert "several lines" in check_literal('"一个"', '"one"\n    "two"')   # the original may stand outside brackets
    assert check_literal('"%d 个"', '"%d of them"') is None
    assert "placeholders" in check_literal('"{0} 个"', '"{1} of them"')


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_committed_translation_matches_its_master(assignment):
    master_path = next((ROOT / "source" / assignment).glob("*.ipynb"))
    nb = nbformat.read(master_path, as_version=4)
    folder = master_path.parent / "translations"
    files = sorted(folder.glob("*.md")) if folder.is_dir() else []
    if not files:
        pytest.skip(f"{assignment} has no translation yet")
    for path in files:
        problems = check_translation(nb, read_translation(master_path, path.stem), path.stem)
        assert not problems, f"{path.relative_to(ROOT)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_committed_catalog_covers_its_python_files(assignment):
    """Each Chinese literal of the shipped Python files has a valid message: the translated files
    compile and hold no Chinese text."""
    folder = ROOT / "source" / assignment
    if not catalog_file(folder, "en").is_file():
        pytest.skip(f"{assignment} has no message catalog yet")
    modules = translated_modules(folder, "en")
    assert modules, f"{assignment}: no Python files translated"
    for name, text in modules.items():
        compile(text, name, "exec")
        assert not has_cjk(text), f"{assignment}/{name}: Chinese text left after translation"


def test_nbgrader_runs_the_language_step_first_then_its_own_steps():
    """nbgrader_config.py repeats nbgrader's default generate_assignment steps after ours: the list
    must be the installed nbgrader's, or a step would be lost (or doubled) on an upgrade."""
    from nbgrader.converters import GenerateAssignment

    from course.config import read_config

    configured = list(read_config(ROOT).GenerateAssignment.preprocessors)
    default = [f"nbgrader.preprocessors.{cls.__name__}" for cls in GenerateAssignment.preprocessors.default()]
    assert configured == ["course.language_release.SelectLanguage", *default]


# --- the Python files shipped with a release --------------------------------------------------

MODULE = '''"""Public tests (the docstring has no Chinese: kept)."""


def check(x, name):
    """检查 x。"""
    if x < 0:
        raise AssertionError(f"{name} 应该是非负数，但得到 {x!r:>5}。")
    print("\\033[92m" + "全部通过 (all passed) %s" % name + "\\033[0m", {"键": 1})
    return "W1"
'''
MESSAGES = {
    '"""检查 x。"""': '"""Check x."""',
    'f"{name} 应该是非负数，但得到 {x!r:>5}。"': 'f"{name} should be non-negative, got {x!r:>5}."',
    '"全部通过 (all passed) %s"': '"all passed %s"',
    '"键"': '"key"',
}


def write_module(tmp_path, messages):
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    folder = tmp_path / "a"
    (folder / "translations").mkdir(parents=True)
    (folder / "public_tests.py").write_text(MODULE, encoding="utf-8")
    catalog = Catalog(locale=None)
    for msgid, msgstr in messages.items():
        catalog.add(msgid, msgstr)
    with (folder / "translations" / "en.po").open("wb") as f:
        write_po(f, catalog, omit_header=True)
    return folder


def test_shipped_modules_get_their_messages_and_keep_their_code(tmp_path):
    from course.language import chinese_literals, code_tokens, translated_modules

    assert [t for _, _, t in chinese_literals(MODULE)] == list(MESSAGES)
    english = translated_modules(write_module(tmp_path, MESSAGES), "en")["public_tests.py"]
    assert 'raise AssertionError(f"{name} should be non-negative, got {x!r:>5}.")' in english
    assert '"all passed %s" % name' in english and '{"key": 1}' in english and 'return "W1"' in english
    assert not has_cjk(english)
    assert [t for t in code_tokens(english) if t[0] != 3] == [t for t in code_tokens(MODULE) if t[0] != 3]
    namespace = {}
    exec(compile(english, "public_tests.py", "exec"), namespace)
    with pytest.raises(AssertionError, match="^n should be non-negative, got    -1.$"):
        namespace["check"](-1, "n")


@pytest.mark.parametrize("change, message", [
    ({'"键"': ""}, "no en message for '\"键\"'"),
    ({'f"{name} 应该是非负数，但得到 {x!r:>5}。"': 'f"{name} should be non-negative."'}, "placeholders"),
    ({'f"{name} 应该是非负数，但得到 {x!r:>5}。"': 'f"{name} should be non-negative, got {x:>5}."'}, "placeholders"),
    ({'"全部通过 (all passed) %s"': '"all passed"'}, "placeholders"),
    ({'"全部通过 (all passed) %s"': 'f"all passed %s"'}, "not the same kind of literal"),
    ({'"键"': '"键 key"'}, "still holds Chinese text"),
    ({'"键"': '"key'}, "not a Python literal"),
], ids=["message removed", "placeholder removed", "conversion changed", "%s removed", "kind changed",
        "Chinese left", "unterminated"])
def test_each_planted_message_defect_is_refused(tmp_path, change, message):
    from course.language import translated_modules

    folder = write_module(tmp_path, {**MESSAGES, **change})
    with pytest.raises(TranslationError, match="does not cover") as err:
        translated_modules(folder, "en")
    assert message in str(err.value), str(err.value)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_committed_catalog_holds_only_current_valid_messages(assignment):
    """Each .po lists exactly the Chinese literals of the assignment's Python files (extracted again,
    it would not change) and its translations are valid; an incomplete one is reported by count."""
    from course.language import catalog_file, check_literal, chinese_literals, read_catalog, shipped_modules

    folder = ROOT / "source" / assignment
    if not catalog_file(folder, "en").is_file():
        pytest.skip(f"{assignment} has no catalog yet")
    literals = {t for p in shipped_modules(folder) for _, _, t in chinese_literals(p.read_text(encoding="utf-8"))}
    from babel.messages.pofile import read_po

    with catalog_file(folder, "en").open("rb") as f:
        ids = {m.id for m in read_po(f) if m.id}
    assert ids == literals, f"extract again: python -m course.language --extract source/{assignment}"
    bad = {k: why for k, v in read_catalog(folder, "en").items() if (why := check_literal(k, v))}
    assert not bad, bad
