"""Public tests of the Gradient Checking assignment (students see and run these).

Each ``*_test(target)`` calls the student's function on a fixed case and raises
AssertionError with a message in Chinese that says what is wrong (expected vs actual value,
type or shape). The hidden graders use other cases.

This module needs only numpy. The gradients of the test network are written out below as
numbers: no function here computes a backward pass.

Tolerances come from an error analysis (float64, unit roundoff u = 2**-53 ~ 1.1e-16):
- gradient_check on the notebook's linear J(theta) = theta x: a centred difference has no truncation
  error, so the difference is rounding only. theta +- epsilon and J+- = theta+- * x each carry
  about u |theta x|; after J+ - J- and the division by 2 epsilon, gradapprox is off by at most
  about 2 u |theta x| / epsilon, and an equivalent way of writing the quotient (dividing by
  thetaplus - thetaminus, or J+ / (2 eps) - J- / (2 eps)) adds up to u |theta x| / epsilon more.
  So difference <= 1.5 u |theta| / epsilon; LINEAR_BOUND allows 4 u (|theta| + eps) / eps.
- with J = x * theta**3 (put in place of forward_propagation / backward_propagation for the
  test) the centred difference is x (3 theta**2 + eps**2) exactly, so the difference is
  eps**2 / (6 theta**2 + eps**2); rounding moves it by about u |theta|**3 / eps**3 relative
  (< 1e-8 for the cases below), the one-sided difference gives ~ eps / (2 theta), hundreds of times
  more. RTOL_CUBIC = 1e-4.
- gradient_check_n with epsilon = 1e-7 is rounding-limited (~1.2e-07 for correct gradients, see
  the notebook): only compared with the threshold. With the planted bugs the difference is
  ~0.285 and rounding moves it by < 1e-6 relative (RTOL_BUGGY = 1e-5). With epsilon = 1e-2 it is
  truncation-dominated (1.68e-06; rounding ~1e-12): RTOL_COARSE = 1e-4.
- gradient_check_report with the planted bugs: a block whose gradient is c times the right one
  has difference |c - 1| / (c + 1) exactly, 3/5 for db1 (c = 4) and 1/3 for dW2 (c = 2); rounding
  moves them by < 1e-7 relative (RTOL_REPORT = 1e-5). Correct blocks are rounding noise: the
  smallest blocks (b1, b3) reach ~3e-7, so REPORT_NOISE = 1e-5.
"""
import numpy as np

U = np.finfo(float).eps / 2   # unit roundoff of float64

# 1-D case: J(theta) = theta x at x = 2, theta = 4.
X_1D, THETA_1D = 2, 4
J_1D, DTHETA_1D = 8, 2
RTOL_CUBIC = 1e-4
CUBIC_CASES = [(2.0, 1.0, 1e-2), (-1.5, 0.8, 1e-2), (0.5, -1.2, 3e-3)]

# The threshold the notebook uses (1e-7 would reject a correct backward pass, see the notebook).
THRESHOLD = 2e-7

# gradient_check_n on gradient_check_n_test_case().
DIFFERENCE_BUGGY = 0.2850931567761623   # with the two bugs of backward_propagation_n
RTOL_BUGGY = 1e-5
EPSILON_COARSE = 1e-2
DIFFERENCE_FIXED_COARSE = 1.6800198140411475e-06   # correct gradients, epsilon = 1e-2
RTOL_COARSE = 1e-4

# gradient_check_report with the buggy gradients: db1 is 4 times, dW2 2 times the right value.
REPORT_BUGGY = {"b1": 3 / 5, "W2": 1 / 3}
RTOL_REPORT = 1e-5
REPORT_NOISE = 1e-5
BLOCKS = ["W1", "b1", "W2", "b2", "W3", "b3"]

# The gradients of the mean cross-entropy of the test network (dW1 ... db3), as numbers.
CORRECT_GRADIENTS = {
    "dW1": np.array([[-0.37347778780965, -1.4790321603097862, 0.1759614253429018, -1.3368503644957601],
                     [-0.01967513615719457, -0.08573553401542801, 0.011884652345551057, -0.07674312151045774],
                     [0.03916037129037356, -0.05539734986948789, 0.04872714728071104, -0.093593934454497],
                     [-0.05337777545025737, -0.21138458326994772, 0.025148562394954707, -0.19106383537598334],
                     [0.0, 0.0, 0.0, 0.0]]),
    "db1": np.array([[0.6329078719756231], [0.03725139800240675], [-0.06401301304995109],
                     [0.09045575231968896], [0.0]]),
    "dW2": np.array([[0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0],
                     [0.9158016518786495, 0.02451547591517728, -0.10797953784637067, 0.9028189091398682, 0.0]]),
    "db2": np.array([[0.0], [0.0], [0.1976334252390789]]),
    "dW3": np.array([[0.0, 0.0, 2.244042377990228]]),
    "db3": np.array([[0.21225752708273302]]),
}


