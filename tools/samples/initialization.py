"""Sample submissions of the Initialization assignment (see course/samples.py).

Expected scores (max 8: zeros 2, random 3, he 3; the bonus xavier 2 is extra credit on top):
- correct: 10 (8 + 2 extra credit)
- init_b_scalar: 9.5 (zeros loses 0.5: b = 0 scalar, right values in a wrong container, ERRATA 3 and issue 21)
- init_random_no_seed: 7 (random loses 3: the seed line was deleted)
- init_he_sqrt1: 7 (he loses 3: scaled by sqrt(1/n))
- init_xavier_precedence: 8 (no extra credit: np.sqrt(2/n[l-1] + n[l]), ERRATA 1)
- init_raises: 7 (he loses 3: the function raises)
- untouched (added by the tool): 0
"""

# The exact score of every sample (tests/test_grading.py), `untouched` included.
SCORES = {"correct": 10, "untouched": 0, "init_b_scalar": 9.5, "init_random_no_seed": 7, "init_he_sqrt1": 7,
          "init_xavier_precedence": 8, "init_raises": 7}

SAMPLES = {
    "correct": {},
    "init_b_scalar": {
        "initialize_parameters_zeros": '''
def initialize_parameters_zeros(layers_dims):
    parameters = {}
    L = len(layers_dims)
    for l in range(1, L):
        ### START CODE HERE ### (≈ 2 行代码 / 2 lines)
        parameters['W' + str(l)] = np.zeros((layers_dims[l], layers_dims[l - 1]))
        parameters['b' + str(l)] = 0
        ### END CODE HERE ###
    return parameters
''',
    },
    "init_random_no_seed": {
        "initialize_parameters_random": '''
def initialize_parameters_random(layers_dims):
    parameters = {}
    L = len(layers_dims)
    for l in range(1, L):
        ### START CODE HERE ### (≈ 2 行代码 / 2 lines)
        parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
    return parameters
''',
    },
    "init_he_sqrt1": {
        "initialize_parameters_he": '''
def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layers_dims) - 1
    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 行代码 / 2 lines)
        parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(1 / layers_dims[l - 1])
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
    return parameters
''',
    },
    "init_xavier_precedence": {
        "initialize_parameters_xavier": '''
def initialize_parameters_xavier(layers_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layers_dims) - 1
    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 行代码 / 2 lines)
        parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(2 / layers_dims[l - 1] + layers_dims[l])
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
    return parameters
''',
    },
    "init_raises": {
        "initialize_parameters_he": '''
def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        ### START CODE HERE ### (≈ 2 行代码 / 2 lines)
        parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(2 / layers_dims[l - 1])
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
        raise ValueError("我还没想好偏置的形状")
        ### END CODE HERE ###
    return parameters
''',
    },
}
