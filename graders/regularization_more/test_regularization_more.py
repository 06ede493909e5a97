"""Hidden graders of the Regularization More assignment.

Each test calls the submission's function (in the sandbox child) on cases the public tests do not
use and compares with the reference solution from source/ (run in this process). Points per item
(= the cell points of the master notebook): compute_cost_with_l1 2, backward_propagation_with_l1 2,
train_with_early_stopping 3, augment_with_mirror 2.

The L1 convention is the notebook's (ERRATA 7): the term is lambd / m * sum |W|, its subgradient
lambd / m * sign(W) with sign(0) = 0. Messages name the common slips (lambd / (2m), the L2 term,
no 1/m) when a returned value is exactly one of them.

Tolerances: single calls rtol 1e-7 (1e-9 for the cost); training runs (up to a few thousand
gradient steps of the same formulas) rtol 1e-6.
"""
import numpy as np
import pytest

from course.checks import (CheckFailed, expect_array, expect_dict_of_arrays, expect_float, fail,
                           note_wrong_form)
from course.grading.session import SubmissionFailure
from course.sandbox.wire import Unsupported

GRAD_KEYS = "dZ3 dW3 db3 dA2 dZ2 dW2 db2 dA1 dZ1 dW1 db1".split()
PARAM_KEYS = ["W1", "b1", "W2", "b2", "W3", "b3"]

RTOL, ATOL = 1e-7, 1e-10
RTOL_COST = 1e-9
RTOL_RUN, ATOL_RUN = 1e-6, 1e-9
RUN_ITERATIONS = 100

COST = "compute_cost_with_l1"
BACKWARD = "backward_propagation_with_l1"
EARLY = "train_with_early_stopping"
MIRROR = "augment_with_mirror"


def _describe(value):
    if isinstance(value, Unsupported):
        return f"无法传回评分程序的对象（{value.type_name}）"
    if type(value) is np.ndarray:
        return f"numpy 数组（形状 {value.shape}，dtype {value.dtype}）"
    return type(value).__name__


def _network(dims, m, seed, zeros=0):
    """X (dims[0], m), Y (1, m) with both classes, parameters W1..b3 from RandomState(seed); the first
    ``zeros`` entries of W1 and W2 are set to exactly 0 (their subgradient term is 0)."""
    rng = np.random.RandomState(seed)
    X = rng.randn(dims[0], m)
    Y = (rng.rand(1, m) > 0.5).astype(int)
    Y[0, 0], Y[0, -1] = 1, 0
    parameters = {}
    for l in range(1, 4):
        parameters[f"W{l}"] = rng.randn(dims[l], dims[l - 1]) * 0.8
        parameters[f"b{l}"] = rng.randn(dims[l], 1) * 0.3
    for key in ("W1", "W2"):
        parameters[key].ravel()[:zeros] = 0.0
    return X, Y, parameters


# name -> (dims, m, seed, zeros)
NETWORKS = {
    "5-4-3-1,m=7": ([5, 4, 3, 1], 7, 3, 0),
    "2-20-3-1,m=12": ([2, 20, 3, 1], 12, 8, 3),
    "3-6-2-1,m=4": ([3, 6, 2, 1], 4, 21, 0),
    "4-8-5-1,m=30": ([4, 8, 5, 1], 30, 5, 5),
}


def _case(name):
    dims, m, seed, zeros = NETWORKS[name]
    return _network(dims, m, seed, zeros)


def _number(got, what):
    """A returned cost as a float: Python float, numpy float or size-1 array."""
    if type(got) is np.ndarray:
        if got.size != 1 or not np.issubdtype(got.dtype, np.number):
            fail(f"{what} 应该是一个数，但得到的是 {_describe(got)}。")
        got = got.reshape(())[()]
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, float, np.integer, np.floating)):
        fail(f"{what} 应该是一个数，但得到的是 {_describe(got)}。")
    value = float(got)
    if not np.isfinite(value):
        fail(f"{what} 应该是有限的数，得到 {value!r}。")
    return value


# ---------------------------------------------------------------------------------------
# compute_cost_with_l1 (2 points)

COST_CASES = [("5-4-3-1,m=7", 0.7), ("2-20-3-1,m=12", 0.05), ("3-6-2-1,m=4", 3.0), ("4-8-5-1,m=30", 1e-3)]


