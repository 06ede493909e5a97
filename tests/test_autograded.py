"""The autograded notebook (course.grading.autograded): nbgrader's metadata from the course, never the
submission's; no stored outputs; our verdict in each test cell; deleted test cells restored; bounded."""
from __future__ import annotations

import json

import nbformat

from helpers import ROOT, release_notebook
from course.grading.autograded import MAX_AUTOGRADED_BYTES, build_autograded, write_autograded
from course.grading.notebooks import read_master
from course.paths import master_notebook

A = "initialization"
NB_NAME = "Initialization.ipynb"


def _result(status: str = "graded", message: str = "") -> dict:
    """A result record as grade_submission makes it: He lost one test, everything else passed."""
    items = []
    for item in read_master(master_notebook(ROOT, A)).items:
        lost = item.id == "initialize_parameters_he"
        tests = [{"name": "test_a", "points": item.points / 2, "passed": True, "message": "", "description": "形状",
                  "case": ""},
                 {"name": "test_b", "points": item.points / 2, "passed": not lost, "case": "layers_dims=[1, 1]",
                  "message": "W1 的数值不对：缩放因子应为 sqrt(2 / n)" if lost else "", "description": "数值"}]
        items.append({"id": item.id, "score": item.points / 2 if lost else item.points, "max_score": item.points,
                      "extra_credit": item.extra_credit, "tests": tests, "notes": [], "cell": "ok"})
    return {"student": "s", "assignment": A, "status": status, "message": message, "items": items,
            "score": 0.0, "max_score": 8.0}


def _cells(nb) -> dict:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}


def test_metadata_from_the_course_outputs_ours(tmp_path):
    """Tampered points and lock, a stored HTML output, a duplicated grade_id, a deleted test cell
    and junk metadata: the notebook nbgrader sees carries the release's metadata, and each test
    cell exactly one output, our verdict (error output where points were lost)."""
    nb = release_notebook(A)
    cells = _cells(nb)
    cells["test_initialize_parameters_zeros"].metadata["nbgrader"]["points"] = 100
    cells["test_initialize_parameters_zeros"].source = "pass  # student edit of a locked cell"
    cells["initialize_parameters_he"].outputs = [nbformat.v4.new_output(
        "display_data", data={"text/html": "<script>alert(1)</script>"})]
    cells["initialize_parameters_he"].metadata["junk"] = "x" * 1000
    nb.cells.append(nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": dict(
        cells["initialize_parameters_he"].metadata["nbgrader"])}))  # a copy with the same grade_id
    nb.cells.remove(cells["test_initialize_parameters_random"])
    path = tmp_path / NB_NAME
    nbformat.write(nb, str(path))

    out = build_autograded(ROOT, A, _result(), path)
    release = _cells(release_notebook(A))
    got = _cells(out)
    assert set(got) == set(release)
    for gid, cell in got.items():
        assert cell.metadata["nbgrader"] == release[gid].metadata["nbgrader"], gid
    assert got["test_initialize_parameters_zeros"].source == release["test_initialize_parameters_zeros"].source
    assert "junk" not in got["initialize_parameters_he"].metadata
    assert got["test_initialize_parameters_xavier"].metadata["course"] == {"extra_credit": 2}
    assert [c.source for c in out.cells if c.cell_type == "code"][-1] == "x = 1"  # kept, without nbgrader metadata
    order = [c.metadata.get("nbgrader", {}).get("grade_id") for c in out.cells]
    assert order.index("test_initialize_parameters_random") == order.index("initialize_parameters_random") + 1

    for c in out.cells:
        gid = c.metadata.get("nbgrader", {}).get("grade_id", "")
        if c.cell_type == "code" and not gid.startswith("test_"):
            assert c.outputs == [], gid  # nothing the submission stored
    he = got["test_initialize_parameters_he"].outputs
    assert len(he) == 1 and he[0].output_type == "error"
    text = "\n".join(he[0].traceback)
    assert "initialize_parameters_he：自动评分 1.5 / 3" in text and "✗ 未通过  数值 [layers_dims=[1, 1]]（1.5 分）" in text
    assert "缩放因子应为 sqrt(2 / n)" in text
    zeros = got["test_initialize_parameters_zeros"].outputs
    assert len(zeros) == 1 and zeros[0].output_type == "stream" and "✓ 通过  形状（1 分）" in zeros[0].text
    assert "（加分题）：自动评分 2 / 2" in got["test_initialize_parameters_xavier"].outputs[0].text
    nbformat.validate(out)
    assert len({c.id for c in out.cells}) == len(out.cells)


