"""Regularization More hooks of the test suite, found by tests/assignment_hooks.py (docs/authoring.md):

- CORRECT, MISTAKES: the fairness corpus (tests/test_fairness.py; formats in tests/corpus.py);
- probe_cases(ref): one input per graded function for the reference-implementation scan (tests/test_build.py).
"""
from __future__ import annotations

import numpy as np

# ---------------------------------------------------------------------------------------------
# Correct variants

_COST = {
    "loop_over_layers": '''
def compute_cost_with_l1(A3, Y, parameters, lambd):
    m = Y.shape[1]
    total = 0.0
    for l in (1, 2, 3):
        total += np.abs(parameters["W" + str(l)]).sum()
    return float(compute_cost(A3, Y) + lambd * total / m)
''',
    "norm_lambda": '''
compute_cost_with_l1 = lambda A3, Y, parameters, lambd: float(
    compute_cost(A3, Y) + lambd / Y.shape[1] * sum(np.linalg.norm(parameters[k].ravel(), 1) for k in ("W1", "W2", "W3")))
''',
}

_BACKWARD_HEAD = '''
def backward_propagation_with_l1(X, Y, cache, lambd):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
'''
_BACKWARD = {
    "plain_backward_plus_sign": '''
def backward_propagation_with_l1(X, Y, cache, lambd):
    gradients = backward_propagation(X, Y, cache)
    m = X.shape[1]
    for key, W in (("dW1", cache[2]), ("dW2", cache[6]), ("dW3", cache[10])):
        gradients[key] = gradients[key] + lambd / m * np.sign(W)
    return gradients
''',
    "where_for_the_sign": _BACKWARD_HEAD + '''
    def subgradient(W):
        return np.where(W > 0, 1.0, np.where(W < 0, -1.0, 0.0))
    dW3 = (dZ3 @ A2.T + lambd * subgradient(W3)) / m
    db3 = dZ3.mean(axis=1, keepdims=True)
    dA2 = W3.T @ dZ3
    dZ2 = np.where(A2 > 0, dA2, 0.0)
    dW2 = (dZ2 @ A1.T + lambd * subgradient(W2)) / m
    db2 = dZ2.mean(axis=1, keepdims=True)
    dA1 = W2.T @ dZ2
    dZ1 = np.where(A1 > 0, dA1, 0.0)
    dW1 = (dZ1 @ X.T + lambd * subgradient(W1)) / m
    db1 = dZ1.mean(axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}
''',
}

_EARLY = {
    "deepcopy_and_counter_of_best": '''
import copy

def train_with_early_stopping(X, Y, X_dev, Y_dev, layers_dims, learning_rate, max_iterations, eval_every, patience):
    parameters = initialize_parameters(layers_dims)
    best = {"cost": float("inf"), "iteration": 0, "parameters": copy.deepcopy(parameters)}
    dev_costs = []
    steps = 0
    while steps < max_iterations:
        if steps % eval_every == 0:
            dev_costs.append(compute_cost(forward_propagation(X_dev, parameters)[0], Y_dev))
            if dev_costs[-1] < best["cost"]:
                best = {"cost": dev_costs[-1], "iteration": steps, "parameters": copy.deepcopy(parameters)}
            elif (steps - best["iteration"]) // eval_every >= patience:
                break
        _, cache = forward_propagation(X, parameters)
        parameters = update_parameters(parameters, backward_propagation(X, Y, cache), learning_rate)
        steps += 1
    return {"parameters": best["parameters"], "best_iteration": best["iteration"], "iterations": steps,
            "dev_costs": dev_costs}
''',
    "fresh_dicts_without_copy": '''
def train_with_early_stopping(X, Y, X_dev, Y_dev, layers_dims, learning_rate, max_iterations, eval_every, patience):
    parameters = initialize_parameters(layers_dims)
    best_parameters, best_cost, best_iteration, bad, dev_costs, done = dict(parameters), np.inf, 0, 0, [], 0
    for i in range(max_iterations):
        if i % eval_every == 0:
            cost = compute_cost(forward_propagation(X_dev, parameters)[0], Y_dev)
            dev_costs.append(cost)
            bad = 0 if cost < best_cost else bad + 1
            if bad == 0:
                best_parameters, best_cost, best_iteration = dict(parameters), cost, i
            if bad == patience:
                break
        _, cache = forward_propagation(X, parameters)
        grads = backward_propagation(X, Y, cache)
        # a new dict each step: the saved one is never modified, so a shallow dict() is enough
        parameters = {k: v - learning_rate * grads["d" + k] for k, v in parameters.items()}
        done += 1
    return {"parameters": best_parameters, "best_iteration": best_iteration, "iterations": done, "dev_costs": dev_costs}
''',
}