def _cost_hint(reference, A3, Y, parameters, lambd):
    """A function of the returned cost that names the mistake its L1 term points to."""
    cross_entropy = float(reference.compute_cost(A3, Y))
    want = float(reference.compute_cost_with_l1(A3, Y, parameters, lambd)) - cross_entropy
    m = Y.shape[1]
    squares = float(sum(np.square(parameters[k]).sum() for k in ("W1", "W2", "W3")))
    signed = sum(float(np.sum(parameters[k])) for k in ("W1", "W2", "W3"))
    with_biases = want + lambd / m * sum(float(np.sum(np.abs(parameters[k]))) for k in ("b1", "b2", "b3"))

    def hint(got):
        term = got - cross_entropy
        if want == 0:
            return ""
        for value, text in ((want / 2, "正则项正好是正确值的一半：本练习的写法是 lambd / m，不是 lambd / (2m)。"),
                            (want * m, "正则项正好是正确值的 m 倍：少了因子 1/m。"),
                            (want / m, "正则项正好是正确值的 1/m：多除了一次 m。"),
                            (lambd / m * squares, "你加的是权重的平方和（L2 的写法）：L1 正则项是绝对值之和，用 np.abs。"),
                            (lambd / (2 * m) * squares, "你加的是 L2 正则项 (lambd / (2m)) * 平方和：L1 正则项是 (lambd / m) * 绝对值之和。"),
                            (lambd / m * signed, "你加的是权重本身的和：负的权重会抵消正的，要先取绝对值 np.abs(W)。"),
                            (with_biases, "正则项把偏置 b 也算进去了：只惩罚权重 W1、W2、W3。")):
            if np.isclose(term, value, rtol=1e-6, atol=1e-12):
                return text
        if abs(term) < 1e-12 * max(1.0, abs(cross_entropy)):
            return "cost 就是交叉熵：正则项没有加上去。"
        return "L1 正则项是 (lambd / m) * (W1、W2、W3 所有元素的绝对值之和)，不包含偏置 b。"

    return hint


@pytest.mark.grade(item=COST, points=1)
def test_cost_other_lambdas_and_shapes(submission, reference):
    """其他网络大小、样本数和 lambd 下的 L1 正则化 cost。"""
    for net, lambd in COST_CASES:
        X, Y, parameters = _case(net)
        A3, _ = reference.forward_propagation(X, parameters)
        got = submission.call(COST, A3, Y, parameters, lambd)
        expect_float(got, reference.compute_cost_with_l1(A3, Y, parameters, lambd),
                     f"网络 {net}、lambd={lambd} 时的 cost", rtol=RTOL_COST, atol=1e-12,
                     hint=_cost_hint(reference, A3, Y, parameters, lambd))


@pytest.mark.grade(item=COST, points=0.5)
def test_cost_lambd_zero_is_plain_cost(submission, reference):
    """lambd=0 时 cost 就是交叉熵 compute_cost。"""
    for net in ("5-4-3-1,m=7", "4-8-5-1,m=30"):
        X, Y, parameters = _case(net)
        A3, _ = reference.forward_propagation(X, parameters)
        got = submission.call(COST, A3, Y, parameters, 0)
        expect_float(got, float(reference.compute_cost(A3, Y)), f"网络 {net}、lambd=0 时的 cost",
                     rtol=RTOL_COST, atol=1e-12)


@pytest.mark.grade(item=COST, points=0.5)
def test_cost_uses_absolute_values_of_weights_only(submission, reference):
    """正则项是权重的绝对值之和：把所有权重变号、改变偏置 b，cost 都不变（A3 不变）。"""
    X, Y, parameters = _case("2-20-3-1,m=12")
    A3, _ = reference.forward_propagation(X, parameters)
    lambd = 0.7
    base = _number(submission.call(COST, A3, Y, parameters, lambd), f"lambd={lambd} 时的 cost")
    negated = {k: (-v if k.startswith("W") else v) for k, v in parameters.items()}
    expect_float(submission.call(COST, A3, Y, negated, lambd), base,
                 "把 W1、W2、W3 全部变号之后的 cost（|W| 不变，cost 应该不变）", rtol=1e-12, atol=1e-12,
                 hint="正则项要用绝对值 np.abs(W)：权重变号时它不应改变。")
    shifted = {k: (v + 5.0 if k.startswith("b") else v) for k, v in parameters.items()}
    expect_float(submission.call(COST, A3, Y, shifted, lambd), base,
                 "只把每个偏置 b 加上 5 之后的 cost", rtol=1e-12, atol=1e-12,
                 hint="正则项只包含权重 W，不包含偏置 b。")


