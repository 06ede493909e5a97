"""Hidden graders of the Gradient Checking assignment.

Each test calls the submission's function (in the sandbox child) on cases the public tests do
not use and compares with the reference solution from source/ (run in this process).
Points per item (= the cell points of the master notebook):
forward_propagation 1, backward_propagation 1, gradient_check 3, gradient_check_n 4,
backward_propagation_n_fixed 2, gradient_check_report 2.

Tolerances. A difference computed with epsilon = 1e-7 is dominated by floating-point
rounding, so it is compared loosely or against the threshold; differences computed with a
large epsilon (1e-2, 1e-3) are dominated by the truncation error of the difference quotient,
which is plain mathematics and reproducible: there the one-sided difference (error O(eps))
and the centred one (O(eps^2)) differ by orders of magnitude.
"""
import contextlib
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from course.checks import expect_dict_of_arrays, expect_float, fail
from course.sandbox.wire import Unsupported

_spec = importlib.util.spec_from_file_location(
    "course_public_tests_gradient_checking",
    Path(__file__).resolve().parents[2] / "source" / "gradient_checking" / "public_tests.py")
PUBLIC = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(PUBLIC)

THRESHOLD = 2e-7          # a correct backward pass checked with epsilon = 1e-7 stays below this
BUG_LEVEL = 1e-3          # a planted bug gives a difference above this
BLOCKS = [kind + str(l) for l in (1, 2, 3) for kind in "Wb"]  # W1, b1, ..., b3
GRAD_KEYS = ["d" + name for name in BLOCKS]

# 1-D, the notebook's linear J = theta * x: a centred difference has no truncation error, so the
# difference is rounding only, and how it rounds depends on how the quotient is written. Error
# analysis (u = 2**-53): theta +- eps and J+- = theta+- * x carry about u |theta x| each; after
# J+ - J- and the division by 2 eps, gradapprox is off by at most ~2 u |theta x| / eps, plus up to
# u |theta x| / eps for an equivalent form ((J+ - J-) / (thetaplus - thetaminus), J+/(2 eps) - J-/(2 eps)).
# So difference <= 1.5 u |theta| / eps; the check allows 4 u (|theta| + eps) / eps and 0 (exact).
U = np.finfo(float).eps / 2
# 1-D, J = x * theta**3 put in place of forward_propagation / backward_propagation in the child:
# the centred quotient is x (3 theta**2 + eps**2), so difference = eps**2 / (6 theta**2 + eps**2)
# exactly; rounding moves it by ~u (|theta| + eps)**3 / eps**3 relative (< 1e-7 for the cases
# below); the one-sided quotient gives ~eps / (2 |theta|), at least 100 times more.
RTOL_CUBIC = 1e-4
# N-D with epsilon = 1e-7 and a planted bug: the figure is ~0.1-1 and rounding moves it by ~1e-9.
RTOL_BUG = 1e-5
# N-D with epsilon = 1e-2 or 1e-3: truncation dominated, reproducible to many digits.
RTOL_COARSE = 1e-4


# ---------------------------------------------------------------------------------------
# Cases


def _network(dims, m, seed, y_row=True):
    """X (dims[0], m), Y ((1, m) or (m,)) and parameters of a 3-layer network, drawn with randn."""
    rng = np.random.RandomState(seed)
    X = rng.randn(dims[0], m)
    Y = (rng.rand(m) > 0.5).astype(int)
    Y[0], Y[-1] = 1, 0  # both classes present (m >= 2)
    if y_row:
        Y = Y.reshape(1, m)
    parameters = {}
    for l in range(1, 4):
        parameters[f"W{l}"] = rng.randn(dims[l], dims[l - 1])
        parameters[f"b{l}"] = rng.randn(dims[l], 1)
    return X, Y, parameters


# name -> (dims, m, seed, Y as a row). Seeds chosen so that every |Z| of the hidden layers is
# above 0.03: no ReLU kink lies within epsilon <= 1e-2 of the parameters, sigmoid outputs stay
# within (0.01, 0.99), and every block has a nonzero gradient.
NETWORKS = {
    "4-5-3-1,m=5": ([4, 5, 3, 1], 5, 13, True),
    "3-4-2-1,m=4": ([3, 4, 2, 1], 4, 4, False),
    "2-6-4-1,m=6": ([2, 6, 4, 1], 6, 6, True),
    "5-3-3-1,m=8": ([5, 3, 3, 1], 8, 24, False),
}

