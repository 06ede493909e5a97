"""Helper functions for the Regularization More exercise (L1, early stopping, data augmentation).

The network is the three-layer LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID of the
Regularization exercise, in plain numpy. Data are stored column-wise: ``X`` has shape (n_x, m),
one example per column, and labels ``Y`` have shape (1, m).

The graded functions (the L1 cost and its backward pass, the early-stopping loop, the mirror
augmentation) are written in the notebook; ``model`` and the experiments find them there (or
take them from a ``functions`` argument, as the graders and tools/figures do).

Importing this module has no side effects: it opens no figure and calls no ``plt.show()``.
"""

import sys

import numpy as np

LAYERS = [2, 20, 3, 1]           # layer sizes of every run of the exercise
LEARNING_RATE = 0.3
NUM_ITERATIONS = 10000           # gradient steps of one full training run
NEAR_ZERO = 0.01                 # a weight with |w| below this counts as "near zero"

GRADED_FUNCTIONS = ("compute_cost_with_l1", "backward_propagation_with_l1", "train_with_early_stopping",
                    "augment_with_mirror")


def sigmoid(x):
    """
    Compute the sigmoid of x, elementwise.

    Arguments:
    - x: A scalar or numpy array of any shape.

    Returns:
    - sigmoid(x) = 1 / (1 + exp(-x)), of the same shape as x.
    """
    return 1 / (1 + np.exp(-x))


def relu(x):
    """
    Compute the ReLU of x, elementwise.

    Arguments:
    - x: A scalar or numpy array of any shape.

    Returns:
    - max(0, x), of the same shape as x.
    """
    return np.maximum(0, x)


def initialize_parameters(layer_dims):
    """
    Initialize the weights and biases of a fully connected network.

    Seeds numpy's global generator with 3, then draws each weight matrix with
    ``randn(n_l, n_prev) / sqrt(n_prev)`` in layer order; biases are zeros.

    Arguments:
    - layer_dims: A list of layer sizes [n_x, n_1, ..., n_L]; for this exercise [2, 20, 3, 1].

    Returns:
    - parameters: A dictionary with "Wl" of shape (layer_dims[l], layer_dims[l-1]) and "bl" of
      shape (layer_dims[l], 1), for l = 1, ..., L.
    """
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def forward_propagation(X, parameters):
    """
    Forward pass LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID.

    Arguments:
    - X: Input data, a numpy array of shape (n_x, m).
    - parameters: A dictionary with "W1" (n_1, n_x), "b1" (n_1, 1), "W2" (n_2, n_1), "b2" (n_2, 1),
      "W3" (1, n_2), "b3" (1, 1).

    Returns:
    - A3: Output of the sigmoid, of shape (1, m).
    - cache: The tuple (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) for the backward pass.
    """
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)
    return A3, (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)


def backward_propagation(X, Y, cache):
    """
    Backward pass of the network of forward_propagation, without regularization.

    Arguments:
    - X: Input data, a numpy array of shape (n_x, m).
    - Y: True labels (1 blue, 0 red), a numpy array of shape (1, m).
    - cache: The tuple returned by forward_propagation.

    Returns:
    - gradients: A dictionary with "dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1",
      "dW1", "db1", each of the shape of the quantity it is the gradient of.
    """
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache

    # sigmoid output with cross-entropy: dJ/dZ3 per example is A3 - Y; the 1/m goes on dW and db.
    dZ3 = A3 - Y
    dW3 = 1.0 / m * np.dot(dZ3, A2.T)
    db3 = 1.0 / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1.0 / m * np.dot(dZ2, A1.T)
    db2 = 1.0 / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1.0 / m * np.dot(dZ1, X.T)
    db1 = 1.0 / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


