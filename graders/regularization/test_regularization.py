"""Hidden graders of the Regularization assignment.

Each test calls the submission's function (in the sandbox child) on cases the public tests do
not use and compares with the reference solution from source/ (run in this process).
Points per item (= the cell points of the master notebook):
compute_cost_with_regularization 2, backward_propagation_with_regularization 2,
forward_propagation_with_dropout 3, backward_propagation_with_dropout 3.

Each item is scored on its own: the short training runs go through the given ``model`` in
this process with the reference solution for every function except the one under test, which
is called in the sandbox child at every iteration.

One slip repeated in both dropout functions costs once (issue 21): a backward pass without the
division by keep_prob is accepted when the submission's forward pass leaves it out too (that costs
the forward pass its points); with a correct forward pass it costs the backward pass its points.

Random numbers: the dropout forward pass must not reseed (ERRATA 5). Tests seed numpy in the
child right before a call (``seed=``) and seed this process the same way before the reference
call, so the masks agree draw for draw.

Tolerances: the same formulas on the same inputs agree to rounding, so single calls are
compared with rtol 1e-7 (1e-9 for the cost); 100 gradient steps amplify rounding differences
of an equivalent formulation a little, so training runs are compared with rtol 1e-6.
"""
import numpy as np
import pytest

from course.checks import CheckFailed, expect_array, expect_dict_of_arrays, expect_float, fail, plain
from course.grading.session import SubmissionFailure
from course.sandbox.wire import Unsupported

GRAD_KEYS = "dZ3 dW3 db3 dA2 dZ2 dW2 db2 dA1 dZ1 dW1 db1".split()
CACHE_NAMES = ["Z1", "D1", "A1", "W1", "b1", "Z2", "D2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3"]
PARAM_KEYS = ["W1", "b1", "W2", "b2", "W3", "b3"]

RTOL, ATOL = 1e-7, 1e-10
RTOL_COST = 1e-9
RTOL_RUN, ATOL_RUN = 1e-6, 1e-9
RUN_ITERATIONS = 100

COST = "compute_cost_with_regularization"
BACKWARD_L2 = "backward_propagation_with_regularization"
FORWARD_DROPOUT = "forward_propagation_with_dropout"
BACKWARD_DROPOUT = "backward_propagation_with_dropout"


# ---------------------------------------------------------------------------------------
# Cases


def _network(dims, m, seed):
    """X (dims[0], m), Y (1, m) with both classes, and parameters W1..b3 drawn from RandomState(seed)."""
    rng = np.random.RandomState(seed)
    X = rng.randn(dims[0], m)
    Y = (rng.rand(1, m) > 0.5).astype(int)
    Y[0, 0], Y[0, -1] = 1, 0
    parameters = {}
    for l in range(1, 4):
        parameters[f"W{l}"] = rng.randn(dims[l], dims[l - 1]) * 0.8
        parameters[f"b{l}"] = rng.randn(dims[l], 1) * 0.3
    return X, Y, parameters


# name -> (dims, m, seed)
NETWORKS = {
    "5-4-3-1,m=7": ([5, 4, 3, 1], 7, 3),
    "2-20-3-1,m=12": ([2, 20, 3, 1], 12, 8),
    "3-6-2-1,m=4": ([3, 6, 2, 1], 4, 21),
    "4-8-5-1,m=30": ([4, 8, 5, 1], 30, 5),
}


def _case(name):
    dims, m, seed = NETWORKS[name]
    return _network(dims, m, seed)


def _describe(value):
    if isinstance(value, Unsupported):
        return f"无法传回评分程序的对象（{value.type_name}）"
    if type(value) is np.ndarray:
        return f"numpy 数组（形状 {value.shape}，dtype {value.dtype}）"
    return type(value).__name__


def _expect_mask(got, expected, name, hint=""):
    """A dropout mask: same shape, only 0/1 (bool or numbers), equal to the reference's entry by entry."""
    if type(got) is not np.ndarray:
        fail(f"{name} 应该是 numpy 数组，但得到的是 {_describe(got)}。")
    if got.shape != expected.shape:
        fail(f"{name} 的形状 (shape) 不对：期望 {expected.shape}，得到 {got.shape}。")
    if not (got.dtype == np.bool_ or np.issubdtype(got.dtype, np.number)):
        fail(f"{name} 的数据类型 (dtype) 应为布尔或数值，得到 {got.dtype}。")
    values = got.astype(float)
    if not np.all((values == 0) | (values == 1)):
        fail(f"{name} 应该只含 0 和 1（或 False 和 True），这里有其他值：掩码是 np.random.rand(...) < keep_prob 的结果。")
    differ = values != expected.astype(float)
    if differ.any():
        idx = tuple(int(i) for i in np.argwhere(differ)[0])
        fail(f"{name} 与参考实现不同：下标 {idx} 处期望 {int(expected[idx])}，得到 {values[idx]:g}"
             f"（共 {int(differ.sum())} / {differ.size} 个元素不同）。{hint}")


