"""Public tests of the Regularization More assignment (students see and run these).

Each ``*_test(target)`` calls the student's function on a fixed case and raises AssertionError
with a message in Chinese that says what is wrong. The hidden graders use other cases (other
shapes, lambd values, datasets, patience and eval_every).

Expected values are written out (computed once with the reference solution) and compared with
rtol = 1e-7 for single calls; the early-stopping run (700 gradient steps) with rtol = 1e-6.
"""
import numpy as np

from regmore_utils import (backward_propagation, compute_cost, forward_propagation, initialize_parameters,
                           load_dataset)

RTOL, ATOL = 1e-7, 1e-9
RTOL_RUN = 1e-6

GRAD_KEYS = ["dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1"]

# A 3-4-2-1 network on 5 examples; W2[0, 1] is exactly 0 (its subgradient term is 0).
CASE_X = np.array([[1.624, -0.612, -0.528, -1.073, 0.865], [-2.302, 1.745, -0.761, 0.319, -0.249],
                   [1.462, -2.06, -0.322, -0.384, 1.134]])
CASE_Y = np.array([[1, 1, 0, 0, 0]])
CASE_PARAMETERS = {
    "W1": np.array([[-1.1, 0.534, -0.092], [1.914, 0.331, 1.142], [-1.13, -0.85, 0.961], [-0.217, 0.159, 0.873]]),
    "b1": np.array([[-0.111], [-1.038], [-1.009], [-1.058]]),
    "W2": np.array([[0.656, 0.0, -1.739, 0.103], [-0.622, 0.276, -1.091, -0.61]]),
    "b2": np.array([[0.306], [1.692]]),
    "W3": np.array([[-0.748, -0.581]]),
    "b3": np.array([[-0.111]]),
}

# compute_cost_with_l1 on the case, lambd = 0.2 (the cross-entropy alone is 0.7700166731543099)
EXPECTED_COST = 1.39917667315431

# backward_propagation_with_l1 on the case, lambd = 0.4
EXPECTED_L1_DW = {
    "dW1": np.array([[-0.08507686141166876, 0.11974544431644099, -0.12030957523434978],
                     [0.11582934590744212, 0.024019752076414373, 0.11036719080546617],
                     [-0.23980018990515184, 0.14651480120791838, -0.06385953056732264], [-0.08, 0.08, 0.08]]),
    "dW2": np.array([[0.24937662831020996, -0.045368314233261146, -0.08, 0.08],
                     [0.05156125808587163, 0.3133495707336689, -0.033320209524586406, -0.08]]),
    "dW3": np.array([[-0.24477863675024064, -0.3147755527243316]]),
}

# train_with_early_stopping on the first 30 training and 30 dev points, layers [2, 5, 3, 1],
# learning_rate 0.5, max_iterations 3000, eval_every 50, patience 4
EXPECTED_BEST_ITERATION = 500
EXPECTED_ITERATIONS = 700
EXPECTED_DEV_COSTS = [0.6670986687698199, 0.4518805089385447, 0.4404059980215934, 0.36254008354450734,
                      0.287304892128738, 0.2288807317608487, 0.2131680471675787, 0.19548788608736156,
                      0.1825595232702039, 0.18449755907406268, 0.18252895916961165, 0.1902679382166381,
                      0.22402616116234217, 0.1956898955898896, 0.1991047067820219]
EXPECTED_BEST_W3 = np.array([[-2.3657672864523467, 2.5654880771137987, -0.23176615326710648]])
EXPECTED_BEST_B3 = np.array([[2.4394955262379447]])

# augment_with_mirror on three points
AUG_X = np.array([[0.5, -0.25, 0.0], [0.1, -0.7, 0.9]])
AUG_Y = np.array([[1, 0, 1]])
EXPECTED_AUG_X = np.array([[0.5, -0.25, 0.0, -0.5, 0.25, -0.0], [0.1, -0.7, 0.9, 0.1, -0.7, 0.9]])
EXPECTED_AUG_Y = np.array([[1, 0, 1, 1, 0, 1]])


