"""Sample submissions of the Gradient Checking assignment (see course/samples.py).

Expected scores (max 13: forward_propagation 1, backward_propagation 1, gradient_check 3,
gradient_check_n 4, backward_propagation_n_fixed 2, gradient_check_report 2):
- gc_correct: 13
- gc_one_sided: 11. gradient_check loses 1 (the non-linear J = x theta**3 test: the one-sided
  quotient's error is O(eps), about eps / (2 theta), instead of eps**2 / (6 theta**2)); for the
  notebook's linear J it is exact up to rounding, like any correct form, so the linear test passes.
  gradient_check_n loses 1 (correct gradients with epsilon 1e-2 / 1e-3: error O(eps) instead of
  O(eps^2)). The type tests, the planted-bug test (epsilon 1e-7/1e-6, where the O(eps) error is
  negligible next to the bug) and the untouched-arguments test still pass.
- gc_no_norms: 9. gradient_check loses 2 (the linear and the non-linear test both use negative x:
  the denominator grad + gradapprox is negative); gradient_check_n loses 2 (planted bugs and correct
  gradients: the denominator sums the entries instead of adding the two norms, so the values are
  wrong or negative).
- gc_array_return: 11. gradient_check and gradient_check_n each lose 1 (the return-type test:
  a (1, 1) numpy array instead of a Python float); their values are right.
- untouched (added by the tool): 0
"""

_PRINT_1D = '''
    if print_msg:
        if difference < 2e-7:
            print("\\033[92m梯度正确 (The gradient is correct)! difference = " + str(difference) + "\\033[0m")
        else:
            print("\\033[93m梯度有错误 (The gradient is wrong)! difference = " + str(difference) + "\\033[0m")
    return difference
'''

_PRINT_ND = '''
    if print_msg:
        if difference < 2e-7:
            print("\\033[92m反向传播正确 (Your backward propagation works fine)! difference = "
                  + str(difference) + "\\033[0m")
        else:
            print("\\033[93m反向传播有错误 (There is a mistake in the backward propagation)! difference = "
                  + str(difference) + "\\033[0m")
    return difference
'''

_SETUP_ND = '''
def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False):
    parameters_values, _ = dictionary_to_vector(parameters)   # (n, 1)
    grad = gradients_to_vector(gradients)                     # (n, 1)
    num_parameters = parameters_values.shape[0]
    J_plus = np.zeros((num_parameters, 1))
    J_minus = np.zeros((num_parameters, 1))
    gradapprox = np.zeros((num_parameters, 1))
'''

# The exact score of every sample (tests/test_grading.py), `untouched` included.
SCORES = {"gc_correct": 13, "untouched": 0, "gc_one_sided": 11, "gc_no_norms": 9, "gc_array_return": 11}

SAMPLES = {
    "gc_correct": {},
    "gc_one_sided": {
        "gradient_check": '''
def gradient_check(x, theta, epsilon=1e-7, print_msg=False):
    ### START CODE HERE ### (≈ 9 行代码 / 9 lines)
    thetaplus = theta + epsilon
    J_plus = forward_propagation(x, thetaplus)
    J = forward_propagation(x, theta)
    gradapprox = (J_plus - J) / epsilon

    grad = backward_propagation(x, theta)

    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    difference = float(numerator / denominator)
    ### END CODE HERE ###
''' + _PRINT_1D,
        "gradient_check_n": _SETUP_ND + '''
    ### START CODE HERE ### (≈ 11 行代码 / 11 lines)
    J, _ = forward_propagation_n(X, Y, parameters)
    for i in range(num_parameters):
        thetaplus = np.copy(parameters_values)
        thetaplus[i][0] = thetaplus[i][0] + epsilon
        J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaplus, parameters))
        gradapprox[i] = (J_plus[i] - J) / epsilon

    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    difference = float(numerator / denominator)
    ### END CODE HERE ###
''' + _PRINT_ND,
    },
    "gc_no_norms": {
        "gradient_check": '''
def gradient_check(x, theta, epsilon=1e-7, print_msg=False):
    ### START CODE HERE ### (≈ 9 行代码 / 9 lines)
    thetaplus = theta + epsilon
    thetaminus = theta - epsilon
    J_plus = forward_propagation(x, thetaplus)
    J_minus = forward_propagation(x, thetaminus)
    gradapprox = (J_plus - J_minus) / (2 * epsilon)

    grad = backward_propagation(x, theta)

    numerator = np.linalg.norm(grad - gradapprox)
    denominator = grad + gradapprox
    difference = numerator / denominator
    ### END CODE HERE ###
''' + _PRINT_1D,
        "gradient_check_n": _SETUP_ND + '''
    ### START CODE HERE ### (≈ 11 行代码 / 11 lines)
    for i in range(num_parameters):
        thetaplus = np.copy(parameters_values)
        thetaplus[i][0] = thetaplus[i][0] + epsilon
        J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaplus, parameters))
        thetaminus = np.copy(parameters_values)
        thetaminus[i][0] = thetaminus[i][0] - epsilon
        J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaminus, parameters))
        gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)

    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.sum(grad) + np.sum(gradapprox)
    difference = numerator / denominator
    ### END CODE HERE ###
''' + _PRINT_ND,
    },
    "gc_array_return": {
        "gradient_check": '''
def gradient_check(x, theta, epsilon=1e-7, print_msg=False):
    ### START CODE HERE ### (≈ 9 行代码 / 9 lines)
    J_plus = forward_propagation(x, theta + epsilon)
    J_minus = forward_propagation(x, theta - epsilon)
    gradapprox = np.array([[(J_plus - J_minus) / (2 * epsilon)]])

    grad = np.array([[backward_propagation(x, theta)]])

    numerator = np.sqrt(np.sum((grad - gradapprox) ** 2, keepdims=True))
    denominator = np.sqrt(np.sum(grad ** 2, keepdims=True)) + np.sqrt(np.sum(gradapprox ** 2, keepdims=True))
    difference = numerator / denominator
    ### END CODE HERE ###
''' + _PRINT_1D,
        "gradient_check_n": _SETUP_ND + '''
    ### START CODE HERE ### (≈ 11 行代码 / 11 lines)
    for i in range(num_parameters):
        thetaplus = np.copy(parameters_values)
        thetaplus[i][0] = thetaplus[i][0] + epsilon
        J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaplus, parameters))
        thetaminus = np.copy(parameters_values)
        thetaminus[i][0] = thetaminus[i][0] - epsilon
        J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaminus, parameters))
        gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)

    numerator = np.sqrt(np.sum((grad - gradapprox) ** 2, axis=0, keepdims=True))
    denominator = (np.sqrt(np.sum(grad ** 2, axis=0, keepdims=True))
                   + np.sqrt(np.sum(gradapprox ** 2, axis=0, keepdims=True)))
    difference = numerator / denominator
    ### END CODE HERE ###
''' + _PRINT_ND,
    },
}
