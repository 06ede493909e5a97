"""Helper functions for the Regularization exercise.

A three-layer network LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID,
written with plain numpy so every step can be read. Data are stored
column-wise: ``X`` has shape (n_x, m), one example per column, and labels
``Y`` have shape (1, m).

Importing this module has no side effects: it opens no figure and calls
no ``plt.show()``.
"""

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