def _passed(func_name):
    print(f"\033[92m{func_name}: 全部公开测试通过 (all public tests passed)\033[0m")


def _num(value):
    """A number as plain text (1.5, not np.float64(1.5))."""
    try:
        return repr(float(value))
    except (TypeError, ValueError):
        return repr(value)


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
        f"{what} 的值不对：期望 {_num(expected)}，得到 {_num(value)}（容差 rtol={rtol:g}）。{hint}")
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


def _forward_hint(x, theta, got):
    """Name the mistake a wrong J(theta) = theta x points to."""
    if np.isclose(got, theta + x):
        return "你的结果是 theta + x：J(theta) = theta * x 是乘积，不是和。"
    return ""


def _backward_hint(x, theta, got):
    """Name the mistake a wrong dJ/dtheta points to."""
    if np.isclose(got, theta) and not np.isclose(theta, x):
        return "你返回的是 theta：J(theta) = theta * x 对 theta 的导数是 x。"
    if np.isclose(got, theta * x):
        return "你返回的是 J 本身 (theta * x)：要返回 J 对 theta 的导数 x。"
    return ""


def forward_propagation_test(target):
    for x, theta, want in ((X_1D, THETA_1D, J_1D), (-1.5, 3.0, -4.5)):
        J = target(x, theta)
        _check_number(J, want, f"forward_propagation(x={x}, theta={theta})",
                      hint=_forward_hint(x, theta, float(np.asarray(J).reshape(()))) if np.size(J) == 1 else "")
    _passed("forward_propagation")


def backward_propagation_test(target):
    for x, theta, want, what in ((X_1D, THETA_1D, DTHETA_1D, ""), (-1.5, 3.0, -1.5, "（J 对 theta 的导数与 theta 无关）")):
        dtheta = target(x, theta)
        _check_number(dtheta, want, f"backward_propagation(x={x}, theta={theta}){what}",
                      hint=_backward_hint(x, theta, float(np.asarray(dtheta).reshape(()))) if np.size(dtheta) == 1 else "")
    _passed("backward_propagation")


def _linear_bound(theta, epsilon):
    """The most rounding can give gradient_check on the linear J (see the module docstring)."""
    return 4 * U * (abs(theta) + epsilon) / epsilon


def _cubic_centred(theta, epsilon):
    """difference of the centred quotient for J = x * theta**3: eps**2 / (6 theta**2 + eps**2)."""
    return epsilon ** 2 / (6 * theta ** 2 + epsilon ** 2)


def _cubic_one_sided(theta, epsilon):
    """difference of (J(theta + eps) - J(theta)) / eps for J = x * theta**3."""
    return abs(3 * theta * epsilon + epsilon ** 2) / (6 * theta ** 2 + 3 * theta * epsilon + epsilon ** 2)


def _difference_hint(value, centred=None, one_sided=None):
    """Name the mistake a returned difference points to."""
    if value < 0:
        return ("difference 不能是负数：分子要用 np.linalg.norm(grad - gradapprox)，"
                "分母是 ||grad||_2 + ||gradapprox||_2（两个范数之和），不是 grad + gradapprox。")
    if one_sided is not None and np.isclose(value, one_sided, rtol=1e-2):
        return ("这正是单侧差分 (J(theta + epsilon) - J(theta)) / epsilon 的结果，它的误差是 O(epsilon)；"
                "请用中心差分 (J_plus - J_minus) / (2 * epsilon)。")
    if centred is not None and value < 1e-6 * centred:
        return ("用非线性的 J(theta) = x * theta**3 检验时，你的结果几乎是 0，就像 J 仍然是线性的："
                "gradient_check 好像没有调用 forward_propagation 和 backward_propagation，"
                "而是把 theta * x 和 x 直接写进了函数。请通过这两个函数计算 J 和导数。")
    if np.isclose(value, 1 / 3, rtol=1e-2):
        return ("difference 约为 1/3，说明 gradapprox 正好是 grad 的 2 倍：中心差分要除以 2 * epsilon，而不是 epsilon。")
    return ("请检查：gradapprox 用中心差分 (J_plus - J_minus) / (2 * epsilon)；difference 的分子是 "
            "||grad - gradapprox||_2，分母是 ||grad||_2 + ||gradapprox||_2。")


