"""Comparison helpers for hidden graders, with student-facing messages in Chinese.

Every helper raises :class:`CheckFailed` (an AssertionError) whose text is shown to the
student verbatim: it says what was expected and what came back, never grader code.
Values arriving from a submission are already decoded plain data (see course.sandbox.wire):
numpy arrays are exact ``np.ndarray`` objects, anything unsupported is an ``Unsupported``.
"""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from course.sandbox.wire import Unsupported

# Default tolerance for values that should equal the reference up to float rounding.
RTOL = 1e-7
ATOL = 1e-10


class CheckFailed(AssertionError):
    """A grader check failed; the message is meant for the student."""


def fail(message: str) -> None:
    raise CheckFailed(message)


def _describe(value: Any) -> str:
    if isinstance(value, Unsupported):
        return f"不支持的对象类型 {value.type_name}"
    if isinstance(value, np.ndarray):
        return f"numpy 数组 (shape {value.shape}, dtype {value.dtype})"
    return f"{type(value).__name__}"


def expect_array(got: Any, expected: np.ndarray, name: str, *, rtol: float = RTOL,
                 atol: float = ATOL, check_dtype: bool = True) -> None:
    """Check that ``got`` is an ndarray of ``expected``'s shape whose values match.

    Inputs:
    - got: value returned by the submission
    - expected: reference numpy array
    - name: what the value is called in the message (e.g. "W1")
    - rtol, atol: np.isclose tolerances
    - check_dtype: require a floating dtype when the reference is floating
    """
    if type(got) is not np.ndarray:
        fail(f"{name} 应该是 numpy 数组 (np.ndarray)，但得到的是 {_describe(got)}。")
    if got.shape != expected.shape:
        fail(f"{name} 的形状 (shape) 不对：期望 {expected.shape}，得到 {got.shape}。")
    if check_dtype and np.issubdtype(expected.dtype, np.floating) and not np.issubdtype(got.dtype, np.floating):
        fail(f"{name} 的数据类型 (dtype) 不对：期望浮点数 {expected.dtype}，得到 {got.dtype}。")
    if not np.issubdtype(got.dtype, np.number) and got.dtype != np.bool_:
        fail(f"{name} 的数据类型 (dtype) 不是数值：{got.dtype}。")
    close = np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=False)
    if not close.all():
        bad = np.argwhere(~close)[0]
        idx = tuple(int(i) for i in bad)
        fail(
            f"{name} 的数值不对：第一个不同的元素在下标 {idx}，期望 {expected[idx]!r}，得到 {got[idx]!r}"
            f"（共 {int((~close).sum())} / {close.size} 个元素不同；容差 rtol={rtol:g}, atol={atol:g}）。"
        )


def expect_float(got: Any, expected: float, name: str, *, rtol: float = RTOL, atol: float = ATOL,
                 python_float: bool = False) -> None:
    """Check a scalar result.

    Inputs:
    - got: value returned by the submission
    - expected: reference value
    - python_float: when True, require a Python float (np.float64 also qualifies, since it
      subclasses float) rather than an array
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
    if np.isnan(got):
        fail(f"{name} 是 NaN，期望 {expected!r}。")
    if not np.isclose(got, expected, rtol=rtol, atol=atol):
        fail(f"{name} 的值不对：期望 {expected!r}，得到 {got!r}（容差 rtol={rtol:g}, atol={atol:g}）。")


def expect_dict_of_arrays(got: Any, expected: dict, name: str, *, keys: Iterable[str] | None = None,
                          rtol: float = RTOL, atol: float = ATOL, exact_keys: bool = True) -> None:
    """Check a dict of arrays key by key (missing keys, extra keys, shapes, values).

    Inputs:
    - got: value returned by the submission
    - expected: dict name -> reference numpy array
    - name: what the dict is called in messages (e.g. "parameters")
    - keys: the keys to compare (default: all of expected's)
    - exact_keys: when True, extra keys are an error too
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
        expect_array(got[key], np.asarray(expected[key]), f"{name}['{key}']", rtol=rtol, atol=atol)