def _forward_output(got, what):
    """Check the (A3, cache) structure returned by the dropout forward pass; return (A3, dict of cache)."""
    if not isinstance(got, tuple) or len(got) != 2:
        fail(f"{what} 应该返回 (A3, cache) 两个值，但返回的是 {_describe(got)}。")
    A3, cache = got
    if not isinstance(cache, (tuple, list)) or len(cache) != 14:
        extra = f"（{len(cache)} 个元素）" if isinstance(cache, (tuple, list)) else ""
        fail(f"{what} 返回的 cache 应该是 14 个元素的 tuple {tuple(CACHE_NAMES)}，得到 {_describe(cache)}{extra}。")
    return A3, dict(zip(CACHE_NAMES, cache))


MASK_HINT = ("掩码要用 np.random.rand(*A.shape) < keep_prob 生成，先 D1 后 D2，中间不要多抽随机数；"
             "函数里不要调用 np.random.seed。np.random.binomial(1, keep_prob, ...) 等其他抽法分布相同，"
             "但同样的种子抽出的掩码不同，练习规定用 np.random.rand。")


def _activation_hint(name, got, exp_cache, keep_prob):
    """What a wrong cached activation A1 / A2 is, when it is one of the two common mistakes ("" otherwise):
    the activation before dropout relu(Z), or the masked one not divided by keep_prob."""
    layer = name[1]
    Z, D = exp_cache["Z" + layer], exp_cache["D" + layer]
    if type(got) is not np.ndarray or got.shape != Z.shape or not np.issubdtype(got.dtype, np.number):
        return ""
    before = np.maximum(0, Z)
    if np.allclose(got, before, rtol=RTOL, atol=ATOL):
        return (f"cache 中的 {name} 是 dropout 之前的激活值 relu(Z{layer})：cache 里应存 dropout 之后的 "
                f"{name}（A{layer} * D{layer} / keep_prob），下一层的 Z 和反向传播都用它。")
    if keep_prob != 1 and np.allclose(got, before * D, rtol=RTOL, atol=ATOL):
        return (f"cache 中的 {name} 关闭了单元 (A{layer} * D{layer}) 但没有除以 keep_prob：dropout 之后 {name} 的平均值是 "
                f"{float(np.mean(got)):.4f}，不做 dropout 时是 {float(np.mean(before)):.4f}（keep_prob={keep_prob:g}）。"
                "关闭单元之后要把保留下来的激活值除以 keep_prob（inverted dropout），这样平均值（期望值）才与不做 dropout 时相当，"
                "测试时也不必再缩放。")
    return ""


def _compare_forward(got, expected, what, keep_prob):
    A3, cache = _forward_output(got, what)
    exp_A3, exp_cache = expected[0], dict(zip(CACHE_NAMES, expected[1]))
    for name in ("D1", "D2"):
        _expect_mask(cache[name], exp_cache[name], f"{what}：cache 中的 {name}", MASK_HINT)
    for name in CACHE_NAMES:
        if name not in ("D1", "D2"):
            hint = _activation_hint(name, cache[name], exp_cache, keep_prob) if name in ("A1", "A2") else ""
            expect_array(cache[name], exp_cache[name], f"{what}：cache 中的 {name}", rtol=RTOL, atol=ATOL, hint=hint)
    expect_array(A3, exp_A3, f"{what}：A3", rtol=RTOL, atol=ATOL)


def _reference_forward(reference, X, parameters, keep_prob, seed):
    np.random.seed(seed)
    return reference.forward_propagation_with_dropout(X, parameters, keep_prob)


# ---------------------------------------------------------------------------------------
# Training runs through the given model


