"""Hidden graders of the ML Setup assignment.

Each test calls the submission's function (in the sandbox child) on cases the public tests do
not use. Points per item (= the cell points of the master notebook): split_train_dev_test 3,
diagnose_bias_variance 2, normalize_inputs 2, apply_normalization 1, activation_variances 2.

split_train_dev_test is graded by properties, never by one particular order: sizes
(round(fraction * m)), every example in exactly one part with its values unchanged, each x
still with its y, and the same split for the same seed (whatever numpy's global state) but
not for another seed. The other functions are compared with the reference solution of
source/ (run in this process).

Named mistakes and the points they lose (tests/test_ml_setup.py and the samples check these):
- X and Y shuffled separately: test_split_keeps_pairs, 1 point;
- bias and variance swapped: both diagnose tests, 2 points;
- variance instead of standard deviation: both normalize_inputs tests, 2 points;
- dev/test set normalized with its own statistics: apply_normalization, 1 point;
- the caller's X (and Y) changed in place (X -= mu, np.random.shuffle(X.T)), right results otherwise:
  0.5 point once per function (course.checks.note_wrong_form, docs/grading-policy.md);
- mu or sigma of shape (n,) instead of (n, 1), right values: 0.5 point.

Tolerances (error analysis): every float checked is a sum or product of at most a few hundred
float64 terms (means and standard deviations of m <= 60 values; matrix products with <= 30 terms
per entry, through <= 6 layers of 1-Lipschitz activations). An equivalent formulation (another
summation order, np.std instead of the square root of a mean, x * (1 / sigma) instead of
x / sigma, standard_normal / sqrt(n / 2) instead of randn * sqrt(2 / n)) therefore moves a value
by at most about layers * n * eps ~ 1e-13 relative. Measured: at most 1.1e-15 over the correct
corpus (tests/corpus_ml_setup.py) and 9.3e-16 between OpenBLAS kernels (tools/platform_matrix.py).
rtol 1e-7 sits 1e8 above that and far below the smallest mistake it must catch (a sample instead
of a population standard deviation is off by sqrt(m / (m - 1)) - 1 >= 8e-3 for m <= 60; dividing by
sigma ** 2, reseeding or a wrong scale are off by orders of magnitude). Normalized entries are O(1)
and may be near 0, so they also get atol 1e-9; a mean that should be 0 is checked with atol 1e-9.
"""
import numpy as np
import pytest

from course.checks import CheckFailed, expect_array, fail, note_wrong_form
from course.grading.session import SubmissionFailure
from course.sandbox.wire import Unsupported

RTOL, ATOL = 1e-7, 1e-12

SPLIT = "split_train_dev_test"
DIAGNOSE = "diagnose_bias_variance"
NORMALIZE = "normalize_inputs"
APPLY = "apply_normalization"
VARIANCES = "activation_variances"

PART_NAMES = "X_train Y_train X_dev Y_dev X_test Y_test".split()


# ---------------------------------------------------------------------------------------
# split_train_dev_test


def _split_data(n_x, n_y, m, seed):
    """X (n_x, m) float and Y (n_y, m) int, every column of each distinct, so a column says which
    example it is; column i of X belongs with column i of Y."""
    rng = np.random.RandomState(seed)
    X = rng.randn(n_x, m)
    X[0] = rng.permutation(m) + rng.uniform(0.1, 0.9, size=m)  # distinct first entries
    Y = rng.randint(0, 2, size=(n_y, m))
    Y[0] = 1000 + rng.permutation(m)  # distinct labels in the first row
    return X, Y


# name -> (n_x, n_y, m, dev_fraction, test_fraction); no fraction * m is a tie at .5.
# The size cases include two where round differs from int truncation; the property cases
# ("m50", "m36") have whole sizes, so a size mistake costs only the size tests.
SPLIT_CASES = {
    "m47": (2, 1, 47, 0.2, 0.25),  # 9.4 -> 9, 11.75 -> 12
    "m30-no-test": (3, 2, 30, 0.1, 0.0),  # 3, 0: an empty test set of shape (n, 0)
    "m200-small-dev": (1, 1, 200, 0.01, 0.005),  # 2, 1
    "m64": (4, 3, 64, 0.3, 0.15),  # 19.2 -> 19, 9.6 -> 10
    "m50": (2, 1, 50, 0.2, 0.1),  # 10, 5
    "m36": (3, 2, 36, 0.25, 0.25),  # 9, 9
}
SIZE_CASES = ["m47", "m30-no-test", "m200-small-dev", "m64"]
PROPERTY_CASES = ["m50", "m36"]