def _passed(func_name):
    print(f"\033[92m{func_name}: 全部公开测试通过 (all public tests passed)\033[0m")


def _type_name(value):
    if isinstance(value, np.ndarray):
        return f"numpy 数组 (shape {value.shape}, dtype {value.dtype})"
    return type(value).__name__


def _check_array(got, want, name, rtol=RTOL, atol=ATOL, hint=""):
    """Shape, numeric dtype and values of one array; the message names the first differing entry."""
    assert isinstance(got, np.ndarray), f"{name} 应该是 numpy 数组，但得到的是 {_type_name(got)}。"
    assert got.shape == want.shape, f"{name} 的形状 (shape) 不对：期望 {want.shape}，得到 {got.shape}。{hint}"
    assert np.issubdtype(got.dtype, np.number), f"{name} 的数据类型 (dtype) 应为数值，得到 {got.dtype}。"
    close = np.isclose(got.astype(float), want.astype(float), rtol=rtol, atol=atol)
    if not close.all():
        idx = tuple(int(i) for i in np.argwhere(~close)[0])
        raise AssertionError(f"{name} 的数值不对：下标 {idx} 处期望 {float(want[idx]):.10g}，得到 {float(got[idx]):.10g}"
                             f"（共 {int((~close).sum())} / {close.size} 个元素不同）。{hint}")


def _check_number(value, name):
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(())[()]
    assert isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)), (
        f"{name} 应该是一个数 (float)，但得到的是 {_type_name(value)}。")
    return float(value)


def _case():
    return CASE_X.copy(), CASE_Y.copy(), {k: v.copy() for k, v in CASE_PARAMETERS.items()}


def compute_cost_with_l1_test(target):
    X, Y, parameters = _case()
    A3, _ = forward_propagation(X, parameters)
    m = Y.shape[1]
    cross_entropy = compute_cost(A3, Y)
    cost = _check_number(target(A3, Y, parameters, 0.2), "cost")
    if not np.isclose(cost, EXPECTED_COST, rtol=RTOL, atol=0):
        want_term, got_term = EXPECTED_COST - cross_entropy, cost - cross_entropy
        hint = ""
        for factor, text in ((0.5, "正则项正好是正确值的一半：本练习的写法是 lambd / m，不是 lambd / (2m)。"),
                             (m, "正则项正好是正确值的 m 倍：少了因子 1/m。"),
                             (1 / m, "正则项正好是正确值的 1/m：多除了一次 m。")):
            if np.isclose(got_term, factor * want_term, rtol=1e-6):
                hint = text
        squares = sum(float(np.sum(parameters[k] ** 2)) for k in ("W1", "W2", "W3"))
        if np.isclose(got_term, 0.2 / m * squares, rtol=1e-6) or np.isclose(got_term, 0.2 / (2 * m) * squares, rtol=1e-6):
            hint = "你加的是权重的平方和（L2）：L1 正则项是权重绝对值之和，用 np.abs。"
        if abs(got_term) < 1e-12:
            hint = "正则项好像没有加上去。"
        raise AssertionError(f"lambd=0.2 时 cost 的值不对：期望 {EXPECTED_COST!r}，得到 {cost!r}。{hint}"
                             "L1 正则项是 (lambd / m) * (W1、W2、W3 所有元素的绝对值之和)，不包含偏置 b。")
    zero = _check_number(target(A3, Y, parameters, 0), "lambd=0 时的 cost")
    assert np.isclose(zero, cross_entropy, rtol=RTOL, atol=0), (
        f"lambd=0 时应该就是交叉熵 compute_cost(A3, Y) = {cross_entropy!r}，得到 {zero!r}。")
    _passed("compute_cost_with_l1")


