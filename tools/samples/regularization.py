"""Sample submissions of the Regularization assignment (see course/samples.py).

Expected scores (max 10: compute_cost_with_regularization 2,
backward_propagation_with_regularization 2, forward_propagation_with_dropout 3,
backward_propagation_with_dropout 3):
- reg_correct: 10
- reg_l2_no_1_over_m: 9. compute_cost_with_regularization loses 1 (the values test: the L2
  term is (lambd/2) * sum(W**2) without the factor 1/m). lambd=0 still gives the plain cost,
  the term still ignores the biases and is positive, and training never uses the cost, so
  the other items keep full marks.
- reg_dropout_no_scaling: 8. Both dropout functions forget to divide by keep_prob: one slip, paid for once, in the forward pass (issue 21).
  forward_propagation_with_dropout loses 2 (values 1, inverted scaling 0.5, training run 0.5;
  the masks are right, so keep_prob=1 and the no-reseeding test pass);
  backward_propagation_with_dropout loses 2 (values 1, inverted scaling 0.5, training run 0.5;
  masked entries are still zero and keep_prob=1 is unaffected).
- reg_backward_mask_missing: 8.5. backward_propagation_with_dropout divides by keep_prob but never
  multiplies by D1, D2: dA1 and dA2 are wrong where a unit was dropped, so it loses values 1 and
  masks 0.5. The parameter gradients are still right: the given ReLU step multiplies by
  (A > 0), and A is already 0 wherever D is 0, so dZ, dW and db do not change and the training
  run passes; the all-ones-mask tests (inverted scaling, keep_prob=1) pass too.
- untouched (added by the tool): 0
"""

# The exact score of every sample (tests/test_grading.py), `untouched` included.
SCORES = {"reg_correct": 10, "untouched": 0, "reg_l2_no_1_over_m": 9, "reg_dropout_no_scaling": 8,
          "reg_backward_mask_missing": 8.5}

SAMPLES = {
    "reg_correct": {},
    "reg_l2_no_1_over_m": {
        "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    W1 = parameters["W1"]
    W2 = parameters["W2"]
    W3 = parameters["W3"]

    cross_entropy_cost = compute_cost(A3, Y)  # 交叉熵部分

    ### START CODE HERE ### (≈ 1 行代码 / 1 line)
    L2_regularization_cost = lambd / 2 * (np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3)))
    ### END CODE HERE ###

    cost = cross_entropy_cost + L2_regularization_cost
    return float(cost)
''',
    },
    "reg_dropout_no_scaling": {
        "forward_propagation_with_dropout": '''
def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]
    W3 = parameters["W3"]
    b3 = parameters["b3"]

    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    ### START CODE HERE ### (≈ 4 行代码 / 4 lines)
    D1 = np.random.rand(A1.shape[0], A1.shape[1]) < keep_prob
    A1 = np.multiply(A1, D1)
    ### END CODE HERE ###

    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    ### START CODE HERE ### (≈ 4 行代码 / 4 lines)
    D2 = np.random.rand(A2.shape[0], A2.shape[1]) < keep_prob
    A2 = np.multiply(A2, D2)
    ### END CODE HERE ###

    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)

    cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
    return A3, cache
''',
        "backward_propagation_with_dropout": '''
def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache

    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    ### START CODE HERE ### (≈ 2 行代码 / 2 lines)
    dA2 = np.multiply(dA2, D2)
    ### END CODE HERE ###
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)

    dA1 = np.dot(W2.T, dZ2)
    ### START CODE HERE ### (≈ 2 行代码 / 2 lines)
    dA1 = np.multiply(dA1, D1)
    ### END CODE HERE ###
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)

    gradients = {"dZ3": dZ3, "dW3": dW3, "db3": db3,
                 "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
                 "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}
    return gradients
''',
    },
    "reg_backward_mask_missing": {
        "backward_propagation_with_dropout": '''
def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache

    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    ### START CODE HERE ### (≈ 2 行代码 / 2 lines)
    dA2 = dA2 / keep_prob
    ### END CODE HERE ###
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)

    dA1 = np.dot(W2.T, dZ2)
    ### START CODE HERE ### (≈ 2 行代码 / 2 lines)
    dA1 = dA1 / keep_prob
    ### END CODE HERE ###
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)

    gradients = {"dZ3": dZ3, "dW3": dW3, "db3": db3,
                 "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
                 "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}
    return gradients
''',
    },
}