def _note_changed_inputs(function, originals, args):
    """The caller's arrays must come back unchanged (issue 21): the child gets copies, and return_args
    shows them as the function left them. A change costs the item FORM_PENALTY once (course.checks)."""
    changed = [name for (name, before), after in zip(originals.items(), args)
               if not (type(after) is np.ndarray and after.shape == before.shape and np.array_equal(after, before))]
    if changed:
        note_wrong_form(f"调用 {function} 之后，调用者传入的 {'、'.join(changed)} 被改变了（调用者的数据被改变了）："
                        "X -= mu、np.random.shuffle(X.T) 这类写法原地修改了传进来的数组。请在新数组上计算"
                        "（X - mu、X[:, permutation]），不要修改参数。返回值是对的，这一项扣 0.5 分（同一个函数只扣一次）。")


def _call_split(submission, case, seed, global_seed=None):
    n_x, n_y, m, dev_fraction, test_fraction = SPLIT_CASES[case]
    X, Y = _split_data(n_x, n_y, m, seed=len(case) + m)
    call = f"{SPLIT}(X, Y, {dev_fraction}, {test_fraction}, seed={seed})，X 的形状 {X.shape}，Y 的形状 {Y.shape}"
    got, args, _ = submission.call(SPLIT, X, Y, dev_fraction, test_fraction, seed, seed=global_seed, return_args=True)
    _note_changed_inputs(SPLIT, {"X": X, "Y": Y}, args)
    if type(got) not in (tuple, list) or len(got) != 6:
        fail(f"{call}：应返回 6 个数组 (X_train, Y_train, X_dev, Y_dev, X_test, Y_test)，得到 "
             f"{type(got).__name__ if not isinstance(got, Unsupported) else got.type_name}"
             + (f"（{len(got)} 个值）" if type(got) in (tuple, list) else "") + "。")
    m_dev = round(dev_fraction * m)
    m_test = round(test_fraction * m)
    sizes = dict(train=m - m_dev - m_test, dev=m_dev, test=m_test)
    for name, part in zip(PART_NAMES, got):
        if type(part) is not np.ndarray:
            fail(f"{call}：{name} 应该是 numpy 数组，得到 {type(part).__name__}。")
        rows = n_x if name.startswith("X") else n_y
        want = (rows, sizes[name[2:]])
        if part.shape != want:
            fail(f"{call}：{name} 的形状应为 {want}，得到 {part.shape}。开发集 round({dev_fraction} * {m}) = {m_dev} 个样本，"
                 f"测试集 round({test_fraction} * {m}) = {m_test} 个，其余 {sizes['train']} 个是训练集。")
    return X, Y, list(got), call


def _indices(part, original, name, call):
    """For each column of ``part``, the index of the equal column of ``original``."""
    lookup = {tuple(col): i for i, col in enumerate(original.T.tolist())}
    out = []
    for j, col in enumerate(part.T.tolist()):
        i = lookup.get(tuple(col))
        if i is None:
            fail(f"{call}：{name} 的第 {j} 列不是原数据中的任何一列：切分只应该重新排列样本，不能改动数值。")
        out.append(i)
    return out


def _check_partition(X, Y, parts, call):
    """Every column of X and of Y in exactly one part; returns the X and Y indices of each part."""
    x_idx = [_indices(parts[k], X, PART_NAMES[k], call) for k in (0, 2, 4)]
    y_idx = [_indices(parts[k], Y, PART_NAMES[k], call) for k in (1, 3, 5)]
    m = X.shape[1]
    for what, idx in (("X", x_idx), ("Y", y_idx)):
        flat = sorted(i for part in idx for i in part)
        if flat != list(range(m)):
            fail(f"{call}：{what} 的 {m} 个样本应该每个恰好出现在一份数据里："
                 f"有 {m - len(set(flat))} 个样本没有出现，{len(flat) - len(set(flat))} 个重复出现。")
    return x_idx, y_idx