# ---------------------------------------------------------------------------------------
# backward_propagation_with_l1 (2 points)

L1_CASES = [("5-4-3-1,m=7", 0.7), ("2-20-3-1,m=12", 0.1), ("3-6-2-1,m=4", 2.5), ("4-8-5-1,m=30", 0.35)]


def _l1_hint(reference, X, Y, cache, lambd):
    """A function of (key, returned dW) naming what the L1 term of a wrong dW points to."""
    plain = reference.backward_propagation(X, Y, cache)
    weights = {"dW1": cache[2], "dW2": cache[6], "dW3": cache[10]}
    m = X.shape[1]

    def hint(key, got):
        if (key not in weights or type(got) is not np.ndarray or got.shape != weights[key].shape
                or not np.issubdtype(got.dtype, np.number)):
            return ""
        term, W = got - plain[key], weights[key]
        for value, text in ((lambd / m * W, "正则项的导数是 (lambd / m) * W，那是 L2 的梯度：L1 的次梯度是 (lambd / m) * np.sign(W)。"),
                            (lambd * np.sign(W), "正则项的导数正好是 lambd * sign(W)：少了因子 1/m。"),
                            (lambd / (2 * m) * np.sign(W), "正则项的导数正好是 (lambd / (2m)) * sign(W)：本练习的写法是 lambd / m。"),
                            (lambd / m * np.abs(W), "正则项的导数写成了 (lambd / m) * |W|：|w| 的导数是 sign(w)。"),
                            (lambd / m * np.ones_like(W), "正则项的导数对每个权重都是 +lambd / m：负的权重应该是 -lambd / m，用 np.sign(W)。"),
                            (np.zeros_like(W), "只有交叉熵的梯度：dW 没有加上 L1 正则项的次梯度 (lambd / m) * np.sign(W)。")):
            if np.allclose(term, value, atol=1e-12, rtol=1e-6):
                return text
        if np.any(W == 0) and np.allclose(np.where(W == 0, 0.0, term), lambd / m * np.sign(W), rtol=1e-6, atol=1e-12):
            return "恰好为 0 的权重处次梯度应取 0（np.sign(0) = 0），你的结果那里不是 0。"
        return "每个 dW 都要在交叉熵的梯度之外加上 (lambd / m) * np.sign(W)（对应的那一层的 W）。"

    return hint


@pytest.mark.grade(item=BACKWARD, points=1)
def test_backward_l1_other_lambdas_and_shapes(submission, reference):
    """其他网络大小、样本数和 lambd 下的 11 个梯度（有的权重恰好为 0）。"""
    for net, lambd in L1_CASES:
        X, Y, parameters = _case(net)
        _, cache = reference.forward_propagation(X, parameters)
        got = submission.call(BACKWARD, X, Y, cache, lambd)
        expected = reference.backward_propagation_with_l1(X, Y, cache, lambd)
        expect_dict_of_arrays(got, expected, f"网络 {net}、lambd={lambd} 时的 gradients", keys=GRAD_KEYS,
                              exact_keys=False, rtol=RTOL, atol=ATOL, hint=_l1_hint(reference, X, Y, cache, lambd))


@pytest.mark.grade(item=BACKWARD, points=0.5)
def test_backward_l1_lambd_zero_is_plain_backward(submission, reference):
    """lambd=0 时与不带正则化的 backward_propagation 完全相同。"""
    for net in ("2-20-3-1,m=12", "4-8-5-1,m=30"):
        X, Y, parameters = _case(net)
        _, cache = reference.forward_propagation(X, parameters)
        got = submission.call(BACKWARD, X, Y, cache, 0)
        expect_dict_of_arrays(got, reference.backward_propagation(X, Y, cache), f"网络 {net}、lambd=0 时的 gradients",
                              keys=GRAD_KEYS, exact_keys=False, rtol=RTOL, atol=ATOL)


