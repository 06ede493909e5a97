"""Corpora for the fairness tests (tests/test_fairness.py).

CORRECT[assignment][function] maps a variant name to a cell source: a correct implementation
written differently from the reference (other numpy calls, loops, algebraic rearrangements,
lambda / exec / import binding). Each must score full marks in the public tests and the graders.

MISTAKES[assignment] maps a mistake name to (cells, scores, graders_say, public_says): the cells
that carry the mistake, the exact score of every item affected (the others keep full marks),
text that a failed hidden test's message must contain (it names the mistake), and text the
public test's AssertionError must contain (None: the public test does not test this).
"""
from __future__ import annotations

# ---------------------------------------------------------------------------------------------
# Initialization

_ZEROS = {
    "lambda_dict_comprehension": '''
initialize_parameters_zeros = lambda layers_dims: {
    key: value
    for l in range(1, len(layers_dims))
    for key, value in ((f"W{l}", np.zeros((layers_dims[l], layers_dims[l - 1]))),
                       (f"b{l}", np.zeros((layers_dims[l], 1))))
}
''',
    "exec_zip_reshape": '''
exec("""
def initialize_parameters_zeros(layers_dims):
    parameters = {}
    for l, (n_prev, n) in enumerate(zip(layers_dims[:-1], layers_dims[1:]), start=1):
        parameters['W%d' % l] = np.zeros(n * n_prev).reshape(n, n_prev)
        parameters['b%d' % l] = np.zeros(n).reshape(-1, 1)
    return parameters
""")
''',
    "full_and_zeros_like": '''
def initialize_parameters_zeros(layers_dims):
    parameters = {}
    l = 1
    while l < len(layers_dims):
        parameters["W" + str(l)] = np.full((layers_dims[l], layers_dims[l - 1]), 0.0)
        parameters["b" + str(l)] = np.zeros_like(np.empty((layers_dims[l], 1)))
        l += 1
    return parameters
''',
    "times_ones": '''
def _zero_matrix(rows, cols):
    return 0.0 * np.ones([rows, cols], dtype=float)

def initialize_parameters_zeros(layers_dims):
    return dict(item for l in range(1, len(layers_dims))
                for item in ((f"W{l}", _zero_matrix(layers_dims[l], layers_dims[l - 1])),
                             (f"b{l}", _zero_matrix(layers_dims[l], 1))))
''',
}

_RANDOM = {
    "ten_times_first": '''
def initialize_parameters_random(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters[f"W{l}"] = 10 * np.random.randn(layers_dims[l], layers_dims[l - 1])
        parameters[f"b{l}"] = np.zeros((layers_dims[l], 1))
    return parameters
''',
    "standard_normal_lambda": '''
initialize_parameters_random = lambda layers_dims: (np.random.seed(3), {
    key: value
    for l in range(1, len(layers_dims))
    for key, value in ((f"W{l}", np.random.standard_normal((layers_dims[l], layers_dims[l - 1])) * 10.0),
                       (f"b{l}", np.zeros((layers_dims[l], 1))))
})[1]
''',
    "exec_enumerate": '''
source = """
def initialize_parameters_random(layers_dims):
    np.random.seed(3)
    parameters = {}
    shapes = list(zip(layers_dims[1:], layers_dims[:-1]))
    for l, shape in enumerate(shapes, 1):
        parameters['W' + str(l)] = np.random.randn(*shape) * 10
        parameters['b' + str(l)] = np.zeros((shape[0], 1))
    return parameters
"""
exec(source)
''',
}

