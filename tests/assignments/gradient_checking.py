"""Gradient Checking hooks of the test suite, found by tests/assignment_hooks.py (docs/authoring.md):

- CORRECT, MISTAKES: the fairness corpus (tests/test_fairness.py; formats in tests/corpus.py);
- probe_cases(ref): one input per graded function for the reference-implementation scan (tests/test_build.py).
"""
from __future__ import annotations

# ---------------------------------------------------------------------------------------------
# Correct variants

_FORWARD = {
    "multiply": "def forward_propagation(x, theta):\n    return np.multiply(theta, x)\n",
    "lambda": "forward_propagation = lambda x, theta: x * theta\n",
    "exec": "exec('def forward_propagation(x, theta):\\n    J = theta * x\\n    return J\\n')\n",
}

_BACKWARD = {
    "lambda": "backward_propagation = lambda x, theta: x\n",
    "times_one": "def backward_propagation(x, theta):\n    dtheta = 1.0 * x\n    return dtheta\n",
    "numpy_float": "def backward_propagation(x, theta):\n    return np.float64(x)\n",
}

_GC_PRINT = '''
    if print_msg:
        print("difference =", difference)
    return difference
'''

_GRADIENT_CHECK = {
    # the two forms named in issue 11
    "divide_by_theta_difference": '''
def gradient_check(x, theta, epsilon=1e-7, print_msg=False):
    thetaplus = theta + epsilon
    thetaminus = theta - epsilon
    J_plus = forward_propagation(x, thetaplus)
    J_minus = forward_propagation(x, thetaminus)
    gradapprox = (J_plus - J_minus) / (thetaplus - thetaminus)
    grad = backward_propagation(x, theta)
    difference = float(np.linalg.norm(grad - gradapprox) / (np.linalg.norm(grad) + np.linalg.norm(gradapprox)))
''' + _GC_PRINT,
    "split_quotient": '''
def gradient_check(x, theta, epsilon=1e-7, print_msg=False):
    J_plus = forward_propagation(x, theta + epsilon)
    J_minus = forward_propagation(x, theta - epsilon)
    gradapprox = J_plus / (2 * epsilon) - J_minus / (2 * epsilon)
    grad = backward_propagation(x, theta)
    difference = float(np.linalg.norm(grad - gradapprox) / (np.linalg.norm(grad) + np.linalg.norm(gradapprox)))
''' + _GC_PRINT,
    "abs_for_scalars": '''
def gradient_check(x, theta, epsilon=1e-7, print_msg=False):
    gradapprox = (forward_propagation(x, theta + epsilon) - forward_propagation(x, theta - epsilon)) / epsilon / 2
    grad = backward_propagation(x, theta)
    difference = abs(grad - gradapprox) / (abs(grad) + abs(gradapprox))
    difference = float(difference)
''' + _GC_PRINT,
    "half_step_lambda": '''
gradient_check = lambda x, theta, epsilon=1e-7, print_msg=False: float(
    (lambda g, a: np.linalg.norm(g - a) / (np.linalg.norm(g) + np.linalg.norm(a)))(
        backward_propagation(x, theta),
        0.5 * (forward_propagation(x, theta + epsilon) - forward_propagation(x, theta - epsilon)) / epsilon))
''',
}

_ND_HEAD = '''
def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False):
    parameters_values, _ = dictionary_to_vector(parameters)
    grad = gradients_to_vector(gradients)
    num_parameters = parameters_values.shape[0]
    J_plus = np.zeros((num_parameters, 1))
    J_minus = np.zeros((num_parameters, 1))
    gradapprox = np.zeros((num_parameters, 1))
'''

