"""Public tests of the Gradient Checking assignment (students see and run these).

Each ``*_test(target)`` calls the student's function on a fixed case and raises
AssertionError with a message in Chinese that says what is wrong (expected vs actual value,
type or shape). The hidden graders use other cases.

This module needs only numpy: it rebuilds the small test network itself and computes the
correct gradients with its own implementation of the backward pass.
"""
import numpy as np

# 1-D case: J(theta) = theta * x at x = 2, theta = 4.
X_1D, THETA_1D = 2, 4
J_1D, DTHETA_1D = 8, 2
# gradient_check(2, 4) with epsilon = 1e-7. J is linear, so the figure is pure rounding error
# (about 2600 units in the last place of gradapprox): an equivalent formula that rounds one step
# differently moves it by ~0.04 %, a one-sided difference gives 1.4e-09 (5 times more).
DIFFERENCE_1D = 2.919335883291695e-10
RTOL_1D = 1e-2

# The threshold the notebook uses (1e-7 would reject a correct backward pass, see the notebook).
THRESHOLD = 2e-7

# gradient_check_n on gradient_check_n_test_case().
DIFFERENCE_BUGGY = 0.2850931567761623   # with the two bugs of backward_propagation_n
RTOL_BUGGY = 1e-6
DIFFERENCE_FIXED = 1.1890913e-07        # correct gradients, epsilon = 1e-7: rounding-limited
RTOL_FIXED = 1e-3
# Correct gradients with epsilon = 1e-3: dominated by the O(epsilon^2) truncation error of the
# centred difference, so stable across platforms; a one-sided difference gives ~1.9e-05.
EPSILON_COARSE = 1e-3
DIFFERENCE_FIXED_COARSE = 1.6797887012076016e-08
RTOL_COARSE = 1e-4

# gradient_check_report with the buggy gradients: the two wrong blocks, and the level below
# which a block counts as correct (rounding noise of a small block can exceed THRESHOLD).
REPORT_BUGGY = {"b1": 0.5999999927044027, "W2": 0.33333335070646364}
RTOL_REPORT = 1e-6
REPORT_NOISE = 1e-6
BLOCKS = ["W1", "b1", "W2", "b2", "W3", "b3"]


def _passed(func_name):
    print(f"\033[92m{func_name}: 全部公开测试通过 (all public tests passed)\033[0m")


def _type_name(value):
    if isinstance(value, np.ndarray):
        return f"numpy 数组 (shape {value.shape})"
    return type(value).__name__


def _check_number(got, expected, what, rtol=1e-12, atol=0.0, hint=""):
    assert not isinstance(got, np.ndarray) or got.size == 1, (
        f"{what} 应该是一个数，但得到 {_type_name(got)}。")
    assert isinstance(got, (int, float, np.integer, np.floating, np.ndarray)) and not isinstance(got, bool), (
        f"{what} 应该是一个数，但得到 {_type_name(got)}。")
    value = float(np.asarray(got).reshape(()))
    assert np.isclose(value, expected, rtol=rtol, atol=atol), (
        f"{what} 的值不对：期望 {expected!r}，得到 {value!r}（容差 rtol={rtol:g}）。{hint}")
    return value


_FORMULA_HINT = ("请检查：每次只在参数向量的副本上扰动一个分量，gradapprox 用中心差分；"
                 "difference 的分子是 ||grad - gradapprox||_2，分母是 ||grad||_2 + ||gradapprox||_2。")


def _check_python_float(got, what):
    assert isinstance(got, float), (
        f"{what} 应该返回 Python 浮点数 (float)，但返回的是 {_type_name(got)}。"
        "提示：np.linalg.norm 返回的是数；如果你得到了数组，可以用 float(...) 转换。")


# ---------------------------------------------------------------------------------------
# The N-D test case, rebuilt here so that the tests do not depend on gc_utils.


def _network_case():
    """X (4, 3), Y (3,), parameters of the 4-5-3-1 network, as gradient_check_n_test_case."""
    rng = np.random.RandomState(1)  # same stream as np.random.seed(1), without touching it
    X = rng.randn(4, 3)
    Y = np.array([1, 1, 0])
    parameters = {}
    for name, shape in (("W1", (5, 4)), ("b1", (5, 1)), ("W2", (3, 5)), ("b2", (3, 1)),
                        ("W3", (1, 3)), ("b3", (1, 1))):
        parameters[name] = rng.randn(*shape)
    return X, Y, parameters


def _forward_cache(X, parameters):
    """The cache forward_propagation_n returns, computed independently."""
    p = parameters
    Z1 = p["W1"] @ X + p["b1"]
    A1 = np.maximum(Z1, 0)
    Z2 = p["W2"] @ A1 + p["b2"]
    A2 = np.maximum(Z2, 0)
    Z3 = p["W3"] @ A2 + p["b3"]
    A3 = 1 / (1 + np.exp(-Z3))
    return (Z1, A1, p["W1"], p["b1"], Z2, A2, p["W2"], p["b2"], Z3, A3, p["W3"], p["b3"])