def _gradients_output(got, k, dims):
    if type(got) is not dict:
        fail(f"第 {k} 次迭代时 {BACKWARD} 应该返回字典 (dict)，但返回的是 {_describe(got)}。")
    for l in range(1, 4):
        for key, shape in ((f"dW{l}", (dims[l], dims[l - 1])), (f"db{l}", (dims[l], 1))):
            if type(got.get(key)) is not np.ndarray or got[key].shape != shape:
                fail(f"第 {k} 次迭代时 {BACKWARD} 返回的 '{key}' 应该是形状 {shape} 的 numpy 数组，"
                     f"得到 {_describe(got.get(key))}。")
    return got


def _train_l1(reference, backward, lambd):
    functions = {COST: reference.compute_cost_with_l1, BACKWARD: backward}
    try:
        parameters, _ = reference.model(reference.train_X, reference.train_Y, num_iterations=RUN_ITERATIONS,
                                        lambd_l1=lambd, functions=functions)
    except (CheckFailed, SubmissionFailure):
        raise
    except Exception as exc:  # the submission returned something the training loop cannot use
        fail(f"用你的函数训练时出错：{type(exc).__name__}: {exc}")
    return parameters


@pytest.mark.grade(item=BACKWARD, points=0.5)
def test_backward_l1_training_run(submission, reference):
    """用你的 backward_propagation_with_l1 训练给定模型 100 步 (lambd=0.3)，参数与参考实现一致。"""
    dims = reference.LAYERS
    calls = [0]

    def proxy(X, Y, cache, lambd):
        calls[0] += 1
        return _gradients_output(submission.call(BACKWARD, X, Y, cache, lambd), calls[0], dims)

    got = _train_l1(reference, proxy, 0.3)
    expected = _train_l1(reference, reference.backward_propagation_with_l1, 0.3)
    expect_dict_of_arrays(got, expected, f"用 lambd=0.3 训练 {RUN_ITERATIONS} 步后的 parameters",
                          rtol=RTOL_RUN, atol=ATOL_RUN)


# ---------------------------------------------------------------------------------------
# train_with_early_stopping (3 points)


def _early_data(reference, name):
    """(X, Y, X_dev, Y_dev) of a named case: slices of the course data, or a 3-D synthetic set."""
    if name == "bowl-40":
        return (reference.train_X[:, 20:60], reference.train_Y[:, 20:60],
                reference.dev_X[:, 10:50], reference.dev_Y[:, 10:50])
    if name == "bowl-100":
        return reference.train_X, reference.train_Y, reference.dev_X, reference.dev_Y
    rng = np.random.RandomState(17)
    X = rng.randn(3, 60)
    X_dev = rng.randn(3, 40)
    label = lambda Z: ((Z[0] * Z[1] + 0.5 * Z[2] + 0.6 * rng.randn(Z.shape[1])) > 0).astype(int).reshape(1, -1)  # noqa: E731
    return X, label(X), X_dev, label(X_dev)


# name -> (data, layers_dims, learning_rate, max_iterations, eval_every, patience)
EARLY_CASES = {
    "bowl-40,2-6-3-1": ("bowl-40", [2, 6, 3, 1], 0.4, 2500, 40, 5),
    "bowl-100,2-8-4-1": ("bowl-100", [2, 8, 4, 1], 0.3, 3000, 100, 3),
    "noisy-3d,3-5-2-1": ("noisy-3d", [3, 5, 2, 1], 0.5, 1500, 25, 6),
}


def _early_args(reference, name, **changes):
    data, dims, lr, max_iterations, eval_every, patience = EARLY_CASES[name]
    settings = dict(learning_rate=lr, max_iterations=max_iterations, eval_every=eval_every, patience=patience)
    settings.update(changes)
    return (*_early_data(reference, data), dims, settings["learning_rate"], settings["max_iterations"],
            settings["eval_every"], settings["patience"])


def _describe_call(name, args):
    return (f"数据 {name.split(',')[0]}、layers_dims={args[4]}、learning_rate={args[5]}、max_iterations={args[6]}、"
            f"eval_every={args[7]}、patience={args[8]}")


