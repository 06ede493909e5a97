"""Public tests of the ML Setup assignment (students see and run these).

Each ``*_test(target)`` calls the student's function on fixed cases and raises AssertionError
with a message in Chinese that says what is wrong. The hidden graders use other cases.

Tolerances: values computed with the same formulas agree to rounding, so floats are compared
with rtol 1e-7 (atol 1e-12).
"""
import numpy as np

RTOL, ATOL = 1e-7, 1e-12


def _passed(func_name):
    print(f"\033[92m{func_name}: 全部公开测试通过 (all public tests passed)\033[0m")


def _close(got, want):
    return np.allclose(got, want, rtol=RTOL, atol=ATOL)


# ---------------------------------------------------------------------------------------
# split_train_dev_test

PART_NAMES = ("X_train", "Y_train", "X_dev", "Y_dev", "X_test", "Y_test")


def _check_unchanged(function, originals, passed):
    """The caller's arrays must be left as they were (the graders check it too)."""
    for name, before in originals.items():
        after = passed[name]
        assert after.shape == before.shape and np.array_equal(after, before), (
            f"调用 {function} 之后，调用者传入的 {name} 被改变了（调用者的数据被改变了）："
            "像 X -= mu、np.random.shuffle(X.T) 这样的写法会原地修改传进来的数组。"
            "请在新数组上计算（X - mu、X[:, permutation]），不要修改参数（评分时扣 0.5 分）。")


def _split_case(m):
    """X (2, m) with distinct columns (column i is (i, i^2)); Y (1, m) with Y[0, i] = 10 i."""
    i = np.arange(m, dtype=np.float64)
    return np.vstack([i, i ** 2]), (10 * np.arange(m)).reshape(1, m)


def _check_split(target, m, dev_fraction, test_fraction, seed, m_dev, m_test):
    """m_dev, m_test: the expected sizes of the dev and test sets."""
    X, Y = _split_case(m)
    call = f"split_train_dev_test(X, Y, {dev_fraction}, {test_fraction}, seed={seed})，m = {m}"
    passed = {"X": X.copy(), "Y": Y.copy()}
    out = target(passed["X"], passed["Y"], dev_fraction, test_fraction, seed)
    _check_unchanged("split_train_dev_test", {"X": X, "Y": Y}, passed)
    assert isinstance(out, tuple) and len(out) == 6, (
        f"{call}：应返回 6 个数组 (X_train, Y_train, X_dev, Y_dev, X_test, Y_test)，得到 {type(out).__name__}。")
    sizes = {"train": m - m_dev - m_test, "dev": m_dev, "test": m_test}
    for k, name in enumerate(PART_NAMES):
        part = out[k]
        assert isinstance(part, np.ndarray), f"{call}：{name} 应该是 numpy 数组，得到 {type(part).__name__}。"
        rows = 2 if name.startswith("X") else 1
        want = (rows, sizes[name.split("_")[1]])
        assert part.shape == want, (
            f"{call}：{name} 的形状应为 {want}，得到 {part.shape}。"
            f"开发集 round({dev_fraction} * {m}) = {m_dev} 个样本，测试集 round({test_fraction} * {m}) = {m_test} 个，其余是训练集。")
    columns = np.hstack([out[0], out[2], out[4]])
    labels = np.hstack([out[1], out[3], out[5]])
    ids = columns[0]
    assert np.array_equal(np.sort(ids), np.arange(m)) and np.array_equal(columns[1], ids ** 2), (
        f"{call}：三个 X 合起来应该恰好是原来的 {m} 列，每列出现一次（不能重复、不能丢失，也不能改动数值）。")
    assert np.array_equal(np.sort(labels[0]), 10 * np.arange(m)), (
        f"{call}：三个 Y 合起来应该恰好是原来的 {m} 个标签，每个出现一次。")
    assert np.array_equal(labels[0], 10 * ids), (
        f"{call}：有样本的 x 和 y 被拆散了（X 的第 j 列与 Y 的第 j 列不再属于同一个样本）。"
        "X 和 Y 必须用同一个排列打乱，不能分别打乱。")
    assert not np.array_equal(ids, np.arange(m)), f"{call}：样本没有被打乱，顺序和原来一样。"
    return out


