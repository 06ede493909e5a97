"""Helper functions for the Regularization exercise.

A three-layer network LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID,
written with plain numpy so every step can be read. Data are stored
column-wise: ``X`` has shape (n_x, m), one example per column, and labels
``Y`` have shape (1, m).

The graded functions of the exercise (L2 cost and backward pass, dropout
forward and backward pass) are written in the notebook; ``model`` finds them
there (or takes them from its ``functions`` argument). The test cases at the
end are shared by the public tests, the hidden graders and the notebook.

Importing this module has no side effects: it opens no figure and calls
no ``plt.show()``.
"""

import sys

import numpy as np
import scipy.io


def sigmoid(x):
    """
    Compute the sigmoid of x, elementwise.

    Arguments:
    - x: A scalar or numpy array of any shape.

    Returns:
    - s: sigmoid(x) = 1 / (1 + exp(-x)), of the same shape as x.
    """
    s = 1 / (1 + np.exp(-x))
    return s


def relu(x):
    """
    Compute the ReLU of x, elementwise.

    Arguments:
    - x: A scalar or numpy array of any shape.

    Returns:
    - s: relu(x) = max(0, x), of the same shape as x.
    """
    s = np.maximum(0, x)
    return s


def initialize_parameters(layer_dims):
    """
    Initialize the weights and biases of a fully connected network.

    Seeds numpy's global generator with 3, then draws each weight matrix
    with ``randn(n_l, n_prev) / sqrt(n_prev)`` in layer order; biases are
    zeros.

    Arguments:
    - layer_dims: A list of layer sizes [n_x, n_1, ..., n_L], with n_x the
      input size; for this exercise [2, 20, 3, 1].

    Returns:
    - parameters: A dictionary with, for l = 1, ..., L:
      - "Wl": A numpy array of shape (layer_dims[l], layer_dims[l-1]).
      - "bl": A numpy array of zeros of shape (layer_dims[l], 1).
    """
    np.random.seed(3)
    parameters = {}
    L = len(layer_dims)  # number of layers, counting the input layer

    for l in range(1, L):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(
            layer_dims[l - 1]
        )
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))

        assert parameters["W" + str(l)].shape == (layer_dims[l], layer_dims[l - 1])
        assert parameters["b" + str(l)].shape == (layer_dims[l], 1)

    return parameters


def forward_propagation(X, parameters):
    """
    Forward pass LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID.

    Arguments:
    - X: Input data, a numpy array of shape (n_x, m).
    - parameters: A dictionary with
      - "W1": shape (n_1, n_x); "b1": shape (n_1, 1)
      - "W2": shape (n_2, n_1); "b2": shape (n_2, 1)
      - "W3": shape (1, n_2);   "b3": shape (1, 1)

    Returns:
    - A3: Output of the last (sigmoid) activation, of shape (1, m).
    - cache: The tuple (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)
      needed by backward_propagation; Zl and Al have shape (n_l, m).
    """
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]
    W3 = parameters["W3"]
    b3 = parameters["b3"]

    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)

    cache = (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)

    return A3, cache


def backward_propagation(X, Y, cache):
    """
    Backward pass of the network of forward_propagation (no regularization).

    Arguments:
    - X: Input data, a numpy array of shape (n_x, m).
    - Y: True labels (1 for blue, 0 for red), a numpy array of shape (1, m).
    - cache: The tuple returned by forward_propagation.

    Returns:
    - gradients: A dictionary with the gradients of the cost with respect
      to each parameter, activation and pre-activation:
      - "dZ3": shape (1, m);   "dW3": shape (1, n_2);   "db3": shape (1, 1)
      - "dA2": shape (n_2, m); "dZ2": shape (n_2, m)
      - "dW2": shape (n_2, n_1); "db2": shape (n_2, 1)
      - "dA1": shape (n_1, m); "dZ1": shape (n_1, m)
      - "dW1": shape (n_1, n_x); "db1": shape (n_1, 1)
    """
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache

    # For a sigmoid output with cross-entropy cost, dJ/dZ3 per example is A3 - Y;
    # the 1/m of the mean cost is applied to the weight and bias gradients.
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

    gradients = {
        "dZ3": dZ3, "dW3": dW3, "db3": db3,
        "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
        "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1,
    }

    return gradients


