"""Comparison helpers for hidden graders, with student-facing messages in Chinese.

Every helper raises :class:`CheckFailed` (an AssertionError) whose text is shown to the
student verbatim: it says what was expected and what came back, never grader code.
Values arriving from a submission are already decoded plain data (see course.sandbox.wire):
numpy arrays are exact ``np.ndarray`` objects, anything unsupported is an ``Unsupported``.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

import numpy as np

from course.sandbox.wire import Unsupported

# Default tolerance for values that should equal the reference up to float rounding.
RTOL = 1e-7
ATOL = 1e-10


class CheckFailed(AssertionError):
    """A grader check failed; the message is meant for the student."""


def fail(message: str) -> None:
    raise CheckFailed(message)


# Right values in a wrong container (issue 21, docs/grading-policy.md): an array of shape (n,) where
# (n, 1) is expected, a number where a broadcast of it is expected, integers where floats are. The
# check does not fail; it notes the problem and goes on, so that a wrong value later in the same test
# still fails it. A test that passes with notes keeps its points, and its item loses FORM_PENALTY
# points once however many of its tests noted something (course.grading.engine).
FORM_PENALTY = 0.5
_FORM_NOTES: list[str] = []


def note_wrong_form(message: str) -> None:
    """Record that a value is right but its container is not (the message says which, in Chinese)."""
    if message not in _FORM_NOTES:
        _FORM_NOTES.append(message)


def take_form_notes() -> list[str]:
    """The notes recorded since the last call (the grading plugin calls it around every test)."""
    notes = list(_FORM_NOTES)
    _FORM_NOTES.clear()
    return notes


def _form_penalty_text() -> str:
    return f"数值是对的，这一项扣 {plain(FORM_PENALTY)} 分（同一个函数的形式问题只扣一次）。"


def _same_values(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> bool:
    try:
        return bool(np.allclose(got.astype(float), expected.astype(float), rtol=rtol, atol=atol))
    except (TypeError, ValueError):
        return False


def plain(value: Any) -> str:
    """A number as a student reads it: 1.4604 or 7, never np.float64(1.4604)."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, np.ndarray) and value.size == 1 and np.issubdtype(value.dtype, np.number):
        return plain(value.reshape(())[()])
    return repr(value)


