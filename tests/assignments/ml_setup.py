"""ML Setup hooks of the test suite, found by tests/assignment_hooks.py (docs/authoring.md):

- CORRECT: correct implementations written differently from the reference (other numpy calls,
  loops, a helper, np.random.shuffle of an index, stacking, lambda / exec binding);
- MISTAKES: name -> (cells, scores of the affected items, text the hidden feedback must contain,
  text the public test's AssertionError must contain or None) (tests/test_fairness.py; formats in tests/corpus.py);
- probe_cases(ref): one input per graded function for the reference-implementation scan (tests/test_build.py).
"""
from __future__ import annotations

import numpy as np

SPLIT = "split_train_dev_test"
DIAGNOSE = "diagnose_bias_variance"
NORMALIZE = "normalize_inputs"
APPLY = "apply_normalization"
VARIANCES = "activation_variances"

_SPLIT = {
    "shuffle_index_take": '''
def split_train_dev_test(X, Y, dev_fraction, test_fraction, seed):
    np.random.seed(seed)
    m = X.shape[1]
    order = np.arange(m)
    np.random.shuffle(order)  # the same permutation as np.random.permutation(m)
    n_test, n_dev = int(round(test_fraction * m)), int(round(dev_fraction * m))
    dev_idx, test_idx, train_idx = order[:n_dev], order[n_dev:n_dev + n_test], order[n_dev + n_test:]
    X_train, X_dev, X_test = (np.take(X, idx, axis=1) for idx in (train_idx, dev_idx, test_idx))
    Y_train, Y_dev, Y_test = (np.take(Y, idx, axis=1) for idx in (train_idx, dev_idx, test_idx))
    return X_train, Y_train, X_dev, Y_dev, X_test, Y_test
''',
    "permutation_stacked": '''
def split_train_dev_test(X, Y, dev_fraction, test_fraction, seed):
    np.random.seed(seed)
    m, n = X.shape[1], X.shape[0]
    both = np.concatenate([X, Y.astype(X.dtype)], axis=0)[:, np.random.permutation(m)]
    dev, test, train = np.split(both, np.cumsum([round(dev_fraction * m), round(test_fraction * m)]), axis=1)
    return (train[:n], train[n:].astype(Y.dtype), dev[:n], dev[n:].astype(Y.dtype),
            test[:n], test[n:].astype(Y.dtype))
''',
    "parts_helper": '''
def _parts(m, dev_fraction, test_fraction):
    permutation = np.random.permutation(m)
    m_dev, m_test = round(dev_fraction * m), round(test_fraction * m)
    return permutation[m_dev + m_test:], permutation[:m_dev], permutation[m_dev:m_dev + m_test]

def split_train_dev_test(X, Y, dev_fraction, test_fraction, seed):
    np.random.seed(seed)
    out = []
    for idx in _parts(X.shape[1], dev_fraction, test_fraction):
        out += [X[:, idx], Y[:, idx]]
    return tuple(out)
''',
}

_DIAGNOSE = {
    "numpy_bools": '''
def diagnose_bias_variance(train_error, dev_error, bayes_error=0.0, threshold=0.02):
    return {"high_variance": np.greater(dev_error - train_error, threshold),
            "high_bias": np.greater(train_error - bayes_error, threshold)}
''',
    "if_statements": '''
def diagnose_bias_variance(train_error, dev_error, bayes_error=0.0, threshold=0.02):
    result = {"high_bias": False, "high_variance": False}
    if train_error - bayes_error > threshold:
        result["high_bias"] = True
    if dev_error - train_error > threshold:
        result["high_variance"] = True
    return result
''',
    "lambda_rearranged": '''
diagnose_bias_variance = lambda train_error, dev_error, bayes_error=0.0, threshold=0.02: dict(
    high_bias=bool(train_error > bayes_error + threshold), high_variance=bool(dev_error > train_error + threshold))
''',
}

_NORMALIZE = {
    "loops_over_features": '''
def normalize_inputs(X_train):
    n_x, m = X_train.shape
    mu = np.zeros((n_x, 1))
    sigma = np.zeros((n_x, 1))
    for j in range(n_x):
        mu[j, 0] = X_train[j].sum() / m
        sigma[j, 0] = np.std(X_train[j])
    return (X_train - mu) * (1 / sigma), mu, sigma
''',
    "reshape_sqrt_sum": '''
def normalize_inputs(X_train):
    mu = X_train.mean(axis=1).reshape(-1, 1)
    centred = X_train - mu
    sigma = np.sqrt((centred * centred).sum(axis=1, keepdims=True) / X_train.shape[1])
    return centred / sigma, mu, sigma
''',
    "exec_var_sqrt": '''
exec("""
def normalize_inputs(X_train):
    mu = np.average(X_train, axis=1)[:, None]
    sigma = np.var(X_train, axis=1, keepdims=True) ** 0.5
    return np.divide(X_train - mu, sigma), mu, sigma
""")
''',
}

