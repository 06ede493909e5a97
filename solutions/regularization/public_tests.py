"""Public tests of the Regularization assignment (students see and run these).

Each ``*_test(target)`` calls the student's function on a fixed case from reg_utils and
raises AssertionError with a message in Chinese that says what is wrong: which key or
value, the expected and actual shape, the first differing value. The hidden graders use
other cases (other shapes, seeds, lambd and keep_prob values).

Expected values are written with 10 significant digits and compared with
rtol = 1e-7, atol = 1e-9; the classic dropout output is given with 8 decimals and compared
with atol = 1e-8.
"""
import numpy as np

from reg_utils import (backward_propagation, backward_propagation_with_dropout_test_case,
                       backward_propagation_with_regularization_test_case, compute_cost,
                       compute_cost_with_regularization_test_case, forward_propagation,
                       forward_propagation_with_dropout_test_case)

RTOL, ATOL = 1e-7, 1e-9

GRAD_KEYS = ["dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1"]
DROPOUT_CACHE = ["Z1", "D1", "A1", "W1", "b1", "Z2", "D2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3"]

# compute_cost_with_regularization_test_case(), lambd = 0.1
EXPECTED_COST = 1.7864859451590758

# backward_propagation_with_regularization_test_case(), lambd = 0.7
EXPECTED_L2_GRADIENTS = {
    "dZ3": np.array([[-0.3722974303, -0.8073114041, 0.5592480438, -0.518607793, 0.02530521838]]),
    "dW3": np.array([[0.01042743586, -0.4380537108, -0.2816312998]]),
    "db3": np.array([[-0.222732673]]),
    "dA2": np.array([[-0.01787260247, -0.03875599082, 0.02684739983, -0.02489641391, 0.001214808569],
                     [0.8779047541, 1.903699736, -1.318748066, 1.222915363, -0.05967156825],
                     [0.4116060985, 0.8925506068, -0.6182957137, 0.5733645009, -0.02797704567]]),
    "dZ2": np.array([[0, 0, 0, 0, 0.001214808569],
                     [0.8779047541, 1.903699736, 0, 1.222915363, -0.05967156825],
                     [0, 0.8925506068, -0.6182957137, 0.5733645009, -0.02797704567]]),
    "dW2": np.array([[-0.1692527423, 0.3114991835], [0.739396627, 0.531497721], [0.001097581271, 0.3671128468]]),
    "db2": np.array([[0.0002429617138], [0.7889696568], [0.1639284697]]),
    "dA1": np.array([[0.3461536435, -0.2426214671, 0.6880469849, -0.1558573098, 0.006136342053],
                     [1.485728884, 4.681728396, -1.011375694, 3.007489822, -0.1440480655]]),
    "dZ1": np.array([[0.3461536435, -0.2426214671, 0, -0.1558573098, 0],
                     [0, 4.681728396, 0, 3.007489822, -0.1440480655]]),
    "dW1": np.array([[0.006759760556, -0.1735928623, 0.2533207467], [0.9986442917, -0.3671123773, 0.01317200785]]),
    "db1": np.array([[-0.01046502668], [1.50903403]]),
}

# forward_propagation_with_dropout_test_case(), keep_prob = 0.7, np.random.seed(1) right before the call
EXPECTED_DROPOUT_A3 = np.array([[0.36974721, 0.00305176, 0.04565099, 0.49683389, 0.36974721]])
EXPECTED_DROPOUT_D1 = np.array([[1, 0, 1, 1, 1], [1, 1, 1, 1, 1]], dtype=bool)
EXPECTED_DROPOUT_D2 = np.array([[1, 1, 1, 0, 1], [1, 1, 1, 1, 1], [0, 0, 1, 1, 0]], dtype=bool)
EXPECTED_DROPOUT_A1 = np.array([[0, 0, 3.057064866, 3.724295052, 0], [0, 5.942999149, 1.129300296, 2.09276446, 0]])
EXPECTED_DROPOUT_A2 = np.array([[0.7576506668, 8.405916581, 4.405500208, 0, 0.7576506668],
                                [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]])