_GRADIENT_CHECK_N = {
    "restore_in_place": _ND_HEAD + '''
    for i in range(num_parameters):
        old = parameters_values[i, 0]
        parameters_values[i, 0] = old + epsilon
        J_plus[i, 0] = forward_propagation_n(X, Y, vector_to_dictionary(parameters_values, parameters))[0]
        parameters_values[i, 0] = old - epsilon
        J_minus[i, 0] = forward_propagation_n(X, Y, vector_to_dictionary(parameters_values, parameters))[0]
        parameters_values[i, 0] = old
    gradapprox = (J_plus - J_minus) / (2 * epsilon)
    difference = float(np.linalg.norm(grad - gradapprox) / (np.linalg.norm(grad) + np.linalg.norm(gradapprox)))
    return difference
''',
    "unit_vector_and_sqrt_sum": _ND_HEAD + '''
    shapes = parameter_shapes(parameters)
    for i in range(num_parameters):
        step = np.zeros_like(parameters_values)
        step[i] = epsilon
        cost_up, _ = forward_propagation_n(X, Y, vector_to_dictionary(parameters_values + step, shapes))
        cost_down, _ = forward_propagation_n(X, Y, vector_to_dictionary(parameters_values - step, shapes))
        gradapprox[i] = (cost_up - cost_down) / (2 * epsilon)
    numerator = np.sqrt(np.sum((grad - gradapprox) ** 2))
    denominator = np.sqrt(np.sum(grad ** 2)) + np.sqrt(np.sum(gradapprox ** 2))
    return float(numerator / denominator)
''',
    "theta_difference_denominator": _ND_HEAD + '''
    for i in range(num_parameters):
        thetaplus = parameters_values.copy()
        thetaplus[i][0] += epsilon
        thetaminus = parameters_values.copy()
        thetaminus[i][0] -= epsilon
        J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaplus, parameters))
        J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaminus, parameters))
        gradapprox[i] = (J_plus[i] - J_minus[i]) / (thetaplus[i][0] - thetaminus[i][0])
    difference = np.linalg.norm(grad - gradapprox) / (np.linalg.norm(grad) + np.linalg.norm(gradapprox))
    return difference.item()
''',
}

_FIXED_HEAD = '''
def backward_propagation_n_fixed(X, Y, cache):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
'''
_FIXED_TAIL = '''
    gradients = {"dZ3": dZ3, "dW3": dW3, "db3": db3,
                 "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
                 "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}
    return gradients
'''

_FIXED = {
    "matmul_where_mean": _FIXED_HEAD + '''
    dA2 = W3.T @ dZ3
    dZ2 = np.where(A2 > 0, dA2, 0.0)
    dW2 = dZ2 @ A1.T / m
    db2 = np.mean(dZ2, axis=1, keepdims=True)
    dA1 = W2.T @ dZ2
    dZ1 = np.where(A1 > 0, dA1, 0.0)
    dW1 = dZ1 @ X.T / m
    db1 = np.mean(dZ1, axis=1, keepdims=True)
''' + _FIXED_TAIL,
    "relu_mask_from_z": _FIXED_HEAD + '''
    dA2 = np.dot(W3.T, dZ3)
    dZ2 = dA2 * (Z2 > 0)
    dW2 = np.dot(dZ2, A1.T) / m
    db2 = dZ2.sum(axis=1, keepdims=True) / m
    dA1 = np.dot(W2.T, dZ2)
    dZ1 = dA1 * (Z1 > 0)
    dW1 = np.dot(dZ1, X.T) / m
    db1 = dZ1.sum(axis=1).reshape(-1, 1) / m
''' + _FIXED_TAIL,
    "einsum": _FIXED_HEAD + '''
    dA2 = np.einsum("ki,kj->ij", W3, dZ3)
    dZ2 = dA2 * np.heaviside(A2, 0.0)
    dW2 = np.einsum("ij,kj->ik", dZ2, A1) * (1 / m)
    db2 = (1 / m) * dZ2.sum(axis=1, keepdims=True)
    dA1 = np.einsum("ki,kj->ij", W2, dZ2)
    dZ1 = dA1 * np.heaviside(A1, 0.0)
    dW1 = np.einsum("ij,kj->ik", dZ1, X) * (1 / m)
    db1 = (1 / m) * dZ1.sum(axis=1, keepdims=True)
''' + _FIXED_TAIL,
}

_REPORT_HEAD = '''
def gradient_check_report(parameters, gradients, X, Y, epsilon=1e-7):
    parameters_values, keys = dictionary_to_vector(parameters)
    grad = gradients_to_vector(gradients)
    keys = np.array(keys)
    gradapprox = np.zeros_like(parameters_values)
    report = {}
'''

_REPORT = {
    "slices_from_shapes": _REPORT_HEAD + '''
    for i in range(len(parameters_values)):
        up, down = parameters_values.copy(), parameters_values.copy()
        up[i] += epsilon
        down[i] -= epsilon
        gradapprox[i] = (forward_propagation_n(X, Y, vector_to_dictionary(up, parameters))[0]
                         - forward_propagation_n(X, Y, vector_to_dictionary(down, parameters))[0]) / (2 * epsilon)
    start = 0
    for name, shape in parameter_shapes(parameters).items():
        stop = start + int(np.prod(shape))
        g, a = grad[start:stop], gradapprox[start:stop]
        report[name] = float(np.linalg.norm(g - a) / (np.linalg.norm(g) + np.linalg.norm(a)))
        start = stop
    return report
''',
    "unique_names_in_order": _REPORT_HEAD + '''
    for i in range(parameters_values.shape[0]):
        theta = np.copy(parameters_values)
        theta[i, 0] = parameters_values[i, 0] + epsilon
        J_plus, _ = forward_propagation_n(X, Y, vector_to_dictionary(theta, parameters))
        theta[i, 0] = parameters_values[i, 0] - epsilon
        J_minus, _ = forward_propagation_n(X, Y, vector_to_dictionary(theta, parameters))
        gradapprox[i, 0] = (J_plus - J_minus) / (2 * epsilon)
    names, first = np.unique(keys, return_index=True)
    for name in names[np.argsort(first)]:
        idx = np.flatnonzero(keys == name)
        g, a = grad[idx], gradapprox[idx]
        report[str(name)] = (np.linalg.norm(g - a) / (np.linalg.norm(g) + np.linalg.norm(a))).item()
    return report
''',
}

