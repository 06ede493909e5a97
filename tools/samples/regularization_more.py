"""Sample submissions of the Regularization More assignment (see course/samples.py).

Expected scores (max 9: compute_cost_with_l1 2, backward_propagation_with_l1 2,
train_with_early_stopping 3, augment_with_mirror 2):
- regmore_correct: 9
- regmore_l1_over_2m: 8. compute_cost_with_l1 uses lambd / (2m), the other convention, against the
  notebook's lambd / m (ERRATA 7: state one and keep to it): it loses the values test (1). lambd=0
  still gives the plain cost and the term is still invariant under negating the weights or moving
  the biases; training never uses the cost, so the other items keep full marks.
- regmore_best_not_copied: 7. train_with_early_stopping saves ``best_parameters = parameters``:
  update_parameters changes that dictionary in place, so the returned parameters are the last ones.
  It loses the three reference comparisons (0.5 each) and the copy test (0.5); dev_costs,
  best_iteration and iterations are right, so patience=1 and the run to max_iterations pass.
- regmore_mirror_flips_x2: 7. augment_with_mirror flips the points upside down, (x1, -x2): every
  test of the item fails (2).
- untouched (added by the tool): 0
"""

# The exact score of every sample (tests/test_grading.py), `untouched` included.
SCORES = {"regmore_correct": 9, "untouched": 0, "regmore_l1_over_2m": 8, "regmore_best_not_copied": 7,
          "regmore_mirror_flips_x2": 7}

SAMPLES = {
    "regmore_correct": {},
    "regmore_l1_over_2m": {
        "compute_cost_with_l1": '''
def compute_cost_with_l1(A3, Y, parameters, lambd):
    m = Y.shape[1]
    W1 = parameters["W1"]
    W2 = parameters["W2"]
    W3 = parameters["W3"]

    cross_entropy_cost = compute_cost(A3, Y)  # 交叉熵部分

    ### START CODE HERE ### (≈ 1 行代码 / 1 line)
    L1_regularization_cost = lambd / (2 * m) * (np.sum(np.abs(W1)) + np.sum(np.abs(W2)) + np.sum(np.abs(W3)))
    ### END CODE HERE ###

    cost = cross_entropy_cost + L1_regularization_cost
    return float(cost)
''',
    },
    "regmore_best_not_copied": {
        "train_with_early_stopping": '''
def train_with_early_stopping(X, Y, X_dev, Y_dev, layers_dims, learning_rate, max_iterations, eval_every, patience):
    parameters = initialize_parameters(layers_dims)
    best_parameters = {k: v.copy() for k, v in parameters.items()}
    best_cost = np.inf
    best_iteration = 0
    dev_costs = []
    iterations = 0
    ### START CODE HERE ### (≈ 1 行代码 / 1 line)：连续变差的次数 bad_checks，从 0 开始
    bad_checks = 0
    ### END CODE HERE ###

    for i in range(max_iterations):
        if i % eval_every == 0:
            ### START CODE HERE ### (≈ 12 行代码 / 12 lines)
            cost_now = compute_cost(forward_propagation(X_dev, parameters)[0], Y_dev)
            dev_costs.append(cost_now)
            if cost_now < best_cost:
                best_cost = cost_now
                best_parameters = parameters
                best_iteration = i
                bad_checks = 0
            else:
                bad_checks = bad_checks + 1
                if bad_checks == patience:
                    break
            ### END CODE HERE ###

        a3, cache = forward_propagation(X, parameters)
        grads = backward_propagation(X, Y, cache)
        parameters = update_parameters(parameters, grads, learning_rate)
        iterations += 1

    return {"parameters": best_parameters, "best_iteration": best_iteration, "iterations": iterations,
            "dev_costs": dev_costs}
''',
    },
    "regmore_mirror_flips_x2": {
        "augment_with_mirror": '''
def augment_with_mirror(X, Y):
    ### START CODE HERE ### (≈ 3 行代码 / 3 lines)
    flipped = np.vstack([X[0], -X[1]])
    X_aug = np.hstack([X, flipped])
    Y_aug = np.hstack([Y, Y])
    ### END CODE HERE ###
    return X_aug, Y_aug
''',
    },
}