def update_parameters(parameters, grads, learning_rate):
    """
    One step of gradient descent on every weight and bias, in place.

    Arguments:
    - parameters: A dictionary with "Wl" and "bl" for l = 1, ..., L.
    - grads: A dictionary with "dWl" and "dbl" of the same shapes.
    - learning_rate: The step size alpha.

    Returns:
    - parameters: The same dictionary object, its entries replaced by Wl - alpha * dWl and
      bl - alpha * dbl. A variable that refers to this dictionary sees the new values: to keep the
      parameters of one iteration, copy them (``{k: v.copy() for k, v in parameters.items()}``).
    """
    for l in range(1, len(parameters) // 2 + 1):
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * grads["db" + str(l)]
    return parameters


def compute_cost(a3, Y):
    """
    Cross-entropy cost, averaged over the examples.

    Terms that are NaN (0 * log(0) when a prediction saturates at exactly 0 or 1) are dropped by
    np.nansum.

    Arguments:
    - a3: Output of forward propagation, a numpy array of shape (1, m).
    - Y: True labels, a numpy array of shape (1, m).

    Returns:
    - cost: A float, -1/m * sum(Y*log(a3) + (1-Y)*log(1-a3)).
    """
    m = Y.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    return float(1.0 / m * np.nansum(logprobs))


def compute_cost_with_l2(a3, Y, parameters, lambd):
    """
    Cross-entropy plus the L2 term (lambd / (2 m)) * sum of the squared weights (the Regularization exercise's).

    Returns:
    - cost: A Python float.
    """
    m = Y.shape[1]
    squares = sum(np.sum(np.square(parameters["W" + str(l)])) for l in (1, 2, 3))
    return float(compute_cost(a3, Y) + lambd / (2 * m) * squares)


def backward_propagation_with_l2(X, Y, cache, lambd):
    """
    The backward pass with the L2 term: each dWl gains (lambd / m) * Wl (the Regularization exercise's).

    Returns:
    - gradients: A dictionary as backward_propagation's.
    """
    m = X.shape[1]
    gradients = backward_propagation(X, Y, cache)
    for key, W in (("dW1", cache[2]), ("dW2", cache[6]), ("dW3", cache[10])):
        gradients[key] = gradients[key] + lambd / m * W
    return gradients


def predict_dec(parameters, X):
    """
    Predicted labels: a3 > 0.5.

    Arguments:
    - parameters: A dictionary of trained parameters.
    - X: Input data, a numpy array of shape (n_x, m).

    Returns:
    - A numpy array of booleans of shape (1, m).
    """
    a3, _ = forward_propagation(X, parameters)
    return a3 > 0.5


def accuracy(X, Y, parameters):
    """
    Fraction of examples classified correctly (threshold 0.5).

    Returns:
    - A Python float in [0, 1].
    """
    return float(np.mean(predict_dec(parameters, X) == Y))


def load_dataset(path="datasets/regmore.npz"):
    """
    Load the bowl dataset.

    Arguments:
    - path: Path of the .npz file; by default relative to the working directory, as in the
      exercise folder.

    Returns:
    - train_X (2, 100), train_Y (1, 100), dev_X (2, 100), dev_Y (1, 100), test_X (2, 200),
      test_Y (1, 200): points one per column, labels 1 (blue) or 0 (red).
    """
    with np.load(path) as data:
        return tuple(data[k] for k in ("train_X", "train_Y", "dev_X", "dev_Y", "test_X", "test_Y"))


def weights_of(parameters):
    """
    Every weight of W1, W2, W3 in one vector (biases excluded).

    Returns:
    - A 1-D numpy array (103 entries for the exercise's network).
    """
    return np.concatenate([np.ravel(parameters["W" + str(l)]) for l in (1, 2, 3)])


def near_zero_count(parameters, threshold=NEAR_ZERO):
    """
    How many weights have |w| < threshold.

    Returns:
    - (count, total): two ints.
    """
    w = weights_of(parameters)
    return int(np.sum(np.abs(w) < threshold)), int(w.size)


def flip_upside_down(X, Y):
    """
    The careless augmentation: mirror every point top-to-bottom, (x1, x2) -> (x1, -x2), and keep
    its label. The data have no such symmetry, so most copies carry the wrong label.

    Arguments:
    - X: Points, a numpy array of shape (2, m).
    - Y: Labels, a numpy array of shape (1, m).

    Returns:
    - X_aug (2, 2m): the m points, then their flipped copies; Y_aug (1, 2m): Y twice.
    """
    flipped = X * np.array([[1.0], [-1.0]])
    return np.concatenate([X, flipped], axis=1), np.concatenate([Y, Y], axis=1)


# ---------------------------------------------------------------------------------------
# Training runs and the experiments of the notebook


def _graded_function(name, functions=None):
    """
    One of the notebook's graded functions: from ``functions`` if given there, else the kernel's
    ``__main__`` module (where the notebook defines it).
    """
    if functions and name in functions:
        return functions[name]
    func = getattr(sys.modules.get("__main__"), name, None)
    if func is None:
        raise NameError(f"{name} is not defined in the notebook: run its cell first")
    return func


def model(X, Y, learning_rate=LEARNING_RATE, num_iterations=NUM_ITERATIONS, lambd_l1=0.0, lambd_l2=0.0,
          functions=None, record_every=0):
    """
    Train the network of LAYERS with batch gradient descent, optionally with L1 or L2 regularization.

    With lambd_l1 > 0 it uses the notebook's compute_cost_with_l1 and backward_propagation_with_l1;
    with lambd_l2 > 0 this module's L2 pass. The two are not combined.

    Arguments:
    - X, Y: Training data, shapes (n_x, m) and (1, m).
    - learning_rate: The step size.
    - num_iterations: The number of gradient steps.
    - lambd_l1, lambd_l2: The regularization strengths (0: off).
    - functions: Optional dictionary name -> callable overriding the notebook's graded functions.
    - record_every: If > 0, the cost (with its regularization term) is recorded every that many
      steps; it does not affect training.

    Returns:
    - parameters: The trained "W1", ..., "b3"; and costs, the list of recorded costs.
    """
    if lambd_l1 and lambd_l2:
        raise ValueError("本练习每次只用一种正则化：lambd_l1 和 lambd_l2 不要同时设置。")
    if lambd_l1 < 0 or lambd_l2 < 0:
        raise ValueError("正则化参数不能为负数。")
    cost_function = lambda a3, Y, parameters: compute_cost(a3, Y)  # noqa: E731
    backward = backward_propagation
    if lambd_l1:
        l1_cost = _graded_function("compute_cost_with_l1", functions)
        l1_backward = _graded_function("backward_propagation_with_l1", functions)
        cost_function = lambda a3, Y, parameters: l1_cost(a3, Y, parameters, lambd_l1)  # noqa: E731
        backward = lambda X, Y, cache: l1_backward(X, Y, cache, lambd_l1)  # noqa: E731
    elif lambd_l2:
        cost_function = lambda a3, Y, parameters: compute_cost_with_l2(a3, Y, parameters, lambd_l2)  # noqa: E731
        backward = lambda X, Y, cache: backward_propagation_with_l2(X, Y, cache, lambd_l2)  # noqa: E731

    parameters = initialize_parameters([X.shape[0]] + LAYERS[1:])
    costs = []
    for i in range(num_iterations):
        a3, cache = forward_propagation(X, parameters)
        if record_every and i % record_every == 0:
            costs.append(float(cost_function(a3, Y, parameters)))
        parameters = update_parameters(parameters, backward(X, Y, cache), learning_rate)
    return parameters, costs


def run_l1_vs_l2(train_X, train_Y, test_X, test_Y, lambd_l1=0.3, lambd_l2=0.7, functions=None):
    """
    Train without regularization, with L2 and with L1; print each run's accuracies and how many
    weights end near zero.

    Returns:
    - A dictionary name -> {"parameters", "train_accuracy", "test_accuracy", "near_zero"} (None
      for a run whose graded functions still raise NotImplementedError).
    """
    settings = {"no regularization": {}, f"L2 (lambd={lambd_l2})": {"lambd_l2": lambd_l2},
                f"L1 (lambd={lambd_l1})": {"lambd_l1": lambd_l1}}
    results = {}
    for name, kwargs in settings.items():
        try:
            parameters, _ = model(train_X, train_Y, functions=functions, **kwargs)
        except NotImplementedError:
            print(f"{name}: 这次训练要用到的函数还没有实现，请先完成上面的练习。")
            results[name] = None
            continue
        count, total = near_zero_count(parameters)
        results[name] = {"parameters": parameters, "train_accuracy": accuracy(train_X, train_Y, parameters),
                         "test_accuracy": accuracy(test_X, test_Y, parameters), "near_zero": (count, total)}
        print(f"{name}: train accuracy {results[name]['train_accuracy']!r}, "
              f"test accuracy {results[name]['test_accuracy']!r}, |w| < {NEAR_ZERO}: {count} / {total}")
    return results


def plot_weight_histograms(results):
    """Histograms of the weights of each run of run_l1_vs_l2 (log-scaled |w|), side by side."""
    import matplotlib.pyplot as plt

    done = {name: r for name, r in results.items() if r is not None}
    if not done:
        print("还没有训练好的模型可以画。")
        return
    bins = np.logspace(-8, 1, 37)
    plt.figure(figsize=(5 * len(done), 3.5))
    for k, (name, r) in enumerate(done.items(), start=1):
        plt.subplot(1, len(done), k)
        w = np.abs(weights_of(r["parameters"]))
        plt.hist(np.clip(w, 1e-8, None), bins=bins)
        plt.xscale("log")
        plt.axvline(NEAR_ZERO, color="k", linestyle="--", linewidth=1)
        plt.title(name)
        plt.xlabel("|w|")
    plt.tight_layout()
    plt.show()


def lambda_sweep(train_X, train_Y, dev_X, dev_Y, test_X, test_Y, lambdas=(0.03, 0.3, 1.0, 10.0)):
    """
    The alternative to early stopping: one full L2 run per lambda, the best picked on the dev set
    (lowest dev cost).

    Returns:
    - A dictionary with "runs" (lambda -> {"dev_cost", "dev_accuracy", "test_accuracy"}), "best"
      (the lambda picked) and "steps" (gradient steps of the whole sweep).
    """
    runs = {}
    for lambd in lambdas:
        parameters, _ = model(train_X, train_Y, lambd_l2=lambd)
        runs[lambd] = {"dev_cost": compute_cost(forward_propagation(dev_X, parameters)[0], dev_Y),
                       "dev_accuracy": accuracy(dev_X, dev_Y, parameters),
                       "test_accuracy": accuracy(test_X, test_Y, parameters)}
        print(f"L2 lambd={lambd}: {NUM_ITERATIONS} steps, dev accuracy {runs[lambd]['dev_accuracy']!r}, "
              f"test accuracy {runs[lambd]['test_accuracy']!r}")
    best = min(runs, key=lambda lambd: runs[lambd]["dev_cost"])
    steps = NUM_ITERATIONS * len(lambdas)
    print(f"best lambd on the dev set: {best}; the sweep took {steps} gradient steps")
    return {"runs": runs, "best": best, "steps": steps}


def run_early_stopping(train_X, train_Y, dev_X, dev_Y, test_X, test_Y, eval_every=100, patience=10, functions=None):
    """
    One run of the notebook's train_with_early_stopping on LAYERS (learning rate 0.3, at most
    NUM_ITERATIONS steps); print where it stopped and the accuracies of the parameters it kept, and
    plot the dev costs.

    Returns:
    - The dictionary train_with_early_stopping returns, or None while it still raises NotImplementedError.
    """
    train = _graded_function("train_with_early_stopping", functions)
    try:
        result = train(train_X, train_Y, dev_X, dev_Y, LAYERS, LEARNING_RATE, NUM_ITERATIONS, eval_every, patience)
    except NotImplementedError:
        print("train_with_early_stopping 还没有实现，请先完成上面的练习。")
        return None
    print("best iteration:", result["best_iteration"], " gradient steps:", result["iterations"])
    print("dev accuracy:", accuracy(dev_X, dev_Y, result["parameters"]),
          " test accuracy:", accuracy(test_X, test_Y, result["parameters"]))
    plot_dev_costs(result, eval_every)
    return result


def plot_dev_costs(result, eval_every):
    """The dev cost at every check of train_with_early_stopping, with the best check marked."""
    import matplotlib.pyplot as plt

    costs = result["dev_costs"]
    plt.figure()
    plt.plot([k * eval_every for k in range(len(costs))], costs, marker=".")
    plt.axvline(result["best_iteration"], color="k", linestyle="--", linewidth=1)
    plt.xlabel("iteration")
    plt.ylabel("dev cost")
    plt.title("early stopping: best iteration {}".format(result["best_iteration"]))
    plt.show()


def run_augmentations(X, Y, test_X, test_Y, functions=None):
    """
    Train on the given points alone, with their mirror images (the notebook's augment_with_mirror)
    and with their upside-down flips (flip_upside_down), each for the same NUM_ITERATIONS steps.

    Returns:
    - A dictionary name -> {"parameters", "m", "train_accuracy", "test_accuracy"} (None when
      augment_with_mirror still raises NotImplementedError).
    """
    settings = {"no augmentation": lambda X, Y: (X, Y),
                "mirror x1 -> -x1": _graded_function("augment_with_mirror", functions),
                "flip x2 -> -x2 (careless)": flip_upside_down}
    results = {}
    for name, augment in settings.items():
        try:
            X_aug, Y_aug = augment(X, Y)
        except NotImplementedError:
            print(f"{name}: augment_with_mirror 还没有实现，请先完成上面的练习。")
            results[name] = None
            continue
        parameters, _ = model(X_aug, Y_aug)
        results[name] = {"parameters": parameters, "m": int(X_aug.shape[1]),
                         "train_accuracy": accuracy(X_aug, Y_aug, parameters),
                         "test_accuracy": accuracy(test_X, test_Y, parameters)}
        print(f"{name}: {results[name]['m']} training examples, test accuracy {results[name]['test_accuracy']!r}")
    return results


# Plotted region (the data lie inside it).
FIELD = (-1.1, 1.1)


def plot_decision_boundary(parameters, X, Y, title=""):
    """
    Draw the decision regions of a trained network and the points X (labels Y) on the current axes.

    Returns:
    - The matplotlib axes.
    """
    import matplotlib.pyplot as plt

    xx, yy = np.meshgrid(np.arange(FIELD[0], FIELD[1], 0.01), np.arange(FIELD[0], FIELD[1], 0.01))
    Z = predict_dec(parameters, np.c_[xx.ravel(), yy.ravel()].T).reshape(xx.shape)
    ax = plt.gca()
    ax.contourf(xx, yy, Z, cmap=plt.cm.Spectral)
    ax.scatter(X[0], X[1], c=np.ravel(Y), cmap=plt.cm.Spectral, s=25, edgecolors="k", linewidths=0.3)
    curve = np.linspace(-1, 1, 201)
    ax.plot(curve, 0.9 * curve ** 2 - 0.45, "k--", linewidth=1)
    ax.set_xlim(FIELD)
    ax.set_ylim(FIELD)
    ax.set_title(title)
    return ax


def plot_boundaries(results, X, Y):
    """The decision boundaries of several runs side by side (entries that are None are skipped)."""
    import matplotlib.pyplot as plt

    done = {name: r for name, r in results.items() if r is not None}
    if not done:
        print("还没有训练好的模型可以画。")
        return
    plt.figure(figsize=(4.5 * len(done), 4.2))
    for k, (name, r) in enumerate(done.items(), start=1):
        plt.subplot(1, len(done), k)
        plot_decision_boundary(r["parameters"], X, Y, name)
    plt.tight_layout()
    plt.show()