CORRECT = {"forward_propagation": _FORWARD, "backward_propagation": _BACKWARD,
           "gradient_check": _GRADIENT_CHECK, "gradient_check_n": _GRADIENT_CHECK_N,
           "backward_propagation_n_fixed": _FIXED, "gradient_check_report": _REPORT}

# ---------------------------------------------------------------------------------------------
# Mistakes: name -> (cells, {item: score}, [text the graders' messages contain], text of the public test)

_GC_ONE_SIDED = {"gradient_check": """
def gradient_check(x, theta, epsilon=1e-7, print_msg=False):
    J_plus = forward_propagation(x, theta + epsilon)
    J = forward_propagation(x, theta)
    gradapprox = (J_plus - J) / epsilon
    grad = backward_propagation(x, theta)
    return float(np.linalg.norm(grad - gradapprox) / (np.linalg.norm(grad) + np.linalg.norm(gradapprox)))
"""}
_GC_NO_NORMS = {"gradient_check": """
def gradient_check(x, theta, epsilon=1e-7, print_msg=False):
    gradapprox = (forward_propagation(x, theta + epsilon) - forward_propagation(x, theta - epsilon)) / (2 * epsilon)
    grad = backward_propagation(x, theta)
    return float((grad - gradapprox) / (grad + gradapprox))
"""}
_GC_INLINE = {"gradient_check": """
def gradient_check(x, theta, epsilon=1e-7, print_msg=False):
    J_plus = (theta + epsilon) * x
    J_minus = (theta - epsilon) * x
    gradapprox = (J_plus - J_minus) / (2 * epsilon)
    grad = x
    return float(np.linalg.norm(grad - gradapprox) / (np.linalg.norm(grad) + np.linalg.norm(gradapprox)))
"""}
_GC_NO_TWO = {"gradient_check": """
def gradient_check(x, theta, epsilon=1e-7, print_msg=False):
    gradapprox = (forward_propagation(x, theta + epsilon) - forward_propagation(x, theta - epsilon)) / epsilon
    grad = backward_propagation(x, theta)
    return float(np.linalg.norm(grad - gradapprox) / (np.linalg.norm(grad) + np.linalg.norm(gradapprox)))
"""}
_GCN_ONE_SIDED = {"gradient_check_n": _ND_HEAD + """
    J, _ = forward_propagation_n(X, Y, parameters)
    for i in range(num_parameters):
        thetaplus = np.copy(parameters_values)
        thetaplus[i, 0] += epsilon
        J_plus[i, 0], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaplus, parameters))
        gradapprox[i, 0] = (J_plus[i, 0] - J) / epsilon
    return float(np.linalg.norm(grad - gradapprox) / (np.linalg.norm(grad) + np.linalg.norm(gradapprox)))
"""}
_GCN_NO_COPY = {"gradient_check_n": _ND_HEAD + """
    for i in range(num_parameters):
        thetaplus = parameters_values
        thetaplus[i, 0] = thetaplus[i, 0] + epsilon
        J_plus[i, 0], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaplus, parameters))
        thetaminus = parameters_values
        thetaminus[i, 0] = thetaminus[i, 0] - 2 * epsilon
        J_minus[i, 0], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaminus, parameters))
        gradapprox[i, 0] = (J_plus[i, 0] - J_minus[i, 0]) / (2 * epsilon)
    return float(np.linalg.norm(grad - gradapprox) / (np.linalg.norm(grad) + np.linalg.norm(gradapprox)))
"""}
_FIXED_ONLY_DW2 = {"backward_propagation_n_fixed": _FIXED_HEAD + """
    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = 4. / m * np.sum(dZ1, axis=1, keepdims=True)
""" + _FIXED_TAIL}
_REPORT_NUMPY_KEYS = {"gradient_check_report": _REPORT_HEAD + """
    for i in range(parameters_values.shape[0]):
        up, down = np.copy(parameters_values), np.copy(parameters_values)
        up[i, 0] += epsilon
        down[i, 0] -= epsilon
        gradapprox[i, 0] = (forward_propagation_n(X, Y, vector_to_dictionary(up, parameters))[0]
                            - forward_propagation_n(X, Y, vector_to_dictionary(down, parameters))[0]) / (2 * epsilon)
    for name in dict.fromkeys(keys):
        block = keys == name
        g, a = grad[block], gradapprox[block]
        report[name] = float(np.linalg.norm(g - a) / (np.linalg.norm(g) + np.linalg.norm(a)))
    return report
"""}