# Planted bugs: name -> function of (correct gradients, m) returning wrong gradients.
BUGS = {
    "dW1 符号相反": lambda g, m: {**g, "dW1": -g["dW1"]},
    "db3 少乘了 1/m": lambda g, m: {**g, "db3": g["db3"] * m},
    "dW3 为 0": lambda g, m: {**g, "dW3": np.zeros_like(g["dW3"])},
    "db2 加了 0.1": lambda g, m: {**g, "db2": g["db2"] + 0.1},
}


def _case(name):
    dims, m, seed, y_row = NETWORKS[name]
    return _network(dims, m, seed, y_row)


def _correct_gradients(reference, X, Y, parameters):
    """dW1 ... db3 of the reference backward pass, as a plain dict of arrays."""
    _, cache = reference.forward_propagation_n(X, Y, parameters)
    gradients = reference.backward_propagation_n_fixed(X, Y, cache)
    return {k: np.array(gradients[k]) for k in GRAD_KEYS}


def _number(got, what):
    """A returned difference as a float: Python float, numpy float or size-1 array."""
    if isinstance(got, Unsupported) or isinstance(got, (bool, np.bool_)):
        fail(f"{what} 应该是一个数，但得到的是 {_describe(got)}。")
    if isinstance(got, np.ndarray):
        if got.size != 1 or not np.issubdtype(got.dtype, np.number):
            fail(f"{what} 应该是一个数，但得到的是 {_describe(got)}。")
        got = got.reshape(())[()]
    if not isinstance(got, (int, float, np.integer, np.floating)):
        fail(f"{what} 应该是一个数，但得到的是 {_describe(got)}。")
    value = float(got)
    if np.isnan(value):
        fail(f"{what} 是 NaN：检查分母是否为 0。")
    if value < 0:
        fail(f"{what} 是负数 ({value!r})：相对差异的分子、分母都是范数，不会小于 0。"
             "分母应为 ||grad||_2 + ||gradapprox||_2（两个范数之和），而不是 grad + gradapprox。")
    return value


def _plain(value):
    """A number as plain text (1.5, not np.float64(1.5))."""
    return repr(float(value))


def _describe(value):
    if isinstance(value, Unsupported):
        return f"无法传回评分程序的对象（{value.type_name}）"
    if type(value) is np.ndarray:
        return f"numpy 数组 (shape {value.shape}, dtype {value.dtype})"
    return type(value).__name__


def _expect_python_float(got, what):
    if not isinstance(got, float) or isinstance(got, np.ndarray):
        fail(f"{what} 应该返回 Python 浮点数 (float)，但返回的是 {_describe(got)}。"
             "提示：用 float(...) 把结果转换成 float。")
    if np.isnan(got):
        fail(f"{what} 返回了 NaN。")


def _expect_difference(got, expected, what, rtol):
    value = _number(got, what)
    if not np.isclose(value, expected, rtol=rtol, atol=0.0):
        fail(f"{what} 的值不对：期望 {_plain(expected)}，得到 {value!r}（相对容差 {rtol:g}）。"
             "请检查：gradapprox 用中心差分 (J(theta + epsilon) - J(theta - epsilon)) / (2 epsilon)，"
             "每次只扰动一个参数且在副本上扰动；difference 的分母是两个范数之和。")
    return value


# ---------------------------------------------------------------------------------------
# 1-D

CASES_1D = [(3.0, -2.0), (-1.5, 0.25), (0.0, 7.0), (1e3, 1e-3), (2.5, 2.5), (-4, 3)]


@pytest.mark.grade(item="forward_propagation", points=1)
def test_forward_propagation(submission, reference):
    """一维前向传播：多组 x、theta（含负数和 0）下 J(theta) 的值。"""
    for x, theta in CASES_1D:
        got = submission.call("forward_propagation", x, theta)
        expect_float(got, reference.forward_propagation(x, theta), f"forward_propagation(x={x}, theta={theta})",
                     rtol=1e-12, atol=1e-15, hint=lambda value, x=x, theta=theta: PUBLIC._forward_hint(x, theta, value))