def _correct_gradients(X, Y, cache):
    """Gradients of the mean cross-entropy with respect to every parameter (dW1 ... db3)."""
    Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3 = cache
    m = X.shape[1]
    grads = {}
    dZ = A3 - Y
    for l, A_prev, W, A_prev_pre in ((3, A2, W3, Z2), (2, A1, W2, Z1), (1, X, W1, None)):
        grads[f"dW{l}"] = (dZ @ A_prev.T) / m
        grads[f"db{l}"] = dZ.sum(axis=1, keepdims=True) / m
        if A_prev_pre is not None:
            dZ = (W.T @ dZ) * (A_prev_pre > 0)
    return grads


def _buggy_gradients(grads):
    """The gradients backward_propagation_n returns: dW2 doubled, db1 multiplied by 4."""
    buggy = dict(grads)
    buggy["dW2"] = grads["dW2"] * 2
    buggy["db1"] = grads["db1"] * 4
    return buggy


def _copy(d):
    return {k: np.copy(v) for k, v in d.items()}


def _check_untouched(before, after, what):
    for key, value in before.items():
        assert key in after and np.array_equal(after[key], value), (
            f"调用之后 {what}['{key}'] 被改变了：gradient_check_n 应该在参数向量的副本 "
            "(np.copy) 上做扰动，不能修改调用者传入的字典或数组。")


# ---------------------------------------------------------------------------------------


def forward_propagation_test(target):
    J = target(X_1D, THETA_1D)
    _check_number(J, J_1D, f"forward_propagation(x={X_1D}, theta={THETA_1D})")
    J = target(-1.5, 3.0)
    _check_number(J, -4.5, "forward_propagation(x=-1.5, theta=3.0)")
    _passed("forward_propagation")


def backward_propagation_test(target):
    dtheta = target(X_1D, THETA_1D)
    _check_number(dtheta, DTHETA_1D, f"backward_propagation(x={X_1D}, theta={THETA_1D})")
    dtheta = target(-1.5, 3.0)
    _check_number(dtheta, -1.5, "backward_propagation(x=-1.5, theta=3.0)（J 对 theta 的导数与 theta 无关）")
    _passed("backward_propagation")


def gradient_check_test(target):
    difference = target(X_1D, THETA_1D)
    _check_python_float(difference, "gradient_check")
    assert difference >= 0, (
        f"difference 不能是负数，得到 {difference!r}：分子、分母都应该是范数 (np.linalg.norm)。")
    assert difference == difference, "difference 是 NaN：检查分母是否为 0。"
    assert np.isclose(difference, DIFFERENCE_1D, rtol=RTOL_1D, atol=0), (
        f"gradient_check(x={X_1D}, theta={THETA_1D}) 的值不对：期望 {DIFFERENCE_1D!r}，得到 {difference!r}"
        f"（容差 rtol={RTOL_1D:g}）。请检查：gradapprox 要用中心差分 (J_plus - J_minus) / (2 * epsilon)，"
        "不能用单侧差分 (J_plus - J) / epsilon；difference 的分母是 ||grad|| + ||gradapprox||。")
    difference = target(-X_1D, THETA_1D)
    assert isinstance(difference, (float, np.floating, np.ndarray)), (
        f"gradient_check 应该返回一个数，但返回的是 {_type_name(difference)}。")
    assert float(np.asarray(difference).reshape(())) >= 0, (
        f"gradient_check(x={-X_1D}, theta={THETA_1D}) 返回了负数 {float(np.asarray(difference).reshape(()))!r}："
        "x 为负时 grad 和 gradapprox 都是负数，分母必须用范数之和 ||grad||_2 + ||gradapprox||_2，"
        "而不是 grad + gradapprox。")
    _check_number(difference, DIFFERENCE_1D, f"gradient_check(x={-X_1D}, theta={THETA_1D})", rtol=RTOL_1D)
    difference = target(X_1D, THETA_1D, epsilon=1e-3)
    _check_number(difference, 5.595524044110476e-14, f"gradient_check(x={X_1D}, theta={THETA_1D}, epsilon=1e-3)",
                  rtol=RTOL_1D)
    _passed("gradient_check")