def _opposite_hint(value):
    """Name the mistake a difference other than 1 points to when grad and gradapprox have opposite signs."""
    if value > 1 + 1e-9:
        return ("difference 大于 1：分母像是写成了 np.linalg.norm(grad + gradapprox)（先相加再取范数）。"
                "grad 与 gradapprox 方向相同时两种写法的结果一样，方向不同时就不一样了；"
                "分母应为 np.linalg.norm(grad) + np.linalg.norm(gradapprox)（两个范数之和），所以 difference 不会超过 1。")
    return _difference_hint(value)


def _linear(x, theta):
    """J(theta) = 2 theta x: linear like the notebook's J (the factor 2 is exact in floating point, so the
    rounding bound is the same), and not an answer to the exercises above."""
    return 2 * (theta * x)


def _linear_derivative(x, theta):
    return 2 * x


def _cubic(x, theta):
    return x * theta ** 3


def _cubic_derivative(x, theta):
    return 3 * x * theta ** 2


def _wrong_sign_derivative(x, theta):
    """-3 times the derivative of x * theta**3: grad and gradapprox point in opposite directions."""
    return -9 * x * theta ** 2


OPPOSITE_CASES = [(2.0, 1.0, 1e-2), (-0.7, 1.3, 1e-3)]


class _Using:
    """Put forward / backward in place of forward_propagation / backward_propagation where gradient_check
    looks them up, and put the student's back afterwards: gradient_check is tested on its own, with J
    and its derivative given here, so a mistake in the two functions above shows only in their tests."""

    def __init__(self, target, forward, backward):
        self.namespace = getattr(target, "__globals__", None)
        assert self.namespace is not None, "gradient_check 应该是一个普通的 Python 函数 (def 或 lambda)。"
        self.functions = {"forward_propagation": forward, "backward_propagation": backward}

    def __enter__(self):
        self.saved = {name: self.namespace.get(name) for name in self.functions}
        self.namespace.update(self.functions)

    def __exit__(self, *exc):
        for name, value in self.saved.items():
            if value is None:
                self.namespace.pop(name, None)
            else:
                self.namespace[name] = value


def gradient_check_test(target):
    # The notebook's linear J: every correct way of writing the centred difference stays below the rounding bound.
    with _Using(target, _linear, _linear_derivative):
        for x in (X_1D, -X_1D):
            difference = target(x, THETA_1D)
            _check_python_float(difference, "gradient_check")
            assert difference == difference, "difference 是 NaN：检查分母是否为 0。"
            bound = _linear_bound(THETA_1D, 1e-7)
            assert 0 <= difference <= bound, (
                f"gradient_check(x={x}, theta={THETA_1D}) 的值不对：J 是线性函数，中心差分没有截断误差，"
                f"difference 只能来自舍入误差，应在 0 到 {bound:.2g} 之间，得到 {_num(difference)}。"
                + _difference_hint(difference))

    # A non-linear J makes the difference quotient itself visible.
    with _Using(target, _cubic, _cubic_derivative):
        for x, theta, epsilon in CUBIC_CASES:
            difference = target(x, theta, epsilon=epsilon)
            expected, one_sided = _cubic_centred(theta, epsilon), _cubic_one_sided(theta, epsilon)
            value = float(np.asarray(difference).reshape(()))
            assert np.isclose(value, expected, rtol=RTOL_CUBIC, atol=0), (
                f"用 J(theta) = x * theta**3（导数 3 * x * theta**2）检验：x={x}, theta={theta}, epsilon={epsilon:g} 时，"
                f"中心差分给出 x * (3 * theta**2 + epsilon**2)，difference 应为 epsilon**2 / (6 * theta**2 + epsilon**2) = "
                f"{expected:.6g}，得到 {_num(value)}。" + _difference_hint(value, expected, one_sided))

    # A backward pass of the wrong sign: the relative difference of opposite vectors is exactly 1.
    with _Using(target, _cubic, _wrong_sign_derivative):
        for x, theta, epsilon in OPPOSITE_CASES:
            value = float(np.asarray(target(x, theta, epsilon=epsilon)).reshape(()))
            assert np.isclose(value, 1.0, rtol=0, atol=1e-12), (
                f"用 J(theta) = x * theta**3 和一个符号错的导数 -9 * x * theta**2 检验：x={x}, theta={theta}, "
                f"epsilon={epsilon:g} 时 grad 与 gradapprox 符号相反，difference 应为 1，得到 {_num(value)}。"
                + _opposite_hint(value))
    _passed("gradient_check")