@pytest.mark.grade(item="backward_propagation", points=1)
def test_backward_propagation(submission, reference):
    """一维反向传播：多组 x、theta 下 dJ/dtheta 的值。"""
    for x, theta in CASES_1D:
        got = submission.call("backward_propagation", x, theta)
        expect_float(got, reference.backward_propagation(x, theta), f"backward_propagation(x={x}, theta={theta})",
                     rtol=1e-12, atol=1e-15, hint=lambda value, x=x, theta=theta: PUBLIC._backward_hint(x, theta, value))


# gradient_check is graded on its own (issue 21): every call runs with the reference J and its
# derivative put in place of the submission's forward_propagation / backward_propagation in the
# child's notebook namespace (through its builtin exec, the one call path that restarts a dead
# child), so a mistake in those two functions costs points in them only.
_IN_NOTEBOOK = "import sys\nexec({!r}, sys.modules['__main__'].__dict__)"
_SWAP_OFF = _IN_NOTEBOOK.format("globals().update(globals().pop('_course_saved_1d', {}))\n")
LINEAR = ("lambda x, theta: theta * x", "lambda x, theta: x")           # the notebook's J = theta * x
CUBIC = ("lambda x, theta: x * theta ** 3", "lambda x, theta: 3 * x * theta ** 2")
# A backward pass of the wrong sign (-3 times the true derivative; the reference can be called with
# any backward function): grad and gradapprox point in opposite directions, so
# ||grad - gradapprox|| / (||grad|| + ||gradapprox||) = 1 exactly for every epsilon, while the
# denominator ||grad + gradapprox|| gives 2 (linear J) or far more. With a correct backward pass both
# denominators agree, which is why the cases below need this one.
OPPOSITE = ("lambda x, theta: x * theta ** 3", "lambda x, theta: -9 * x * theta ** 2")


@contextlib.contextmanager
def _with_functions(submission, functions):
    forward, backward = functions
    submission.call("__builtins__.exec", _IN_NOTEBOOK.format(
        "_course_saved_1d = globals().get('_course_saved_1d') or "
        "{k: globals().get(k) for k in ('forward_propagation', 'backward_propagation')}\n"
        f"forward_propagation = {forward}\nbackward_propagation = {backward}\n"))
    try:
        yield
    finally:
        submission.call("__builtins__.exec", _SWAP_OFF)


@pytest.mark.grade(item="gradient_check", points=1)
def test_gradient_check_returns_python_float(submission, reference):
    """gradient_check 的返回值是 Python float（不是数组）。"""
    with _with_functions(submission, LINEAR):
        got = submission.call("gradient_check", 3.7, 1.3)
    _expect_python_float(got, "gradient_check(3.7, 1.3)")


# (x, theta, epsilon) for the notebook's linear J, x of both signs (the denominator must add norms).
LINEAR_1D = [(0.3, 10.0, 1e-6), (1.1, -2.9, 1e-6), (5.0, 0.37, 1e-5), (3.7, 1.3, 1e-7),
             (-2.5, 0.7, 1e-5), (-0.6, -7.0, 1e-7), (-3.3, 2.2, 1e-6), (-1.9, -0.8, 1e-7)]
# (x, theta, epsilon) for J = x * theta**3.
CUBIC_1D = [(1.7, 0.9, 1e-2), (-2.2, 1.4, 1e-2), (0.8, -0.6, 5e-3), (-1.1, -1.5, 1e-2)]
# (x, theta, epsilon) with the backward pass of the wrong sign: difference 1 up to the last rounding.
OPPOSITE_1D = [(1.3, 0.7, 1e-3), (-0.9, 1.8, 1e-2)]
ATOL_OPPOSITE = 1e-12


# The formulas and the hints that name a mistake are the public tests' own, so that a student reads
# the same diagnosis in the notebook and in the feedback.
_linear_bound, _cubic_centred, _cubic_one_sided, _difference_hint, _opposite_hint = (
    PUBLIC._linear_bound, PUBLIC._cubic_centred, PUBLIC._cubic_one_sided, PUBLIC._difference_hint,
    PUBLIC._opposite_hint)