def gradient_check_n_test(target):
    X, Y, parameters = _network_case()
    grads = _correct_gradients(X, Y, _forward_cache(X, parameters))
    buggy = _buggy_gradients(grads)
    parameters_before, buggy_before = _copy(parameters), _copy(buggy)

    difference = target(parameters, buggy, X, Y)
    _check_untouched(parameters_before, parameters, "parameters")
    _check_untouched(buggy_before, buggy, "gradients")
    _check_python_float(difference, "gradient_check_n")
    _check_number(difference, DIFFERENCE_BUGGY, "带两个错误的梯度 (dW2 × 2, db1 × 4) 的 difference",
                  rtol=RTOL_BUGGY, hint=_FORMULA_HINT)

    difference = target(parameters, grads, X, Y, epsilon=EPSILON_COARSE)
    value = float(np.asarray(difference).reshape(()))
    assert np.isclose(value, DIFFERENCE_FIXED_COARSE, rtol=RTOL_COARSE, atol=0), (
        f"正确梯度、epsilon={EPSILON_COARSE:g} 时 difference 应为 {DIFFERENCE_FIXED_COARSE!r}，得到 {value!r}。"
        "中心差分的截断误差是 O(epsilon^2)，这里应该很小；如果你的值大约是 1e-05，"
        "说明你用了单侧差分 (J(theta + epsilon) - J(theta)) / epsilon，它的误差是 O(epsilon)。")

    difference = target(parameters, grads, X, Y)
    value = _check_number(difference, DIFFERENCE_FIXED, "正确梯度、epsilon=1e-7 时的 difference（约 1.19e-07）",
                          rtol=RTOL_FIXED, hint=_FORMULA_HINT)
    assert value < THRESHOLD, f"正确的梯度应该得到小于 {THRESHOLD:g} 的 difference，得到 {value!r}。"
    _passed("gradient_check_n")


def backward_propagation_n_fixed_test(target):
    X, Y, parameters = _network_case()
    cache = _forward_cache(X, parameters)
    expected = _correct_gradients(X, Y, cache)
    gradients = target(X, Y, cache)
    assert isinstance(gradients, dict), (
        f"backward_propagation_n_fixed 应该返回字典 (dict)，但返回的是 {_type_name(gradients)}。")
    for key in ("dW1", "db1", "dW2", "db2", "dW3", "db3"):
        assert key in gradients, f"返回的字典缺少键 '{key}'。"
        got, want = gradients[key], expected[key]
        assert isinstance(got, np.ndarray), f"gradients['{key}'] 应该是 numpy 数组，得到 {_type_name(got)}。"
        assert got.shape == want.shape, (
            f"gradients['{key}'] 的形状不对：期望 {want.shape}，得到 {got.shape}。")
        if not np.allclose(got, want, rtol=1e-7, atol=1e-12):
            hint = ""
            ratio = got / np.where(want == 0, np.nan, want)
            ratio = ratio[np.isfinite(ratio)]
            if ratio.size and np.allclose(ratio, ratio[0], rtol=1e-6):
                hint = f"（你的结果正好是正确值的 {ratio[0]:.6g} 倍）"
            idx = tuple(int(i) for i in np.argwhere(~np.isclose(got, want, rtol=1e-7, atol=1e-12))[0])
            raise AssertionError(
                f"gradients['{key}'] 的数值不对{hint}：下标 {idx} 处期望 {want[idx]!r}，得到 {got[idx]!r}。")
    _passed("backward_propagation_n_fixed")


def gradient_check_report_test(target):
    X, Y, parameters = _network_case()
    grads = _correct_gradients(X, Y, _forward_cache(X, parameters))
    buggy = _buggy_gradients(grads)
    parameters_before = _copy(parameters)

    report = target(parameters, buggy, X, Y)
    _check_untouched(parameters_before, parameters, "parameters")
    assert isinstance(report, dict), (
        f"gradient_check_report 应该返回字典 (dict)，但返回的是 {_type_name(report)}。")
    assert sorted(report) == sorted(BLOCKS), (
        f"字典的键应该正好是 {BLOCKS}，得到 {list(report)}。")
    assert all(type(name) is str for name in report), (
        f"字典的键应该是 Python 字符串 (str)，得到 {[type(name).__name__ for name in report]}："
        "遍历 numpy 数组得到的是 numpy.str_，请用 str(name) 转换（提交后评分程序只接受 str 键）。")
    for name in BLOCKS:
        _check_python_float(report[name], f"gradient_check_report 中 '{name}' 的值")
        if name in REPORT_BUGGY:
            assert np.isclose(report[name], REPORT_BUGGY[name], rtol=RTOL_REPORT, atol=0), (
                f"'{name}' 块的 difference 不对：期望 {REPORT_BUGGY[name]!r}，得到 {report[name]!r}。"
                "每一块都要只用属于这一块的分量计算 ||grad - gradapprox|| / (||grad|| + ||gradapprox||)。")
        else:
            assert 0 <= report[name] < REPORT_NOISE, (
                f"'{name}' 块的梯度是正确的，它的 difference 应该只有舍入误差的量级（小于 {REPORT_NOISE:g}），"
                f"得到 {report[name]!r}。")

    report = target(parameters, grads, X, Y)
    for name in BLOCKS:
        assert 0 <= float(report[name]) < REPORT_NOISE, (
            f"梯度全部正确时，'{name}' 块的 difference 应该小于 {REPORT_NOISE:g}，得到 {report[name]!r}。")
    _passed("gradient_check_report")