@pytest.mark.grade(item=SPLIT, points=0.125)
@pytest.mark.parametrize("case", SIZE_CASES)
def test_split_sizes(submission, case):
    """三份数据的个数：开发集 round(dev_fraction * m)，测试集 round(test_fraction * m)，其余是训练集。"""
    _call_split(submission, case, seed=21)


@pytest.mark.grade(item=SPLIT, points=0.25)
@pytest.mark.parametrize("case", PROPERTY_CASES)
def test_split_partition(submission, case):
    """每个样本恰好属于一份数据，数值不变（X 和 Y 各自检查）。"""
    X, Y, parts, call = _call_split(submission, case, seed=8)
    _check_partition(X, Y, parts, call)


@pytest.mark.grade(item=SPLIT, points=0.5)
@pytest.mark.parametrize("case", PROPERTY_CASES)
def test_split_keeps_pairs(submission, case):
    """打乱后每个 x 仍然和它自己的 y 在一起（X 和 Y 用同一个排列）。"""
    X, Y, parts, call = _call_split(submission, case, seed=13)
    x_idx, y_idx = _check_partition(X, Y, parts, call)
    for name, xs, ys in zip(("训练集", "开发集", "测试集"), x_idx, y_idx):
        bad = sum(a != b for a, b in zip(xs, ys))
        if bad:
            fail(f"{call}：{name}里有 {bad} / {len(xs)} 个位置的 x 和 y 不属于同一个样本：X 和 Y 被分别打乱了"
                 "（X and Y shuffled separately）。必须生成一个排列，再用它同时索引 X 和 Y 的列。")


@pytest.mark.grade(item=SPLIT, points=0.5)
def test_split_same_seed_same_split(submission):
    """同一个 seed 两次调用结果完全相同，与调用前的随机状态无关。"""
    _, _, first, call = _call_split(submission, "m50", seed=5, global_seed=100)
    _, _, again, _ = _call_split(submission, "m50", seed=5, global_seed=200)
    for name, a, b in zip(PART_NAMES, first, again):
        if not np.array_equal(a, b):
            fail(f"{call}：同一个 seed 调用两次，{name} 却不同。请在函数开头调用 np.random.seed(seed)，并用 np.random 的函数打乱。")


@pytest.mark.grade(item=SPLIT, points=0.5)
def test_split_shuffled_by_seed(submission):
    """数据按 seed 随机打乱：换一个 seed，三份数据里的样本也不同。"""
    X, Y, first, call = _call_split(submission, "m36", seed=5)
    _, _, other, _ = _call_split(submission, "m36", seed=6)
    x_first = _check_partition(X, Y, first, call)[0]
    x_other = _check_partition(X, Y, other, call)[0]
    if all(sorted(a) == sorted(b) for a, b in zip(x_first, x_other)):
        fail(f"{call}：seed=5 和 seed=6 分出的三份数据包含完全相同的样本：数据没有按 seed 随机打乱 (not shuffled)。"
             "先用 np.random.permutation(m) 打乱样本的顺序，再切分。")


# ---------------------------------------------------------------------------------------
# diagnose_bias_variance

DIAGNOSIS_KEYS = ("high_bias", "high_variance")

# (train_error, dev_error) with the default Bayes error and threshold: the lecture's four cases
# (issue 14 names them), then the same four kinds with other numbers.
DEFAULT_CASES = [(0.01, 0.11), (0.15, 0.16), (0.15, 0.30), (0.005, 0.01),
                 (0.02, 0.12), (0.18, 0.19), (0.12, 0.26), (0.004, 0.012), (0.035, 0.04), (0.001, 0.05)]
# (train_error, dev_error, bayes_error, threshold); no case is within 1e-9 of its threshold.
BAYES_CASES = [(0.15, 0.16, 0.14, 0.02), (0.13, 0.25, 0.10, 0.02), (0.21, 0.22, 0.10, 0.02),
               (0.11, 0.20, 0.10, 0.02), (0.08, 0.12, 0.05, 0.05), (0.08, 0.20, 0.0, 0.05),
               (0.30, 0.31, 0.25, 0.10)]