# backward_propagation_with_dropout_test_case() (keep_prob = 0.7)
EXPECTED_DROPOUT_GRADIENTS = {
    "dZ3": np.array([[-0.6783397687, -0.8381206788, 0.4952715469, -0.831600388, 0.01072227631]]),
    "dW3": np.array([[-0.1088316245, -0.3930951925, -0.0161373996]]),
    "db3": np.array([[-0.3684134024]]),
    "dA2": np.array([[-0.04652078088, -0.05747861212, 0.03396589758, 0, 0.0007353374954],
                     [2.285107318, 2.823357534, -1.66840968, 2.801392783, -0.03611988149],
                     [0, 0, -0.7822347423, 1.313434457, 0]]),
    "dZ2": np.array([[0, -0.05747861212, 0, 0, 0.0007353374954],
                     [2.285107318, 2.823357534, 0, 2.801392783, -0.03611988149],
                     [0, 0, -0.7822347423, 1.313434457, 0]]),
    "dW2": np.array([[0, -0.009296616255], [1.788270293, 0.7370529672], [0.2290007759, 0.1314665599]]),
    "db2": np.array([[-0.01134865492], [1.574747551], [0.1062399429]]),
    "dA1": np.array([[1.287152687, 0, 1.243543326, -0.51004294, -0.02161554477],
                     [5.524598571, 6.643336066, -1.827912224, 9.842008391, -0.0849897714]]),
    "dZ1": np.array([[1.287152687, 0, 0, -0.51004294, 0], [0, 6.643336066, 0, 9.842008391, -0.0849897714]]),
    "dW1": np.array([[-0.05773687703, -0.4418109258, 0.1253717963], [2.036659683, -0.1870804681, 0.556765812]]),
    "db1": np.array([[0.1554219493], [3.280070937]]),
}


def _passed(func_name):
    print(f"\033[92m{func_name}: 全部公开测试通过 (all public tests passed)\033[0m")


def _type_name(value):
    if isinstance(value, np.ndarray):
        return f"numpy 数组 (shape {value.shape}, dtype {value.dtype})"
    return type(value).__name__


def _check_array(got, want, name, rtol=RTOL, atol=ATOL, hint=""):
    """Shape, numeric dtype and values of one array; the message names the first differing entry."""
    assert isinstance(got, np.ndarray), f"{name} 应该是 numpy 数组，但得到的是 {_type_name(got)}。"
    assert got.shape == want.shape, f"{name} 的形状 (shape) 不对：期望 {want.shape}，得到 {got.shape}。"
    assert got.dtype == np.bool_ or np.issubdtype(got.dtype, np.number), (
        f"{name} 的数据类型 (dtype) 应为数值，得到 {got.dtype}。")
    got_f, want_f = got.astype(float), want.astype(float)
    close = np.isclose(got_f, want_f, rtol=rtol, atol=atol)
    if not close.all():
        idx = tuple(int(i) for i in np.argwhere(~close)[0])
        raise AssertionError(f"{name} 的数值不对：下标 {idx} 处期望 {want_f[idx]:.10g}，得到 {got_f[idx]:.10g}"
                             f"（共 {int((~close).sum())} / {close.size} 个元素不同）。{hint}")


def _check_gradients(gradients, expected, func_name, hints=None):
    hints = hints or {}
    assert isinstance(gradients, dict), (
        f"{func_name} 应该返回字典 (dict)，但返回的是 {_type_name(gradients)}。")
    missing = [k for k in GRAD_KEYS if k not in gradients]
    assert not missing, f"{func_name} 返回的字典缺少键 {missing}：应该正好有 {GRAD_KEYS}。"
    for key in GRAD_KEYS:
        _check_array(gradients[key], expected[key], f"gradients['{key}']", hint=hints.get(key, ""))


def _check_number(value, name):
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(())[()]
    assert isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)), (
        f"{name} 应该是一个数 (float)，但得到的是 {_type_name(value)}。")
    return float(value)


