"""Hidden graders of the Initialization assignment.

Each test calls the submission's function (in the sandbox child) on a case the public tests
do not use and compares with the reference solution from source/. Points per item:
zeros 2, random 3, he 3 (the cell points of the master notebook); the bonus xavier 2 is extra
credit (metadata.course.extra_credit): it adds on top of the maximum of 8.

When a result is wrong, the message says what the numbers point to, as the public tests do:
the scale the weights were multiplied by (sqrt(1/n[l-1]) instead of sqrt(2/n[l-1]), a misplaced
bracket, ...), a missing np.random.seed(3), or a seed set again inside the loop.
"""
import contextlib

import numpy as np
import pytest

from course.checks import CheckFailed, expect_dict_of_arrays, fail

# Same seeds and formulas as the reference: results agree to the last bit; the tolerance only
# allows for a different but equivalent order of operations (e.g. sqrt(2)/sqrt(n), randn(...) / sqrt(n/2)):
# each such step adds at most a few units of 2**-53 relative, far below 1e-7.
RTOL, ATOL = 1e-7, 1e-12

CASES = [[5, 3, 2, 1], [1, 1], [7, 20, 1], [4, 6, 6, 3, 1]]
IDS = [f"layers_dims={c}" for c in CASES]

# The scale factors a student may have used, as functions of (n[l-1], n[l]).
SCALES = {
    "np.sqrt(2 / n[l-1])（He）": lambda a, b: np.sqrt(2 / a),
    "np.sqrt(1 / n[l-1])（tanh 的 Xavier）": lambda a, b: np.sqrt(1 / a),
    "np.sqrt(2 / (n[l-1] + n[l]))（Glorot 的 Xavier）": lambda a, b: np.sqrt(2 / (a + b)),
    "np.sqrt(2 / n[l-1] + n[l])（括号位置错了：这是先算 2/n[l-1]，再加上 n[l]，最后开方）": lambda a, b: np.sqrt(2 / a + b),
    "np.sqrt(2 / n[l])（用了这一层的单元数，而不是输入个数 n[l-1]）": lambda a, b: np.sqrt(2 / b),
    "np.sqrt(2) / n[l-1]": lambda a, b: np.sqrt(2) / a,
    "2 / n[l-1]（忘了开方）": lambda a, b: 2 / a,
    "10": lambda a, b: 10.0,
    "1（没有缩放）": lambda a, b: 1.0,
    "0.01": lambda a, b: 0.01,
}
EXPECTED_SCALE = {
    "initialize_parameters_random": "10",
    "initialize_parameters_he": "np.sqrt(2 / n[l-1])（He）",
    "initialize_parameters_xavier": "np.sqrt(2 / (n[l-1] + n[l]))（Glorot 的 Xavier）",
}


@contextlib.contextmanager
def _patched(**attrs):
    """Temporarily replace functions of np.random in this (the grading) process."""
    saved = {name: getattr(np.random, name) for name in attrs}
    try:
        for name, value in attrs.items():
            setattr(np.random, name, value)
        yield
    finally:
        for name, value in saved.items():
            setattr(np.random, name, value)


def _reference_without_seed(fn, dims, seed_before):
    """What the reference gives if np.random.seed(3) is left out: the state set before the call is used."""
    np.random.seed(seed_before)
    with _patched(seed=lambda *a, **k: None):
        return fn(dims)


def _reference_seed_every_layer(fn, dims):
    """What the reference gives if np.random.seed(3) is called again before every layer's draw."""
    randn = np.random.randn

    def reseeded(*shape):
        np.random.seed(3)
        return randn(*shape)

    with _patched(randn=reseeded):
        return fn(dims)


def _same(got, expected):
    return (type(got) is dict and set(got) == set(expected)
            and all(type(got[k]) is np.ndarray and got[k].shape == expected[k].shape
                    and np.allclose(got[k], expected[k], rtol=RTOL, atol=ATOL) for k in expected))