def _check_diagnosis(got, expected, call):
    if type(got) is not dict:
        fail(f"{call} 应返回字典 (dict)，得到 {getattr(got, 'type_name', type(got).__name__)}。")
    if set(got) != {"high_bias", "high_variance"}:
        fail(f"{call} 返回的字典应恰好有两个键 'high_bias' 和 'high_variance'，得到 {sorted(map(str, got))}。")
    for key in DIAGNOSIS_KEYS:
        if type(got[key]) not in (bool, np.bool_):
            fail(f"{call}['{key}'] 应为 True 或 False，得到 {type(got[key]).__name__}。")
    pair = (bool(got["high_bias"]), bool(got["high_variance"]))
    want = (expected["high_bias"], expected["high_variance"])
    if pair != want:
        swapped = pair == want[::-1]
        fail(f"{call} 应返回 high_bias={want[0]}, high_variance={want[1]}，得到 high_bias={pair[0]}, high_variance={pair[1]}。"
             + ("偏差和方差弄反了 (bias and variance swapped)：可避免偏差 = 训练集误差 − 贝叶斯误差，方差 = 开发集误差 − 训练集误差。"
                if swapped else "可避免偏差 = 训练集误差 − 贝叶斯误差，方差 = 开发集误差 − 训练集误差，大于 threshold 才算高。"))


@pytest.mark.grade(item=DIAGNOSE, points=1)
def test_diagnose_default_bayes_and_threshold(submission, reference):
    """贝叶斯误差 0、阈值 0.02（默认参数）时的四类情况：高偏差、高方差、两者都高、两者都低。"""
    for train_error, dev_error in DEFAULT_CASES:
        call = f"{DIAGNOSE}({train_error}, {dev_error})"
        _check_diagnosis(submission.call(DIAGNOSE, train_error, dev_error),
                         reference.diagnose_bias_variance(train_error, dev_error), call)


@pytest.mark.grade(item=DIAGNOSE, points=1)
def test_diagnose_with_bayes_error(submission, reference):
    """贝叶斯误差不为 0、阈值不是默认值：偏差要和贝叶斯误差比，而不是和 0 比。"""
    for train_error, dev_error, bayes_error, threshold in BAYES_CASES:
        call = f"{DIAGNOSE}({train_error}, {dev_error}, bayes_error={bayes_error}, threshold={threshold})"
        got = submission.call(DIAGNOSE, train_error, dev_error, bayes_error=bayes_error, threshold=threshold)
        _check_diagnosis(got, reference.diagnose_bias_variance(train_error, dev_error, bayes_error=bayes_error,
                                                               threshold=threshold), call)


# ---------------------------------------------------------------------------------------
# normalize_inputs, apply_normalization


def _features(n_x, m, seed):
    """Features on very different scales and offsets: row j is about 10**(j - 1) * N(j, 1)."""
    rng = np.random.RandomState(seed)
    scales = 10.0 ** (np.arange(n_x) - 1)
    return (rng.randn(n_x, m) + np.arange(n_x)[:, None] + 0.5) * scales[:, None]


def _sigma_hint(sigma, X):
    """A message naming the mistake when sigma is the variance or the sample standard deviation."""
    if type(sigma) is not np.ndarray or sigma.shape != (X.shape[0], 1):
        return ""
    std = X.std(axis=1, keepdims=True)
    if np.allclose(sigma, std ** 2, rtol=1e-6, atol=0):
        return ("sigma 是方差 σ² 而不是标准差 σ (variance instead of standard deviation)：要除以标准差（方差的平方根），"
                "每个特征的方差才会是 1（ERRATA 2 和 8）。")
    if np.allclose(sigma, X.std(axis=1, ddof=1, keepdims=True), rtol=1e-6, atol=0):
        return "sigma 用了样本标准差（分母 m − 1，ddof=1）：这里要总体标准差，分母是 m（np.std 的默认值）。"
    return ""


def _call_normalize(submission, X):
    got = submission.call(NORMALIZE, X)
    call = f"{NORMALIZE}(X)，X 的形状 {X.shape}"
    if type(got) not in (tuple, list) or len(got) != 3:
        fail(f"{call} 应返回 (X_norm, mu, sigma) 三个值。")
    hint = _sigma_hint(got[2], X)
    if hint:
        fail(f"{call}：{hint}")
    return got, call