def split_train_dev_test_test(target):
    first = _check_split(target, 20, 0.2, 0.1, seed=3, m_dev=4, m_test=2)
    _check_split(target, 20, 0.25, 0.0, seed=3, m_dev=5, m_test=0)
    _check_split(target, 30, 0.1, 0.3, seed=0, m_dev=3, m_test=9)
    _check_split(target, 18, 0.3, 0.15, seed=1, m_dev=5, m_test=3)  # 5.4 -> 5, 2.7 -> 3 (round, not int)
    np.random.seed(123)  # the function seeds itself: the global state before the call must not matter
    again = _check_split(target, 20, 0.2, 0.1, seed=3, m_dev=4, m_test=2)
    assert all(np.array_equal(a, b) for a, b in zip(first, again)), (
        "同一个 seed 调用两次，结果应该完全相同：请保留函数开头的 np.random.seed(seed)，并只用 np.random 的函数打乱。")
    other = _check_split(target, 20, 0.2, 0.1, seed=4, m_dev=4, m_test=2)
    assert not all(np.array_equal(a, b) for a, b in zip(first, other)), "seed 不同，切分结果却完全相同：数据没有被打乱，或者打乱没有用到 seed（先 np.random.permutation(m)，再切分）。"
    _check_split_order(first)
    _passed("split_train_dev_test")


# The stated order for m = 20, seed = 3: np.random.permutation(20) after np.random.seed(3) is
# [14, 2, 1, 17, 4, 16, 6, ...]; its first 4 go to dev, the next 2 to test, the rest to train.
ORDER_CASE = {"X_dev": [14, 2, 1, 17], "X_test": [4, 16],
              "X_train": [6, 7, 15, 12, 9, 11, 19, 18, 13, 5, 0, 8, 3, 10]}


def _check_split_order(parts):
    """The split is correct; is it also the one the exercise prescribes (so the figures below match)?"""
    got = {"X_train": parts[0][0].astype(int).tolist(), "X_dev": parts[2][0].astype(int).tolist(),
           "X_test": parts[4][0].astype(int).tolist()}
    for name in ("X_dev", "X_test", "X_train"):
        assert got[name] == ORDER_CASE[name], (
            f"split_train_dev_test(X, Y, 0.2, 0.1, seed=3)，m = 20：切分本身是对的（评分只检查这些性质），"
            f"但没有按练习规定的顺序切。{name} 的样本编号应为 {ORDER_CASE[name]}，得到 {got[name]}。"
            "请在 np.random.seed(seed) 之后只调用一次 np.random.permutation(m)，排列的前 m_dev 个下标给开发集，"
            "接下来 m_test 个给测试集，其余的按原顺序给训练集；否则后面实验的数字会和文中的不一样。")


# ---------------------------------------------------------------------------------------
# diagnose_bias_variance

LECTURE_CASES = [  # (name, train_error, dev_error, high_bias, high_variance)
    ("A", 0.01, 0.11, False, True),
    ("B", 0.15, 0.16, True, False),
    ("C", 0.15, 0.30, True, True),
    ("D", 0.005, 0.01, False, False),
]


def _check_diagnosis(got, call, high_bias, high_variance):
    assert isinstance(got, dict), f"{call} 应返回字典 (dict)，得到 {type(got).__name__}。"
    assert set(got) == {"high_bias", "high_variance"}, (
        f"{call} 返回的字典应恰好有两个键 'high_bias' 和 'high_variance'，得到 {sorted(map(str, got))}。")
    for key in ("high_bias", "high_variance"):
        assert isinstance(got[key], (bool, np.bool_)), f"{call}['{key}'] 应为 True 或 False，得到 {type(got[key]).__name__}。"
    want = {"high_bias": high_bias, "high_variance": high_variance}
    if (bool(got["high_bias"]), bool(got["high_variance"])) == (high_variance, high_bias) and high_bias != high_variance:
        raise AssertionError(f"{call}：high_bias 和 high_variance 正好反了。偏差看训练集误差 − 贝叶斯误差，方差看开发集误差 − 训练集误差。")
    for key in ("high_bias", "high_variance"):
        assert bool(got[key]) == want[key], f"{call}['{key}'] 应为 {want[key]}，得到 {bool(got[key])}。"