def _diagnose(name, dims, got, expected, reference, seed_before):
    """Text naming the mistake a wrong result points to ("" when none is recognised)."""
    if type(got) is not dict:
        return ""
    if seed_before is not None:
        fn = getattr(reference, name)
        if _same(got, _reference_without_seed(fn, dims, seed_before)):
            return ("你的结果与“没有设置随机种子”时一致：函数开头要调用 np.random.seed(3)（模板里已经写好，不要删除），"
                    "否则结果取决于调用之前的随机状态。")
        if _same(got, _reference_seed_every_layer(fn, dims)):
            return ("你的结果与“每一层都重新调用 np.random.seed(3)”时一致：种子只在函数开头设置一次，"
                    "循环里不要再设置，否则每一层都抽到同一串随机数。")
    hints = []
    for l in range(1, len(dims)):
        key = f"W{l}"
        w, want = got.get(key), expected.get(key)
        if type(w) is not np.ndarray or w.shape != want.shape or name not in EXPECTED_SCALE:
            continue
        nonzero = want != 0
        if not nonzero.any() or np.any(w[~nonzero] != 0):
            continue
        if not np.any(w):
            hints.append(f"{key} 全是 0：乘的缩放因子是 0。像 np.sqrt(2 // n[l-1]) 这样用了整数除法 // 时，n[l-1] > 2 "
                         "的层 2 // n[l-1] 等于 0，要写 2 / n[l-1]。")
            break
        if w.size >= 4 and np.all(w >= 0) and np.any(want < 0):
            hints.append(f"{key} 的元素全都不小于 0：像是用了 np.random.rand（[0, 1) 上的均匀分布），本题要用 "
                         "np.random.randn（标准正态分布，有正有负）。")
            break
        if nonzero.sum() < 2:  # one number is always a multiple of another: nothing can be known
            continue
        ratios = w[nonzero] / want[nonzero]
        ratio = float(ratios[0])
        if not np.allclose(ratios, ratio, rtol=1e-6, atol=0) or np.isclose(ratio, 1.0):
            continue
        right = SCALES[EXPECTED_SCALE[name]](dims[l - 1], dims[l])
        used = [label for label, scale in SCALES.items()
                if np.isclose(ratio * right, scale(dims[l - 1], dims[l]), rtol=1e-6)]
        if used:
            hints.append(f"{key} 用的随机数是对的，但乘的缩放因子是 {used[0]}，而本题要乘以 {EXPECTED_SCALE[name]}。")
        else:  # expect_array's message already names the factor
            hints.append(f"{key} 与正确值只差一个共同的因子：随机数是对的，缩放因子不对。")
        break
    return "".join(hints)


def _b_hint(key, value):
    if key.startswith("b") and type(value) is not np.ndarray:
        return "偏置 b 要用 np.zeros((n[l], 1)) 创建成列向量，不能写成 Python 标量 0。"
    return ""


def _compare(submission, reference, name, dims, seed_before=None):
    got = submission.call(name, dims, seed=seed_before)
    expected = getattr(reference, name)(dims)
    try:
        expect_dict_of_arrays(got, expected, f"{name}({dims})", rtol=RTOL, atol=ATOL, hint=_b_hint)
    except CheckFailed as exc:
        extra = _diagnose(name, dims, got, expected, reference, seed_before)
        if extra:
            raise CheckFailed(f"{exc}{extra}") from None
        raise


@pytest.mark.grade(item="initialize_parameters_zeros", points=0.5)
@pytest.mark.parametrize("dims", CASES, ids=IDS)
def test_zeros(submission, reference, dims):
    """全零初始化：每个 W、b 的形状、类型和数值（b 必须是 (n, 1) 数组）。"""
    _compare(submission, reference, "initialize_parameters_zeros", dims)


@pytest.mark.grade(item="initialize_parameters_random", points=0.5)
@pytest.mark.parametrize("dims", CASES, ids=IDS)
def test_random(submission, reference, dims):
    """大随机数初始化：np.random.seed(3) 之后 randn * 10，b 为 0。"""
    _compare(submission, reference, "initialize_parameters_random", dims, seed_before=7)