def _gradients_output(got, what, shapes):
    if type(got) is not dict:
        fail(f"{what} 应该返回字典 (dict)，但返回的是 {_describe(got)}。")
    for key, shape in shapes.items():
        if key not in got:
            fail(f"{what} 返回的字典缺少键 '{key}'。")
        if type(got[key]) is not np.ndarray or got[key].shape != shape:
            fail(f"{what} 返回的 '{key}' 应该是形状 {shape} 的 numpy 数组，得到 {_describe(got[key])}。")
    return got


def _proxy(submission, name, check, first_seed=None):
    """A stand-in for one graded function that calls the submission's version in the child."""
    calls = [0]

    def call(*args):
        seed = first_seed if calls[0] == 0 else None
        calls[0] += 1
        return check(submission.call(name, *args, seed=seed), calls[0])

    return call


def _train(reference, replacements, **kwargs):
    """reference.model on the football training set, the reference functions except the replacements."""
    functions = {n: getattr(reference, n) for n in (COST, BACKWARD_L2, FORWARD_DROPOUT, BACKWARD_DROPOUT)}
    functions.update(replacements)
    try:
        return reference.model(reference.train_X, reference.train_Y, num_iterations=RUN_ITERATIONS,
                               print_cost=False, functions=functions, **kwargs)
    except (CheckFailed, SubmissionFailure):
        raise
    except Exception as exc:  # the submission returned something the training loop cannot use
        fail(f"用你的函数训练时出错：{type(exc).__name__}: {exc}")


_EXPECTED_RUNS: dict = {}


def _expected_run(reference, **kwargs):
    """The reference-only run, computed once per grading process (it is the same for every submission)."""
    key = (id(reference), tuple(sorted(kwargs.items())))
    if key not in _EXPECTED_RUNS:
        _EXPECTED_RUNS[key] = _train(reference, {}, **kwargs)
    return _EXPECTED_RUNS[key]


def _expect_run(got, expected, setting):
    expect_dict_of_arrays(got, expected, f"用 {setting} 训练 {RUN_ITERATIONS} 步后的 parameters",
                          rtol=RTOL_RUN, atol=ATOL_RUN)


def _backward_check(what, dims):
    """Check of the gradients returned at iteration k, for a network of layer sizes dims."""
    shapes = {}
    for l in range(1, 4):
        shapes[f"dW{l}"] = (dims[l], dims[l - 1])
        shapes[f"db{l}"] = (dims[l], 1)
    return lambda got, k: _gradients_output(got, f"第 {k} 次迭代时 {what}", shapes)


def _number(got, what):
    """A returned cost as a float: Python float, numpy float or size-1 array."""
    if isinstance(got, np.ndarray):
        if got.size != 1 or not np.issubdtype(got.dtype, np.number):
            fail(f"{what} 应该是一个数，但得到的是 {_describe(got)}。")
        got = got.reshape(())[()]
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, float, np.integer, np.floating)):
        fail(f"{what} 应该是一个数，但得到的是 {_describe(got)}。")
    value = float(got)
    if not np.isfinite(value):
        fail(f"{what} 应该是有限的数，得到 {value!r}。")
    return value


def _numeric_array(got, key, shape, what):
    if type(got) is not dict:
        fail(f"{what} 应该是字典 (dict)，但得到的是 {_describe(got)}。")
    value = got.get(key)
    if type(value) is not np.ndarray or value.shape != shape or not np.issubdtype(value.dtype, np.number):
        fail(f"{what}['{key}'] 应该是形状 {shape} 的数值 numpy 数组，得到 {_describe(value)}。")
    return value


# ---------------------------------------------------------------------------------------
# compute_cost_with_regularization (2 points)

COST_CASES = [("5-4-3-1,m=7", 0.7), ("2-20-3-1,m=12", 0.05), ("3-6-2-1,m=4", 3.0), ("4-8-5-1,m=30", 1e-3)]


def _cost_hint(reference, A3, Y, parameters, lambd):
    """A function of the returned cost that names the mistake its L2 term points to (as the public test)."""
    cross_entropy = float(reference.compute_cost(A3, Y))
    want = float(reference.compute_cost_with_regularization(A3, Y, parameters, lambd)) - cross_entropy
    m = Y.shape[1]

    def hint(got):
        term = got - cross_entropy
        if want == 0:
            return ""
        for factor, text in ((m, "正则项正好是正确值的 m 倍：少了因子 1/m。"),
                             (2, "正则项正好是正确值的 2 倍：少了因子 1/2。"),
                             (2 * m, "正则项正好是正确值的 2m 倍：少了因子 1/(2m)，应为 (lambd / (2 m)) * 权重平方和。"),
                             (1 / m, "正则项正好是正确值的 1/m：多除了一次 m。")):
            if np.isclose(term, factor * want, rtol=1e-6):
                return text
        if abs(term) < 1e-12 * max(1.0, abs(cross_entropy)):
            return "cost 就是交叉熵：正则项没有加上去。"
        return "正则项应为 (1/m) * (lambd/2) * (W1、W2、W3 所有元素的平方和)，只包含权重，不包含偏置 b。"

    return hint