def _final_parameters(reference, args, steps):
    """The parameters after ``steps`` plain gradient steps (what the loop holds when it stops)."""
    X, Y, _, _, dims, lr = args[:6]
    parameters = reference.initialize_parameters(dims)
    for _ in range(steps):
        _, cache = reference.forward_propagation(X, parameters)
        parameters = reference.update_parameters(parameters, reference.backward_propagation(X, Y, cache), lr)
    return parameters


def _early_result(got, what):
    if type(got) is not dict:
        fail(f"{what}：应该返回字典 (dict)，但返回的是 {_describe(got)}。")
    missing = [k for k in ("parameters", "best_iteration", "iterations", "dev_costs") if k not in got]
    if missing:
        fail(f"{what}：返回的字典缺少键 {missing}。")
    for key in ("best_iteration", "iterations"):
        value = got[key]
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            if isinstance(value, (float, np.floating)) and float(value).is_integer():
                note_wrong_form(f"{what}：'{key}' 应该是整数 (int)，得到浮点数 {value!r}。返回值是对的，这一项扣 0.5 分（同一个函数只扣一次）。")
            else:
                fail(f"{what}：'{key}' 应该是整数 (int)，得到 {_describe(value)}。")
    costs = got["dev_costs"]
    if type(costs) is np.ndarray and costs.ndim == 1:
        costs = costs.tolist()
    if type(costs) not in (list, tuple) or not all(isinstance(c, (int, float, np.integer, np.floating)) for c in costs):
        fail(f"{what}：'dev_costs' 应该是由数组成的 list，得到 {_describe(costs)}。")
    return got, [float(c) for c in costs]


def _early_hint(reference, args, expected, got, costs):
    """What a wrong early-stopping result points to ("" when nothing specific)."""
    X, Y, X_dev, Y_dev, dims, lr, max_iterations, eval_every, patience = args
    n_exp = len(expected["dev_costs"])
    if len(costs) == n_exp and np.allclose(costs, expected["dev_costs"], rtol=RTOL_RUN, atol=1e-12):
        return ""
    train_costs = []
    parameters = reference.initialize_parameters(dims)
    for i in range(min(len(costs), n_exp + 2) * eval_every):
        if i % eval_every == 0:
            train_costs.append(reference.compute_cost(reference.forward_propagation(X, parameters)[0], Y))
        _, cache = reference.forward_propagation(X, parameters)
        parameters = reference.update_parameters(parameters, reference.backward_propagation(X, Y, cache), lr)
    k = min(len(costs), len(train_costs))
    if k and np.allclose(costs[:k], train_costs[:k], rtol=RTOL_RUN, atol=1e-12):
        return "dev_costs 是训练集上的 cost：提前停止要看开发集 (X_dev, Y_dev) 上的 cost。"
    if len(costs) == n_exp + 1 and np.allclose(costs[:n_exp], expected["dev_costs"], rtol=RTOL_RUN, atol=1e-12):
        return "多检查了一次才停止：连续变差的次数等于 patience 时就要停止（==，不是 >）。"
    if len(costs) == n_exp - 1 and np.allclose(costs, expected["dev_costs"][:-1], rtol=RTOL_RUN, atol=1e-12):
        return "少检查了一次就停止了：连续变差的次数等于 patience 时才停止。"
    if len(costs) > n_exp and np.allclose(costs[:n_exp], expected["dev_costs"], rtol=RTOL_RUN, atol=1e-12):
        return "该停的时候没有停：开发集 cost 连续 patience 次没有变好时要 break；变好时要把连续变差的次数清零。"
    if len(costs) < n_exp and np.allclose(costs, expected["dev_costs"][:len(costs)], rtol=RTOL_RUN, atol=1e-12):
        return "停得太早：只有开发集 cost 严格变小才算变好，变好时把连续变差的次数清零；连续 patience 次没有变好才停止。"
    return "每次检查（i 是 eval_every 的倍数时，在更新之前）用当前参数在开发集上算 cost，记进 dev_costs。"