def update_parameters(parameters, grads, learning_rate):
    """
    One step of gradient descent on every weight and bias.

    Arguments:
    - parameters: A dictionary with "Wl" and "bl" for l = 1, ..., L.
    - grads: A dictionary with "dWl" and "dbl" of the same shapes as "Wl"
      and "bl" (as returned by backward_propagation).
    - learning_rate: The step size alpha, a scalar.

    Returns:
    - parameters: The same dictionary, updated in place:
      Wl = Wl - alpha * dWl and bl = bl - alpha * dbl; shapes are unchanged.
    """
    L = len(parameters) // 2  # number of layers in the network

    for k in range(L):
        parameters["W" + str(k + 1)] = parameters["W" + str(k + 1)] - learning_rate * grads["dW" + str(k + 1)]
        parameters["b" + str(k + 1)] = parameters["b" + str(k + 1)] - learning_rate * grads["db" + str(k + 1)]

    return parameters


def compute_cost(a3, Y):
    """
    Cross-entropy cost, averaged over the examples.

    Terms that are NaN (0 * log(0) when a prediction saturates at exactly 0
    or 1) are dropped by np.nansum.

    Arguments:
    - a3: Output of forward propagation, a numpy array of shape (1, m).
    - Y: True labels, a numpy array of shape (1, m).

    Returns:
    - cost: A float, -1/m * sum(Y*log(a3) + (1-Y)*log(1-a3)).
    """
    m = Y.shape[1]

    logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    cost = 1.0 / m * np.nansum(logprobs)

    return cost


def predict(X, y, parameters):
    """
    Predict labels with a trained network, and print the accuracy.

    Arguments:
    - X: Input data, a numpy array of shape (n_x, m).
    - y: True labels, a numpy array of shape (1, m).
    - parameters: A dictionary of trained parameters (see forward_propagation).

    Returns:
    - p: Predictions, a numpy array of ints of shape (1, m): 1 where the
      output a3 > 0.5, else 0.
    """
    a3, _ = forward_propagation(X, parameters)
    p = (a3 > 0.5).astype(int)

    print("Accuracy: " + str(np.mean(p[0, :] == y[0, :])))

    return p


def predict_dec(parameters, X):
    """
    Predict labels for plotting a decision boundary.

    Arguments:
    - parameters: A dictionary of trained parameters (see forward_propagation).
    - X: Input data, a numpy array of shape (n_x, m).

    Returns:
    - predictions: A numpy array of booleans of shape (1, m): a3 > 0.5.
    """
    a3, _ = forward_propagation(X, parameters)
    predictions = a3 > 0.5
    return predictions


def plot_decision_boundary(model, X, y):
    """
    Draw the decision regions of a classifier and the data points on the
    current matplotlib axes.

    Arguments:
    - model: A function that maps a numpy array of shape (k, 2), one point
      per row, to predictions of k elements (any shape), e.g.
      ``lambda x: predict_dec(parameters, x.T)``.
    - X: Points to scatter, a numpy array of shape (2, m).
    - y: Their labels, a numpy array of shape (1, m).

    Returns:
    - ax: The matplotlib axes drawn on. Nothing is shown here: in a
      notebook the figure appears when the cell ends; in a script call
      ``plt.show()`` or ``plt.savefig(...)``.
    """
    import matplotlib.pyplot as plt

    # Grid over the data, with a margin of 1 on every side.
    x_min, x_max = X[0, :].min() - 1, X[0, :].max() + 1
    y_min, y_max = X[1, :].min() - 1, X[1, :].max() + 1
    h = 0.01  # grid step
    xx, yy = np.meshgrid(np.arange(x_min, x_max, h), np.arange(y_min, y_max, h))
    Z = np.asarray(model(np.c_[xx.ravel(), yy.ravel()]))
    Z = Z.reshape(xx.shape)

    ax = plt.gca()
    ax.contourf(xx, yy, Z, cmap=plt.cm.Spectral)
    ax.set_ylabel("x2")
    ax.set_xlabel("x1")
    ax.scatter(X[0, :], X[1, :], c=np.ravel(y), cmap=plt.cm.Spectral, s=40, edgecolors="k", linewidths=0.3)
    return ax