@pytest.mark.grade(item=COST, points=1)
def test_cost_other_lambdas_and_shapes(submission, reference):
    """其他网络大小、样本数和 lambd 下的正则化 cost。"""
    for net, lambd in COST_CASES:
        X, Y, parameters = _case(net)
        A3, _ = reference.forward_propagation(X, parameters)
        got = submission.call(COST, A3, Y, parameters, lambd)
        expect_float(got, reference.compute_cost_with_regularization(A3, Y, parameters, lambd),
                     f"网络 {net}、lambd={lambd} 时的 cost", rtol=RTOL_COST, atol=1e-12,
                     hint=_cost_hint(reference, A3, Y, parameters, lambd))


@pytest.mark.grade(item=COST, points=0.5)
def test_cost_lambd_zero_is_plain_cost(submission, reference):
    """lambd=0 时正则化 cost 就是交叉熵 compute_cost。"""
    for net in ("5-4-3-1,m=7", "4-8-5-1,m=30"):
        X, Y, parameters = _case(net)
        A3, _ = reference.forward_propagation(X, parameters)
        got = submission.call(COST, A3, Y, parameters, 0)
        expect_float(got, float(reference.compute_cost(A3, Y)), f"网络 {net}、lambd=0 时的 cost",
                     rtol=RTOL_COST, atol=1e-12)


@pytest.mark.grade(item=COST, points=0.5)
def test_cost_penalizes_weights_only(submission, reference):
    """正则项只含权重：改变偏置 b 不改变 cost；lambd > 0 时 cost 大于交叉熵。"""
    X, Y, parameters = _case("2-20-3-1,m=12")
    A3, _ = reference.forward_propagation(X, parameters)
    lambd = 0.7
    base = _number(submission.call(COST, A3, Y, parameters, lambd), f"lambd={lambd} 时的 cost")
    shifted = {k: (v + 5.0 if k.startswith("b") else v) for k, v in parameters.items()}
    other = submission.call(COST, A3, Y, shifted, lambd)
    expect_float(other, base, "只把每个偏置 b 加上 5 之后的 cost（A3 不变）", rtol=1e-12, atol=1e-12)
    cross_entropy = float(reference.compute_cost(A3, Y))
    if not base > cross_entropy:
        fail(f"lambd={lambd} 时正则化 cost 应大于交叉熵 {cross_entropy!r}，得到 {base!r}：正则项是权重的平方和，"
             "W 不全为 0 时它是正数。")


# ---------------------------------------------------------------------------------------
# backward_propagation_with_regularization (2 points)

L2_CASES = [("5-4-3-1,m=7", 0.7), ("2-20-3-1,m=12", 0.1), ("3-6-2-1,m=4", 2.5), ("4-8-5-1,m=30", 0.35)]


def _l2_hint(reference, X, Y, cache, lambd):
    """A function of (key, returned dW) naming what the L2 term of a wrong dW points to."""
    plain = reference.backward_propagation(X, Y, cache)
    weights = {"dW1": cache[2], "dW2": cache[6], "dW3": cache[10]}
    m = X.shape[1]

    def hint(key, got):
        if key not in weights or type(got) is not np.ndarray or got.shape != weights[key].shape:
            return ""
        term, W = got - plain[key], weights[key]
        for factor, text in ((lambd, "正则项的导数正好是 lambd * W：少了因子 1/m。"),
                             (lambd / (2 * m), "正则项的导数正好是 (lambd / (2m)) * W：对 (lambd/(2m)) * W² 求导时 2 要约掉，应为 (lambd / m) * W。"),
                             (2 * lambd / m, "正则项的导数正好是 (2 lambd / m) * W：多乘了 2，应为 (lambd / m) * W。"),
                             (0.0, "只有交叉熵的梯度：dW 没有加上正则项的导数 (lambd / m) * W。")):
            if np.allclose(term, factor * W, rtol=1e-6, atol=1e-12):
                return text
        return "每个 dW 都要在交叉熵的梯度之外加上 (lambd / m) * W（对应的那一层的 W）。"

    return hint