_HE = {
    "divide_by_sqrt_half_n": '''
def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layers_dims) - 1
    for l in range(1, L + 1):
        parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) / np.sqrt(layers_dims[l - 1] / 2)
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
''',
    "sqrt2_over_sqrt_n": '''
def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l, (n_prev, n) in enumerate(zip(layers_dims, layers_dims[1:]), start=1):
        scale = np.sqrt(2.0) / np.sqrt(n_prev)
        parameters["W%d" % l] = scale * np.random.randn(n, n_prev)
        parameters["b%d" % l] = np.zeros(shape=(n, 1))
    return parameters
''',
    "power_half_lambda": '''
initialize_parameters_he = lambda dims: (np.random.seed(3), {
    key: value
    for l in range(1, len(dims))
    for key, value in ((f"W{l}", np.random.randn(dims[l], dims[l - 1]) * (2 / dims[l - 1]) ** 0.5),
                       (f"b{l}", np.zeros((dims[l], 1))))
})[1]
''',
    "imported_helper": '''
def _he_layers(layers_dims):
    np.random.seed(3)
    out = {}
    for l in range(1, len(layers_dims)):
        out["W" + str(l)] = np.multiply(np.random.randn(layers_dims[l], layers_dims[l - 1]), np.sqrt(2 / layers_dims[l - 1]))
        out["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return out

initialize_parameters_he = _he_layers
''',
}

_XAVIER = {
    "float_literal": '''
def initialize_parameters_xavier(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        fan_in, fan_out = layers_dims[l - 1], layers_dims[l]
        parameters['W' + str(l)] = np.random.randn(fan_out, fan_in) * np.sqrt(2.0 / (fan_in + fan_out))
        parameters['b' + str(l)] = np.zeros((fan_out, 1))
    return parameters
''',
    "divide_by_sqrt_mean_fan": '''
def initialize_parameters_xavier(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        mean_fan = (layers_dims[l] + layers_dims[l - 1]) / 2
        parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) / np.sqrt(mean_fan)
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
''',
    "exec_power": '''
exec("def initialize_parameters_xavier(d):\\n"
     "    np.random.seed(3)\\n"
     "    p = {}\\n"
     "    for l in range(1, len(d)):\\n"
     "        p['W' + str(l)] = np.random.randn(d[l], d[l - 1]) * (2 / (d[l] + d[l - 1])) ** 0.5\\n"
     "        p['b' + str(l)] = np.zeros((d[l], 1))\\n"
     "    return p\\n")
''',
}

# ---------------------------------------------------------------------------------------------
# Gradient Checking

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

# ---------------------------------------------------------------------------------------------
# Regularization

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

CORRECT = {
    "initialization": {"initialize_parameters_zeros": _ZEROS, "initialize_parameters_random": _RANDOM,
                       "initialize_parameters_he": _HE, "initialize_parameters_xavier": _XAVIER},
    "gradient_checking": {"forward_propagation": _FORWARD, "backward_propagation": _BACKWARD,
                          "gradient_check": _GRADIENT_CHECK, "gradient_check_n": _GRADIENT_CHECK_N,
                          "backward_propagation_n_fixed": _FIXED, "gradient_check_report": _REPORT},
    "regularization": {"compute_cost_with_regularization": _COST,
                       "backward_propagation_with_regularization": _L2,
                       "forward_propagation_with_dropout": _FORWARD_DROPOUT,
                       "backward_propagation_with_dropout": _BACKWARD_DROPOUT},
}

# ---------------------------------------------------------------------------------------------
# Mistakes: name -> (cells, {item: score}, [text the graders' messages contain], text of the public test)

def _init(body_w, body_b="np.zeros((layers_dims[l], 1))", name="initialize_parameters_he", seed="    np.random.seed(3)\n",
          in_loop=""):
    return {name: f"""
def {name}(layers_dims):
{seed}    parameters = {{}}
    for l in range(1, len(layers_dims)):
{in_loop}        parameters['W' + str(l)] = {body_w}
        parameters['b' + str(l)] = {body_b}
    return parameters
"""}


_RANDN = "np.random.randn(layers_dims[l], layers_dims[l - 1])"

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