@pytest.mark.grade(item="initialize_parameters_random", points=1)
def test_random_reseeds_every_call(submission, reference):
    """调用前的随机状态不同，连续调用两次结果仍然相同：函数内部每次都要设置随机种子。"""
    dims = [3, 4, 1]
    first = submission.call("initialize_parameters_random", dims, seed=11)
    second = submission.call("initialize_parameters_random", dims, seed=12)
    if type(first) is dict and type(second) is dict and set(first) == set(second) and not all(
            type(first[k]) is np.ndarray and type(second[k]) is np.ndarray and first[k].shape == second[k].shape
            and np.array_equal(first[k], second[k]) for k in first):
        fail("两次调用之前的随机状态不同（一次 np.random.seed(11)，一次 np.random.seed(12)），你的函数返回了不同的结果："
             "函数内部没有设置随机种子，结果取决于调用之前的随机状态。请保留函数开头的 np.random.seed(3)。")
    expected = reference.initialize_parameters_random(dims)
    _compare_result(first, expected, "initialize_parameters_random([3, 4, 1])", reference, dims)


def _compare_result(got, expected, what, reference, dims):
    try:
        expect_dict_of_arrays(got, expected, what, rtol=RTOL, atol=ATOL, hint=_b_hint)
    except CheckFailed as exc:
        extra = _diagnose("initialize_parameters_random", dims, got, expected, reference, None)
        if extra:
            raise CheckFailed(f"{exc}{extra}") from None
        raise


@pytest.mark.grade(item="initialize_parameters_he", points=0.5)
@pytest.mark.parametrize("dims", CASES, ids=IDS)
def test_he(submission, reference, dims):
    """He 初始化：randn(n[l], n[l-1]) * sqrt(2 / n[l-1])，b 为 0。"""
    _compare(submission, reference, "initialize_parameters_he", dims, seed_before=5)


PARAMETER_KEYS = ("W1", "b1", "W2", "b2", "W3", "b3")


def _training_start(got, dims):
    """The submission's initial parameters as float arrays for the given train(), or None when they
    cannot be trained on (a wrong type, key or shape fails the test as training them would)."""
    if type(got) is not dict or not all(k in got for k in PARAMETER_KEYS):
        return None
    start = dict(got)
    for l in range(1, len(dims)):
        for key, shape in ((f"W{l}", (dims[l], dims[l - 1])), (f"b{l}", (dims[l], 1))):
            try:
                value = np.asarray(got[key], dtype=float)
            except (TypeError, ValueError):
                return None
            if value.shape != shape:
                return None
            start[key] = value
    return start


@pytest.mark.grade(item="initialize_parameters_he", points=1)
def test_he_training_run(submission, reference, feedback):
    """用你的 He 初始化训练给定模型 500 步，参数和 cost 曲线应与参考实现一致。"""
    X, Y = reference.train_X, reference.train_Y
    dims = [X.shape[0], 10, 5, 1]
    expected, expected_costs = reference.train(X, Y, reference.initialize_parameters_he,
                                               num_iterations=500, record_every=25)
    plot = dict(title="cost during 500 iterations (He)", xlabel="iteration / 25", ylabel="cost")
    feedback.curves(curves={"reference": expected_costs}, **plot)
    # The given train() runs here, in the grading process, on the plain data the submission's
    # initializer returned: nothing the submission patched in its own process (init_utils'
    # functions, train.__code__, ...) can change what training does.
    initial = submission.call("initialize_parameters_he", dims)
    start = _training_start(initial, dims)
    if start is None:
        fail(f"initialize_parameters_he({dims}) 返回的不是可以训练的参数：应是一个 dict，W1..W3、b1..b3 "
             "都是形状正确的数值数组。")
    with np.errstate(all="ignore"):
        got = reference.train(X, Y, lambda layers_dims: dict(start), num_iterations=500, record_every=25)
    feedback.curves(curves={"reference": expected_costs, "yours": got[1]}, **plot)
    # 500 gradient steps amplify rounding differences a little.
    try:
        expect_dict_of_arrays(got[0], expected, "训练 500 步后的 parameters", rtol=1e-6, atol=1e-9)
    except CheckFailed as exc:
        if not _same(initial, reference.initialize_parameters_he(dims)):
            raise CheckFailed(f"{exc}训练结果不同，是因为初始参数就不同：先改正上面 He 初始化本身的问题。") from None
        raise


@pytest.mark.grade(item="initialize_parameters_xavier", points=0.5)
@pytest.mark.parametrize("dims", CASES, ids=IDS)
def test_xavier(submission, reference, dims):
    """Xavier 初始化：randn * sqrt(2 / (n[l-1] + n[l]))，注意括号。"""
    _compare(submission, reference, "initialize_parameters_xavier", dims, seed_before=9)