def load_2D_dataset(path="datasets/football.mat"):
    """
    Load the 2-D football dataset from a MATLAB 5 .mat file.

    The file holds ``X`` (m_train, 2), ``y`` (m_train, 1), ``Xval``
    (m_test, 2) and ``yval`` (m_test, 1), one example per row; this
    function returns them one example per column.

    Arguments:
    - path: Path of the .mat file; by default relative to the working
      directory, as in the exercise folder.

    Returns:
    - train_X: Training points, a numpy array of shape (2, m_train), (2, 211) here.
    - train_Y: Training labels, a numpy array of shape (1, m_train), (1, 211) here.
    - test_X: Test points, a numpy array of shape (2, m_test), (2, 200) here.
    - test_Y: Test labels, a numpy array of shape (1, m_test), (1, 200) here.
    """
    data = scipy.io.loadmat(path)
    train_X = data["X"].T
    train_Y = data["y"].T
    test_X = data["Xval"].T
    test_Y = data["yval"].T

    return train_X, train_Y, test_X, test_Y


# ---------------------------------------------------------------------------------------
# The training loop and the experiments of the notebook

GRADED_FUNCTIONS = ("compute_cost_with_regularization", "backward_propagation_with_regularization",
                    "forward_propagation_with_dropout", "backward_propagation_with_dropout")


def _graded_function(name, functions=None):
    """
    Find one of the notebook's graded functions.

    Arguments:
    - name: One of GRADED_FUNCTIONS.
    - functions: Optional dictionary name -> callable; a function given there is used
      instead of the notebook's (the graders pass the reference solution this way).

    Returns:
    - The callable. The notebook's functions live in the kernel's ``__main__`` module.
    """
    if functions and name in functions:
        return functions[name]
    func = getattr(sys.modules.get("__main__"), name, None)
    if func is None:
        raise NameError(f"{name} is not defined in the notebook: run its cell first")
    return func