def test_unreadable_submission_gets_the_release_with_a_note(tmp_path):
    path = tmp_path / NB_NAME
    path.write_text("{not json")
    result = _result("invalid-notebook", "Initialization.ipynb: 不是有效的 JSON")
    out = build_autograded(ROOT, A, result, path)
    assert out.cells[0].cell_type == "markdown" and "不是有效的 JSON" in out.cells[0].source
    assert set(_cells(out)) == set(_cells(release_notebook(A)))
    assert "整份作业：Initialization.ipynb: 不是有效的 JSON" in "\n".join(
        _cells(out)["test_initialize_parameters_he"].outputs[0].traceback)


def test_written_beside_results_with_timestamp_and_bounded(tmp_path):
    """A 5 MB answer is clipped (the notebook stays under 1 MB), timestamp.txt and
    submission_secret.txt are copied, and a stale copy goes when the submission has none."""
    nb = release_notebook(A)
    _cells(nb)["initialize_parameters_he"].source += "\n#" + "x" * (5 << 20)
    folder = tmp_path / "submitted" / "s" / A
    folder.mkdir(parents=True)
    nbformat.write(nb, str(folder / NB_NAME))
    (folder / "timestamp.txt").write_text("2026-11-20 10:00:00.000000 UTC")
    (folder / "submission_secret.txt").write_text("secret")
    path = write_autograded(ROOT, _result(), "Initialization", folder / NB_NAME, folder, class_dir=tmp_path)
    assert path == tmp_path / "autograded" / "s" / A / NB_NAME
    assert path.stat().st_size <= MAX_AUTOGRADED_BYTES
    assert (path.parent / "timestamp.txt").read_text() == "2026-11-20 10:00:00.000000 UTC"
    assert (path.parent / "submission_secret.txt").read_text() == "secret"
    assert json.loads(path.read_text())["nbformat"] == 4
    (folder / "submission_secret.txt").unlink()
    write_autograded(ROOT, _result(), "Initialization", folder / NB_NAME, folder, class_dir=tmp_path)
    assert not (path.parent / "submission_secret.txt").exists()


def test_student_markdown_renders_inert(tmp_path):
    """formgrader renders the autograded notebook's Markdown unsanitized in the instructor's logged-in
    page: a student's HTML, event handlers and MathJax links arrive as plain text; the course's own
    Markdown still renders."""
    from nbconvert.filters.markdown import markdown2html

    attacks = ["<script>fetch('/formgrader/api/grade/1', {method: 'PUT'})</script>",
               "<img src=x onerror=alert(1)>", "$\\href{javascript:alert(1)}{x}$",
               "````\n</pre><svg onload=alert(1)>\n````"]
    nb = release_notebook(A)
    course_md = next(c for c in nb.cells if c.cell_type == "markdown" and "#" in c.source)
    for text in attacks:
        nb.cells.append(nbformat.v4.new_markdown_cell(text))
    raw = nbformat.v4.new_raw_cell("<script>alert(2)</script>", metadata={"raw_mimetype": "text/html"})
    nb.cells.append(raw)
    path = tmp_path / NB_NAME
    nbformat.write(nb, str(path))

    out = build_autograded(ROOT, A, _result(), path)
    rendered = [markdown2html(c.source) for c in out.cells if c.cell_type == "markdown"]
    student = [h for h in rendered if "alert" in h or "fetch(" in h]
    assert len(student) == len(attacks)
    for page in student:
        assert "<script" not in page and "<img" not in page and "<svg" not in page and "<a " not in page
        assert page.startswith('<div class="highlight"><pre>')  # MathJax skips <pre>
    assert markdown2html(course_md.source) in rendered  # the course's text is untouched
    raw_out = next(c for c in out.cells if c.cell_type == "raw")
    assert "raw_mimetype" not in raw_out.metadata and raw_out.source.startswith("```")