def compute_cost_with_regularization_test(target):
    A3, Y, parameters = compute_cost_with_regularization_test_case()
    m = Y.shape[1]
    cost = _check_number(target(A3, Y, parameters, lambd=0.1), "cost")
    if not np.isclose(cost, EXPECTED_COST, rtol=RTOL, atol=0):
        cross_entropy = float(compute_cost(A3, Y))
        want_term, got_term = EXPECTED_COST - cross_entropy, cost - cross_entropy
        hint = ""
        if np.isclose(got_term, m * want_term, rtol=1e-6):
            hint = "正则项好像少了因子 1/m。"
        elif np.isclose(got_term, 2 * want_term, rtol=1e-6):
            hint = "正则项好像少了因子 1/2。"
        elif abs(got_term) < 1e-12:
            hint = "正则项好像没有加上去。"
        raise AssertionError(f"lambd=0.1 时 cost 的值不对：期望 {EXPECTED_COST!r}，得到 {cost!r}。{hint}"
                             "正则项是 (1/m) * (lambd/2) * (W1、W2、W3 所有元素的平方和)，只包含权重，不包含偏置 b。")
    plain = _check_number(target(A3, Y, parameters, lambd=0), "lambd=0 时的 cost")
    assert np.isclose(plain, float(compute_cost(A3, Y)), rtol=RTOL, atol=0), (
        f"lambd=0 时应该就是交叉熵 compute_cost(A3, Y) = {float(compute_cost(A3, Y))!r}，得到 {plain!r}。")
    _passed("compute_cost_with_regularization")


def backward_propagation_with_regularization_test(target):
    X, Y, cache = backward_propagation_with_regularization_test_case()
    gradients = target(X, Y, cache, lambd=0.7)
    hint = "每个 dW 都要在交叉熵的梯度之外加上 (lambd / m) * W（对应的那一层的 W）。"
    _check_gradients(gradients, EXPECTED_L2_GRADIENTS, "backward_propagation_with_regularization",
                     {"dW1": hint, "dW2": hint, "dW3": hint})
    plain = backward_propagation(X, Y, cache)
    zero = target(X, Y, cache, lambd=0)
    for key in ("dW1", "dW2", "dW3"):
        _check_array(zero[key], plain[key], f"lambd=0 时的 gradients['{key}']",
                     hint="lambd=0 时应该与不带正则化的 backward_propagation 完全相同。")
    _passed("backward_propagation_with_regularization")


def _activation_hint(name, cache):
    """Which A the cache holds when it is not the one after dropout (from the cache's own Z and D)."""
    layer = name[1]
    try:
        A, Z, D = (np.asarray(cache[k], dtype=float) for k in (name, "Z" + layer, "D" + layer))
    except (TypeError, ValueError):
        return ""
    if A.shape == Z.shape and np.allclose(A, np.maximum(0, Z)):
        return (f"cache 中的 {name} 是 dropout 之前的激活值 relu(Z{layer})：cache 里要存 dropout 之后的 {name}"
                f"（A{layer} * D{layer} / keep_prob），下一层的 Z 和反向传播用的都是它。")
    if A.shape == Z.shape == D.shape and np.allclose(A, np.maximum(0, Z) * D):
        return f"关闭神经元 (A{layer} * D{layer}) 之后还要除以 keep_prob（inverted dropout）。"
    return "cache 中要存 dropout 之后的激活值：先乘以掩码 D，再除以 keep_prob（inverted dropout）。"