def diagnose_bias_variance_test(target):
    for name, train_error, dev_error, high_bias, high_variance in LECTURE_CASES:
        call = f"情况 {name}：diagnose_bias_variance({train_error}, {dev_error})"
        _check_diagnosis(target(train_error, dev_error), call, high_bias, high_variance)
    call = "diagnose_bias_variance(0.15, 0.16, bayes_error=0.14)"
    _check_diagnosis(target(0.15, 0.16, bayes_error=0.14), call + "（贝叶斯误差 14%：可避免偏差只有 1%）", False, False)
    call = "diagnose_bias_variance(0.04, 0.07, threshold=0.05)"
    _check_diagnosis(target(0.04, 0.07, threshold=0.05), call + "（阈值 5%）", False, False)
    _passed("diagnose_bias_variance")


# ---------------------------------------------------------------------------------------
# normalize_inputs, apply_normalization

X_NORM_CASE = np.array([[1.0, 2.0, 3.0, 4.0, 10.0],
                        [100.0, 300.0, 200.0, 500.0, 400.0],
                        [-0.5, 0.5, 0.25, -0.25, 0.0]])
EXPECTED_MU = np.array([[4.0], [300.0], [0.0]])
EXPECTED_SIGMA = np.array([[3.1622776601683795], [141.4213562373095], [0.3535533905932738]])
EXPECTED_X_NORM = np.array([[-0.9486832980505138, -0.6324555320336759, -0.31622776601683794, 0.0, 1.8973665961010275],
                            [-1.414213562373095, 0.0, -0.7071067811865475, 1.414213562373095, 0.7071067811865475],
                            [-1.414213562373095, 1.414213562373095, 0.7071067811865475, -0.7071067811865475, 0.0]])

X_DEV_CASE = np.array([[0.0, 5.0, 8.0], [250.0, 600.0, 100.0], [1.0, -1.0, 0.5]])
EXPECTED_DEV_NORM = np.array([[-1.2649110640673518, 0.31622776601683794, 1.2649110640673518],
                              [-0.35355339059327373, 2.1213203435596424, -1.414213562373095],
                              [2.82842712474619, -2.82842712474619, 1.414213562373095]])
# what comes out when X_DEV_CASE is divided by the variance instead of the standard deviation (a mistake)
DEV_DIVIDED_BY_VARIANCE = np.array([[-0.4, 0.1, 0.4], [-0.0025, 0.015, -0.01], [8.0, -8.0, 4.0]])
# what comes out when the dev set is normalized with its own mean and standard deviation (the mistake)
DEV_OWN_STATISTICS = np.array([[-1.3131983079178737, 0.20203050891044222, 1.1111677990074318],
                               [-0.3182229136702921, 1.352447383098741, -1.034224469428449],
                               [0.9805806756909202, -1.3728129459672882, 0.3922322702763681]])


def normalize_inputs_test(target):
    out = target(X_NORM_CASE.copy())
    assert isinstance(out, tuple) and len(out) == 3, "normalize_inputs 应返回 (X_norm, mu, sigma) 三个值。"
    X_norm, mu, sigma = out
    for name, value, shape in (("X_norm", X_norm, (3, 5)), ("mu", mu, (3, 1)), ("sigma", sigma, (3, 1))):
        assert isinstance(value, np.ndarray), f"{name} 应该是 numpy 数组，得到 {type(value).__name__}。"
        assert value.shape == shape, (
            f"{name} 的形状应为 {shape}，得到 {value.shape}" + ("（提示：axis=1, keepdims=True）" if name != "X_norm" else "") + "。")
    assert _close(mu, EXPECTED_MU), f"mu 不对：期望每个特征（每一行）的均值 {EXPECTED_MU.ravel()}，得到 {mu.ravel()}。"
    if _close(sigma, EXPECTED_SIGMA ** 2):
        raise AssertionError("sigma 是方差 σ²，不是标准差 σ：要除以标准差（方差的平方根），每个特征的方差才会是 1（ERRATA 2）。")
    if _close(sigma, EXPECTED_SIGMA * np.sqrt(5 / 4)):
        raise AssertionError("sigma 用了样本标准差（分母 m-1，ddof=1）：这里要总体标准差，分母是 m（np.std 的默认值）。")
    assert _close(sigma, EXPECTED_SIGMA), f"sigma 不对：期望每个特征的标准差 {EXPECTED_SIGMA.ravel()}，得到 {sigma.ravel()}。"
    assert _close(X_norm, EXPECTED_X_NORM), "X_norm 不对：应为 (X_train - mu) / sigma。"
    assert _close(X_norm.var(axis=1), np.ones(3)), "归一化之后每个特征的方差应为 1。"
    _passed("normalize_inputs")