_MIRROR = {
    "multiply_by_signs": '''
def augment_with_mirror(X, Y):
    return np.hstack([X, X * np.array([[-1], [1]])]), np.hstack([Y, Y])
''',
    "copy_then_negate_and_tile": '''
def augment_with_mirror(X, Y):
    mirrored = X.copy()
    mirrored[0, :] = -mirrored[0, :]
    return np.concatenate((X, mirrored), axis=1), np.tile(Y, (1, 2))
''',
}

CORRECT = {"compute_cost_with_l1": _COST, "backward_propagation_with_l1": _BACKWARD,
           "train_with_early_stopping": _EARLY, "augment_with_mirror": _MIRROR}

# ---------------------------------------------------------------------------------------------
# Mistakes: name -> (cells, {item: score}, [text the graders' messages contain], text of the public test)


def _cost(term):
    return {"compute_cost_with_l1": f'''
def compute_cost_with_l1(A3, Y, parameters, lambd):
    m = Y.shape[1]
    W1, W2, W3 = parameters["W1"], parameters["W2"], parameters["W3"]
    return float(compute_cost(A3, Y) + {term})
'''}


def _backward(term):
    return {"backward_propagation_with_l1": f'''
def backward_propagation_with_l1(X, Y, cache, lambd):
    gradients = backward_propagation(X, Y, cache)
    m = X.shape[1]
    for key, W in (("dW1", cache[2]), ("dW2", cache[6]), ("dW3", cache[10])):
        gradients[key] = gradients[key] + {term}
    return gradients
'''}


_EARLY_TEMPLATE = '''
def train_with_early_stopping(X, Y, X_dev, Y_dev, layers_dims, learning_rate, max_iterations, eval_every, patience):
    parameters = initialize_parameters(layers_dims)
    best_parameters = {k: v.copy() for k, v in parameters.items()}
    best_cost = np.inf
    best_iteration = 0
    dev_costs = []
    iterations = 0
    bad_checks = 0
    for i in range(max_iterations):
        if i % eval_every == 0:
            a3_dev, _ = forward_propagation(EVAL_X, parameters)
            dev_cost = compute_cost(a3_dev, EVAL_Y)
            dev_costs.append(dev_cost)
            if dev_cost < best_cost:
                best_cost = dev_cost
                best_parameters = SAVE
                best_iteration = i
                RESET
            else:
                bad_checks += 1
                if bad_checks STOP patience:
                    break
        a3, cache = forward_propagation(X, parameters)
        grads = backward_propagation(X, Y, cache)
        parameters = update_parameters(parameters, grads, learning_rate)
        iterations += 1
    return {"parameters": best_parameters, "best_iteration": best_iteration, "iterations": iterations,
            "dev_costs": dev_costs}
'''


def _early(**changes):
    slots = {"EVAL_X": "X_dev", "EVAL_Y": "Y_dev", "SAVE": "{k: v.copy() for k, v in parameters.items()}",
             "RESET": "bad_checks = 0", "STOP": "=="}
    slots.update(changes)
    source = _EARLY_TEMPLATE
    for slot, text in slots.items():
        source = source.replace(slot, text)
    return {"train_with_early_stopping": source}


def _mirror(body):
    return {"augment_with_mirror": "\ndef augment_with_mirror(X, Y):\n" + body}