def model(X, Y, learning_rate=0.3, num_iterations=30000, print_cost=True, lambd=0, keep_prob=1,
          functions=None):
    """
    Train the three-layer network LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID
    with batch gradient descent, optionally with L2 regularization or dropout.

    With lambd = 0 and keep_prob = 1 it uses forward_propagation, compute_cost and
    backward_propagation of this module. With lambd > 0 it uses the notebook's
    compute_cost_with_regularization and backward_propagation_with_regularization; with
    keep_prob < 1 the notebook's forward_propagation_with_dropout and
    backward_propagation_with_dropout. The two regularizations are not combined here.

    Random numbers: initialize_parameters seeds numpy with 3; right after it, before the
    loop, numpy is seeded once with 1, so a run is reproducible and every iteration draws
    new dropout masks (the dropout forward pass must not reseed).

    The cost is only computed when it is recorded (every 1000 iterations, when print_cost
    is True): it does not affect training.

    Arguments:
    - X: Input data, a numpy array of shape (n_x, m).
    - Y: True labels (1 blue, 0 red), a numpy array of shape (1, m).
    - learning_rate: The step size of gradient descent.
    - num_iterations: The number of gradient descent steps.
    - print_cost: If True, print the cost every 10000 iterations and plot the cost curve
      (recorded every 1000 iterations).
    - lambd: The L2 regularization hyperparameter lambda (``lambda`` is a Python keyword).
    - keep_prob: The probability of keeping a hidden unit active in dropout.
    - functions: Optional dictionary name -> callable overriding the notebook's graded
      functions (see GRADED_FUNCTIONS).

    Returns:
    - parameters: A dictionary with the learned "W1", "b1", "W2", "b2", "W3", "b3".
    """
    if lambd != 0 and keep_prob < 1:
        raise ValueError("本练习每次只试一种正则化：lambd 和 keep_prob 不要同时设置。")
    if not 0 < keep_prob <= 1:
        raise ValueError(f"keep_prob 应在 (0, 1] 之间，得到 {keep_prob}")

    forward, cost_function, backward = forward_propagation, compute_cost, backward_propagation
    if lambd != 0:
        regularized_cost = _graded_function("compute_cost_with_regularization", functions)
        cost_function = lambda a3, Y, parameters: regularized_cost(a3, Y, parameters, lambd)  # noqa: E731
        backward_l2 = _graded_function("backward_propagation_with_regularization", functions)
        backward = lambda X, Y, cache: backward_l2(X, Y, cache, lambd)  # noqa: E731
    else:
        cost_function = lambda a3, Y, parameters: compute_cost(a3, Y)  # noqa: E731
    if keep_prob < 1:
        forward_dropout = _graded_function("forward_propagation_with_dropout", functions)
        forward = lambda X, parameters: forward_dropout(X, parameters, keep_prob)  # noqa: E731
        backward_dropout = _graded_function("backward_propagation_with_dropout", functions)
        backward = lambda X, Y, cache: backward_dropout(X, Y, cache, keep_prob)  # noqa: E731

    costs = []
    layers_dims = [X.shape[0], 20, 3, 1]
    parameters = initialize_parameters(layers_dims)
    np.random.seed(1)  # once per run; each iteration then draws new dropout masks

    for i in range(num_iterations):
        a3, cache = forward(X, parameters)
        if print_cost and i % 1000 == 0:
            cost = float(cost_function(a3, Y, parameters))
            costs.append(cost)
            if i % 10000 == 0:
                print("Cost after iteration {}: {}".format(i, cost))
        grads = backward(X, Y, cache)
        parameters = update_parameters(parameters, grads, learning_rate)

    if print_cost:
        import matplotlib.pyplot as plt

        plt.figure()
        plt.plot(costs)
        plt.ylabel("cost")
        plt.xlabel("iterations (x1,000)")
        plt.title("Learning rate = " + str(learning_rate))
        plt.show()

    return parameters


# Plotted region of the pitch (the data lie inside it).
FIELD_XLIM = (-0.75, 0.40)
FIELD_YLIM = (-0.75, 0.65)


def accuracy(X, Y, parameters):
    """
    Fraction of examples classified correctly (threshold 0.5, no dropout).

    Arguments:
    - X: Input data, a numpy array of shape (n_x, m).
    - Y: True labels, a numpy array of shape (1, m).
    - parameters: A dictionary of trained parameters.

    Returns:
    - A Python float in [0, 1].
    """
    return float(np.mean(predict_dec(parameters, X) == Y))


def train_and_evaluate(train_X, train_Y, test_X, test_Y, title, **model_kwargs):
    """
    Train ``model`` with the given settings, print both accuracies and draw the decision
    boundary over the training set.

    Arguments:
    - train_X, train_Y: Training data, shapes (2, m_train) and (1, m_train).
    - test_X, test_Y: Test data, shapes (2, m_test) and (1, m_test).
    - title: Title of the decision-boundary plot.
    - model_kwargs: Passed to model (e.g. lambd=0.7 or keep_prob=0.86).

    Returns:
    - A dictionary with "parameters", "train_accuracy" and "test_accuracy"; or None when a
      notebook function that the run needs still raises NotImplementedError.
    """
    try:
        parameters = model(train_X, train_Y, **model_kwargs)
    except NotImplementedError:
        print("这次训练要用到的函数还没有实现：请先完成上面的练习，再运行本单元。")
        return None
    print("On the training set:")
    predict(train_X, train_Y, parameters)
    print("On the test set:")
    predict(test_X, test_Y, parameters)

    import matplotlib.pyplot as plt

    plt.figure()
    plt.title(title)
    axes = plt.gca()
    axes.set_xlim(FIELD_XLIM)
    axes.set_ylim(FIELD_YLIM)
    plot_decision_boundary(lambda x: predict_dec(parameters, x.T), train_X, train_Y)
    plt.show()
    return {"parameters": parameters, "train_accuracy": accuracy(train_X, train_Y, parameters),
            "test_accuracy": accuracy(test_X, test_Y, parameters)}