def apply_normalization_test(target):
    passed = {"X": X_DEV_CASE.copy(), "mu": EXPECTED_MU.copy(), "sigma": EXPECTED_SIGMA.copy()}
    got = target(passed["X"], passed["mu"], passed["sigma"])
    _check_unchanged("apply_normalization", {"X": X_DEV_CASE, "mu": EXPECTED_MU, "sigma": EXPECTED_SIGMA}, passed)
    assert isinstance(got, np.ndarray), f"apply_normalization 应返回 numpy 数组，得到 {type(got).__name__}。"
    assert got.shape == (3, 3), f"返回值的形状应为 (3, 3)，得到 {got.shape}。"
    if np.allclose(got, DEV_DIVIDED_BY_VARIANCE, rtol=1e-6):
        raise AssertionError("你除以的是 sigma ** 2（方差），应该除以 sigma（标准差），归一化后的方差才是 1（ERRATA 2）。")
    if _close(got, DEV_OWN_STATISTICS):
        raise AssertionError("你用开发集自己的均值和标准差做了归一化：开发集和测试集必须用训练集的 mu 和 sigma（参数里给出的）。")
    assert _close(got, EXPECTED_DEV_NORM), "结果不对：应为 (X - mu) / sigma，mu 和 sigma 用参数给出的值。"
    _passed("apply_normalization")


# ---------------------------------------------------------------------------------------
# activation_variances

X_VAR_CASE = np.array([[0.5, -1.0, 2.0, 0.0, 1.5, -0.5],
                       [1.0, 0.5, -1.5, 2.0, -1.0, 0.0],
                       [-2.0, 1.0, 0.5, 1.0, 0.0, 1.5]])
VAR_DIMS = [3, 4, 5, 2]
EXPECTED_VARIANCES = {  # (initialization, activation) -> variances of A1, A2, A3 (seed 2)
    ("zeros", "relu"): [0.0, 0.0, 0.0],
    ("random", "relu"): [314.9226404522783, 64357.23671269194, 6760022.681973794],
    ("he", "relu"): [2.0994842696818554, 2.1452412237563987, 0.9013363575965063],
    ("xavier", "tanh"): [0.6861910399719512, 0.16726442902376434, 0.0715055695522115],
}


def activation_variances_test(target):
    for (init, activation), want in EXPECTED_VARIANCES.items():
        call = f"activation_variances(X, {VAR_DIMS}, '{init}', '{activation}', seed=2)"
        np.random.seed(99)  # the function seeds itself
        got = target(X_VAR_CASE.copy(), list(VAR_DIMS), init, activation, 2)
        assert isinstance(got, list), f"{call} 应返回 python 列表 (list)，得到 {type(got).__name__}。"
        assert len(got) == len(VAR_DIMS) - 1, f"{call} 应返回 {len(VAR_DIMS) - 1} 个方差（A1 … A{len(VAR_DIMS) - 1}），得到 {len(got)} 个。"
        for l, (g, w) in enumerate(zip(got, want), start=1):
            assert np.ndim(g) == 0, f"{call}：第 {l} 个元素应是一个数，得到形状 {np.shape(g)}。"
            if not np.isclose(g, w, rtol=RTOL, atol=ATOL):
                hint = ""
                if l == 1:
                    hint = "检查第 1 层：W1 的形状 (n1, n0) 和尺度、激活函数、以及 np.var 对全部元素求方差。"
                else:
                    hint = "第 1 层对了而后面的层不对：只在开头调用一次 np.random.seed(seed)，每层 A 用上一层的输出。"
                raise AssertionError(f"{call}：Var(A{l}) 期望 {w!r}，得到 {float(g)!r}（rtol={RTOL:g}）。{hint}")
    _passed("activation_variances")
