"""Regularization hooks of the test suite, found by tests/assignment_hooks.py (docs/authoring.md):

- CORRECT, MISTAKES: the fairness corpus (tests/test_fairness.py; formats in tests/corpus.py);
- probe_cases(ref): one input per graded function for the reference-implementation scan (tests/test_build.py).
"""
from __future__ import annotations

import numpy as np

# ---------------------------------------------------------------------------------------------
# Correct variants

_COST = {
    "sum_of_squares_loop": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    squares = sum(np.sum(parameters["W" + str(l)] ** 2) for l in (1, 2, 3))
    return float(compute_cost(A3, Y) + lambd / (2 * m) * squares)
''',
    "frobenius_norm": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    W1, W2, W3 = parameters["W1"], parameters["W2"], parameters["W3"]
    L2_regularization_cost = lambd * (np.linalg.norm(W1) ** 2 + np.linalg.norm(W2) ** 2 + np.linalg.norm(W3) ** 2) / m / 2
    return float(compute_cost(A3, Y) + L2_regularization_cost)
''',
    "dot_products_lambda": '''
compute_cost_with_regularization = lambda A3, Y, parameters, lambd: float(
    compute_cost(A3, Y)
    + 0.5 * lambd / Y.shape[1] * sum(np.dot(W.ravel(), W.ravel()) for k, W in parameters.items() if k.startswith("W")))
''',
}

_L2_HEAD = '''
def backward_propagation_with_regularization(X, Y, cache, lambd):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
'''
_L2 = {
    "factor_out_one_over_m": _L2_HEAD + '''
    dW3 = (np.dot(dZ3, A2.T) + lambd * W3) / m
    db3 = np.sum(dZ3, axis=1, keepdims=True) / m
    dA2 = np.dot(W3.T, dZ3)
    dZ2 = dA2 * (A2 > 0)
    dW2 = (np.dot(dZ2, A1.T) + lambd * W2) / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dA1 = np.dot(W2.T, dZ2)
    dZ1 = dA1 * (A1 > 0)
    dW1 = (np.dot(dZ1, X.T) + lambd * W1) / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}
''',
    "plain_backward_plus_term": '''
def backward_propagation_with_regularization(X, Y, cache, lambd):
    gradients = backward_propagation(X, Y, cache)
    m = X.shape[1]
    weights = {"dW1": cache[2], "dW2": cache[6], "dW3": cache[10]}
    for key, W in weights.items():
        gradients[key] = gradients[key] + lambd / m * W
    return gradients
''',
}

_FORWARD_DROPOUT_HEAD = '''
def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
'''
_FORWARD_DROPOUT = {
    "where_and_int_mask": _FORWARD_DROPOUT_HEAD + '''
    D1 = (np.random.rand(A1.shape[0], A1.shape[1]) < keep_prob).astype(int)
    A1 = np.where(D1 == 1, A1 / keep_prob, 0.0)
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    D2 = (np.random.rand(A2.shape[0], A2.shape[1]) < keep_prob).astype(int)
    A2 = np.where(D2 == 1, A2 / keep_prob, 0.0)
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)
    return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
''',
    "multiply_in_one_line": _FORWARD_DROPOUT_HEAD + '''
    D1 = np.random.rand(*A1.shape) < keep_prob
    A1 = np.multiply(A1, D1) / keep_prob
    Z2 = W2 @ A1 + b2
    A2 = relu(Z2)
    D2 = np.random.rand(*A2.shape) < keep_prob
    A2 = np.multiply(A2, D2) / keep_prob
    Z3 = W3 @ A2 + b3
    A3 = sigmoid(Z3)
    return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
''',
}

_BACKWARD_DROPOUT_HEAD = '''
def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
'''
_BACKWARD_DROPOUT = {
    "one_expression": _BACKWARD_DROPOUT_HEAD + '''
    dA2 = np.dot(W3.T, dZ3) * D2 / keep_prob
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2) * D1 / keep_prob
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}
''',
    "where_and_matmul": _BACKWARD_DROPOUT_HEAD + '''
    dA2 = np.where(D2, W3.T @ dZ3, 0.0) / keep_prob
    dZ2 = np.where(A2 > 0, dA2, 0.0)
    dW2 = dZ2 @ A1.T / m
    db2 = dZ2.mean(axis=1, keepdims=True)
    dA1 = np.where(D1, W2.T @ dZ2, 0.0) / keep_prob
    dZ1 = np.where(A1 > 0, dA1, 0.0)
    dW1 = dZ1 @ X.T / m
    db1 = dZ1.mean(axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}
''',
}

CORRECT = {"compute_cost_with_regularization": _COST,
           "backward_propagation_with_regularization": _L2,
           "forward_propagation_with_dropout": _FORWARD_DROPOUT,
           "backward_propagation_with_dropout": _BACKWARD_DROPOUT}

# ---------------------------------------------------------------------------------------------
# Mistakes: name -> (cells, {item: score}, [text the graders' messages contain], text of the public test)