@pytest.mark.grade(item=BACKWARD_L2, points=1)
def test_backward_l2_other_lambdas_and_shapes(submission, reference):
    """其他网络大小、样本数和 lambd 下的 11 个梯度。"""
    for net, lambd in L2_CASES:
        X, Y, parameters = _case(net)
        _, cache = reference.forward_propagation(X, parameters)
        got = submission.call(BACKWARD_L2, X, Y, cache, lambd)
        expected = reference.backward_propagation_with_regularization(X, Y, cache, lambd)
        expect_dict_of_arrays(got, expected, f"网络 {net}、lambd={lambd} 时的 gradients", keys=GRAD_KEYS,
                              exact_keys=False, rtol=RTOL, atol=ATOL, hint=_l2_hint(reference, X, Y, cache, lambd))


@pytest.mark.grade(item=BACKWARD_L2, points=0.5)
def test_backward_l2_lambd_zero_is_plain_backward(submission, reference):
    """lambd=0 时与不带正则化的 backward_propagation 完全相同。"""
    for net in ("2-20-3-1,m=12", "4-8-5-1,m=30"):
        X, Y, parameters = _case(net)
        _, cache = reference.forward_propagation(X, parameters)
        got = submission.call(BACKWARD_L2, X, Y, cache, 0)
        expect_dict_of_arrays(got, reference.backward_propagation(X, Y, cache), f"网络 {net}、lambd=0 时的 gradients",
                              keys=GRAD_KEYS, exact_keys=False, rtol=RTOL, atol=ATOL)


@pytest.mark.grade(item=BACKWARD_L2, points=0.5)
def test_backward_l2_training_run(submission, reference):
    """用你的 backward_propagation_with_regularization 训练给定模型 100 步 (lambd=0.7)，参数与参考实现一致。"""
    dims = [reference.train_X.shape[0], 20, 3, 1]
    proxy = _proxy(submission, BACKWARD_L2, _backward_check(BACKWARD_L2, dims))
    got = _train(reference, {BACKWARD_L2: proxy}, lambd=0.7)
    expected = _expected_run(reference, lambd=0.7)
    _expect_run(got, expected, "lambd=0.7")


# ---------------------------------------------------------------------------------------
# forward_propagation_with_dropout (3 points)

FORWARD_CASES = [("5-4-3-1,m=7", 0.5, 11), ("2-20-3-1,m=12", 0.86, 12), ("3-6-2-1,m=4", 0.3, 13),
                 ("4-8-5-1,m=30", 0.7, 14)]


@pytest.mark.grade(item=FORWARD_DROPOUT, points=1)
def test_forward_dropout_other_shapes_seeds_keep_probs(submission, reference):
    """其他网络大小、随机种子和 keep_prob 下的 A3 与 cache（掩码、dropout 后的激活值）；含默认 keep_prob=0.5。"""
    for net, keep_prob, seed in FORWARD_CASES:
        X, _, parameters = _case(net)
        got = submission.call(FORWARD_DROPOUT, X, parameters, keep_prob, seed=seed)
        expected = _reference_forward(reference, X, parameters, keep_prob, seed)
        _compare_forward(got, expected, f"网络 {net}、keep_prob={keep_prob}", keep_prob)
    X, _, parameters = _case("2-20-3-1,m=12")
    got = submission.call(FORWARD_DROPOUT, X, parameters, seed=15)
    np.random.seed(15)
    expected = reference.forward_propagation_with_dropout(X, parameters)
    _compare_forward(got, expected, "不传 keep_prob（默认 0.5）时", 0.5)


@pytest.mark.grade(item=FORWARD_DROPOUT, points=0.5)
def test_forward_dropout_keep_prob_one_changes_nothing(submission, reference):
    """keep_prob=1：掩码全为 1，A3 和激活值与不带 dropout 的 forward_propagation 相同。"""
    for net in ("5-4-3-1,m=7", "4-8-5-1,m=30"):
        X, _, parameters = _case(net)
        A3, cache = _forward_output(submission.call(FORWARD_DROPOUT, X, parameters, 1.0, seed=4),
                                    f"网络 {net}、keep_prob=1")
        plain_A3, plain = reference.forward_propagation(X, parameters)
        plain = dict(zip(["Z1", "A1", "W1", "b1", "Z2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3"], plain))
        for name in ("D1", "D2"):
            _expect_mask(cache[name], np.ones_like(plain["A" + name[1]], dtype=bool),
                         f"keep_prob=1 时的 {name}", "keep_prob=1 时每个单元都应保留。")
        for name in ("A1", "A2"):
            expect_array(cache[name], plain[name], f"keep_prob=1 时 cache 的 {name}", rtol=RTOL, atol=ATOL)
        expect_array(A3, plain_A3, f"网络 {net}、keep_prob=1 时的 A3", rtol=RTOL, atol=ATOL)