@pytest.mark.grade(item=NORMALIZE, points=0.5)
@pytest.mark.parametrize("shape,seed", [((4, 30), 3), ((1, 7), 4)], ids=["4x30", "1x7"])
def test_normalize_matches_reference(submission, reference, shape, seed):
    """mu、sigma（形状 (n_x, 1)，总体标准差）和 X_norm 与参考实现一致。"""
    X = _features(*shape, seed)
    (X_norm, mu, sigma), call = _call_normalize(submission, X)
    want_norm, want_mu, want_sigma = reference.normalize_inputs(X)
    expect_array(mu, want_mu, f"{call} 返回的 mu", rtol=RTOL, atol=ATOL)
    expect_array(sigma, want_sigma, f"{call} 返回的 sigma", rtol=RTOL, atol=ATOL)
    expect_array(X_norm, want_norm, f"{call} 返回的 X_norm", rtol=RTOL, atol=1e-9)


@pytest.mark.grade(item=NORMALIZE, points=1)
def test_normalize_gives_mean_0_variance_1(submission):
    """归一化后每个特征均值为 0、方差为 1，sigma 是标准差 σ 而不是方差 σ²。"""
    X = _features(3, 50, seed=11)
    (X_norm, mu, sigma), call = _call_normalize(submission, X)
    expect_array(mu, X.mean(axis=1, keepdims=True), f"{call} 返回的 mu", rtol=RTOL, atol=ATOL)
    expect_array(sigma, X.std(axis=1, keepdims=True), f"{call} 返回的 sigma", rtol=RTOL, atol=ATOL)
    if type(X_norm) is not np.ndarray or X_norm.shape != X.shape:
        fail(f"{call}：X_norm 应为形状 {X.shape} 的 numpy 数组。")
    expect_array(X_norm.mean(axis=1), np.zeros(3), f"{call}：X_norm 每个特征（每一行）的均值", rtol=0, atol=1e-9)
    expect_array(X_norm.var(axis=1), np.ones(3), f"{call}：X_norm 每个特征的方差", rtol=1e-9, atol=0)


@pytest.mark.grade(item=APPLY, points=0.5)
@pytest.mark.parametrize("m_new", [40, 1], ids=["dev40", "one-example"])
def test_apply_uses_training_statistics(submission, reference, m_new):
    """开发集 / 新样本用训练集的 mu 和 sigma 归一化，而不是用它自己的统计量。"""
    X_train = _features(3, 60, seed=21)
    _, mu, sigma = reference.normalize_inputs(X_train)
    X_new = _features(3, m_new, seed=22) * np.array([[1.5], [0.7], [2.0]]) + np.array([[3.0], [-20.0], [150.0]])
    call = f"{APPLY}(X, mu, sigma)，X 的形状 {X_new.shape}，mu 和 sigma 来自训练集"
    got, args, _ = submission.call(APPLY, X_new, mu, sigma, return_args=True)
    _note_changed_inputs(APPLY, {"X": X_new, "mu": mu, "sigma": sigma}, args)
    expected = reference.apply_normalization(X_new, mu, sigma)
    if type(got) is np.ndarray and got.shape == X_new.shape:
        with np.errstate(all="ignore"):
            own = (X_new - X_new.mean(axis=1, keepdims=True)) / X_new.std(axis=1, keepdims=True)
        if np.allclose(got, own, rtol=1e-6, atol=1e-9, equal_nan=True) or (m_new == 1 and not np.isfinite(got).all()):
            fail(f"{call}：你用这份数据自己的均值和标准差做了归一化 (normalized with its own statistics)。"
                 "开发集、测试集和新样本必须用训练集的 mu 和 sigma（参数里给出的），否则同一个 x 在训练和预测时会被变换成不同的数"
                 + ("（只有一个样本时，它自己的标准差是 0，根本无法计算）。" if m_new == 1 else "。"))
    if type(got) is np.ndarray and got.shape == X_new.shape and np.allclose(got, (X_new - mu) / sigma ** 2, rtol=1e-6, atol=0):
        fail(f"{call}：你除以的是 sigma ** 2（方差），应该除以 sigma（标准差），归一化后每个特征的方差才是 1"
             "（variance instead of standard deviation，ERRATA 2）。")
    expect_array(got, expected, f"{call} 的返回值", rtol=RTOL, atol=1e-9)