@pytest.mark.grade(item="gradient_check", points=1)
def test_gradient_check_linear(submission, reference):
    """一维梯度检验，J = theta * x：x 取正负值，difference 非负且只有舍入误差的量级（等价写法都可以）。"""
    with _with_functions(submission, LINEAR):
        for x, theta, eps in LINEAR_1D:
            what = f"gradient_check({x}, {theta}, epsilon={eps:g})"
            value = _number(submission.call("gradient_check", x, theta, epsilon=eps), what)
            bound = _linear_bound(theta, eps)
            if not 0 <= value <= bound:
                fail(f"{what} 的值不对：J 是线性函数，中心差分没有截断误差，difference 只能来自舍入误差，"
                     f"应在 0 到 {bound:.2g} 之间，得到 {_plain(value)}。" + _difference_hint(value))


@pytest.mark.grade(item="gradient_check", points=1)
def test_gradient_check_centred_difference(submission, reference):
    """一维梯度检验，非线性的 J = x * theta**3：difference 应等于中心差分的截断误差 epsilon²/(6 theta² + epsilon²)；导数符号错了时 difference = 1。"""
    with _with_functions(submission, CUBIC):
        for x, theta, eps in CUBIC_1D:
            what = f"J = x * theta**3 时 gradient_check({x}, {theta}, epsilon={eps:g})"
            value = _number(submission.call("gradient_check", x, theta, epsilon=eps), what)
            expected = _cubic_centred(theta, eps)
            if not np.isclose(value, expected, rtol=RTOL_CUBIC, atol=0.0):
                fail(f"{what}：中心差分给出 x * (3 theta² + epsilon²)，difference 应为 "
                     f"epsilon² / (6 theta² + epsilon²) = {expected:.6g}，得到 {_plain(value)}。"
                     + _difference_hint(value, expected, _cubic_one_sided(theta, eps)))
    with _with_functions(submission, OPPOSITE):
        for x, theta, eps in OPPOSITE_1D:
            what = (f"J = x * theta**3、backward_propagation 返回 -9 * x * theta**2（符号错的导数）时 "
                    f"gradient_check({x}, {theta}, epsilon={eps:g})")
            value = _number(submission.call("gradient_check", x, theta, epsilon=eps), what)
            if not np.isclose(value, 1.0, rtol=0.0, atol=ATOL_OPPOSITE):
                fail(f"{what}：grad 与 gradapprox 符号相反，difference 应为 1，得到 {_plain(value)}。"
                     + _opposite_hint(value))


# ---------------------------------------------------------------------------------------
# N-D


@pytest.mark.grade(item="gradient_check_n", points=1)
def test_gradient_check_n_returns_python_float(submission, reference):
    """gradient_check_n 的返回值是 Python float（不是数组）。"""
    X, Y, parameters = _case("3-4-2-1,m=4")
    gradients = _correct_gradients(reference, X, Y, parameters)
    got = submission.call("gradient_check_n", parameters, gradients, X, Y)
    _expect_python_float(got, "gradient_check_n")


@pytest.mark.grade(item="gradient_check_n", points=1)
def test_gradient_check_n_finds_planted_bugs(submission, reference):
    """其他大小的网络、其他种类的错误梯度：difference 与参考实现一致且远大于阈值。"""
    for (net, bug), eps in zip([("4-5-3-1,m=5", "dW1 符号相反"), ("3-4-2-1,m=4", "db3 少乘了 1/m"),
                                ("2-6-4-1,m=6", "dW3 为 0"), ("5-3-3-1,m=8", "db2 加了 0.1")],
                               [1e-7, 1e-7, 1e-6, 1e-7]):
        X, Y, parameters = _case(net)
        wrong = BUGS[bug](_correct_gradients(reference, X, Y, parameters), X.shape[1])
        expected = reference.gradient_check_n(parameters, wrong, X, Y, epsilon=eps)
        got = submission.call("gradient_check_n", parameters, wrong, X, Y, epsilon=eps)
        value = _expect_difference(got, expected, f"网络 {net}、错误梯度（{bug}）、epsilon={eps:g} 的 difference",
                                   RTOL_BUG)
        if value <= BUG_LEVEL:
            fail(f"网络 {net} 的梯度有错（{bug}），difference 应远大于 {BUG_LEVEL:g}，得到 {value!r}。")