@pytest.mark.grade(item=FORWARD_DROPOUT, points=0.5)
def test_forward_dropout_inverted_scaling(submission, reference):
    """Inverted dropout：保留的单元除以 keep_prob，宽隐藏层的平均激活值与不做 dropout 时相当（同一种子下与参考实现一致）。"""
    X, _, parameters = _network([3, 200, 100, 1], 50, 31)
    keep_prob, seed = 0.5, 32
    A3, cache = _forward_output(submission.call(FORWARD_DROPOUT, X, parameters, keep_prob, seed=seed),
                                "宽网络 3-200-100-1、keep_prob=0.5")
    _, exp_cache = _reference_forward(reference, X, parameters, keep_prob, seed)
    exp_cache = dict(zip(CACHE_NAMES, exp_cache))
    _expect_mask(cache["D1"], exp_cache["D1"], "D1", MASK_HINT)
    expect_array(cache["A1"], exp_cache["A1"], "dropout 之后的 A1", rtol=RTOL, atol=ATOL,
                 hint=_activation_hint("A1", cache["A1"], exp_cache, keep_prob))
    _expect_mask(cache["D2"], exp_cache["D2"], "D2", MASK_HINT)
    expect_array(cache["A2"], exp_cache["A2"], "dropout 之后的 A2", rtol=RTOL, atol=ATOL,
                 hint=_activation_hint("A2", cache["A2"], exp_cache, keep_prob))


@pytest.mark.grade(item=FORWARD_DROPOUT, points=0.5)
def test_forward_dropout_does_not_reseed(submission, reference):
    """只设置一次种子、连续调用两次：两次的掩码不同，且都与参考实现连续两次调用的结果一致。"""
    X, _, parameters = _case("4-8-5-1,m=30")
    keep_prob, seed = 0.7, 41
    first = _forward_output(submission.call(FORWARD_DROPOUT, X, parameters, keep_prob, seed=seed), "第一次调用")[1]
    second = _forward_output(submission.call(FORWARD_DROPOUT, X, parameters, keep_prob), "第二次调用")[1]
    np.random.seed(seed)
    ref_first = dict(zip(CACHE_NAMES, reference.forward_propagation_with_dropout(X, parameters, keep_prob)[1]))
    ref_second = dict(zip(CACHE_NAMES, reference.forward_propagation_with_dropout(X, parameters, keep_prob)[1]))
    _expect_mask(first["D1"], ref_first["D1"], "第一次调用的 D1", MASK_HINT)
    _expect_mask(first["D2"], ref_first["D2"], "第一次调用的 D2", MASK_HINT)
    same = all(type(a) is np.ndarray and type(b) is np.ndarray and a.shape == b.shape and np.array_equal(a, b)
               for a, b in ((first["D1"], second["D1"]), (first["D2"], second["D2"])))
    if same:
        fail("连续调用两次得到了完全相同的掩码 D1、D2：函数内部不能调用 np.random.seed。"
             "每次迭代都应关闭不同的单元；随机种子由 model 在训练开始前设置一次。")
    _expect_mask(second["D1"], ref_second["D1"], "第二次调用的 D1", MASK_HINT)
    _expect_mask(second["D2"], ref_second["D2"], "第二次调用的 D2", MASK_HINT)


@pytest.mark.grade(item=FORWARD_DROPOUT, points=0.5)
def test_forward_dropout_training_run(submission, reference):
    """用你的 forward_propagation_with_dropout 训练给定模型 100 步 (keep_prob=0.86)，参数与参考实现一致。"""

    def check(got, k):
        _forward_output(got, f"第 {k} 次迭代时 {FORWARD_DROPOUT}")
        return got

    # model seeds numpy with 1 right before its loop; the child's generator must start there too.
    proxy = _proxy(submission, FORWARD_DROPOUT, check, first_seed=1)
    got = _train(reference, {FORWARD_DROPOUT: proxy}, keep_prob=0.86)
    expected = _expected_run(reference, keep_prob=0.86)
    _expect_run(got, expected, "keep_prob=0.86")