def backward_propagation_with_l1_test(target):
    X, Y, parameters = _case()
    _, cache = forward_propagation(X, parameters)
    gradients = target(X, Y, cache, 0.4)
    assert isinstance(gradients, dict), f"应该返回字典 (dict)，但返回的是 {_type_name(gradients)}。"
    missing = [k for k in GRAD_KEYS if k not in gradients]
    assert not missing, f"返回的字典缺少键 {missing}：应该正好有 {GRAD_KEYS}。"
    plain = backward_propagation(X, Y, cache)
    weights = {"dW1": parameters["W1"], "dW2": parameters["W2"], "dW3": parameters["W3"]}
    m = X.shape[1]
    for key in GRAD_KEYS:
        if key not in EXPECTED_L1_DW:
            _check_array(gradients[key], plain[key], f"gradients['{key}']",
                         hint="L1 正则项只改变 dW1、dW2、dW3，其他梯度与不带正则化时相同。")
            continue
        got, hint = gradients[key], ""
        if isinstance(got, np.ndarray) and got.shape == weights[key].shape:
            term = got - plain[key]
            for value, text in ((0.4 / m * weights[key], "你加的是 (lambd / m) * W，那是 L2 的梯度：L1 的次梯度是 (lambd / m) * np.sign(W)。"),
                                (0.4 * np.sign(weights[key]), "正则项的导数是 lambd * sign(W)：少了因子 1/m。"),
                                (0.4 / m * np.abs(weights[key]), "|w| 的导数是 sign(w)（正数 +1，负数 -1，0 处取 0），不是 |w|。"),
                                (0.2 / m * np.sign(weights[key]), "正则项的导数是 (lambd / (2m)) * sign(W)：本练习的写法是 lambd / m。"),
                                (np.zeros_like(got), "只有交叉熵的梯度：dW 没有加上 L1 正则项的次梯度。")):
                if np.allclose(term, value, rtol=1e-6, atol=1e-12):
                    hint = text
                    break
        _check_array(got, EXPECTED_L1_DW[key], f"lambd=0.4 时的 gradients['{key}']", hint=hint or
                     "每个 dW 都要在交叉熵的梯度之外加上 (lambd / m) * np.sign(W)；W2[0, 1] = 0 处 sign 取 0。")
    zero = target(X, Y, cache, 0)
    for key in ("dW1", "dW2", "dW3"):
        _check_array(zero[key], plain[key], f"lambd=0 时的 gradients['{key}']",
                     hint="lambd=0 时应该与不带正则化的 backward_propagation 完全相同。")
    _passed("backward_propagation_with_l1")


