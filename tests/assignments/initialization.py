"""Initialization hooks of the test suite, found by tests/assignment_hooks.py (docs/authoring.md):

- CORRECT, MISTAKES: the fairness corpus (tests/test_fairness.py; formats in tests/corpus.py);
- probe_cases(ref): one input per graded function for the reference-implementation scan (tests/test_build.py).
"""
from __future__ import annotations

# ---------------------------------------------------------------------------------------------
# Correct variants

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

CORRECT = {"initialize_parameters_zeros": _ZEROS, "initialize_parameters_random": _RANDOM,
           "initialize_parameters_he": _HE, "initialize_parameters_xavier": _XAVIER}

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


MISTAKES = {
    # right values in a wrong container: 0.5 point once, named (issue 21)
    "b_scalar": (_init("np.zeros((layers_dims[l], layers_dims[l - 1]))", "0", "initialize_parameters_zeros", seed=""),
                 {"initialize_parameters_zeros": 1.5}, ["np.zeros((n[l], 1))", "得到的是一个数 0", "扣 0.5 分"],
                 "不能写成标量 0"),
    "zeros_int_dtype": (_init("np.zeros((layers_dims[l], layers_dims[l - 1]), dtype=int)",
                              "np.zeros((layers_dims[l], 1), dtype=int)", "initialize_parameters_zeros", seed=""),
                        {"initialize_parameters_zeros": 1.5}, ["期望浮点数 float64，得到 int64", "扣 0.5 分"],
                        "dtype 应为浮点数"),
    # messages claim only what the numbers show (issue 21)
    "he_integer_division": (_init(_RANDN + " * np.sqrt(2 // layers_dims[l - 1])"), {"initialize_parameters_he": 0.5},
                            ["整数除法", ("not", "随机数是对的"), ("not", "正好是正确值的 0 倍")], "整数除法"),
    "he_uniform_rand": (_init("np.random.rand(layers_dims[l], layers_dims[l - 1]) * np.sqrt(2 / layers_dims[l - 1])"),
                        {"initialize_parameters_he": 0}, ["np.random.rand", ("not", "随机数是对的")],
                        "np.random.rand"),
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
}


def probe_cases(ref):
    """One input per graded function (args, seed set right before the call)."""
    return {item: (([5, 3, 2, 1],), 1) for item in ("initialize_parameters_zeros", "initialize_parameters_random",
                                                    "initialize_parameters_he", "initialize_parameters_xavier")}