# numpy.str_ keys (iterating an array of names) arrive as str (course.sandbox.wire): accepted (issue 21)
_REPORT["numpy_str_keys"] = _REPORT_NUMPY_KEYS["gradient_check_report"]
_FIXED_DB_FLAT = {"backward_propagation_n_fixed": _FIXED["relu_mask_from_z"]
                  .replace("db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)", "db3 = 1. / m * np.sum(dZ3, axis=1)")
                  .replace("db2 = dZ2.sum(axis=1, keepdims=True) / m", "db2 = dZ2.sum(axis=1) / m")
                  .replace("db1 = dZ1.sum(axis=1).reshape(-1, 1) / m", "db1 = dZ1.sum(axis=1) / m")}

_BACKWARD_THETA = {"backward_propagation": "def backward_propagation(x, theta):\n    return theta\n"}
_FORWARD_SUM = {"forward_propagation": "def forward_propagation(x, theta):\n    return theta + x\n"}
_GC_NORM_OF_SUM = {"gradient_check": """
def gradient_check(x, theta, epsilon=1e-7, print_msg=False):
    gradapprox = (forward_propagation(x, theta + epsilon) - forward_propagation(x, theta - epsilon)) / (2 * epsilon)
    grad = backward_propagation(x, theta)
    return float(np.linalg.norm(grad - gradapprox) / np.linalg.norm(grad + gradapprox))
"""}


MISTAKES = {
    "one_sided_1d": (_GC_ONE_SIDED, {"gradient_check": 2}, ["单侧差分"], "单侧差分"),
    "no_norms_1d": (_GC_NO_NORMS, {"gradient_check": 1}, ["两个范数之和"], "不能是负数"),
    "inline_J_1d": (_GC_INLINE, {"gradient_check": 2}, ["没有调用"], "没有调用"),
    "missing_two_1d": (_GC_NO_TWO, {"gradient_check": 1}, ["2 * epsilon"], "2 倍"),
    "one_sided_nd": (_GCN_ONE_SIDED, {"gradient_check_n": 3}, ["单侧差分"], "单侧差分"),
    "no_copy_nd": (_GCN_NO_COPY, {"gradient_check_n": 3}, ["副本"], "副本"),
    # only one of the two planted bugs fixed: half the points (issue 21)
    "db1_not_fixed": (_FIXED_ONLY_DW2, {"backward_propagation_n_fixed": 1}, ["4 倍"], "4 倍"),
    # right values, db of shape (n,): a fixed 0.5 point, once, with a message naming the shape
    "db_without_keepdims": (_FIXED_DB_FLAT, {"backward_propagation_n_fixed": 1.5},
                            ["期望 (1, 1)，得到 (1,)", "keepdims=True", "扣 0.5 分"], "形状不对"),
    # issue 21: each function is graded on its own; a mistake upstream costs points only upstream
    "backward_returns_theta": (_BACKWARD_THETA, {"backward_propagation": 0}, ["导数是 x"], "导数是 x"),
    "forward_adds": (_FORWARD_SUM, {"forward_propagation": 0}, ["不是和"], "不是和"),
    "norm_of_sum_denominator_1d": (_GC_NORM_OF_SUM, {"gradient_check": 2},
                                   ["np.linalg.norm(grad + gradapprox)", "符号相反"],
                                   "np.linalg.norm(grad + gradapprox)"),
}


def probe_cases(ref):
    """One input per graded function (args, seed set right before the call)."""
    X, Y, parameters = ref.gradient_check_n_test_case()
    _, cache = ref.forward_propagation_n(X, Y, parameters)
    gradients = ref.backward_propagation_n(X, Y, cache)
    return {"forward_propagation": ((3.0, -2.0), None), "backward_propagation": ((3.0, -2.0), None),
            "gradient_check": ((3.0, -2.0), None), "gradient_check_n": ((parameters, gradients, X, Y), None),
            "backward_propagation_n_fixed": ((X, Y, cache), None),
            "gradient_check_report": ((parameters, gradients, X, Y), None)}