_APPLY = {
    "divide_subtract": '''
def apply_normalization(X, mu, sigma):
    return np.divide(np.subtract(X, mu), sigma)
''',
    "loop_rows": '''
def apply_normalization(X, mu, sigma):
    out = np.empty(X.shape)
    for j in range(X.shape[0]):
        out[j] = (X[j] - mu[j, 0]) / sigma[j, 0]
    return out
''',
    "lambda_reciprocal": '''
apply_normalization = lambda X, mu, sigma: (X - mu) * (1.0 / sigma)
''',
}

_VARIANCES = {
    "weights_first_matmul": '''
def activation_variances(X, layers_dims, initialization, activation, seed):
    np.random.seed(seed)
    scales = {"random": lambda n_prev, n: 10.0, "he": lambda n_prev, n: np.sqrt(2.0 / n_prev),
              "xavier": lambda n_prev, n: np.sqrt(2.0 / (n_prev + n))}
    weights = []
    for n_prev, n in zip(layers_dims[:-1], layers_dims[1:]):
        if initialization == "zeros":
            weights.append(np.zeros((n, n_prev)))
        else:
            weights.append(np.random.randn(n, n_prev) * scales[initialization](n_prev, n))
    variances, A = [], X
    for W in weights:
        Z = W @ A
        A = Z * (Z > 0) if activation == "relu" else np.tanh(Z)
        variances.append(np.mean((A - A.mean()) ** 2))
    return variances
''',
    "where_and_var_method": '''
def activation_variances(X, layers_dims, initialization, activation, seed):
    np.random.seed(seed)
    A, out = X, []
    for l in range(1, len(layers_dims)):
        shape = (layers_dims[l], layers_dims[l - 1])
        if initialization == "zeros":
            W = np.zeros(shape)
        else:
            scale = {"random": 10, "he": (2 / shape[1]) ** 0.5, "xavier": (2 / sum(shape)) ** 0.5}[initialization]
            W = scale * np.random.randn(*shape)
        Z = np.dot(W, A)
        A = np.where(Z > 0, Z, 0.0) if activation == "relu" else np.tanh(Z)
        out.append(A.var())
    return out
''',
    "exec_standard_normal": '''
exec("""
def activation_variances(X, layers_dims, initialization, activation, seed):
    np.random.seed(seed)
    g = (lambda z: np.maximum(z, 0)) if activation == "relu" else np.tanh
    A, variances = X, []
    for n_prev, n in zip(layers_dims, layers_dims[1:]):
        if initialization == "zeros":
            W = np.zeros((n, n_prev))
        elif initialization == "random":
            W = np.random.standard_normal((n, n_prev)) * 10
        elif initialization == "he":
            W = np.random.standard_normal((n, n_prev)) / np.sqrt(n_prev / 2)
        else:
            W = np.random.standard_normal((n, n_prev)) / np.sqrt((n_prev + n) / 2)
        A = g(np.matmul(W, A))
        variances.append(float(A.var()))
    return variances
""")
''',
}

CORRECT = {SPLIT: _SPLIT, DIAGNOSE: _DIAGNOSE, NORMALIZE: _NORMALIZE, APPLY: _APPLY, VARIANCES: _VARIANCES}


def _split(shuffle, sizes="    m_dev = round(dev_fraction * m)\n    m_test = round(test_fraction * m)\n"):
    return {SPLIT: f'''
def split_train_dev_test(X, Y, dev_fraction, test_fraction, seed):
    np.random.seed(seed)
    m = X.shape[1]
{shuffle}{sizes}    X_dev, Y_dev = X[:, :m_dev], Y[:, :m_dev]
    X_test, Y_test = X[:, m_dev:m_dev + m_test], Y[:, m_dev:m_dev + m_test]
    X_train, Y_train = X[:, m_dev + m_test:], Y[:, m_dev + m_test:]
    return X_train, Y_train, X_dev, Y_dev, X_test, Y_test
'''}


_ONE_PERMUTATION = "    p = np.random.permutation(m)\n    X, Y = X[:, p], Y[:, p]\n"


def _diagnose(bias, variance):
    return {DIAGNOSE: f'''
def diagnose_bias_variance(train_error, dev_error, bayes_error=0.0, threshold=0.02):
    return {{"high_bias": bool({bias} > threshold), "high_variance": bool({variance} > threshold)}}
'''}


def _variances(body):
    return {VARIANCES: '''
def activation_variances(X, layers_dims, initialization, activation, seed):
    np.random.seed(seed)
    scale = {"random": lambda a, b: 10, "he": lambda a, b: np.sqrt(2 / a), "xavier": lambda a, b: np.sqrt(2 / (a + b)),
             "zeros": lambda a, b: 0.0}[initialization]
    A, variances = X, []
    for l in range(1, len(layers_dims)):
''' + body + '''
    return variances
'''}


