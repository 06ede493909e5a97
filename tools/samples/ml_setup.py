"""Sample submissions of the ML Setup assignment (see course/samples.py).

Expected scores (max 10: split_train_dev_test 3, diagnose_bias_variance 2, normalize_inputs 2,
apply_normalization 1, activation_variances 2):
- ml_correct: 10
- ml_equivalent: 10. Every function written differently from the reference: the split shuffles
  an index array with np.random.shuffle and takes the test set first, np.take; the diagnosis
  returns numpy booleans; normalization with loops over the features; apply with np.divide;
  the activations draw every W first, then run the forward pass with @ and a hand-written
  variance.
- ml_shuffle_separately: 9. split_train_dev_test draws one permutation for X and another for Y:
  sizes, partition and determinism still pass; test_split_keeps_pairs loses its 1 point.
- ml_bias_variance_swapped: 8. diagnose_bias_variance calls dev - train the bias and
  train - Bayes the variance, so the two flags are swapped: both diagnose tests fail (2 points).
- ml_variance_not_std: 8. normalize_inputs divides by the variance and returns it as sigma
  (ERRATA 2): both normalize_inputs tests fail (2 points); apply_normalization, graded with the
  training set's true mu and sigma, keeps its point.
- ml_test_own_stats: 9. apply_normalization ignores mu and sigma and normalizes X with its own
  mean and standard deviation: it loses its 1 point.
- untouched (added by the tool): 0
"""

# The exact score of every sample (tests/test_grading.py), `untouched` included.
SCORES = {"ml_correct": 10, "untouched": 0, "ml_equivalent": 10, "ml_shuffle_separately": 9,
          "ml_bias_variance_swapped": 8, "ml_variance_not_std": 8, "ml_test_own_stats": 9}

SAMPLES = {
    "ml_correct": {},
    "ml_equivalent": {
        "split_train_dev_test": '''
def split_train_dev_test(X, Y, dev_fraction, test_fraction, seed):
    np.random.seed(seed)
    m = X.shape[1]

    ### START CODE HERE ### (≈ 8 行代码 / 8 lines)
    order = np.arange(m)
    np.random.shuffle(order)
    n_test = int(round(test_fraction * m))
    n_dev = int(round(dev_fraction * m))
    test_idx, dev_idx, train_idx = order[:n_test], order[n_test:n_test + n_dev], order[n_test + n_dev:]
    X_train, X_dev, X_test = (np.take(X, idx, axis=1) for idx in (train_idx, dev_idx, test_idx))
    Y_train, Y_dev, Y_test = (np.take(Y, idx, axis=1) for idx in (train_idx, dev_idx, test_idx))
    ### END CODE HERE ###

    return X_train, Y_train, X_dev, Y_dev, X_test, Y_test
''',
        "diagnose_bias_variance": '''
def diagnose_bias_variance(train_error, dev_error, bayes_error=0.0, threshold=0.02):
    ### START CODE HERE ### (≈ 4 行代码 / 4 lines)
    return {"high_variance": np.greater(dev_error - train_error, threshold),
            "high_bias": np.greater(train_error - bayes_error, threshold)}
    ### END CODE HERE ###
''',
        "normalize_inputs": '''
def normalize_inputs(X_train):
    ### START CODE HERE ### (≈ 3 行代码 / 3 lines)
    n_x, m = X_train.shape
    mu = np.zeros((n_x, 1))
    sigma = np.zeros((n_x, 1))
    for j in range(n_x):
        mu[j, 0] = X_train[j].sum() / m
        sigma[j, 0] = np.std(X_train[j])
    X_norm = (X_train - mu) * (1 / sigma)
    ### END CODE HERE ###

    return X_norm, mu, sigma
''',
        "apply_normalization": '''
def apply_normalization(X, mu, sigma):
    ### START CODE HERE ### (≈ 1 行代码 / 1 line)
    X_norm = np.divide(np.subtract(X, mu), sigma)
    ### END CODE HERE ###

    return X_norm
''',
        "activation_variances": '''
def activation_variances(X, layers_dims, initialization, activation, seed):
    np.random.seed(seed)
    scales = {"random": lambda n_prev, n: 10.0,
              "he": lambda n_prev, n: np.sqrt(2.0 / n_prev),
              "xavier": lambda n_prev, n: np.sqrt(2.0 / (n_prev + n))}
    weights = []
    for n_prev, n in zip(layers_dims[:-1], layers_dims[1:]):
        if initialization == "zeros":
            weights.append(np.zeros((n, n_prev)))
        else:
            weights.append(np.random.randn(n, n_prev) * scales[initialization](n_prev, n))
    variances = []
    A = X
    for W in weights:
        Z = W @ A
        A = Z * (Z > 0) if activation == "relu" else np.tanh(Z)
        variances.append(np.mean((A - A.mean()) ** 2))
    return variances
''',
    },
    "ml_shuffle_separately": {
        "split_train_dev_test": '''
def split_train_dev_test(X, Y, dev_fraction, test_fraction, seed):
    np.random.seed(seed)
    m = X.shape[1]

    ### START CODE HERE ### (≈ 8 行代码 / 8 lines)
    X = X[:, np.random.permutation(m)]
    Y = Y[:, np.random.permutation(m)]
    m_dev = round(dev_fraction * m)
    m_test = round(test_fraction * m)
    X_dev, Y_dev = X[:, :m_dev], Y[:, :m_dev]
    X_test, Y_test = X[:, m_dev:m_dev + m_test], Y[:, m_dev:m_dev + m_test]
    X_train, Y_train = X[:, m_dev + m_test:], Y[:, m_dev + m_test:]
    ### END CODE HERE ###

    return X_train, Y_train, X_dev, Y_dev, X_test, Y_test
''',
    },
    "ml_bias_variance_swapped": {
        "diagnose_bias_variance": '''
def diagnose_bias_variance(train_error, dev_error, bayes_error=0.0, threshold=0.02):
    ### START CODE HERE ### (≈ 4 行代码 / 4 lines)
    bias = dev_error - train_error
    variance = train_error - bayes_error
    high_bias = bias > threshold
    high_variance = variance > threshold
    ### END CODE HERE ###

    return {"high_bias": bool(high_bias), "high_variance": bool(high_variance)}
''',
    },
    "ml_variance_not_std": {
        "normalize_inputs": '''
def normalize_inputs(X_train):
    ### START CODE HERE ### (≈ 3 行代码 / 3 lines)
    mu = np.mean(X_train, axis=1, keepdims=True)
    sigma = np.mean((X_train - mu) ** 2, axis=1, keepdims=True)
    X_norm = (X_train - mu) / sigma
    ### END CODE HERE ###

    return X_norm, mu, sigma
''',
    },
    "ml_test_own_stats": {
        "apply_normalization": '''
def apply_normalization(X, mu, sigma):
    ### START CODE HERE ### (≈ 1 行代码 / 1 line)
    X_norm = (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)
    ### END CODE HERE ###

    return X_norm
''',
    },
}