@pytest.mark.grade(item="gradient_check_n", points=1)
def test_gradient_check_n_correct_gradients(submission, reference):
    """正确的梯度：epsilon=1e-7 时低于阈值 2e-7；epsilon 较大时与参考实现一致（中心差分，误差 O(epsilon^2)）。"""
    for net in NETWORKS:
        X, Y, parameters = _case(net)
        gradients = _correct_gradients(reference, X, Y, parameters)
        value = _number(submission.call("gradient_check_n", parameters, gradients, X, Y),
                        f"网络 {net}、正确梯度的 difference")
        if value >= THRESHOLD:
            fail(f"网络 {net} 的梯度是正确的，epsilon=1e-7 时 difference 应小于 {THRESHOLD:g}，得到 {value!r}。")
        for eps in (1e-2, 1e-3):
            expected = reference.gradient_check_n(parameters, gradients, X, Y, epsilon=eps)
            got = submission.call("gradient_check_n", parameters, gradients, X, Y, epsilon=eps)
            value = _number(got, f"网络 {net}、正确梯度、epsilon={eps:g} 的 difference")
            if not np.isclose(value, expected, rtol=RTOL_COARSE, atol=0.0):
                hint = ("这比中心差分的截断误差大得多：像是用了单侧差分 (J(theta + epsilon) - J(theta)) / epsilon"
                        "（误差是 O(epsilon)），或者前一个分量的扰动没有撤销（每个分量都要从原始参数向量的副本出发，"
                        "只扰动这一个分量）。" if value > 10 * expected else
                        "请检查 difference 的公式：分子是 ||grad - gradapprox||_2，分母是 ||grad||_2 + ||gradapprox||_2"
                        "（两个范数之和，不是把 grad + gradapprox 的元素加起来）。")
                fail(f"网络 {net}、正确梯度、epsilon={eps:g}：difference 应为 {_plain(expected)}（中心差分的截断误差），"
                     f"得到 {value!r}。{hint}")


def _same(before, after):
    if isinstance(before, dict):
        return (isinstance(after, dict) and set(before) == set(after)
                and all(_same(before[k], after[k]) for k in before))
    return isinstance(after, np.ndarray) and after.shape == before.shape and np.array_equal(after, before)


@pytest.mark.grade(item="gradient_check_n", points=1)
def test_gradient_check_n_leaves_arguments_untouched(submission, reference):
    """调用后 parameters、gradients、X、Y 保持不变（扰动要在副本上做）。"""
    X, Y, parameters = _case("2-6-4-1,m=6")
    gradients = _correct_gradients(reference, X, Y, parameters)
    originals = [{k: v.copy() for k, v in parameters.items()}, {k: v.copy() for k, v in gradients.items()},
                 X.copy(), Y.copy()]
    _, args, _ = submission.call("gradient_check_n", parameters, gradients, X, Y, epsilon=1e-5,
                                 return_args=True)
    for name, before, after in zip(["parameters", "gradients", "X", "Y"], originals, args):
        if not _same(before, after):
            changed = ""
            if isinstance(before, dict) and isinstance(after, dict):
                changed = "，被改变的键：" + ", ".join(
                    k for k in before if k not in after or not _same(before[k], after[k]))
            fail(f"调用 gradient_check_n 之后，传入的 {name} 被改变了{changed}。"
                 "每次扰动都应在参数向量的副本 (np.copy) 上进行，不能修改调用者的数据；"
                 "先加后减 epsilon 也不行：浮点运算 (w + epsilon) - epsilon 不一定正好等于 w。")


# ---------------------------------------------------------------------------------------
# backward_propagation_n_fixed


# The exercise plants two bugs in backward_propagation_n (dW2 doubled, db1 times 4): each fixed bug
# earns half the points (issue 21), so each test checks the gradient of one bug, with the others of
# its layers, on every network (the exercise's architecture and other sizes).
FIXED_PARTS = {"dW2": ("dW2", "dW3", "db3"), "db1": ("db1", "dW1", "db2")}