MISTAKES = {
    "l1_cost_over_2m": (_cost("lambd / (2 * m) * (np.sum(np.abs(W1)) + np.sum(np.abs(W2)) + np.sum(np.abs(W3)))"),
                        {"compute_cost_with_l1": 1}, ["lambd / (2m)"], "不是 lambd / (2m)"),
    "l1_cost_without_abs": (_cost("lambd / m * (np.sum(W1) + np.sum(W2) + np.sum(W3))"),
                            {"compute_cost_with_l1": 0.5}, ["np.abs"], "L1 正则项是"),
    "l1_cost_is_l2": (_cost("lambd / (2 * m) * (np.sum(W1 ** 2) + np.sum(W2 ** 2) + np.sum(W3 ** 2))"),
                      {"compute_cost_with_l1": 1}, ["L2"], "平方和"),
    "l1_cost_counts_biases": (_cost("lambd / m * sum(np.sum(np.abs(v)) for v in parameters.values())"),
                              {"compute_cost_with_l1": 0.5}, ["偏置 b"], "不包含偏置 b"),
    "l1_gradient_is_l2": (_backward("lambd / m * W"), {"backward_propagation_with_l1": 0.5}, ["L2 的梯度"],
                          "L2 的梯度"),
    "l1_gradient_without_1_over_m": (_backward("lambd * np.sign(W)"), {"backward_propagation_with_l1": 0.5},
                                     ["少了因子 1/m"], "少了因子 1/m"),
    "l1_gradient_sign_as_ratio": (_backward("lambd / m * W / np.abs(W)"), {"backward_propagation_with_l1": 0.5},
                                  ["np.sign(0) = 0"], "sign 取 0"),
    "early_stopping_aliases_best": (_early(SAVE="parameters"), {"train_with_early_stopping": 1},
                                    ["原地修改参数字典"], "没有复制"),
    "early_stopping_watches_training_cost": (_early(EVAL_X="X", EVAL_Y="Y"), {"train_with_early_stopping": 0},
                                             ["训练集上的 cost"], "训练集上的 cost"),
    "early_stopping_patience_off_by_one": (_early(STOP=">"), {"train_with_early_stopping": 1},
                                           ["==，不是 >"], "用 ==，不是 >"),
    "early_stopping_never_resets": (_early(RESET="pass"), {"train_with_early_stopping": 2.5}, ["停得太早"], "清零"),
    "mirror_flips_x2": (_mirror("    return np.concatenate([X, X * np.array([[1], [-1]])], axis=1), np.concatenate([Y, Y], axis=1)\n"),
                        {"augment_with_mirror": 0}, ["上下翻转"], "上下翻转"),
    "mirror_flips_labels": (_mirror("    return np.concatenate([X, X * np.array([[-1], [1]])], axis=1), np.concatenate([Y, 1 - Y], axis=1)\n"),
                            {"augment_with_mirror": 0}, ["标签被反转"], "标签被反转"),
    "mirror_changes_the_callers_X": (_mirror("    original = X.copy()\n    X[0] *= -1\n"
                                             "    return np.concatenate([original, X], axis=1), np.concatenate([Y, Y], axis=1)\n"),
                                     {"augment_with_mirror": 1.5}, ["被改变了"], "修改了传入的"),
}


def probe_cases(ref):
    """One input per graded function (args, seed set right before the call)."""
    rng = np.random.RandomState(5)
    X, Y = rng.randn(2, 6), (rng.rand(1, 6) > 0.5).astype(float)
    parameters = ref.initialize_parameters([2, 5, 3, 1])
    A3, cache = ref.forward_propagation(X, parameters)
    X_dev, Y_dev = rng.randn(2, 5), (rng.rand(1, 5) > 0.5).astype(float)
    return {"compute_cost_with_l1": ((A3, Y, parameters, 0.7), None),
            "backward_propagation_with_l1": ((X, Y, cache, 0.7), None),
            "train_with_early_stopping": ((X, Y, X_dev, Y_dev, [2, 4, 3, 1], 0.5, 300, 20, 3), None),
            "augment_with_mirror": ((X, Y), None)}