# ---------------------------------------------------------------------------------------
# activation_variances

# name -> (layers_dims, m, initialization, activation, seed)
VARIANCE_CASES = {
    "zeros-relu": ([6, 8, 8, 3], 20, "zeros", "relu", 4),
    "random-relu": ([5, 12, 12, 12, 12, 4], 30, "random", "relu", 6),
    "he-relu": ([10, 30, 30, 30, 30, 30, 30], 40, "he", "relu", 7),
    "xavier-relu": ([8, 16, 8, 16, 2], 25, "xavier", "relu", 8),
    "zeros-tanh": ([4, 5, 1], 10, "zeros", "tanh", 9),
    "random-tanh": ([7, 9, 9, 3], 15, "random", "tanh", 10),
    "he-tanh": ([12, 20, 20, 20, 20], 35, "he", "tanh", 11),
    "xavier-tanh": ([9, 30, 10, 30, 10, 1], 50, "xavier", "tanh", 12),
}


def _log10_curve(values):
    """log10 of each variance for the feedback plot (None where it is not a positive number)."""
    out = []
    for v in values:
        ok = isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and np.isfinite(v) and v > 0
        out.append(float(np.log10(float(v))) if ok else None)
    return out


def _check_variances(got, expected, call):
    if type(got) not in (list, tuple):
        fail(f"{call} 应返回一个列表 (list)，得到 {getattr(got, 'type_name', type(got).__name__)}。")
    if len(got) != len(expected):
        fail(f"{call} 应返回 {len(expected)} 个方差（A1 … A{len(expected)}），得到 {len(got)} 个。")
    for l, (g, w) in enumerate(zip(got, expected), start=1):
        if isinstance(g, np.ndarray) and g.size == 1:
            g = g.reshape(())[()]
        if isinstance(g, bool) or not isinstance(g, (int, float, np.integer, np.floating)):
            fail(f"{call}：第 {l} 个元素应是一个数（np.var 的结果），得到 {getattr(g, 'type_name', type(g).__name__)}。")
        if not np.isclose(float(g), w, rtol=RTOL, atol=ATOL):
            hint = ("检查 W1 的形状 (n1, n0) 与尺度、激活函数，以及 np.var 是否对全部元素求方差。" if l == 1 else
                    f"前 {l - 1} 层都对：检查是否只在开头调用一次 np.random.seed(seed)，以及每层是否用上一层的输出 A。")
            fail(f"{call}：Var(A{l}) 期望 {w!r}，得到 {float(g)!r}（rtol={RTOL:g}）。{hint}")


@pytest.mark.grade(item=VARIANCES, points=0.25)
@pytest.mark.parametrize("case", VARIANCE_CASES)
def test_activation_variances(submission, reference, feedback, case):
    """每层激活值的方差与参考实现一致（一次 np.random.seed(seed)，逐层抽 W，b = 0）。"""
    dims, m, initialization, activation, seed = VARIANCE_CASES[case]
    X = np.random.RandomState(seed + 100).randn(dims[0], m)
    call = f"{VARIANCES}(X, {dims}, '{initialization}', '{activation}', seed={seed})"
    expected = reference.activation_variances(X, list(dims), initialization, activation, seed)
    got = None
    try:
        got = submission.call(VARIANCES, X, list(dims), initialization, activation, seed, seed=seed + 1)
        _check_variances(got, expected, call)
    except (CheckFailed, SubmissionFailure):
        if initialization != "zeros":  # a failed case shows its curve next to the reference
            curves = {"reference": _log10_curve(expected)}
            if type(got) in (list, tuple) and None not in _log10_curve(got):
                curves["yours"] = _log10_curve(got)
            feedback.curves(curves=curves, title=f"log10 Var(A[l]), {initialization} + {activation}",
                            xlabel="layer l - 1", ylabel="log10 Var(A[l])")
        raise