def _check_fixed(submission, reference, keys):
    for net in NETWORKS:
        X, Y, parameters = _case(net)
        _, cache = reference.forward_propagation_n(X, Y, parameters)
        expected = reference.backward_propagation_n_fixed(X, Y, cache)
        got = submission.call("backward_propagation_n_fixed", X, Y, tuple(np.array(a) for a in cache))
        expect_dict_of_arrays(got, {k: expected[k] for k in keys}, f"网络 {net} 的 gradients",
                              exact_keys=False, rtol=1e-7, atol=1e-12)


@pytest.mark.grade(item="backward_propagation_n_fixed", points=1)
def test_fixed_backward_dW2(submission, reference):
    """修正 dW2 的错误：4 种网络结构（含练习的 4-5-3-1）下 dW2（以及 dW3、db3）与参考实现一致。"""
    _check_fixed(submission, reference, FIXED_PARTS["dW2"])


@pytest.mark.grade(item="backward_propagation_n_fixed", points=1)
def test_fixed_backward_db1(submission, reference):
    """修正 db1 的错误：4 种网络结构（含练习的 4-5-3-1）下 db1（以及 dW1、db2）与参考实现一致。"""
    _check_fixed(submission, reference, FIXED_PARTS["db1"])


# ---------------------------------------------------------------------------------------
# gradient_check_report


def _expect_report(got, what):
    if isinstance(got, Unsupported):
        fail(f"{what} 无法传回评分程序（{got.type_name}）：返回的字典的键必须是字符串 (str，numpy.str_ 也可以)，"
             "值必须是数。")
    if type(got) is not dict:
        fail(f"{what} 应该返回字典 (dict)，但返回的是 {_describe(got)}。")
    if sorted(got) != sorted(BLOCKS):
        fail(f"{what} 的键应该正好是 {BLOCKS}，得到 {list(got)}。")
    return got


@pytest.mark.grade(item="gradient_check_report", points=1)
def test_report_structure(submission, reference):
    """gradient_check_report 返回以 "W1"..."b3" 为键、Python float 为值的字典（其他大小的网络）。"""
    X, Y, parameters = _case("5-3-3-1,m=8")
    gradients = BUGS["dW1 符号相反"](_correct_gradients(reference, X, Y, parameters), X.shape[1])
    report = _expect_report(submission.call("gradient_check_report", parameters, gradients, X, Y),
                            "gradient_check_report")
    for name in BLOCKS:
        _expect_python_float(report[name], f"gradient_check_report 中 '{name}' 的值")


@pytest.mark.grade(item="gradient_check_report", points=1)
def test_report_values(submission, reference):
    """逐块的 difference：错误的块与参考实现一致，正确的块只有舍入误差；epsilon 较大时每一块都与参考实现一致。"""
    for net, bug in [("4-5-3-1,m=5", "db3 少乘了 1/m"), ("2-6-4-1,m=6", "db2 加了 0.1"),
                     ("3-4-2-1,m=4", "dW1 符号相反")]:
        X, Y, parameters = _case(net)
        wrong = BUGS[bug](_correct_gradients(reference, X, Y, parameters), X.shape[1])
        expected = reference.gradient_check_report(parameters, wrong, X, Y)
        report = _expect_report(submission.call("gradient_check_report", parameters, wrong, X, Y),
                                "gradient_check_report")
        for name in BLOCKS:
            what = f"网络 {net}、错误梯度（{bug}）中 '{name}' 块的 difference"
            if expected[name] > BUG_LEVEL:
                _expect_difference(report[name], expected[name], what, RTOL_BUG)
            else:
                value = _number(report[name], what)
                if value > 1e-5:
                    fail(f"{what} 应该只有舍入误差的量级（参考值 {expected[name]:.3g}），得到 {value!r}。"
                         "每一块只能用属于这一块的分量计算。")
        eps = 1e-2
        expected = reference.gradient_check_report(parameters, wrong, X, Y, epsilon=eps)
        report = _expect_report(submission.call("gradient_check_report", parameters, wrong, X, Y, epsilon=eps),
                                "gradient_check_report")
        for name in BLOCKS:
            _expect_difference(report[name], expected[name],
                               f"网络 {net}、错误梯度（{bug}）、epsilon={eps:g} 时 '{name}' 块的 difference",
                               RTOL_COARSE)