_COST_NO_M = {"compute_cost_with_regularization": """
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    squares = sum(np.sum(np.square(parameters[k])) for k in ("W1", "W2", "W3"))
    return float(compute_cost(A3, Y) + lambd / 2 * squares)
"""}
_L2_NO_M = {"backward_propagation_with_regularization": """
def backward_propagation_with_regularization(X, Y, cache, lambd):
    gradients = backward_propagation(X, Y, cache)
    for key, W in (("dW1", cache[2]), ("dW2", cache[6]), ("dW3", cache[10])):
        gradients[key] = gradients[key] + lambd * W
    return gradients
"""}
_DROPOUT_RESEED = {"forward_propagation_with_dropout": _FORWARD_DROPOUT_HEAD + """
    np.random.seed(1)
    D1 = np.random.rand(*A1.shape) < keep_prob
    A1 = A1 * D1 / keep_prob
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    D2 = np.random.rand(*A2.shape) < keep_prob
    A2 = A2 * D2 / keep_prob
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)
    return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
"""}
_DROPOUT_NO_SCALING = {"forward_propagation_with_dropout": _FORWARD_DROPOUT_HEAD + """
    D1 = np.random.rand(*A1.shape) < keep_prob
    A1 = A1 * D1
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    D2 = np.random.rand(*A2.shape) < keep_prob
    A2 = A2 * D2
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)
    return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
"""}
_BACKWARD_NO_MASK = {"backward_propagation_with_dropout": _BACKWARD_DROPOUT_HEAD + """
    dA2 = np.dot(W3.T, dZ3) / keep_prob
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2) / keep_prob
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}
"""}

_DROPOUT_BINOMIAL = {"forward_propagation_with_dropout": _FORWARD_DROPOUT_HEAD + """
    D1 = np.random.binomial(1, keep_prob, size=A1.shape)
    A1 = A1 * D1 / keep_prob
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    D2 = np.random.binomial(1, keep_prob, size=A2.shape)
    A2 = A2 * D2 / keep_prob
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)
    return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
"""}
_DROPOUT_CACHES_A1_BEFORE = {"forward_propagation_with_dropout": _FORWARD_DROPOUT_HEAD + """
    D1 = np.random.rand(*A1.shape) < keep_prob
    A1_dropped = A1 * D1 / keep_prob
    Z2 = np.dot(W2, A1_dropped) + b2
    A2 = relu(Z2)
    D2 = np.random.rand(*A2.shape) < keep_prob
    A2 = A2 * D2 / keep_prob
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)
    return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
"""}
_BACKWARD_NO_SCALING = {"backward_propagation_with_dropout": _BACKWARD_DROPOUT["one_expression"].replace(" / keep_prob", "")}


MISTAKES = {
    "cost_without_1_over_m": (_COST_NO_M, {"compute_cost_with_regularization": 1}, ["少了因子 1/m"], "1/m"),
    "l2_gradient_without_1_over_m": (_L2_NO_M, {"backward_propagation_with_regularization": 0.5},
                                     ["少了因子 1/m"], "(lambd / m) * W"),
    "dropout_reseeds": (_DROPOUT_RESEED, {"forward_propagation_with_dropout": 0.5}, ["np.random.seed"],
                        "np.random.seed"),
    "dropout_no_scaling": (_DROPOUT_NO_SCALING, {"forward_propagation_with_dropout": 1}, ["除以 keep_prob"],
                           "除以 keep_prob"),
    "backward_mask_missing": (_BACKWARD_NO_MASK, {"backward_propagation_with_dropout": 1.5}, ["掩码"], "D = 0"),
    # issue 21: the masks' rule is stated and the public test checks it at keep_prob 0.5
    "dropout_binomial_mask": (_DROPOUT_BINOMIAL, {"forward_propagation_with_dropout": 1.5}, ["np.random.binomial"],
                              "np.random.rand(*A.shape) < keep_prob 抽取"),
    # the message names which A1 the cache holds, and claims nothing about the means
    "dropout_caches_A1_before_dropout": (_DROPOUT_CACHES_A1_BEFORE, {"forward_propagation_with_dropout": 1},
                                         ["dropout 之前的激活值", ("not", "不做 dropout 时是")], "dropout 之前的激活值"),
    # the same slip in both functions costs once: in the forward pass, where the backward pass's cache comes from
    "inverted_dropout_forgotten_in_both": ({**_DROPOUT_NO_SCALING, **_BACKWARD_NO_SCALING},
                                           {"forward_propagation_with_dropout": 1}, ["除以 keep_prob"], "除以 keep_prob"),
    "backward_only_forgets_scaling": (_BACKWARD_NO_SCALING, {"backward_propagation_with_dropout": 1}, ["gradients"],
                                      "除以 keep_prob"),
}


def probe_cases(ref):
    """One input per graded function (args, seed set right before the call)."""
    rng = np.random.RandomState(5)
    X, Y = rng.randn(2, 6), (rng.rand(1, 6) > 0.5).astype(float)
    parameters = ref.initialize_parameters([2, 5, 3, 1])
    A3, cache = ref.forward_propagation(X, parameters)
    np.random.seed(2)
    _, dropout_cache = ref.forward_propagation_with_dropout(X, parameters, 0.7)
    return {"compute_cost_with_regularization": ((A3, Y, parameters, 0.7), None),
            "backward_propagation_with_regularization": ((X, Y, cache, 0.7), None),
            "forward_propagation_with_dropout": ((X, parameters, 0.7), 2),
            "backward_propagation_with_dropout": ((X, Y, dropout_cache, 0.7), None)}