MISTAKES = {
    "initialization": {
        "b_scalar": (_init("np.zeros((layers_dims[l], layers_dims[l - 1]))", "0", "initialize_parameters_zeros", seed=""),
                     {"initialize_parameters_zeros": 0}, ["np.zeros((n[l], 1))"], "不能写成标量 0"),
        "zeros_transposed": (_init("np.zeros((layers_dims[l - 1], layers_dims[l]))", name="initialize_parameters_zeros",
                                   seed=""),
                             {"initialize_parameters_zeros": 0.5}, ["转置"], "形状 (shape) 不对"),
        "random_seed_deleted": (_init(_RANDN + " * 10", name="initialize_parameters_random", seed=""),
                                {"initialize_parameters_random": 0}, ["没有设置随机种子", "np.random.seed(3)"],
                                "np.random.seed(3)"),
        "he_sqrt_one_over_n": (_init(_RANDN + " * np.sqrt(1 / layers_dims[l - 1])"), {"initialize_parameters_he": 0},
                               ["np.sqrt(1 / n[l-1])", "1/√2"], "sqrt(1/n[l-1])"),
        "he_seed_in_loop": (_init(_RANDN + " * np.sqrt(2 / layers_dims[l - 1])", in_loop="        np.random.seed(3)\n"),
                            {"initialize_parameters_he": 0.5}, ["每一层都重新调用 np.random.seed(3)"], "循环里不要再设置"),
        "he_times_ten": (_init(_RANDN + " * 10"), {"initialize_parameters_he": 0}, ["缩放因子是 10"], "缩放因子不对"),
        "xavier_precedence": (_init(_RANDN + " * np.sqrt(2 / layers_dims[l - 1] + layers_dims[l])",
                                    name="initialize_parameters_xavier"),
                              {"initialize_parameters_xavier": 0}, ["括号位置错了"], "缩放因子不对"),
    },
    "gradient_checking": {
        "one_sided_1d": (_GC_ONE_SIDED, {"gradient_check": 2}, ["单侧差分"], "单侧差分"),
        "no_norms_1d": (_GC_NO_NORMS, {"gradient_check": 1}, ["两个范数之和"], "不能是负数"),
        "inline_J_1d": (_GC_INLINE, {"gradient_check": 2}, ["没有调用"], "没有调用"),
        "missing_two_1d": (_GC_NO_TWO, {"gradient_check": 1}, ["2 * epsilon"], "2 倍"),
        "one_sided_nd": (_GCN_ONE_SIDED, {"gradient_check_n": 3}, ["单侧差分"], "单侧差分"),
        "no_copy_nd": (_GCN_NO_COPY, {"gradient_check_n": 3}, ["副本"], "副本"),
        "db1_not_fixed": (_FIXED_ONLY_DW2, {"backward_propagation_n_fixed": 0}, ["4 倍"], "4 倍"),
        "numpy_str_keys": (_REPORT_NUMPY_KEYS, {"gradient_check_report": 0}, ["str(name)"], "str(name)"),
    },
    "regularization": {
        "cost_without_1_over_m": (_COST_NO_M, {"compute_cost_with_regularization": 1}, ["少了因子 1/m"], "1/m"),
        "l2_gradient_without_1_over_m": (_L2_NO_M, {"backward_propagation_with_regularization": 0.5},
                                         ["少了因子 1/m"], "(lambd / m) * W"),
        "dropout_reseeds": (_DROPOUT_RESEED, {"forward_propagation_with_dropout": 0.5}, ["np.random.seed"],
                            "np.random.seed"),
        "dropout_no_scaling": (_DROPOUT_NO_SCALING, {"forward_propagation_with_dropout": 1}, ["除以 keep_prob"],
                               "除以 keep_prob"),
        "backward_mask_missing": (_BACKWARD_NO_MASK, {"backward_propagation_with_dropout": 1.5}, ["掩码"], "D = 0"),
    },
}

# ML Setup (issue 14): its corpora live in corpus_ml_setup.py.
from corpus_ml_setup import CORRECT as _ML_SETUP_CORRECT, MISTAKES as _ML_SETUP_MISTAKES  # noqa: E402

CORRECT["ml_setup"] = _ML_SETUP_CORRECT
MISTAKES["ml_setup"] = _ML_SETUP_MISTAKES