def _expect_early(submission, reference, name, **changes):
    """Call the submission and compare every part of its result with the reference's; return both."""
    args = _early_args(reference, name, **changes)
    what = f"{EARLY}（{_describe_call(name, args)}）"
    got, costs = _early_result(submission.call(EARLY, *args), what)
    expected = reference.train_with_early_stopping(*args)
    hint = _early_hint(reference, args, expected, got, costs)
    if len(costs) != len(expected["dev_costs"]):
        fail(f"{what}：dev_costs 应该有 {len(expected['dev_costs'])} 个值，得到 {len(costs)} 个。{hint}")
    expect_array(np.array(costs), np.array(expected["dev_costs"]), f"{what}：dev_costs", rtol=RTOL_RUN, atol=1e-12,
                 hint=hint)
    for key in ("best_iteration", "iterations"):
        if int(got[key]) != expected[key]:
            fail(f"{what}：'{key}' 应该是 {expected[key]}，得到 {got[key]!r}。{hint}")
    return args, got, expected, what


def _expect_best_parameters(reference, args, got, expected, what):
    final = _final_parameters(reference, args, expected["iterations"])
    params = got["parameters"]
    if (type(params) is dict and all(type(params.get(k)) is np.ndarray and params[k].shape == final[k].shape
                                     and np.issubdtype(params[k].dtype, np.number) for k in PARAM_KEYS)
            and all(np.allclose(params[k], final[k], rtol=RTOL_RUN, atol=ATOL_RUN) for k in PARAM_KEYS)
            and expected["best_iteration"] != expected["iterations"]):
        fail(f"{what}：返回的 parameters 是停止时（第 {expected['iterations']} 步之后）的参数，而不是开发集 cost 最小的"
             f"第 {expected['best_iteration']} 步的参数。update_parameters 会原地修改参数字典，best_parameters = parameters "
             "只是给同一个字典起了第二个名字；要保存副本：{k: v.copy() for k, v in parameters.items()}。")
    expect_dict_of_arrays(params, expected["parameters"], f"{what}：parameters", keys=PARAM_KEYS,
                          rtol=RTOL_RUN, atol=ATOL_RUN)


@pytest.mark.grade(item=EARLY, points=0.5)
@pytest.mark.parametrize("name", list(EARLY_CASES))
def test_early_stopping_matches_reference(submission, reference, name):
    """其他数据、网络大小、eval_every 和 patience 下：dev_costs、best_iteration、iterations 和最好的参数都与参考实现一致。"""
    args, got, expected, what = _expect_early(submission, reference, name)
    _expect_best_parameters(reference, args, got, expected, what)


@pytest.mark.grade(item=EARLY, points=0.5)
def test_early_stopping_keeps_a_copy_of_the_best(submission, reference):
    """停止时的参数与最好的参数不同：返回的必须是开发集 cost 最小那次检查时参数的副本。"""
    args = _early_args(reference, "bowl-40,2-6-3-1", patience=8)
    what = f"{EARLY}（{_describe_call('bowl-40,2-6-3-1', args)}）"
    got, _ = _early_result(submission.call(EARLY, *args), what)
    expected = reference.train_with_early_stopping(*args)
    _expect_best_parameters(reference, args, got, expected, what)


@pytest.mark.grade(item=EARLY, points=0.5)
def test_early_stopping_patience_one(submission, reference):
    """patience=1：开发集 cost 第一次没有变好就停止。"""
    _expect_early(submission, reference, "noisy-3d,3-5-2-1", patience=1)


@pytest.mark.grade(item=EARLY, points=0.5)
def test_early_stopping_runs_to_max_iterations(submission, reference):
    """patience 大于检查次数时一直训练到 max_iterations：iterations = max_iterations，每 eval_every 步检查一次。"""
    _expect_early(submission, reference, "bowl-100,2-8-4-1", max_iterations=650, eval_every=50, patience=100)


# ---------------------------------------------------------------------------------------
# augment_with_mirror (2 points)


def _points(m, seed):
    rng = np.random.RandomState(seed)
    X = np.round(rng.uniform(-1, 1, (2, m)), 4)
    Y = (rng.rand(1, m) > 0.5).astype(np.int64)
    return X, Y


MIRROR_CASES = {"m=7": (7, 1), "m=1": (1, 2), "m=40": (40, 3)}


