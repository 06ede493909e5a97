"""Public tests of the Initialization assignment (students see and run these).

Each ``*_test(target)`` calls the student's function on a fixed case and raises
AssertionError with a message in Chinese that says what is wrong: which key, the expected
and actual shape, the first differing value. The hidden graders use other cases.
"""
import numpy as np

# Tolerance for comparing with the values printed below (10 significant digits).
RTOL, ATOL = 1e-7, 1e-7

LAYERS = [3, 2, 1]

EXPECTED_RANDOM = {
    "W1": np.array([[17.88628473, 4.36509851, 0.96497468],
                    [-18.63492703, -2.77388203, -3.54758979]]),
    "b1": np.zeros((2, 1)),
    "W2": np.array([[-0.82741481, -6.27000677]]),
    "b2": np.zeros((1, 1)),
}
EXPECTED_HE = {
    "W1": np.array([[1.46040903, 0.3564088, 0.07878985],
                    [-1.52153542, -0.22648652, -0.28965949]]),
    "b1": np.zeros((2, 1)),
    "W2": np.array([[-0.08274148, -0.62700068]]),
    "b2": np.zeros((1, 1)),
}
EXPECTED_XAVIER = {
    "W1": np.array([[1.13122797, 0.27607307, 0.06103036],
                    [-1.17857627, -0.1754357, -0.22436928]]),
    "b1": np.zeros((2, 1)),
    "W2": np.array([[-0.06755814, -0.51194391]]),
    "b2": np.zeros((1, 1)),
}


# First weight a function draws if it leaves out np.random.seed(3) (the tests set seed 0 before the
# call): W1[0, 0]; and if it calls np.random.seed(3) again before every layer: W2[0, 0].
SEED_SIGNS = {
    "initialize_parameters_random": {"W1": 17.64052345967664, "W2": 17.886284734303185},
    "initialize_parameters_he": {"W1": 1.4403427090601317, "W2": 1.7886284734303186},
    "initialize_parameters_xavier": {"W1": 1.1156846650042331, "W2": 1.4604090331058333},
}


def _seed_hint(func_name, key, got):
    sign = SEED_SIGNS.get(func_name, {}).get(key)
    if sign is None or got.size == 0 or not np.isclose(got.flat[0], sign, rtol=1e-7):
        return ""
    if key == "W1":
        return "这正是没有设置随机种子时的结果：函数开头要调用 np.random.seed(3)（模板里已经写好，不要删除）。"
    return "这正是每一层都重新调用 np.random.seed(3) 的结果：种子只在函数开头设置一次，循环里不要再设置。"


def _check_parameters(parameters, expected, func_name):
    assert isinstance(parameters, dict), (
        f"{func_name} 应该返回字典 (dict)，但返回的是 {type(parameters).__name__}。")
    for key in expected:
        assert key in parameters, f"返回的字典缺少键 '{key}'。"
    extra = sorted(set(parameters) - set(expected))
    assert not extra, f"返回的字典多出了键 {extra}：对 layers_dims={LAYERS} 只应有 {sorted(expected)}。"
    for key, want in expected.items():
        got = parameters[key]
        assert isinstance(got, np.ndarray), (
            f"parameters['{key}'] 应该是 numpy 数组，但得到 {type(got).__name__}"
            + ("（偏置 b 要用 np.zeros((n, 1)) 创建，不能写成标量 0）" if key.startswith("b") else "") + "。")
        assert got.shape == want.shape, (
            f"parameters['{key}'] 的形状 (shape) 不对：期望 {want.shape}，得到 {got.shape}。")
        assert np.issubdtype(got.dtype, np.floating), (
            f"parameters['{key}'] 的 dtype 应为浮点数 (float64)，得到 {got.dtype}。")
        close = np.isclose(got, want, rtol=RTOL, atol=ATOL)
        if not close.all():
            idx = tuple(int(i) for i in np.argwhere(~close)[0])
            hint = ""
            nonzero = want != 0
            if nonzero.any() and not np.any(got):
                hint = ("全是 0：乘的缩放因子是 0。像 np.sqrt(2 // n[l-1]) 这样用了整数除法 // 时，"
                        "n[l-1] > 2 的层 2 // n[l-1] 等于 0：要写 2 / n[l-1]。")
            elif got.size >= 4 and np.all(got >= 0) and np.any(want < 0):
                hint = ("元素全都不小于 0：像是用了 np.random.rand（[0, 1) 上的均匀分布），"
                        "本题要用 np.random.randn（标准正态分布，有正有负）。")
            elif nonzero.sum() > 1 and np.all(got[~nonzero] == 0):
                ratios = got[nonzero] / want[nonzero]
                if np.allclose(ratios, ratios[0], rtol=1e-6):
                    hint = f"每个元素都正好是期望值的 {ratios[0]:.6g} 倍：随机数是对的，乘的缩放因子不对。"
                    if np.isclose(ratios[0], 1 / np.sqrt(2), rtol=1e-6):
                        hint += "（1/√2 倍：像是用了 sqrt(1/n[l-1])，He 初始化是 sqrt(2/n[l-1])。）"
            hint = _seed_hint(func_name, key, got) or hint
            raise AssertionError(
                f"parameters['{key}'] 的数值不对：下标 {idx} 处期望 {want[idx]:.8f}，得到 {got[idx]:.8f}。{hint}")


def _passed(func_name):
    print(f"\033[92m{func_name}: 全部公开测试通过 (all public tests passed)\033[0m")


def initialize_parameters_zeros_test(target):
    parameters = target(LAYERS)
    expected = {"W1": np.zeros((2, 3)), "b1": np.zeros((2, 1)),
                "W2": np.zeros((1, 2)), "b2": np.zeros((1, 1))}
    _check_parameters(parameters, expected, "initialize_parameters_zeros")
    _passed("initialize_parameters_zeros")


def initialize_parameters_random_test(target):
    np.random.seed(0)  # the function must set its own seed (3) whatever the state before
    parameters = target(LAYERS)
    _check_parameters(parameters, EXPECTED_RANDOM, "initialize_parameters_random")
    _passed("initialize_parameters_random")


def initialize_parameters_he_test(target):
    np.random.seed(0)
    parameters = target(LAYERS)
    _check_parameters(parameters, EXPECTED_HE, "initialize_parameters_he")
    _passed("initialize_parameters_he")


def initialize_parameters_xavier_test(target):
    np.random.seed(0)
    parameters = target(LAYERS)
    _check_parameters(parameters, EXPECTED_XAVIER, "initialize_parameters_xavier")
    _passed("initialize_parameters_xavier")