def constant_ratio(got: np.ndarray, expected: np.ndarray, rtol: float = 1e-6) -> float | None:
    """got / expected when it is the same number for every entry (entries where expected is 0 must
    be 0 in got too); None otherwise, when the ratio is 1 or 0 (all zeros: no factor to name), or when fewer than two entries are nonzero
    (one number is always a multiple of another)."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    nonzero = expected != 0
    if nonzero.sum() < 2 or not np.all(got[~nonzero] == 0) or not np.all(np.isfinite(got)):
        return None
    ratios = got[nonzero] / expected[nonzero]
    r = float(ratios[0])
    if r == 0 or not np.allclose(ratios, r, rtol=rtol, atol=0) or np.isclose(r, 1.0, rtol=rtol):
        return None
    return r


def describe_ratio(r: float) -> str:
    """"正好是期望值的 0.7071 倍（≈ 1/√2）" and the like."""
    names = {np.sqrt(2): "√2", 1 / np.sqrt(2): "1/√2", -1.0: "-1，符号相反"}
    for k in (2, 3, 4, 5, 10, 100):
        names[float(k)] = str(k)
        names[1.0 / k] = f"1/{k}"
    label = next((name for value, name in names.items() if np.isclose(r, value, rtol=1e-6)), "")
    return f"正好是期望值的 {r:.6g} 倍" + (f"（= {label}）" if label and label != f"{r:.6g}" else "")


def _describe(value: Any) -> str:
    if isinstance(value, Unsupported):
        return f"不支持的对象类型 {value.type_name}"
    if isinstance(value, np.ndarray):
        return f"numpy 数组 (shape {value.shape}, dtype {value.dtype})"
    return f"{type(value).__name__}"


def expect_array(got: Any, expected: np.ndarray, name: str, *, rtol: float = RTOL,
                 atol: float = ATOL, check_dtype: bool = True, hint: str = "") -> None:
    """Check that ``got`` is an ndarray of ``expected``'s shape whose values match.

    Inputs:
    - got: value returned by the submission
    - expected: reference numpy array
    - name: what the value is called in the message (e.g. "W1")
    - rtol, atol: np.isclose tolerances
    - check_dtype: require a floating dtype when the reference is floating
    - hint: appended to any failure message (what the likely mistake is)
    When every entry is off by the same factor, the message names it. Right values in a wrong
    container (a shape that differs only by dimensions of size 1, a number for an array, integers
    for floats) do not fail: they are noted (note_wrong_form) and cost their item FORM_PENALTY once.
    """
    hint = hint or ""
    numeric = np.issubdtype(expected.dtype, np.number)
    if type(got) is not np.ndarray:
        if (numeric and isinstance(got, (int, float, np.integer, np.floating)) and not isinstance(got, (bool, np.bool_))
                and _same_values(np.broadcast_to(np.asarray(got), expected.shape), expected, rtol, atol)):
            note_wrong_form(f"{name} 应该是形状 {expected.shape} 的 numpy 数组，得到的是一个数 {plain(got)}"
                            f"（广播之后数值相同）。{_form_penalty_text()}{hint}")
            return
        fail(f"{name} 应该是 numpy 数组 (np.ndarray)，但得到的是 {_describe(got)}。{hint}")
    if got.shape != expected.shape:
        transposed = "（正好是期望形状的转置，行和列弄反了）" if got.shape == expected.shape[::-1] else ""
        squeezed = tuple(d for d in got.shape if d != 1) == tuple(d for d in expected.shape if d != 1)
        if (numeric and squeezed and np.issubdtype(got.dtype, np.number)
                and _same_values(got.reshape(expected.shape), expected, rtol, atol)):
            note_wrong_form(f"{name} 的形状 (shape) 不对：期望 {expected.shape}，得到 {got.shape}{transposed}"
                            f"（元素个数和数值都相同，只是维度不同，例如少了 keepdims=True）。{_form_penalty_text()}{hint}")
            return
        fail(f"{name} 的形状 (shape) 不对：期望 {expected.shape}，得到 {got.shape}{transposed}。{hint}")
    if check_dtype and np.issubdtype(expected.dtype, np.floating) and not np.issubdtype(got.dtype, np.floating):
        if (np.issubdtype(got.dtype, np.number) or got.dtype == np.bool_) and _same_values(got, expected, rtol, atol):
            note_wrong_form(f"{name} 的数据类型 (dtype) 不对：期望浮点数 {expected.dtype}，得到 {got.dtype}"
                            f"（例如 np.zeros(..., dtype=int)）。{_form_penalty_text()}")
            return
        fail(f"{name} 的数据类型 (dtype) 不对：期望浮点数 {expected.dtype}，得到 {got.dtype}。")
    if not np.issubdtype(got.dtype, np.number) and got.dtype != np.bool_:
        fail(f"{name} 的数据类型 (dtype) 不是数值：{got.dtype}。")
    close = np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=False)
    if not close.all():
        bad = np.argwhere(~close)[0]
        idx = tuple(int(i) for i in bad)
        ratio = constant_ratio(got, expected) if np.issubdtype(got.dtype, np.number) else None
        scaled = f"你的结果的每个元素都{describe_ratio(ratio)}。" if ratio is not None else ""
        fail(
            f"{name} 的数值不对：第一个不同的元素在下标 {idx}，期望 {plain(expected[idx])}，得到 {plain(got[idx])}"
            f"（共 {int((~close).sum())} / {close.size} 个元素不同；容差 rtol={rtol:g}, atol={atol:g}）。{scaled}{hint}"
        )


def expect_float(got: Any, expected: float, name: str, *, rtol: float = RTOL, atol: float = ATOL,
                 python_float: bool = False, hint: str | Callable[[float], str] = "") -> None:
    """Check a scalar result.

    Inputs:
    - got: value returned by the submission
    - expected: reference value
    - python_float: when True, require a Python float (np.float64 also qualifies, since it
      subclasses float) rather than an array
    - hint: text appended to a wrong-value message, or a function of the value returned that
      gives it (to name the mistake a particular value points to)
    """
    if python_float:
        if not isinstance(got, float):
            fail(f"{name} 应该是一个 Python 浮点数 (float)，但得到的是 {_describe(got)}。"
                 "提示：可以用 float(...) 转换。")
    elif isinstance(got, np.ndarray):
        if got.size != 1:
            fail(f"{name} 应该是一个数 (scalar)，但得到的是 {_describe(got)}。")
        got = got.reshape(())[()]
    if isinstance(got, bool) or not isinstance(got, (int, float, np.integer, np.floating)):
        fail(f"{name} 应该是一个数，但得到的是 {_describe(got)}。")
    got = float(got)
    if callable(hint):
        hint = hint(got) if not np.isclose(got, expected, rtol=rtol, atol=atol) else ""
    hint = hint or ""
    if np.isnan(got):
        fail(f"{name} 是 NaN，期望 {plain(expected)}。{hint}")
    if not np.isclose(got, expected, rtol=rtol, atol=atol):
        fail(f"{name} 的值不对：期望 {plain(expected)}，得到 {plain(got)}（容差 rtol={rtol:g}, atol={atol:g}）。{hint}")


def expect_dict_of_arrays(got: Any, expected: dict, name: str, *, keys: Iterable[str] | None = None,
                          rtol: float = RTOL, atol: float = ATOL, exact_keys: bool = True,
                          hint: Callable[[str, Any], str] | None = None) -> None:
    """Check a dict of arrays key by key (missing keys, extra keys, shapes, values).

    Inputs:
    - got: value returned by the submission
    - expected: dict name -> reference numpy array
    - name: what the dict is called in messages (e.g. "parameters")
    - keys: the keys to compare (default: all of expected's)
    - exact_keys: when True, extra keys are an error too
    - hint: function of (key, value returned for it) giving text that names the likely mistake,
      appended to that key's failure message
    """
    if type(got) is not dict:
        fail(f"{name} 应该是字典 (dict)，但得到的是 {_describe(got)}。")
    keys = list(expected if keys is None else keys)
    missing = [k for k in keys if k not in got]
    if missing:
        fail(f"{name} 缺少键 (key)：{', '.join(missing)}。")
    if exact_keys:
        extra = sorted(set(got) - set(expected))
        if extra:
            fail(f"{name} 多出了不该有的键：{', '.join(map(str, extra))}。")
    for key in keys:
        noted = len(_FORM_NOTES)
        try:
            expect_array(got[key], np.asarray(expected[key]), f"{name}['{key}']", rtol=rtol, atol=atol)
            if len(_FORM_NOTES) > noted and hint is not None:  # a wrong container: say what the hint says too
                _FORM_NOTES[-1] += hint(key, got[key]) or ""
        except CheckFailed as exc:
            extra = hint(key, got[key]) if hint is not None else ""
            if extra:
                raise CheckFailed(f"{exc}{extra}") from None
            raise