def comparison_table(results):
    """
    Print a markdown table of the experiments' accuracies.

    Arguments:
    - results: A dictionary model name -> value returned by train_and_evaluate (None when
      the run did not happen).
    """
    print("| 模型 | 训练集准确率 | 测试集准确率 | 训练集 - 测试集 |")
    print("| --- | --- | --- | --- |")
    for name, r in results.items():
        if r is None:
            print(f"| {name} | 未完成 | 未完成 | 未完成 |")
        else:
            gap = r["train_accuracy"] - r["test_accuracy"]
            print(f"| {name} | {r['train_accuracy']:.2%} | {r['test_accuracy']:.2%} | {gap * 100:+.1f} 个百分点 |")


def plot_boundaries(results, X, Y, title_suffix=""):
    """
    Draw the decision boundaries of several trained models side by side.

    Arguments:
    - results: A dictionary model name -> value returned by train_and_evaluate; entries
      that are None are skipped.
    - X: Points to scatter, a numpy array of shape (2, m).
    - Y: Their labels, a numpy array of shape (1, m).
    - title_suffix: Appended to each subplot's title (e.g. " (test set)").
    """
    import matplotlib.pyplot as plt

    done = {name: r for name, r in results.items() if r is not None}
    if not done:
        print("还没有训练好的模型可以画。")
        return
    plt.figure(figsize=(5 * len(done), 4.5))
    for k, (name, r) in enumerate(done.items(), start=1):
        plt.subplot(1, len(done), k)
        plt.title(name + title_suffix)
        axes = plt.gca()
        axes.set_xlim(FIELD_XLIM)
        axes.set_ylim(FIELD_YLIM)
        plot_decision_boundary(lambda x, p=r["parameters"]: predict_dec(p, x.T), X, Y)
    plt.tight_layout()
    plt.show()


# ---------------------------------------------------------------------------------------
# Test cases shared by the public tests, the graders and the notebook


def _random_parameters(dims):
    """W1, b1, W2, b2, W3, b3 drawn with randn in that order from numpy's global generator."""
    parameters = {}
    for l in range(1, len(dims)):
        parameters["W" + str(l)] = np.random.randn(dims[l], dims[l - 1])
        parameters["b" + str(l)] = np.random.randn(dims[l], 1)
    return parameters


def compute_cost_with_regularization_test_case():
    """
    The classic test case of the regularized cost: np.random.seed(1), then W1 (2, 3),
    b1 (2, 1), W2 (3, 2), b2 (3, 1), W3 (1, 3), b3 (1, 1) drawn with randn in that order.

    Returns:
    - A3: Network output, a numpy array of shape (1, 5).
    - Y: Labels [[1, 1, 0, 1, 0]].
    - parameters: A dictionary "W1", ..., "b3".
    """
    np.random.seed(1)
    Y = np.array([[1, 1, 0, 1, 0]])
    parameters = _random_parameters([3, 2, 3, 1])
    A3 = np.array([[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]])
    return A3, Y, parameters