def forward_propagation_with_dropout_test(target):
    X, parameters = forward_propagation_with_dropout_test_case()
    np.random.seed(1)
    out = target(X, parameters, keep_prob=0.7)
    assert isinstance(out, tuple) and len(out) == 2, (
        f"应该返回 (A3, cache) 两个值，但得到的是 {_type_name(out)}。")
    A3, cache = out
    assert isinstance(cache, tuple) and len(cache) == 14, (
        f"cache 应该是 14 个元素的 tuple {tuple(DROPOUT_CACHE)}，得到 {_type_name(cache)}"
        + (f"（{len(cache)} 个元素）" if isinstance(cache, (tuple, list)) else "") + "。")
    got = dict(zip(DROPOUT_CACHE, cache))
    mask_hint = ("掩码要用 np.random.rand(*A.shape) < keep_prob 生成，先生成 D1 再生成 D2；"
                 "函数里不要调用 np.random.seed。")
    _check_array(got["D1"], EXPECTED_DROPOUT_D1, "cache 中的 D1", hint=mask_hint)
    _check_array(got["D2"], EXPECTED_DROPOUT_D2, "cache 中的 D2", hint=mask_hint)
    for name, want in (("A1", EXPECTED_DROPOUT_A1), ("A2", EXPECTED_DROPOUT_A2)):
        _check_array(got[name], want, f"cache 中的 {name}（dropout 之后）", hint=_activation_hint(name, got))
    _check_array(A3, EXPECTED_DROPOUT_A3, "A3", rtol=0, atol=1e-8)

    # No reseeding inside the function: a second call continues the random sequence.
    _, cache2 = target(X, parameters, keep_prob=0.7)
    same = np.array_equal(np.asarray(cache2[1]), np.asarray(cache[1])) and \
        np.array_equal(np.asarray(cache2[6]), np.asarray(cache[6]))
    assert not same, ("连续调用两次得到了完全相同的掩码 D1、D2：函数内部不应调用 np.random.seed。"
                      "dropout 的意义就在于每次迭代关闭不同的神经元；随机种子由 model 在训练开始前设置一次。")

    # The masks must be drawn as prescribed, np.random.rand(*A.shape) < keep_prob, D1 then D2: another
    # way of drawing (np.random.binomial, ...) has the same distribution but other masks for the same
    # seed, which the graders' comparison with the reference rejects. keep_prob = 0.5 tells them apart.
    for seed, keep_prob in ((3, 0.5), (4, 0.5)):
        np.random.seed(seed)
        _, cache_half = target(X, parameters, keep_prob=keep_prob)
        draws = np.random.RandomState(seed)  # the same stream np.random.seed(seed) starts
        want_D1 = draws.rand(*EXPECTED_DROPOUT_D1.shape) < keep_prob
        want_D2 = draws.rand(*EXPECTED_DROPOUT_D2.shape) < keep_prob
        for name, want in (("D1", want_D1), ("D2", want_D2)):
            got_mask = np.asarray(dict(zip(DROPOUT_CACHE, cache_half))[name])
            assert got_mask.shape == want.shape and np.array_equal(got_mask.astype(bool), want), (
                f"np.random.seed({seed})、keep_prob={keep_prob} 时 cache 中的 {name} 与规定的掩码不同：期望 "
                f"{want.astype(int).tolist()}，得到 {got_mask.astype(int).tolist()}。本练习规定掩码必须用 "
                "np.random.rand(*A.shape) < keep_prob 抽取，先 D1 后 D2，中间不抽别的随机数，"
                "这样同样的种子才能得到与参考答案相同的掩码；np.random.binomial(1, keep_prob, ...) 等写法分布相同，"
                "但抽出的掩码不同（keep_prob=0.5 时正好相反），评分时会判错。")

    # keep_prob = 1 keeps every unit: the output equals the plain forward pass.
    A3_plain, _ = forward_propagation(X, parameters)
    A3_one, _ = target(X, parameters, keep_prob=1.0)
    _check_array(A3_one, A3_plain, "keep_prob=1 时的 A3",
                 hint="keep_prob=1 时所有神经元都保留，结果应与 forward_propagation 相同。")
    _passed("forward_propagation_with_dropout")


def backward_propagation_with_dropout_test(target):
    X, Y, cache, keep_prob = backward_propagation_with_dropout_test_case()
    gradients = target(X, Y, cache, keep_prob)
    hint = ("反向传播要用前向传播时的同一个掩码：dA = dA * D，再除以 keep_prob。"
            "被关闭的神经元 (D = 0) 处 dA 应为 0。")
    _check_gradients(gradients, EXPECTED_DROPOUT_GRADIENTS, "backward_propagation_with_dropout",
                     {"dA1": hint, "dA2": hint})
    _passed("backward_propagation_with_dropout")