def train_with_early_stopping_test(target):
    train_X, train_Y, dev_X, dev_Y, _, _ = load_dataset()
    result = target(train_X[:, :30], train_Y[:, :30], dev_X[:, :30], dev_Y[:, :30], [2, 5, 3, 1],
                    0.5, 3000, 50, 4)
    assert isinstance(result, dict), f"应该返回字典 (dict)，但返回的是 {_type_name(result)}。"
    keys = ["parameters", "best_iteration", "iterations", "dev_costs"]
    missing = [k for k in keys if k not in result]
    assert not missing, f"返回的字典缺少键 {missing}：应该有 {keys}。"
    costs = result["dev_costs"]
    assert isinstance(costs, (list, tuple, np.ndarray)), f"dev_costs 应该是 list，得到 {_type_name(costs)}。"
    costs = [float(c) for c in costs]
    initial = initialize_parameters([2, 5, 3, 1])
    train_cost0 = compute_cost(forward_propagation(train_X[:, :30], initial)[0], train_Y[:, :30])
    assert not (costs and np.isclose(costs[0], train_cost0, rtol=1e-9) and
                not np.isclose(costs[0], EXPECTED_DEV_COSTS[0], rtol=1e-9)), (
        f"dev_costs[0] = {costs[0]!r} 是初始参数在训练集上的 cost：提前停止要看开发集 (X_dev, Y_dev) 上的 cost。")
    n = len(EXPECTED_DEV_COSTS)
    if len(costs) != n:
        hint = ""
        if len(costs) == n + 1:
            hint = "多检查了一次：连续变差的次数等于 patience 时就要停止（用 ==，不是 >）。"
        elif len(costs) == n - 1:
            hint = ("少检查了一次就停止了：开发集 cost 变好时要把连续变差的次数清零，"
                    "连续变差的次数等于 patience 时才停止。")
        elif len(costs) == 3000 // 50:
            hint = "没有提前停止：连续 patience 次没有变好时要 break。"
        raise AssertionError(f"dev_costs 应该有 {n} 个值（每 50 步检查一次，第 {EXPECTED_ITERATIONS} 步停止），"
                             f"得到 {len(costs)} 个。{hint}")
    _check_array(np.array(costs), np.array(EXPECTED_DEV_COSTS), "dev_costs", rtol=RTOL_RUN, atol=1e-12,
                 hint="每次检查时用当前参数在开发集 (X_dev, Y_dev) 上做前向传播，再用 compute_cost 算 cost。")
    assert result["best_iteration"] == EXPECTED_BEST_ITERATION, (
        f"best_iteration 应该是 {EXPECTED_BEST_ITERATION}（开发集 cost 最小的那次检查），得到 {result['best_iteration']!r}。")
    assert result["iterations"] == EXPECTED_ITERATIONS, (
        f"iterations 应该是 {EXPECTED_ITERATIONS}（停止前做的梯度下降步数），得到 {result['iterations']!r}。")
    parameters = result["parameters"]
    assert isinstance(parameters, dict) and "W3" in parameters and "b3" in parameters, (
        f"parameters 应该是含 W1、b1、……、b3 的字典，得到 {_type_name(parameters)}。")
    hint = ("best_iteration 和 iterations 都对，参数却不对：多半是保存最好参数时没有复制。update_parameters 会原地修改字典，"
            "要存 {k: v.copy() for k, v in parameters.items()}。")
    _check_array(parameters["W3"], EXPECTED_BEST_W3, "parameters['W3']", rtol=RTOL_RUN, atol=1e-12, hint=hint)
    _check_array(parameters["b3"], EXPECTED_BEST_B3, "parameters['b3']", rtol=RTOL_RUN, atol=1e-12, hint=hint)
    _passed("train_with_early_stopping")


def augment_with_mirror_test(target):
    X, Y = AUG_X.copy(), AUG_Y.copy()
    out = target(X, Y)
    assert isinstance(out, tuple) and len(out) == 2, f"应该返回 (X_aug, Y_aug) 两个值，得到 {_type_name(out)}。"
    X_aug, Y_aug = out
    assert np.array_equal(X, AUG_X) and np.array_equal(Y, AUG_Y), (
        "函数修改了传入的 X 或 Y：要生成新的数组（例如 np.concatenate、np.stack 或先 X.copy()），不要原地改。")
    hint = ""
    if isinstance(X_aug, np.ndarray) and X_aug.shape == (2, 6):
        if np.allclose(X_aug[:, 3:], AUG_X * np.array([[1.0], [-1.0]])):
            hint = "你翻转的是 x2（上下翻转）：镜像是 x1 -> -x1，x2 不变。"
        elif np.allclose(X_aug[:, 3:], -AUG_X):
            hint = "你把 x1 和 x2 都取了相反数：镜像只把 x1 变号，x2 不变。"
        elif np.allclose(X_aug[:, :3], EXPECTED_AUG_X[:, 3:]) and np.allclose(X_aug[:, 3:], AUG_X):
            hint = "顺序反了：前 m 列是原来的点，后 m 列是镜像。"
    _check_array(X_aug, EXPECTED_AUG_X, "X_aug", rtol=0, atol=0, hint=hint)
    hint = ""
    if isinstance(Y_aug, np.ndarray) and Y_aug.shape == (1, 6) and np.array_equal(Y_aug[:, 3:], 1 - AUG_Y):
        hint = "镜像点的标签被反转了：左右镜像不改变点在分界线哪一侧，标签应与原来的点相同。"
    _check_array(Y_aug, EXPECTED_AUG_Y, "Y_aug", rtol=0, atol=0, hint=hint)
    _passed("augment_with_mirror")
