"""Hidden graders of the Initialization assignment.

Each test calls the submission's function (in the sandbox child) on a case the public tests
do not use and compares with the reference solution from source/. Points per item:
zeros 2, random 3, he 3, xavier 2 (the cell points of the master notebook).
"""
import pytest

from course.checks import expect_dict_of_arrays, fail

# Same seeds and formulas as the reference: results agree to the last bit; the tolerance only
# allows for a different but equivalent order of operations (e.g. sqrt(2)/sqrt(n)).
RTOL, ATOL = 1e-7, 1e-12

CASES = [[5, 3, 2, 1], [1, 1], [7, 20, 1], [4, 6, 6, 3, 1]]
IDS = ["-".join(map(str, c)) for c in CASES]


def _compare(submission, reference, name, dims, seed_before=None):
    got = submission.call(name, dims, seed=seed_before)
    expected = getattr(reference, name)(dims)
    expect_dict_of_arrays(got, expected, f"{name}({dims})", rtol=RTOL, atol=ATOL)


@pytest.mark.grade(item="initialize_parameters_zeros", points=0.5)
@pytest.mark.parametrize("dims", CASES, ids=IDS)
def test_zeros(submission, reference, dims):
    """全零初始化：每个 W、b 的形状、类型和数值（b 必须是 (n, 1) 数组）。"""
    _compare(submission, reference, "initialize_parameters_zeros", dims)


@pytest.mark.grade(item="initialize_parameters_random", points=0.5)
@pytest.mark.parametrize("dims", CASES, ids=IDS)
def test_random(submission, reference, dims):
    """大随机数初始化：np.random.seed(3) 之后 randn * 10，b 为 0。"""
    _compare(submission, reference, "initialize_parameters_random", dims, seed_before=7)


@pytest.mark.grade(item="initialize_parameters_random", points=1)
def test_random_reseeds_every_call(submission, reference):
    """连续调用两次结果相同：函数内部每次都要设置随机种子。"""
    dims = [3, 4, 1]
    first = submission.call("initialize_parameters_random", dims, seed=11)
    second = submission.call("initialize_parameters_random", dims, seed=12)
    expected = reference.initialize_parameters_random(dims)
    expect_dict_of_arrays(first, expected, "第一次调用的结果", rtol=RTOL, atol=ATOL)
    expect_dict_of_arrays(second, expected, "第二次调用的结果", rtol=RTOL, atol=ATOL)


@pytest.mark.grade(item="initialize_parameters_he", points=0.5)
@pytest.mark.parametrize("dims", CASES, ids=IDS)
def test_he(submission, reference, dims):
    """He 初始化：randn(n[l], n[l-1]) * sqrt(2 / n[l-1])，b 为 0。"""
    _compare(submission, reference, "initialize_parameters_he", dims, seed_before=5)


@pytest.mark.grade(item="initialize_parameters_he", points=1)
def test_he_training_run(submission, reference, feedback):
    """用你的 He 初始化训练给定模型 500 步，参数和 cost 曲线应与参考实现一致。"""
    X, Y = reference.train_X, reference.train_Y
    expected, expected_costs = reference.train(X, Y, reference.initialize_parameters_he,
                                               num_iterations=500, record_every=25)
    plot = dict(title="cost during 500 iterations (He)", xlabel="iteration / 25", ylabel="cost")
    feedback.curves(curves={"reference": expected_costs}, **plot)
    got = submission.call("train", X, Y, "he", num_iterations=500, record_every=25)
    if type(got) is not tuple or len(got) != 2:
        fail("train(...) 没有返回 (parameters, costs)。")
    feedback.curves(curves={"reference": expected_costs, "yours": got[1]}, **plot)
    # 500 gradient steps amplify rounding differences a little.
    expect_dict_of_arrays(got[0], expected, "训练 500 步后的 parameters", rtol=1e-6, atol=1e-9)


@pytest.mark.grade(item="initialize_parameters_xavier", points=0.5)
@pytest.mark.parametrize("dims", CASES, ids=IDS)
def test_xavier(submission, reference, dims):
    """Xavier 初始化：randn * sqrt(2 / (n[l-1] + n[l]))，注意括号。"""
    _compare(submission, reference, "initialize_parameters_xavier", dims, seed_before=9)
