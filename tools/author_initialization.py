"""Write source/initialization/Initialization.ipynb (the master notebook) from this script.

Run: python tools/author_initialization.py  (then `make release`).
"""
from pathlib import Path

from nbcells import graded, given, md, notebook, public_test, setup, write

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "source" / "initialization" / "Initialization.ipynb"

DOCSTRING = '''    """
    Arguments:
    layers_dims -- python list，第 l 个元素是第 l 层的单元数，layers_dims[0] 是输入特征数

    Returns:
    parameters -- python dict，含 "W1", "b1", ..., "WL", "bL"：
                    Wl -- 权重矩阵，形状 (layers_dims[l], layers_dims[l-1])
                    bl -- 偏置列向量，形状 (layers_dims[l], 1)
    """'''

cells = [
    md("""
# 权重初始化 (Initialization)

训练一个神经网络，第一步就是给参数赋初值。初值选得好，梯度下降收敛得快，也更容易收敛到训练误差
（和泛化误差）都低的解；初值选得不好，网络可能什么也学不会。

本练习用同一个 3 层网络、同一份数据，比较三种初始化方法：

1. **全零初始化** `initialization = "zeros"`：所有权重都是 0；
2. **大随机数初始化** `initialization = "random"`：权重是方差很大的随机数；
3. **He 初始化** `initialization = "he"`：按 He 等人 (2015) 的公式缩放随机数。

最后还有一个加分题：**Xavier (Glorot) 初始化**，它的分数加在总分之上。

**如何完成作业：** 只在 `### START CODE HERE ###` 与 `### END CODE HERE ###` 之间写代码，
不要修改其他单元。每个函数后面都有一个公开测试 (public test) 单元，运行它可以检查你的实现；
提交后还会用另外的隐藏测试评分。
"""),
    setup("setup_imports", """
import numpy as np
from init_utils import (sigmoid, relu, compute_loss, forward_propagation, backward_propagation,
                        update_parameters, predict, predict_dec, plot_decision_boundary,
                        load_dataset, model, train, run_experiment, comparison_table)

train_X, train_Y, test_X, test_Y = load_dataset()
"""),
    given("plot_setup", """
import matplotlib.pyplot as plt
from public_tests import *

plt.rcParams['figure.figsize'] = (7.0, 4.0)  # 图的默认大小
plt.rcParams['image.interpolation'] = 'nearest'
plt.rcParams['image.cmap'] = 'gray'
"""),
    md("""
## 1. 数据

数据是平面上的两个同心圆环：内圈一类、外圈一类（蓝点标签为 1，红点标签为 0），训练集 300 个点、
测试集 100 个点，并加入了少量噪声。数据是用固定的随机种子生成的，每次运行都完全相同。

- `train_X` 的形状是 `(2, 300)`：每一列是一个样本的两个坐标；
- `train_Y` 的形状是 `(1, 300)`。

这两类点无法用一条直线分开，所以需要一个非线性的分类器。
"""),
    given("plot_data", """
plt.scatter(train_X[0, :], train_X[1, :], c=train_Y.ravel(), s=40, cmap=plt.cm.Spectral)
plt.title("training set")
plt.show()
print("train_X:", train_X.shape, " train_Y:", train_Y.shape, " test_X:", test_X.shape)
"""),
    md("""
## 2. 模型

`init_utils.py` 里已经写好了一个 3 层网络：

$$\\text{LINEAR} \\to \\text{RELU} \\to \\text{LINEAR} \\to \\text{RELU} \\to \\text{LINEAR} \\to \\text{SIGMOID}$$

各层单元数为 `layers_dims = [2, 10, 5, 1]`。
`model(X, Y, learning_rate=0.01, num_iterations=15000, print_cost=True, initialization="he")`
先调用你在本 notebook 中写的 `initialize_parameters_<initialization>(layers_dims)` 得到初始参数，
再做 15000 步梯度下降，每 1000 步打印一次 cost（交叉熵），最后画出 cost 曲线。

下面每一种初始化都用 `run_experiment(...)` 跑一次：它训练模型、打印训练集和测试集准确率，并画出决策边界
(decision boundary)。
"""),
    md("""
## 3. 全零初始化

神经网络里有两类参数：权重矩阵 $W^{[1]}, \\dots, W^{[L]}$ 和偏置向量 $b^{[1]}, \\dots, b^{[L]}$。

**练习 1：** 实现 `initialize_parameters_zeros`，把所有参数都初始化为 0。注意形状：
$W^{[l]}$ 的形状是 `(layers_dims[l], layers_dims[l-1])`，$b^{[l]}$ 是列向量，形状 `(layers_dims[l], 1)`。

> 偏置必须是数组 `np.zeros((n, 1))`，不能写成 Python 标量 `0`：标量虽然能靠广播 (broadcasting) 参与
> 前向计算，但形状不对，反向传播得到的 `db` 是 `(n, 1)` 的数组，更新后类型就变了，形状检查也会失败。
"""),
    graded("initialize_parameters_zeros", 2, f"""
def initialize_parameters_zeros(layers_dims):
{DOCSTRING}
    parameters = {{}}
    L = len(layers_dims)  # 包括输入层在内的层数

    for l in range(1, L):
        ### START CODE HERE ### (≈ 2 行代码 / 2 lines)
        ### BEGIN SOLUTION
        parameters['W' + str(l)] = np.zeros((layers_dims[l], layers_dims[l - 1]))
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
        ### END SOLUTION
        ### END CODE HERE ###
    return parameters
"""),
    public_test("initialize_parameters_zeros"),
    md("""
用全零初始化训练 15000 步：

期望输出 (expected output)：每次打印的 cost 都是 $\\ln 2$。除第 10000 步打印 `0.6931471805599455`（最后一位是舍入造成的）外，其余各次都打印 `0.6931471805599453`。训练集和测试集准确率都是 `0.5`。
"""),
    given("run_zeros", """
results = {}
results["zeros"] = run_experiment("zeros", train_X, train_Y, test_X, test_Y,
                                  "Model with Zeros initialization")
"""),
    md("""
cost 一动不动，准确率和抛硬币一样：模型把每个样本都预测成 0。

原因是**对称性没有被打破** (symmetry breaking)。所有权重都是 0 时，同一层的每个神经元计算的是同一个函数，
反向传播时得到的梯度也完全一样，每一步更新之后它们依然相同。这样一层里有再多神经元，也只相当于一个；
而本例中隐藏层输出全为 0，最后一层的权重梯度也是 0，网络根本学不动。
（偏置 $b^{[3]}$ 的梯度是 $\\frac{1}{m}\\sum(a^{[3]} - y)$，这份数据两类各占一半，所以它也是 0，cost 一直停在 $\\ln 2$。）

**要记住：**
- 权重 $W^{[l]}$ 必须随机初始化，才能打破对称性；
- 偏置 $b^{[l]}$ 可以初始化为 0：只要权重是随机的，对称性就已经被打破了。
"""),
    md("""
## 4. 大随机数初始化

为了打破对称，我们给权重赋随机值。这一节故意把随机数放大 10 倍，看看权重太大会发生什么。

**练习 2：** 实现 `initialize_parameters_random`：
- 权重用 `np.random.randn(layers_dims[l], layers_dims[l-1]) * 10`；
- 偏置用 `np.zeros((layers_dims[l], 1))`。

函数开头已经调用了 `np.random.seed(3)`，保证每次调用都得到同样的随机数，请不要删除，也不要在循环里再调用一次。
"""),
    graded("initialize_parameters_random", 3, f"""
def initialize_parameters_random(layers_dims):
{DOCSTRING}
    np.random.seed(3)  # 固定随机种子，结果才可复现
    parameters = {{}}
    L = len(layers_dims)

    for l in range(1, L):
        ### START CODE HERE ### (≈ 2 行代码 / 2 lines)
        ### BEGIN SOLUTION
        parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
        ### END SOLUTION
        ### END CODE HERE ###
    return parameters
"""),
    public_test("initialize_parameters_random"),
    md("""
训练 15000 步。期望输出：第 0 步的 cost 是 `inf`，之后 cost 逐渐下降；
训练集准确率 `0.83`，测试集准确率 `0.86`。
（第 1000 步以后的 cost 对浮点运算顺序很敏感，不同机器上可能在小数点后几位不同。）
"""),
    given("run_random", """
results["random"] = run_experiment("random", train_X, train_Y, test_X, test_Y,
                                   "Model with large random initialization")
"""),
    md("""
**为什么第 0 步的 cost 是 `inf`？** 这不是“舍入误差”。权重放大 10 倍后，每一层的输出都被放大，最后一层的 $z^{[3]}$ 达到几十、几百。sigmoid 在这样的输入上**饱和** (saturate)：$\\sigma(z) = 1/(1 + e^{-z})$ 中的 $e^{-z}$ 小于 $10^{-16}$ 时（$z$ 大于约 37），float64 里 $1 + e^{-z}$ 就正好等于 `1.0`。本例第 0 步时，300 个训练样本的 $a^{[3]}$ **全部**正好是 `1.0`：网络把每个点都极端自信地判为 1。

交叉熵 $-\\big(y\\log a^{[3]} + (1-y)\\log(1-a^{[3]})\\big)$ 于是分成两种情况：
- 标签 $y = 0$ 的 150 个点：$-\\log(1 - a^{[3]}) = -\\log(0) = \\infty$，这就是 cost 为 `inf` 的来源；
- 标签 $y = 1$ 的 150 个点：预测完全正确，第一项是 $-\\log 1 = 0$，但第二项是 $0 \\cdot \\log 0$，在浮点运算里得到 `nan`。`compute_loss` 用 `np.nansum` 去掉这种项，因为它对应的是一个正确的预测，损失应为 0。

**观察：**
- 模型不再把所有点都预测成同一类，说明对称性被打破了；
- 一开始的预测极端自信，又有一半是错的，所以损失巨大；
- 注意：输出层的梯度**并没有**因为 sigmoid 饱和而消失。交叉熵与 sigmoid 搭配时，$dz^{[3]} = a^{[3]} - y$，预测错误的点上它接近 $\\pm 1$，照样推动参数更新（只有预测正确又饱和的点，$dz^{[3]}$ 才是 0）。问题在于起点太差：网络从一个权重很大、非常“陡峭”的决策函数出发，用同样的学习率，15000 步后决策边界仍然很粗糙，准确率只有八成多；
- 训练得更久结果会变好，但过大的初始值明显拖慢了优化。

所以，权重不能太大。那应该多小？下一节给出答案。
"""),
    md("""
## 5. He 初始化

考虑一个神经元 $z = w_1x_1 + \\dots + w_nx_n$。如果各个 $w_i$ 独立、均值为 0、方差为 $\\mathrm{Var}(w)$，
输入的方差为 $\\mathrm{Var}(x)$，则 $\\mathrm{Var}(z) = n \\cdot \\mathrm{Var}(w) \\cdot \\mathrm{Var}(x)$：
输入个数 $n$ 越多，权重就应该越小，否则 $z$ 的方差会一层一层放大（数值爆炸）；反之会一层一层缩小（数值消失）。
深层网络里这种逐层放大或缩小是指数级的，这就是梯度爆炸 / 梯度消失 (exploding / vanishing gradients)。

ReLU 会把大约一半的输入置零，为了让方差逐层保持不变，He 等人 (2015) 建议

$$W^{[l]} \\sim \\mathcal{N}\\left(0, \\frac{2}{n^{[l-1]}}\\right), \\qquad
\\text{即 } W^{[l]} = \\texttt{np.random.randn(n[l], n[l-1])} \\times \\sqrt{\\frac{2}{n^{[l-1]}}}$$

其中 $n^{[l-1]}$ = `layers_dims[l-1]`，是这一层的输入个数。

**练习 3：** 实现 `initialize_parameters_he`（偏置仍然是 0）。函数开头已经设置了随机种子 `np.random.seed(3)`，循环里不要再设置：每一层都重新设置种子，各层就会抽到同样的一串随机数。
"""),
    graded("initialize_parameters_he", 3, f"""
def initialize_parameters_he(layers_dims):
{DOCSTRING}
    np.random.seed(3)
    parameters = {{}}
    L = len(layers_dims) - 1  # 网络的层数（不含输入层）

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 行代码 / 2 lines)
        ### BEGIN SOLUTION
        parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(2 / layers_dims[l - 1])
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
        ### END SOLUTION
        ### END CODE HERE ###
    return parameters
"""),
    public_test("initialize_parameters_he"),
    md("""
训练 15000 步。期望输出：

```
Cost after iteration 0: 0.8830537463419761
Cost after iteration 1000: 0.6879825919728063
...
Cost after iteration 14000: ≈ 0.073578959626773
```

训练集准确率 `0.9933333333333333`，测试集准确率 `0.96`。第 14000 步的 cost 只给出前 14 位有效数字：最后几位取决于你的机器（CPU 与 BLAS 库做矩阵乘法时的舍入顺序），与上面不同不代表代码有错。
"""),
    given("run_he", """
results["he"] = run_experiment("he", train_X, train_Y, test_X, test_Y,
                               "Model with He initialization")
"""),
    md("""
He 初始化让模型在同样的 15000 步内把两个圆环几乎完美地分开了。

## 6. 加分题：Xavier (Glorot) 初始化

“Xavier 初始化”这个名字（取自 Glorot 和 Bengio (2010) 的第一作者 Xavier Glorot）有两种常见用法，都出自这篇论文对方差的分析：

1. **只看前向传播**：让 $z$ 的方差在各层保持不变，取 $\\mathrm{Var}(W^{[l]}) = \\frac{1}{n^{[l-1]}}$，即乘以 $\\sqrt{1/n^{[l-1]}}$。课程讲义把它称为 tanh 激活函数的 Xavier 初始化；它与 He 初始化只差一个因子 $\\sqrt{2}$（He 补偿了 ReLU 置零的那一半输入）。
2. **同时兼顾前向和反向传播**：前向时希望方差与输入个数 $n^{[l-1]}$ 无关，反向时希望与输出个数 $n^{[l]}$ 无关，两者不能同时满足，于是取折中

$$\\mathrm{Var}(W^{[l]}) = \\frac{2}{n^{[l-1]} + n^{[l]}}, \\qquad
W^{[l]} = \\texttt{np.random.randn(n[l], n[l-1])} \\times \\sqrt{\\frac{2}{n^{[l-1]} + n^{[l]}}}$$

这是论文里的公式，也是 Keras 等框架中 `glorot_normal` 的方差。**本题实现第 2 种。**

注意括号：分母是**两层单元数之和**。写成 `np.sqrt(2/n[l-1] + n[l])` 是错的，按运算优先级那等于 $\\sqrt{2/n^{[l-1]} + n^{[l]}}$，权重会大得多。Xavier 初始化常用于 tanh、sigmoid 激活；ReLU 网络一般用 He 初始化。

**练习 4（加分）：** 实现 `initialize_parameters_xavier`，偏置为 0。和练习 3 一样，函数开头已经设置了随机种子 `np.random.seed(3)`，循环里不要再设置。这道题的分数加在总分之上：不做它，完成全部必做题也能拿满分。
"""),
    graded("initialize_parameters_xavier", 2, extra_credit=True, source=f"""
def initialize_parameters_xavier(layers_dims):
{DOCSTRING}
    np.random.seed(3)
    parameters = {{}}
    L = len(layers_dims) - 1

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 行代码 / 2 lines)
        ### BEGIN SOLUTION
        parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(2 / (layers_dims[l - 1] + layers_dims[l]))
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
        ### END SOLUTION
        ### END CODE HERE ###
    return parameters
"""),
    public_test("initialize_parameters_xavier"),
    given("run_xavier", """
results["xavier"] = run_experiment("xavier", train_X, train_Y, test_X, test_Y,
                                   "Model with Xavier initialization")
"""),
    md("""
## 7. 对比

下表由上面几次实验的结果生成。参考实现的数值为：

| 初始化方法 | 初始 cost | 训练集准确率 | 测试集准确率 | 评价 |
| --- | --- | --- | --- | --- |
| 全零 | 0.6931 | 50.00% | 50.00% | 无法打破对称性 |
| 大随机数 (×10) | inf | 83.00% | 86.00% | 权重过大，输出饱和，起点极差，优化慢 |
| He | 0.8831 | 99.33% | 96.00% | 推荐用于 ReLU 网络 |
| Xavier | 0.7222 | 99.00% | 95.00% | 方差比 He 小，本例中与 He 相近 |
"""),
    given("comparison", """
comparison_table(results)
"""),
    md("""
## 总结

- 不同的初始化会带来截然不同的结果；
- 权重必须随机初始化，才能打破对称性，让同一层的不同神经元学到不同的东西；偏置可以从 0 开始；
- 权重不能太大：输出层的 sigmoid 会饱和，cost 可能是 `inf`，网络从极端自信的错误预测出发，优化变慢；
- 按单元个数缩放的随机初始化（ReLU 用 He：$\\sqrt{2/n^{[l-1]}}$；tanh 常用 Xavier：$\\sqrt{1/n^{[l-1]}}$，或兼顾反向传播的 $\\sqrt{2/(n^{[l-1]}+n^{[l]})}$）能让各层输出的方差保持稳定，缓解梯度爆炸和消失。
"""),
]

if __name__ == "__main__":
    write(notebook(cells), OUT)
    print(f"wrote {OUT}")