MISTAKES = {
    "shuffled_separately": (_split("    X = X[:, np.random.permutation(m)]\n    Y = Y[:, np.random.permutation(m)]\n"),
                            {SPLIT: 2}, ["X 和 Y 被分别打乱了"], "不能分别打乱"),
    "not_shuffled": (_split(""), {SPLIT: 2.5}, ["没有按 seed 随机打乱"], "没有被打乱"),
    "int_not_round": (_split(_ONE_PERMUTATION, "    m_dev = int(dev_fraction * m)\n    m_test = int(test_fraction * m)\n"),
                      {SPLIT: 2.75}, ["round("], "round("),
    "bias_variance_swapped": (_diagnose("dev_error - train_error", "train_error - bayes_error"), {DIAGNOSE: 0},
                              ["偏差和方差弄反了"], "正好反了"),
    "bayes_error_ignored": (_diagnose("train_error", "dev_error - train_error"), {DIAGNOSE: 1}, ["贝叶斯误差"],
                            "贝叶斯误差"),
    "variance_not_std": ({NORMALIZE: '''
def normalize_inputs(X_train):
    mu = np.mean(X_train, axis=1, keepdims=True)
    sigma = np.mean((X_train - mu) ** 2, axis=1, keepdims=True)
    return (X_train - mu) / sigma, mu, sigma
'''}, {NORMALIZE: 0}, ["variance instead of standard deviation"], "方差 σ²"),
    "sample_std": ({NORMALIZE: '''
def normalize_inputs(X_train):
    mu = np.mean(X_train, axis=1, keepdims=True)
    sigma = np.std(X_train, axis=1, ddof=1, keepdims=True)
    return (X_train - mu) / sigma, mu, sigma
'''}, {NORMALIZE: 0}, ["ddof=1"], "ddof=1"),
    "own_statistics": ({APPLY: '''
def apply_normalization(X, mu, sigma):
    return (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)
'''}, {APPLY: 0}, ["normalized with its own statistics"], "自己的均值和标准差"),
    "apply_divides_by_variance": ({APPLY: '''
def apply_normalization(X, mu, sigma):
    return (X - mu) / sigma ** 2
'''}, {APPLY: 0}, ["sigma ** 2（方差）"], "sigma ** 2（方差）"),
    # issue 21: right values, but the caller's arrays changed in place or mu of shape (n,): 0.5 point once
    "apply_in_place": ({APPLY: '''
def apply_normalization(X, mu, sigma):
    X -= mu
    X /= sigma
    return X
'''}, {APPLY: 0.5}, ["调用者的数据被改变了", "X -= mu"], "调用者的数据被改变了"),
    "split_shuffles_in_place": ({SPLIT: '''
def split_train_dev_test(X, Y, dev_fraction, test_fraction, seed):
    m = X.shape[1]
    np.random.seed(seed)
    np.random.shuffle(X.T)
    np.random.seed(seed)
    np.random.shuffle(Y.T)
    m_dev, m_test = round(dev_fraction * m), round(test_fraction * m)
    return (X[:, m_dev + m_test:], Y[:, m_dev + m_test:], X[:, :m_dev], Y[:, :m_dev],
            X[:, m_dev:m_dev + m_test], Y[:, m_dev:m_dev + m_test])
'''}, {SPLIT: 2.5}, ["调用者的数据被改变了", "X、Y 被改变了"], "调用者的数据被改变了"),
    "mu_without_keepdims": ({NORMALIZE: '''
def normalize_inputs(X_train):
    mu = np.mean(X_train, axis=1)
    sigma = np.std(X_train, axis=1)
    return (X_train - mu[:, None]) / sigma[:, None], mu, sigma
'''}, {NORMALIZE: 1.5}, ["期望 (4, 1)，得到 (4,)", "扣 0.5 分"], "keepdims=True"),
    "reseeds_every_layer": (_variances('''        np.random.seed(seed)
        W = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale(layers_dims[l - 1], layers_dims[l])
        Z = np.dot(W, A)
        A = np.maximum(0, Z) if activation == "relu" else np.tanh(Z)
        variances.append(float(np.var(A)))'''), {VARIANCES: 0.5}, ["只在开头调用一次 np.random.seed(seed)"],
                            "只在开头调用一次 np.random.seed(seed)"),
    "variance_of_Z": (_variances('''        W = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale(layers_dims[l - 1], layers_dims[l])
        Z = np.dot(W, A)
        A = np.maximum(0, Z) if activation == "relu" else np.tanh(Z)
        variances.append(float(np.var(Z)))'''), {VARIANCES: 0.5}, ["激活函数"], "激活函数"),
}


def probe_cases(ref):
    """One input per graded function (args, seed set right before the call)."""
    rng = np.random.RandomState(5)
    X, Y = rng.randn(2, 20) * 3 + 1, rng.randn(1, 20)
    mu, sigma = X.mean(axis=1, keepdims=True), X.std(axis=1, keepdims=True)
    return {"split_train_dev_test": ((X, Y, 0.2, 0.1, 3), None),
            "diagnose_bias_variance": ((0.15, 0.2), None),
            "normalize_inputs": ((X,), None),
            "apply_normalization": ((X, mu, sigma), None),
            "activation_variances": ((X, [2, 4, 3], "he", "relu", 1), None)}