def _call_mirror(submission, X, Y, what):
    got, args, _ = submission.call(MIRROR, X, Y, return_args=True)
    changed = [name for name, before, after in (("X", X, args[0]), ("Y", Y, args[1]))
               if not (type(after) is np.ndarray and after.shape == before.shape and np.array_equal(after, before))]
    if changed:
        note_wrong_form(f"调用 {MIRROR} 之后，调用者传入的 {'、'.join(changed)} 被改变了：X[0] *= -1 这类写法原地修改了"
                        "传进来的数组（调用者的原始数据也被镜像了）。请生成新数组（np.concatenate、np.stack、X.copy()）。"
                        "返回值是对的，这一项扣 0.5 分（同一个函数只扣一次）。")
    if type(got) not in (tuple, list) or len(got) != 2:
        fail(f"{what}：应该返回 (X_aug, Y_aug) 两个值，得到 {_describe(got)}。")
    return got


def _mirror_hint(X, Y, X_aug, Y_aug):
    m = X.shape[1]
    numeric = [type(a) is np.ndarray and np.issubdtype(a.dtype, np.number) for a in (X_aug, Y_aug)]
    if numeric[0] and X_aug.shape == (2, 2 * m):
        if np.allclose(X_aug[:, m:], X * np.array([[1.0], [-1.0]])):
            return "你翻转的是 x2（上下翻转）：镜像是 x1 -> -x1，x2 不变。"
        if np.allclose(X_aug[:, m:], -X):
            return "你把 x1 和 x2 都取了相反数：镜像只把 x1 变号。"
        if np.allclose(X_aug[:, :m], X * np.array([[-1.0], [1.0]])) and np.allclose(X_aug[:, m:], X):
            return "顺序反了：前 m 列是原来的点，后 m 列是它们的镜像。"
    if numeric[0] and X_aug.shape == (2, m):
        return "X_aug 只有 m 列：要把原来的点和镜像接在一起（2m 列）。"
    if numeric[1] and Y_aug.shape == (1, 2 * m) and np.array_equal(Y_aug[:, m:], 1 - Y):
        return "镜像点的标签被反转了：左右镜像不改变点在分界线哪一侧，标签与原来的点相同。"
    return ""


@pytest.mark.grade(item=MIRROR, points=0.5)
@pytest.mark.parametrize("case", list(MIRROR_CASES))
def test_mirror_values(submission, case):
    """其他点数（含 m=1）：前 m 列是原来的点，后 m 列是 (−x1, x2)，标签照抄。"""
    X, Y = _points(*MIRROR_CASES[case])
    what = f"{MIRROR}(X, Y)，X 的形状 {X.shape}"
    X_aug, Y_aug = _call_mirror(submission, X, Y, what)
    hint = _mirror_hint(X, Y, X_aug, Y_aug)
    expect_array(X_aug, np.concatenate([X, X * np.array([[-1.0], [1.0]])], axis=1), f"{what}：X_aug",
                 rtol=0, atol=0, hint=hint)
    expect_array(Y_aug, np.concatenate([Y, Y], axis=1), f"{what}：Y_aug", rtol=0, atol=0, hint=hint)


@pytest.mark.grade(item=MIRROR, points=0.5)
def test_mirror_training_run(submission, reference):
    """训练集左半边加上你的镜像后训练给定模型 300 步，参数与参考实现一致。"""
    left = reference.train_X[0] < 0
    X, Y = reference.train_X[:, left], reference.train_Y[:, left]
    what = f"{MIRROR}(X, Y)，X 为训练集中 x1 < 0 的 {X.shape[1]} 个点"
    X_aug, Y_aug = _call_mirror(submission, X, Y, what)
    hint = _mirror_hint(X, Y, X_aug, Y_aug)
    want_X, want_Y = reference.augment_with_mirror(X, Y)
    for got, want, name in ((X_aug, want_X, "X_aug"), (Y_aug, want_Y, "Y_aug")):
        if type(got) is not np.ndarray or got.shape != want.shape:
            fail(f"{what}：{name} 应该是形状 {want.shape} 的 numpy 数组，得到 {_describe(got)}。{hint}")
    try:
        got, _ = reference.model(X_aug, Y_aug, num_iterations=300)
    except Exception as exc:  # noqa: BLE001 - the returned arrays cannot be trained on
        fail(f"用你返回的 X_aug、Y_aug 训练时出错：{type(exc).__name__}: {exc}")
    expected, _ = reference.model(want_X, want_Y, num_iterations=300)
    expect_dict_of_arrays(got, expected, "在扩增后的数据上训练 300 步后的 parameters", rtol=RTOL_RUN, atol=ATOL_RUN,
                          hint=lambda key, value: hint)