# ---------------------------------------------------------------------------------------
# backward_propagation_with_dropout (3 points)

BACKWARD_CASES = [("5-4-3-1,m=7", 0.5, 51), ("2-20-3-1,m=12", 0.86, 52), ("3-6-2-1,m=4", 0.6, 53),
                  ("4-8-5-1,m=30", 0.8, 54)]


def _masked_cache(reference, X, parameters, D1, D2, keep_prob):
    """The dropout cache of the forward pass with the given masks (built here, not drawn)."""
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in PARAM_KEYS)
    Z1 = W1 @ X + b1
    A1 = np.maximum(0, Z1) * D1 / keep_prob
    Z2 = W2 @ A1 + b2
    A2 = np.maximum(0, Z2) * D2 / keep_prob
    Z3 = W3 @ A2 + b3
    A3 = reference.sigmoid(Z3)
    return (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)


def _forward_leaves_out_scaling(submission, reference):
    """Does the submission's forward pass apply the reference's masks but leave out the division by
    keep_prob? Then a backward pass without it is the same slip, already paid for in the forward
    pass (issue 21): the backward tests accept it."""
    X, _, parameters = _case("4-8-5-1,m=30")
    try:
        got = submission.call(FORWARD_DROPOUT, X, parameters, 0.5, seed=61)
    except SubmissionFailure:
        return False
    if not isinstance(got, tuple) or len(got) != 2 or not isinstance(got[1], (tuple, list)) or len(got[1]) != 14:
        return False
    cache = dict(zip(CACHE_NAMES, got[1]))
    exp = dict(zip(CACHE_NAMES, _reference_forward(reference, X, parameters, 0.5, 61)[1]))
    A1, D1 = cache["A1"], cache["D1"]
    return (type(A1) is np.ndarray and type(D1) is np.ndarray and A1.shape == exp["A1"].shape
            and D1.shape == exp["D1"].shape and np.array_equal(D1.astype(bool), exp["D1"].astype(bool))
            and np.allclose(A1, np.maximum(0, exp["Z1"]) * exp["D1"], rtol=RTOL, atol=ATOL))


def _unscaled_backward(reference):
    """The backward pass without the division by keep_prob (the reference's, with keep_prob 1 there)."""
    return lambda X, Y, cache, keep_prob: reference.backward_propagation_with_dropout(X, Y, cache, 1.0)


def _expect_backward(submission, reference, got, expected, alternative, what):
    """The gradients as the reference's, or, when the submission's forward pass leaves out the scaling
    too, as the unscaled backward pass's (``alternative``: a thunk computing them)."""
    try:
        expect_dict_of_arrays(got, expected, what, keys=GRAD_KEYS, exact_keys=False, rtol=RTOL, atol=ATOL)
    except CheckFailed:
        if not _forward_leaves_out_scaling(submission, reference):
            raise
        try:
            expect_dict_of_arrays(got, alternative(), what, keys=GRAD_KEYS, exact_keys=False, rtol=RTOL, atol=ATOL)
        except CheckFailed:
            pass
        else:
            return
        raise


@pytest.mark.grade(item=BACKWARD_DROPOUT, points=1)
def test_backward_dropout_other_shapes_seeds_keep_probs(submission, reference):
    """其他网络大小、随机掩码和 keep_prob 下的 11 个梯度。"""
    for net, keep_prob, seed in BACKWARD_CASES:
        X, Y, parameters = _case(net)
        _, cache = _reference_forward(reference, X, parameters, keep_prob, seed)
        got = submission.call(BACKWARD_DROPOUT, X, Y, cache, keep_prob)
        expected = reference.backward_propagation_with_dropout(X, Y, cache, keep_prob)
        _expect_backward(submission, reference, got, expected,
                         lambda: _unscaled_backward(reference)(X, Y, cache, keep_prob),
                         f"网络 {net}、keep_prob={keep_prob} 时的 gradients")