def gradient_check_n_test(target):
    X, Y, parameters = _network_case()
    grads = _copy(CORRECT_GRADIENTS)
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
        f"正确梯度、epsilon={EPSILON_COARSE:g} 时 difference 应为 {_num(DIFFERENCE_FIXED_COARSE)}"
        f"（中心差分的截断误差，O(epsilon^2)），得到 {_num(value)}。"
        + ("这比中心差分的截断误差大得多：可能用了单侧差分 (J(theta + epsilon) - J(theta)) / epsilon（误差是 O(epsilon)），"
           "也可能前一个分量的扰动没有撤销（每个分量都要从原始参数向量的副本 np.copy 出发）。"
           if value > 10 * DIFFERENCE_FIXED_COARSE else _FORMULA_HINT))

    difference = target(parameters, grads, X, Y)
    value = float(np.asarray(difference).reshape(()))
    assert 0 <= value < THRESHOLD, (
        f"正确的梯度、epsilon=1e-7 时 difference 应小于 {THRESHOLD:g}（约 1.2e-07，来自舍入误差），得到 {_num(value)}。"
        + _FORMULA_HINT)
    _passed("gradient_check_n")


def backward_propagation_n_fixed_test(target):
    X, Y, parameters = _network_case()
    cache = _forward_cache(X, parameters)
    expected = CORRECT_GRADIENTS
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
                if np.isclose(ratio[0], X.shape[1]):
                    hint = f"（你的结果正好是正确值的 {ratio[0]:.6g} 倍，也就是 m 倍：是不是少乘了 1/m？）"
            idx = tuple(int(i) for i in np.argwhere(~np.isclose(got, want, rtol=1e-7, atol=1e-12))[0])
            raise AssertionError(
                f"gradients['{key}'] 的数值不对{hint}：下标 {idx} 处期望 {_num(want[idx])}，得到 {_num(got[idx])}。")
    _passed("backward_propagation_n_fixed")


def gradient_check_report_test(target):
    X, Y, parameters = _network_case()
    grads = _copy(CORRECT_GRADIENTS)
    buggy = _buggy_gradients(grads)
    parameters_before = _copy(parameters)

    report = target(parameters, buggy, X, Y)
    _check_untouched(parameters_before, parameters, "parameters")
    assert isinstance(report, dict), (
        f"gradient_check_report 应该返回字典 (dict)，但返回的是 {_type_name(report)}。")
    assert sorted(report) == sorted(BLOCKS), (
        f"字典的键应该正好是 {BLOCKS}，得到 {[str(k) for k in report]}。")
    for name in BLOCKS:
        _check_python_float(report[name], f"gradient_check_report 中 '{name}' 的值")
        if name in REPORT_BUGGY:
            assert np.isclose(report[name], REPORT_BUGGY[name], rtol=RTOL_REPORT, atol=0), (
                f"'{name}' 块的 difference 不对：这一块的梯度是正确值的 {4 if name == 'b1' else 2} 倍，"
                f"difference 应为 |c - 1| / (c + 1) = {REPORT_BUGGY[name]:.6g}，得到 {_num(report[name])}。"
                "每一块都要只用属于这一块的分量计算 ||grad - gradapprox|| / (||grad|| + ||gradapprox||)。")
        else:
            assert 0 <= report[name] < REPORT_NOISE, (
                f"'{name}' 块的梯度是正确的，它的 difference 应该只有舍入误差的量级（小于 {REPORT_NOISE:g}），"
                f"得到 {_num(report[name])}。每一块都要只用属于这一块的分量计算。")

    report = target(parameters, grads, X, Y)
    for name in BLOCKS:
        assert 0 <= float(report[name]) < REPORT_NOISE, (
            f"梯度全部正确时，'{name}' 块的 difference 应该小于 {REPORT_NOISE:g}，得到 {_num(report[name])}。")
    _passed("gradient_check_report")