def backward_propagation_with_regularization_test_case():
    """
    A cache of forward_propagation on a small network: np.random.seed(4), then X (3, 5)
    and W1 (2, 3), b1 (2, 1), W2 (3, 2), b2 (3, 1), W3 (1, 3), b3 (1, 1) drawn with randn
    in that order. Every hidden unit is active on some example and inactive on another.

    Returns:
    - X: Input data, a numpy array of shape (3, 5).
    - Y: Labels [[1, 1, 0, 1, 0]].
    - cache: The tuple returned by forward_propagation(X, parameters).
    """
    np.random.seed(4)
    X = np.random.randn(3, 5)
    Y = np.array([[1, 1, 0, 1, 0]])
    parameters = _random_parameters([3, 2, 3, 1])
    _, cache = forward_propagation(X, parameters)
    return X, Y, cache


def forward_propagation_with_dropout_test_case():
    """
    The classic test case of the dropout forward pass: np.random.seed(1), then X (3, 5)
    and W1 (2, 3), b1 (2, 1), W2 (3, 2), b2 (3, 1), W3 (1, 3), b3 (1, 1) drawn with randn
    in that order.

    Returns:
    - X: Input data, a numpy array of shape (3, 5).
    - parameters: A dictionary "W1", ..., "b3".
    """
    np.random.seed(1)
    X = np.random.randn(3, 5)
    parameters = _random_parameters([3, 2, 3, 1])
    return X, parameters


def backward_propagation_with_dropout_test_case():
    """
    A cache of the dropout forward pass on the network of
    backward_propagation_with_regularization_test_case, with keep_prob = 0.7 and
    np.random.seed(1) right before the call. The masks drop one entry of A1 and four of
    A2. The forward values are written out, so this file does not contain the
    forward pass that the notebook asks for.

    Returns:
    - X: Input data, a numpy array of shape (3, 5).
    - Y: Labels [[1, 1, 0, 1, 0]].
    - cache: The tuple (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3); D1 and D2
      are boolean masks, A1 and A2 the activations after dropout.
    - keep_prob: 0.7.
    """
    np.random.seed(4)
    X = np.random.randn(3, 5)
    Y = np.array([[1, 1, 0, 1, 0]])
    p = _random_parameters([3, 2, 3, 1])
    Z1 = np.array([[1.990908747615686, 0.4868852742878391, -0.0008179110408357421, 0.6102342689494744, -1.1855717707195241],
                   [-0.4847861884399274, 0.5781366338209581, -0.9507164459850469, 0.35032807087882145, 0.9415192843127417]])
    D1 = np.array([[1, 0, 1, 1, 1],
                   [1, 1, 1, 1, 1]], dtype=bool)
    A1 = np.array([[2.8441553537366944, 0.0, 0.0, 0.871763241356392, 0.0],
                   [0.0, 0.8259094768870832, 0.0, 0.5004686726840307, 1.3450275490182024]])
    Z2 = np.array([[-4.799401971013134, 0.4753286818441613, -1.3609655918364936, -1.3021600210145534, 1.6295151513001145],
                   [0.47021101255289643, 0.7465084419683627, -0.6512258333298, 0.5394782605527504, 1.6250419164590189],
                   [-2.6225593366831412, 1.8934307049719625, 0.5424513084033299, 0.3909829792305537, 2.7425768153651897]])
    D2 = np.array([[1, 1, 1, 0, 1],
                   [1, 1, 1, 1, 1],
                   [0, 0, 1, 1, 0]], dtype=bool)
    A2 = np.array([[0.0, 0.6790409740630876, 0.0, 0.0, 2.327878787571592],
                   [0.6717300179327093, 1.0664406313833754, 0.0, 0.770683229361072, 2.3214884520843126],
                   [0.0, 0.0, 0.7749304405761857, 0.5585471131865053, 0.0]])
    Z3 = np.array([[-0.7461524898693692, -1.644310971263723, -0.018914376250836473, -1.5970122247007985, -4.524651629774575]])
    A3 = np.array([[0.32166023133747246, 0.1618793212265142, 0.4952715469048883, 0.1683996120120225, 0.010722276305806001]])
    cache = (Z1, D1, A1, p["W1"], p["b1"], Z2, D2, A2, p["W2"], p["b2"], Z3, A3, p["W3"], p["b3"])
    return X, Y, cache, 0.7