@pytest.mark.grade(item=BACKWARD_DROPOUT, points=0.5)
def test_backward_dropout_applies_the_masks(submission, reference):
    """已知的掩码（整行关闭、棋盘格）：被关闭的位置上 dA1、dA2、dZ1、dZ2 必须为 0。"""
    X, Y, parameters = _case("3-6-2-1,m=4")
    X = np.tile(X, (1, 2))
    Y = np.tile(Y, (1, 2))
    D1 = (np.add.outer(np.arange(6), np.arange(8)) % 2 == 0)   # checkerboard
    D2 = np.ones((2, 8), dtype=bool)
    D2[1, :] = False                                           # unit 2 of layer 2 off for every example
    D2[0, 3] = False
    keep_prob = 0.75
    cache = _masked_cache(reference, X, parameters, D1, D2, keep_prob)
    got = submission.call(BACKWARD_DROPOUT, X, Y, cache, keep_prob)
    for key, mask in (("dA2", D2), ("dZ2", D2), ("dA1", D1), ("dZ1", D1)):
        value = _numeric_array(got, key, mask.shape, "gradients")
        off = ~mask & (value != 0)
        if off.any():
            idx = tuple(int(i) for i in np.argwhere(off)[0])
            fail(f"gradients['{key}'] 在下标 {idx} 处应为 0（前向传播时这个单元被掩码关闭了），得到 {plain(value[idx])}"
                 f"（共 {int(off.sum())} 个这样的位置）。反向传播要乘上 cache 中同一个掩码 D。")


@pytest.mark.grade(item=BACKWARD_DROPOUT, points=0.5)
def test_backward_dropout_inverted_scaling(submission, reference):
    """掩码全为 1、keep_prob < 1：梯度要与前向传播一样除以 keep_prob。"""
    for net, keep_prob in (("5-4-3-1,m=7", 0.5), ("4-8-5-1,m=30", 0.8)):
        X, Y, parameters = _case(net)
        D1 = np.ones((parameters["W1"].shape[0], X.shape[1]), dtype=bool)
        D2 = np.ones((parameters["W2"].shape[0], X.shape[1]), dtype=bool)
        cache = _masked_cache(reference, X, parameters, D1, D2, keep_prob)
        got = submission.call(BACKWARD_DROPOUT, X, Y, cache, keep_prob)
        expected = reference.backward_propagation_with_dropout(X, Y, cache, keep_prob)
        _expect_backward(submission, reference, got, expected,
                         lambda: _unscaled_backward(reference)(X, Y, cache, keep_prob),
                         f"网络 {net}、掩码全为 1、keep_prob={keep_prob} 时的 gradients")


@pytest.mark.grade(item=BACKWARD_DROPOUT, points=0.5)
def test_backward_dropout_keep_prob_one_is_plain_backward(submission, reference):
    """keep_prob=1（掩码全为 1）时与不带 dropout 的 backward_propagation 相同。"""
    for net in ("2-20-3-1,m=12", "3-6-2-1,m=4"):
        X, Y, parameters = _case(net)
        _, plain_cache = reference.forward_propagation(X, parameters)
        D1 = np.ones_like(plain_cache[1], dtype=bool)
        D2 = np.ones_like(plain_cache[5], dtype=bool)
        cache = _masked_cache(reference, X, parameters, D1, D2, 1.0)
        got = submission.call(BACKWARD_DROPOUT, X, Y, cache, 1.0)
        expect_dict_of_arrays(got, reference.backward_propagation(X, Y, plain_cache),
                              f"网络 {net}、keep_prob=1 时的 gradients", keys=GRAD_KEYS, exact_keys=False,
                              rtol=RTOL, atol=ATOL)


@pytest.mark.grade(item=BACKWARD_DROPOUT, points=0.5)
def test_backward_dropout_training_run(submission, reference):
    """用你的 backward_propagation_with_dropout 训练给定模型 100 步 (keep_prob=0.86)，参数与参考实现一致。"""
    dims = [reference.train_X.shape[0], 20, 3, 1]
    proxy = _proxy(submission, BACKWARD_DROPOUT, _backward_check(BACKWARD_DROPOUT, dims))
    got = _train(reference, {BACKWARD_DROPOUT: proxy}, keep_prob=0.86)
    expected = _expected_run(reference, keep_prob=0.86)
    try:
        _expect_run(got, expected, "keep_prob=0.86")
    except CheckFailed:
        if not _forward_leaves_out_scaling(submission, reference):
            raise
        try:  # the forward pass's slip, repeated: paid for there
            _expect_run(got, _train(reference, {BACKWARD_DROPOUT: _unscaled_backward(reference)}, keep_prob=0.86),
                        "keep_prob=0.86")
        except CheckFailed:
            pass
        else:
            return
        raise
