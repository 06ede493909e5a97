"""Write source/gradient_checking/Gradient_Checking.ipynb (the master notebook) from this script.

Run: cd tools && python author_gradient_checking.py  (then `make release`).
"""
from pathlib import Path

from nbcells import graded, given, md, notebook, public_test, setup, write

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "source" / "gradient_checking" / "Gradient_Checking.ipynb"

cells = [
    md(r"""
# 梯度检验 (Gradient Checking)

反向传播 (backpropagation) 写错了，程序往往不会报错：cost 照样下降，只是下降得慢一些，或者停在一个不太好的地方。
这类错误很难靠观察训练曲线发现。**梯度检验**给出一个简单可靠的办法：只用前向传播算出的 cost $J$，
按导数的定义**数值地**估计梯度，再和反向传播算出的梯度逐项比较。两者一致，就可以相当放心地说反向传播是对的；
不一致，还能告诉我们错在哪一组参数上。

本练习分三步：

1. 在一维函数 $J(\theta) = \theta x$ 上实现梯度检验，熟悉流程；
2. 对一个 3 层神经网络做 N 维梯度检验：`gc_utils.py` 里给出的反向传播 `backward_propagation_n` **故意藏了两个错误**，
   你的梯度检验应该能发现它们；
3. 按参数块 (W1, b1, ...) 分别计算差异，定位错误，然后写出修正后的反向传播，再检验一遍。

**如何完成作业：** 只在 `### START CODE HERE ###` 与 `### END CODE HERE ###` 之间写代码，不要修改其他单元。
每个函数后面都有一个公开测试 (public test) 单元，运行它可以检查你的实现；提交后还会用另外的隐藏测试评分。
"""),
    setup("setup_imports", """
import numpy as np
from gc_utils import (sigmoid, relu, forward_propagation_n, backward_propagation_n,
                      dictionary_to_vector, vector_to_dictionary, parameter_shapes,
                      gradients_to_vector, print_report, gradient_check_n_test_case)

X, Y, parameters = gradient_check_n_test_case()
"""),
    given("plot_setup", """
import inspect

import matplotlib.pyplot as plt
from public_tests import *

plt.rcParams['figure.figsize'] = (7.0, 4.0)  # 图的默认大小
"""),
    md(r"""
## 1. 原理

### 1.1 用差商近似导数

导数是差商的极限：

$$\frac{\partial J}{\partial \theta} = \lim_{\varepsilon \to 0} \frac{J(\theta + \varepsilon) - J(\theta)}{\varepsilon}
= \lim_{\varepsilon \to 0} \frac{J(\theta + \varepsilon) - J(\theta - \varepsilon)}{2 \varepsilon} \tag{1}$$

只要 $J$ 可导，两种写法的极限相同。但计算机里 $\varepsilon$ 不能真的趋于 0，我们只能取一个小的正数，
这时两种差商的**误差**差别很大。把 $J$ 在 $\theta$ 处做泰勒展开 (Taylor expansion)：

$$J(\theta \pm \varepsilon) = J(\theta) \pm \varepsilon J'(\theta) + \frac{\varepsilon^2}{2} J''(\theta)
\pm \frac{\varepsilon^3}{6} J'''(\theta) + \dots$$

- **单侧差分 (one-sided difference)** $\dfrac{J(\theta+\varepsilon) - J(\theta)}{\varepsilon} = J'(\theta) + \dfrac{\varepsilon}{2} J''(\theta) + \dots$，
  误差与 $\varepsilon$ 成正比，记作 $O(\varepsilon)$；
- **中心差分 (centred difference)** $\dfrac{J(\theta+\varepsilon) - J(\theta-\varepsilon)}{2\varepsilon} = J'(\theta) + \dfrac{\varepsilon^2}{6} J'''(\theta) + \dots$：
  两个展开式相减时，含 $\varepsilon^2$ 的项正好抵消，误差是 $O(\varepsilon^2)$。

取 $\varepsilon = 10^{-7}$ 时，$\varepsilon^2 = 10^{-14}$，比 $\varepsilon$ 小七个数量级。代价只是多算一次 $J$。
所以梯度检验总是用中心差分。

### 1.2 比较两个梯度

设反向传播给出的梯度是 `grad`，数值估计是 `gradapprox`，用**相对差异 (relative difference)** 衡量两者是否一致：

$$\text{difference} = \frac{\lVert \text{grad} - \text{gradapprox} \rVert_2}{\lVert \text{grad} \rVert_2 + \lVert \text{gradapprox} \rVert_2} \tag{2}$$

- 分子是差向量的欧氏长度 (L2 范数)，可以用 `np.linalg.norm` 计算；
- 分母把两个向量各自的长度相加，使结果与梯度整体的大小无关：梯度都很大或都很小时，同样的比值表示同样好的一致程度。
  由三角不等式，difference 总在 0 和 1 之间；
- 分母里必须是**范数之和**，而不是 `grad + gradapprox`：后者可能是负数，在 N 维时甚至是一个向量。

下面的单元格用一个导数已知的光滑函数 $J(\theta) = e^{\theta}$（在 $\theta = 1$ 处导数为 $e$）
比较两种差分在不同 $\varepsilon$ 下的相对误差。
"""),
    given("difference_demo", """
# Relative error of the two difference quotients of exp at theta = 1 (exact derivative: e).
eps_grid = 10.0 ** -np.arange(1, 13)
exact = np.exp(1.0)
err_one_sided = np.abs((np.exp(1.0 + eps_grid) - np.exp(1.0)) / eps_grid - exact) / exact
err_centred = np.abs((np.exp(1.0 + eps_grid) - np.exp(1.0 - eps_grid)) / (2 * eps_grid) - exact) / exact

print(f"{'epsilon':>8}  {'one-sided':>10}  {'centred':>10}")
for e, a, b in zip(eps_grid, err_one_sided, err_centred):
    print(f"{e:8.0e}  {a:10.1e}  {b:10.1e}")

plt.loglog(eps_grid, err_one_sided, "o-", label="one-sided  O(eps)")
plt.loglog(eps_grid, err_centred, "s-", label="centred  O(eps^2)")
plt.xlabel("epsilon")
plt.ylabel("relative error")
plt.legend()
plt.show()
"""),
    md(r"""
期望输出（前几行）：

```
 epsilon   one-sided     centred
   1e-01     5.2e-02     1.7e-03
   1e-02     5.0e-03     1.7e-05
   1e-03     5.0e-04     1.7e-07
   1e-04     5.0e-05     1.7e-09
```

$\varepsilon$ 每缩小 10 倍，单侧差分的误差缩小 10 倍，中心差分的误差缩小 100 倍，与上面的分析一致。

再往下看：$\varepsilon$ 小到一定程度以后，误差反而**变大**了。原因是**浮点舍入 (floating-point rounding)**。
float64 只有约 16 位有效数字（机器精度 $u \approx 1.1 \times 10^{-16}$），$J(\theta+\varepsilon)$ 和 $J(\theta-\varepsilon)$
各带有约 $u\,|J|$ 的舍入误差；两个非常接近的数相减，有效数字大量抵消，再除以 $2\varepsilon$，
舍入误差被放大成约 $u\,|J| / \varepsilon$。于是总误差约为

$$\underbrace{C_1\,\varepsilon^2}_{\text{截断误差}} + \underbrace{C_2\,\frac{u\,|J|}{\varepsilon}}_{\text{舍入误差}}$$

$\varepsilon$ 太大，截断误差占主导；$\varepsilon$ 太小，舍入误差占主导。后面检验神经网络时，你会看到这个规律决定了
“梯度正确时 difference 能有多小”。
"""),
    md(r"""
## 2. 一维梯度检验

考虑一维线性函数 $J(\theta) = \theta x$：模型只有一个实数参数 $\theta$，输入 $x$ 也是实数。
可以把它想成一个极小的“网络”：前向传播计算 $J$，反向传播计算 $\frac{\partial J}{\partial \theta}$。

**练习 1：** 实现 `forward_propagation(x, theta)`，返回 $J(\theta) = \theta x$。
"""),
    graded("forward_propagation", 1, '''
def forward_propagation(x, theta):
    """
    一维模型的前向传播：计算 J(theta) = theta * x。

    Arguments:
    x -- 实数输入 (Python float 或 int)
    theta -- 参数，一个实数

    Returns:
    J -- J(theta) 的值，一个实数
    """
    ### START CODE HERE ### (≈ 1 行代码 / 1 line)
    ### BEGIN SOLUTION
    J = theta * x
    ### END SOLUTION
    ### END CODE HERE ###
    return J
'''),
    public_test("forward_propagation"),
    md(r"""
期望输出：`forward_propagation(2, 4)` 返回 `8`，测试单元打印“全部公开测试通过”。

**练习 2：** 实现 `backward_propagation(x, theta)`，返回导数 $\frac{\partial J}{\partial \theta}$。
先自己求一下 $J(\theta) = \theta x$ 对 $\theta$ 的导数。
"""),
    graded("backward_propagation", 1, '''
def backward_propagation(x, theta):
    """
    一维模型的反向传播：计算 J 对 theta 的导数。

    Arguments:
    x -- 实数输入
    theta -- 参数，一个实数

    Returns:
    dtheta -- dJ/dtheta 在 theta 处的值，一个实数
    """
    ### START CODE HERE ### (≈ 1 行代码 / 1 line)
    ### BEGIN SOLUTION
    dtheta = x
    ### END SOLUTION
    ### END CODE HERE ###
    return dtheta
'''),
    public_test("backward_propagation"),
    md(r"""
期望输出：`backward_propagation(2, 4)` 返回 `2`。

**练习 3：** 实现 `gradient_check(x, theta, epsilon=1e-7, print_msg=False)`。步骤：

1. 用中心差分估计导数：
   - $\theta^{+} = \theta + \varepsilon$，$\theta^{-} = \theta - \varepsilon$；
   - $J^{+} = J(\theta^{+})$，$J^{-} = J(\theta^{-})$，都调用你写的 `forward_propagation`，不要把 $\theta x$ 直接写进这个函数：梯度检验要检查的正是 `forward_propagation` 与 `backward_propagation` 是否一致；
   - $\text{gradapprox} = \dfrac{J^{+} - J^{-}}{2\varepsilon}$。
2. 调用 `backward_propagation` 得到 `grad`（同样不要直接写成 `x`）。
3. 按公式 (2) 计算 `difference`：分子用一次 `np.linalg.norm`，分母用两次，再相除。
   返回值必须是一个 Python `float`（不是数组），可以用 `float(...)` 转换。

函数末尾已经写好了打印结论的代码：`print_msg=True` 时，difference 小于阈值 $2 \times 10^{-7}$ 就报告梯度正确。
（为什么阈值不是 $10^{-7}$，第 6 节会解释。）
"""),
    graded("gradient_check", 3, r'''
def gradient_check(x, theta, epsilon=1e-7, print_msg=False):
    """
    一维梯度检验：比较 backward_propagation 的导数与中心差分的估计。

    Arguments:
    x -- 实数输入
    theta -- 参数，一个实数
    epsilon -- 计算中心差分时对 theta 的微小扰动
    print_msg -- 为 True 时打印梯度是否正确

    Returns:
    difference -- 公式 (2) 的相对差异，Python float
    """
    ### START CODE HERE ### (≈ 9 行代码 / 9 lines)
    ### BEGIN SOLUTION
    thetaplus = theta + epsilon                            # step 1
    thetaminus = theta - epsilon                           # step 2
    J_plus = forward_propagation(x, thetaplus)             # step 3
    J_minus = forward_propagation(x, thetaminus)           # step 4
    gradapprox = (J_plus - J_minus) / (2 * epsilon)        # step 5

    grad = backward_propagation(x, theta)

    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    difference = float(numerator / denominator)
    ### END SOLUTION
    ### END CODE HERE ###

    if print_msg:
        if difference < 2e-7:
            print("\033[92m梯度正确 (The gradient is correct)! difference = " + str(difference) + "\033[0m")
        else:
            print("\033[93m梯度有错误 (The gradient is wrong)! difference = " + str(difference) + "\033[0m")
    return difference
'''),
    public_test("gradient_check"),
    given("run_gradient_check", """
try:
    difference = gradient_check(2, 4, print_msg=True)
except NotImplementedError:
    print("请先完成练习 1-3 (forward_propagation, backward_propagation, gradient_check)。")
"""),
    md(r"""
期望输出：

```
梯度正确 (The gradient is correct)! difference = 2.919335883291695e-10
```

这里的函数是线性的，中心差分没有截断误差，$2.9 \times 10^{-10}$ 完全来自浮点舍入。所以这个数本身没有意义：把差商换一种等价的写法，例如 `(J_plus - J_minus) / (thetaplus - thetaminus)` 或 `J_plus / (2 * epsilon) - J_minus / (2 * epsilon)`，舍入的方式就变了，你可能得到 `0.0`，也可能得到 $10^{-9}$ 量级的数，它们都是正确的。

估计一下舍入误差有多大：$\theta^{\pm} = \theta \pm \varepsilon$ 和 $J^{\pm} = \theta^{\pm} x$ 各带有约 $u\,|\theta x|$ 的误差（$u \approx 1.1 \times 10^{-16}$），相减再除以 $2\varepsilon$ 后，gradapprox 的误差最多约为 $2u\,|\theta|\,|x| / \varepsilon$，difference 最多约为 $u\,|\theta| / \varepsilon$。对 $\theta = 4$、$\varepsilon = 10^{-7}$，这是 $4.4 \times 10^{-9}$。公开测试和评分只要求线性 $J$ 的 difference 落在这个量级之内（留了几倍余量），而用 $J(\theta) = x\theta^3$ 这样的**非线性**函数检验中心差分本身：这时

$$\frac{J(\theta+\varepsilon) - J(\theta-\varepsilon)}{2\varepsilon} = x\,(3\theta^2 + \varepsilon^2), \qquad
\text{difference} = \frac{\varepsilon^2}{6\theta^2 + \varepsilon^2}$$

正好是第 1 节说的 $O(\varepsilon^2)$ 截断误差；单侧差分则得到约 $\varepsilon / (2\theta)$，相差上百倍。测试时会临时把 `forward_propagation` 和 `backward_propagation` 换成这个 $J$ 和它的导数 $3x\theta^2$，所以你的 `gradient_check` 必须通过这两个函数计算 $J$ 和导数。

## 3. N 维梯度检验

### 3.1 网络

`gc_utils.py` 里有一个 3 层网络：

$$\text{LINEAR} \to \text{RELU} \to \text{LINEAR} \to \text{RELU} \to \text{LINEAR} \to \text{SIGMOID}$$

- `forward_propagation_n(X, Y, parameters)` 返回 `(cost, cache)`，cost 是 $m$ 个样本的平均交叉熵
  $J = -\frac{1}{m}\sum_{i=1}^{m}\left(y^{(i)}\log a^{[3](i)} + (1-y^{(i)})\log(1-a^{[3](i)})\right)$；
- `backward_propagation_n(X, Y, cache)` 返回梯度字典 `gradients`（`"dW1"`, `"db1"`, ..., `"db3"`，以及中间量 `"dZ1"`, `"dA1"` 等）。

测试用例 `X, Y, parameters = gradient_check_n_test_case()` 已经在第一个代码单元中生成：4 个输入特征、3 个样本，
各层 5、3、1 个单元，参数 W1 (5, 4), b1 (5, 1), W2 (3, 5), b2 (3, 1), W3 (1, 3), b3 (1, 1)，共 47 个数。

下面打印出反向传播的源码。它里面有错误，但先别急着找，让梯度检验来告诉我们。
"""),
    given("show_backward", """
print(inspect.getsource(backward_propagation_n))
"""),
    md(r"""
### 3.2 把参数拉成一个向量

一维时只有一个 $\theta$。现在参数分散在六个矩阵里，为了对**每一个**参数逐个做中心差分，先把它们拼成一个长向量
$\theta \in \mathbb{R}^{47}$。`gc_utils.py` 提供了这些工具：

- `dictionary_to_vector(parameters)` 返回 `(theta, keys)`：`theta` 的形状是 `(47, 1)`，依次是 W1、b1、W2、b2、W3、b3
  按行展开的元素；`keys` 是长度 47 的列表，`keys[i]` 是第 i 个元素所属参数块的名字（如 `"W1"`）。
  `theta` 是新数组，修改它不会影响 `parameters`；
- `vector_to_dictionary(theta, shapes)`：反过来把向量切回字典。`shapes` 给出每一块的形状，
  可以是 `parameter_shapes(parameters)` 返回的 `{"W1": (5, 4), ...}`，也可以直接传入一个参数字典作模板
  （只用它的形状），例如 `vector_to_dictionary(theta, parameters)`。它不假设任何固定的层宽，所以对任意大小的网络都适用；
- `gradients_to_vector(gradients)`：按同样的顺序把 `dW1`, `db1`, ... 拼成 `(47, 1)` 的向量，忽略 `dZ1` 这类中间量。
  这样 `grad[i]` 正好是 cost 对 `theta[i]` 的导数。
"""),
    given("vector_demo", """
theta, keys = dictionary_to_vector(parameters)
print("theta.shape =", theta.shape)
print("keys[18:27] =", keys[18:27])
print("parameter_shapes =", parameter_shapes(parameters))
roundtrip = vector_to_dictionary(theta, parameters)
print("round trip exact:", all(np.array_equal(roundtrip[k], parameters[k]) for k in parameters))
"""),
    md(r"""
期望输出：

```
theta.shape = (47, 1)
keys[18:27] = ['W1', 'W1', 'b1', 'b1', 'b1', 'b1', 'b1', 'W2', 'W2']
parameter_shapes = {'W1': (5, 4), 'b1': (5, 1), 'W2': (3, 5), 'b2': (3, 1), 'W3': (1, 3), 'b3': (1, 1)}
round trip exact: True
```

### 3.3 实现 N 维梯度检验

对向量 $\theta$ 的每一个分量 $i$（`i` 从 0 到 `num_parameters - 1`）：

1. 计算 $J^{+}_i$：
   - `thetaplus` 是参数向量的**副本** (`np.copy`)；
   - 只把第 i 个分量加上 $\varepsilon$：`thetaplus[i, 0]`；
   - 用 `vector_to_dictionary(thetaplus, parameters)` 把 `thetaplus` 切回字典（第二个参数提供各块的形状），调用 `forward_propagation_n` 得到 cost，存进 `J_plus[i]`
     （`forward_propagation_n` 返回两个值，这里只要第一个）；
2. 用同样的办法得到 $J^{-}_i$（第 i 个分量减去 $\varepsilon$）；
3. $\text{gradapprox}_i = \dfrac{J^{+}_i - J^{-}_i}{2\varepsilon}$。

每次只扰动**一个**分量，其余分量保持原值；每一步都从未扰动的原始向量复制，所以上一步的扰动不会留到下一步，
调用者传进来的 `parameters` 也始终不变。循环结束后，`gradapprox` 是一个 `(47, 1)` 的向量，
按公式 (2) 与 `grad` 比较，返回 Python `float`。

**练习 4：** 实现 `gradient_check_n`。
"""),
    graded("gradient_check_n", 4, r'''
def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False):
    """
    N 维梯度检验：比较 gradients 与 forward_propagation_n 的 cost 的中心差分估计。

    Arguments:
    parameters -- python dict，含 "W1", "b1", ..., "W3", "b3"（numpy 数组，形状见 gc_utils）
    gradients -- python dict，backward_propagation_n 的输出，含 "dW1", "db1", ..., "db3"
    X -- 输入数据，形状 (n_x, m)
    Y -- 标签，形状 (1, m) 或 (m,)
    epsilon -- 计算中心差分时对每个参数的微小扰动
    print_msg -- 为 True 时打印反向传播是否正确

    Returns:
    difference -- 公式 (2) 的相对差异，Python float
    """
    parameters_values, _ = dictionary_to_vector(parameters)   # (n, 1)
    grad = gradients_to_vector(gradients)                     # (n, 1)
    num_parameters = parameters_values.shape[0]
    J_plus = np.zeros((num_parameters, 1))
    J_minus = np.zeros((num_parameters, 1))
    gradapprox = np.zeros((num_parameters, 1))

    ### START CODE HERE ### (≈ 11 行代码 / 11 lines)
    ### BEGIN SOLUTION
    for i in range(num_parameters):
        thetaplus = np.copy(parameters_values)
        thetaplus[i, 0] = thetaplus[i, 0] + epsilon
        J_plus[i, 0], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaplus, parameters))

        thetaminus = np.copy(parameters_values)
        thetaminus[i, 0] = thetaminus[i, 0] - epsilon
        J_minus[i, 0], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaminus, parameters))

        gradapprox[i, 0] = (J_plus[i, 0] - J_minus[i, 0]) / (2 * epsilon)

    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    difference = float(numerator / denominator)
    ### END SOLUTION
    ### END CODE HERE ###

    if print_msg:
        if difference < 2e-7:
            print("\033[92m反向传播正确 (Your backward propagation works fine)! difference = "
                  + str(difference) + "\033[0m")
        else:
            print("\033[93m反向传播有错误 (There is a mistake in the backward propagation)! difference = "
                  + str(difference) + "\033[0m")
    return difference
'''),
    public_test("gradient_check_n"),
    md(r"""
现在检验 `gc_utils.py` 给出的 `backward_propagation_n`：
"""),
    given("run_buggy_check", """
cost, cache = forward_propagation_n(X, Y, parameters)
gradients = backward_propagation_n(X, Y, cache)
try:
    difference = gradient_check_n(parameters, gradients, X, Y, print_msg=True)
except NotImplementedError:
    print("请先完成练习 4 (gradient_check_n)。")
"""),
    md(r"""
期望输出：

```
反向传播有错误 (There is a mistake in the backward propagation)! difference ≈ 0.2850931568
```

（你的输出会多几位数字：前 10 位有效数字在任何机器上都一样，最后几位取决于 CPU 所用的 BLAS 内核。）difference 远大于阈值，反向传播确实有错。

## 4. 定位错误

一个总的 difference 只说明“有错”，不说明错在哪里。把公式 (2) 分别用在每个参数块上（只取属于 W1 的分量、
只取属于 b1 的分量，……），就能看出是哪几块的梯度不对。

**练习 5：** 实现 `gradient_check_report`，返回字典：键是参数块的名字 `"W1"`, `"b1"`, ..., `"b3"`（Python `str`），
值是这一块的相对差异（Python `float`）。

- 先像练习 4 一样得到完整的 `gradapprox` 向量（同样要在副本上扰动）；
- `keys` 已转换成 numpy 数组，`keys == "W1"` 就是一个布尔掩码 (boolean mask)，`grad[keys == "W1"]` 取出 W1 的所有分量；
- 按 `dictionary_to_vector` 的顺序依次处理各块。注意键要是 Python 字符串：如果遍历的是 numpy 数组，
  元素类型是 `numpy.str_`，请用 `str(name)` 转换。
"""),
    graded("gradient_check_report", 2, r'''
def gradient_check_report(parameters, gradients, X, Y, epsilon=1e-7):
    """
    对每个参数块分别做梯度检验。

    Arguments:
    parameters -- python dict，含 "W1", "b1", ..., "W3", "b3"
    gradients -- python dict，含 "dW1", "db1", ..., "db3"
    X -- 输入数据，形状 (n_x, m)
    Y -- 标签，形状 (1, m) 或 (m,)
    epsilon -- 中心差分的扰动大小

    Returns:
    report -- python dict：参数块名字 ("W1", "b1", ...) -> 这一块的相对差异 (Python float)，
              顺序与 dictionary_to_vector 相同
    """
    parameters_values, keys = dictionary_to_vector(parameters)   # (n, 1), n names
    grad = gradients_to_vector(gradients)                        # (n, 1)
    keys = np.array(keys)
    gradapprox = np.zeros_like(parameters_values)
    report = {}

    ### START CODE HERE ### (≈ 13 行代码 / 13 lines)
    ### BEGIN SOLUTION
    for i in range(parameters_values.shape[0]):
        theta_up = np.copy(parameters_values)
        theta_up[i, 0] += epsilon
        theta_down = np.copy(parameters_values)
        theta_down[i, 0] -= epsilon
        cost_up, _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_up, parameters))
        cost_down, _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_down, parameters))
        gradapprox[i, 0] = (cost_up - cost_down) / (2 * epsilon)

    for name in dict.fromkeys(keys.tolist()):   # block names in vector order, as str
        in_block = keys == name
        gap = np.linalg.norm(grad[in_block] - gradapprox[in_block])
        scale = np.linalg.norm(grad[in_block]) + np.linalg.norm(gradapprox[in_block])
        report[name] = float(gap / scale)
    ### END SOLUTION
    ### END CODE HERE ###
    return report
'''),
    public_test("gradient_check_report"),
    given("run_report", """
try:
    report = gradient_check_report(parameters, gradients, X, Y)
    print_report(report)
except NotImplementedError:
    print("请先完成练习 5 (gradient_check_report)。")
"""),
    md(r"""
期望输出（小于 $10^{-6}$ 的几项只是舍入误差，具体数字可能略有不同）：

```
block    difference
W1        1.584e-07
b1        6.000e-01  <-- wrong? (可疑)
W2        3.333e-01  <-- wrong? (可疑)
b2        ≈3e-08
W3        2.460e-08
b3        2.458e-07
```

W2 和 b1 一下子就突显出来了，其余各块都在舍入误差的量级。这两个数还很有规律：如果反向传播算出的梯度正好是
正确梯度 $g$ 的 $c$ 倍（$c > 0$），而数值估计约等于 $g$，那么

$$\text{difference} = \frac{\lVert c g - g \rVert}{\lVert c g \rVert + \lVert g \rVert} = \frac{|c - 1|}{c + 1}$$

$c = 2$ 得 $1/3$，$c = 4$ 得 $3/5$。也就是说，W2 的梯度大了一倍，b1 的梯度大了三倍。

（小块的舍入噪声更明显：b1 只有 5 个数、b3 只有 1 个数，分母小，即使梯度完全正确，它们的 difference 也可能略高于
$2 \times 10^{-7}$。所以按块检查时，要找的是比其他块**大好几个数量级**的块，而不是和阈值逐一比较。）

## 5. 修正反向传播

**练习 6：** 回到上面打印出的 `backward_propagation_n` 源码，找到计算 `dW2` 和 `db1` 的两处错误，
在 `backward_propagation_n_fixed` 中写出第 2 层和第 1 层的正确计算（第 3 层和返回的字典已经写好）。
可以先复制原来的 8 行，再改正。提示：每个参数的梯度都应该是对 $m$ 个样本求**平均**，前面的系数是 $\frac{1}{m}$。
"""),
    graded("backward_propagation_n_fixed", 2, '''
def backward_propagation_n_fixed(X, Y, cache):
    """
    forward_propagation_n 的反向传播（修正了 backward_propagation_n 中的两个错误）。

    Arguments:
    X -- 输入数据，形状 (n_x, m)
    Y -- 标签，形状 (1, m) 或 (m,)
    cache -- forward_propagation_n 返回的 cache

    Returns:
    gradients -- python dict，cost 对各参数的梯度 "dW1" (n1, n_x), "db1" (n1, 1), ..., "db3" (1, 1)，
                 以及中间量 "dZ3", "dA2", "dZ2", "dA1", "dZ1"（形状与对应的 Z、A 相同）
    """
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache

    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)

    ### START CODE HERE ### (≈ 8 行代码 / 8 lines)
    ### BEGIN SOLUTION
    dA2 = np.dot(W3.T, dZ3)                               # (n2, m)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))              # ReLU lets the gradient through where A2 > 0
    dW2 = 1. / m * np.dot(dZ2, A1.T)                      # mean over the m examples, no factor 2
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)     # (n2, 1)

    dA1 = np.dot(W2.T, dZ2)                               # (n1, m)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))              # (n1, m)
    dW1 = 1. / m * np.dot(dZ1, X.T)                       # (n1, n_x)
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)     # mean over the m examples: 1/m, not 4/m
    ### END SOLUTION
    ### END CODE HERE ###

    gradients = {"dZ3": dZ3, "dW3": dW3, "db3": db3,
                 "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
                 "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}
    return gradients
'''),
    public_test("backward_propagation_n_fixed"),
    given("run_fixed_check", """
try:
    cost, cache = forward_propagation_n(X, Y, parameters)
    gradients_fixed = backward_propagation_n_fixed(X, Y, cache)
    difference = gradient_check_n(parameters, gradients_fixed, X, Y, print_msg=True)
    print_report(gradient_check_report(parameters, gradients_fixed, X, Y))
except NotImplementedError:
    print("请先完成练习 4-6 (gradient_check_n, gradient_check_report, backward_propagation_n_fixed)。")
"""),
    md(r"""
期望输出（舍入误差决定这些数的最后几位，它们随 CPU 的 BLAS 内核而变：difference 在任何机器上都约为 1.189e-07，b2 这一项只能说是 $10^{-8}$ 的量级）：

```
反向传播正确 (Your backward propagation works fine)! difference ≈ 1.189e-07
block    difference
W1        1.584e-07
b1        3.265e-07
W2        5.583e-08
b2        ≈3e-08
W3        2.460e-08
b3        2.458e-07
```

## 6. 为什么正确的反向传播也只能得到约 $10^{-7}$？阈值为什么是 $2 \times 10^{-7}$？

修正后的 difference 约为 $1.19 \times 10^{-7}$，并不比 $10^{-7}$ 小。有些资料把阈值定为 $10^{-7}$，
那样这个**正确**的实现会被误判为有错。本练习使用阈值 $2 \times 10^{-7}$。

这个数字的大小来自第 1 节分析的舍入误差，而不是反向传播的问题：

- 截断误差约为 $\varepsilon^2 = 10^{-14}$ 的量级，可以忽略；
- 舍入误差比 $u\,|J| \approx 2.7 \times 10^{-16}$ 大得多，因为计算 $J$ 的过程中有一步**有效数字抵消**：
  测试用例的第 3 个样本标签 $y = 0$，而网络输出 $a^{[3]} \approx 0.99887$，cost 里要算 $\log(1 - a^{[3]})$。
  $1 - 0.99887 \approx 0.00113$，$a^{[3]}$ 本身约 $10^{-16}$ 的舍入误差在这次相减后变成约 $10^{-13}$ 的相对误差，
  再除以 $m = 3$，$J$ 就带有约 $3 \times 10^{-14}$ 的误差；
- $J^{+}_i - J^{-}_i$ 再除以 $2\varepsilon = 2 \times 10^{-7}$，每个 gradapprox 分量就可能带有 $10^{-7}$ 量级的误差
  （实测最大的约为 $3.5 \times 10^{-7}$）；47 个分量的误差向量长度约 $8 \times 10^{-7}$，除以
  $\lVert \text{grad} \rVert_2 + \lVert \text{gradapprox} \rVert_2 \approx 6.8$，正好是约 $1.2 \times 10^{-7}$。

所以在 $\varepsilon = 10^{-7}$ 时，$10^{-7}$ 量级就是“完全正确”能达到的水平。下面把 $\varepsilon$ 从 $10^{-1}$ 扫到 $10^{-10}$，
用你修正后的梯度看看 difference 如何变化。
"""),
    given("epsilon_sweep", """
try:
    cost, cache = forward_propagation_n(X, Y, parameters)
    gradients_fixed = backward_propagation_n_fixed(X, Y, cache)
    eps_sweep = [10.0 ** -k for k in range(1, 11)]
    sweep = [float(np.asarray(gradient_check_n(parameters, gradients_fixed, X, Y, epsilon=e)).reshape(()))
             for e in eps_sweep]
    print(f"{'epsilon':>8}  {'difference':>10}")
    for e, d in zip(eps_sweep, sweep):
        print(f"{e:8.0e}  {d:10.2e}")
    plt.loglog(eps_sweep, sweep, "o-")
    plt.axhline(2e-7, color="gray", linestyle="--", label="threshold 2e-7")
    plt.xlabel("epsilon")
    plt.ylabel("difference")
    plt.legend()
    plt.show()
except NotImplementedError:
    print("请先完成练习 4 和练习 6 (gradient_check_n, backward_propagation_n_fixed)。")
"""),
    md(r"""
期望输出（舍入误差主导的几行，在不同机器上可能略有不同）：

```
 epsilon  difference
   1e-01    5.46e-03
   1e-02    1.68e-06
   1e-03    1.68e-08
   1e-04    1.91e-10
   1e-05    9.32e-10
   1e-06    8.26e-09
   1e-07    1.19e-07
   1e-08    1.16e-06
   1e-09    1.86e-05
   1e-10    1.18e-04
```

右半边 $\varepsilon$ 较大时，每缩小 10 倍，difference 缩小约 100 倍（截断误差 $O(\varepsilon^2)$）；
左半边 $\varepsilon$ 较小时，每缩小 10 倍，difference 反而增大约 10 倍（舍入误差 $O(1/\varepsilon)$）。
最好的 $\varepsilon$ 在 $10^{-4}$ 到 $10^{-5}$ 附近。无论选哪个 $\varepsilon$，判断标准都要与它相配：
同一个正确的实现，在 $\varepsilon = 10^{-7}$ 时就是 $10^{-7}$ 量级。而有错误的梯度，difference 通常在 $10^{-3}$ 以上，
与正确时相差好几个数量级，很容易区分。

## 7. 实际使用梯度检验的几点建议

- **只在调试时用，不要放进训练循环。** 每个参数要做两次前向传播：这里只有 47 个参数，真实网络有成百万上千万个，
  检验一次的代价相当于训练很多步。确认反向传播正确后，就把它关掉。
- **检验的 $J$ 要与反向传播求导的 $J$ 完全一致。** 如果 cost 里加了 L2 正则化项 $\frac{\lambda}{2m}\sum_l \lVert W^{[l]} \rVert_F^2$，
  前向传播算 $J$ 时要包含它，反向传播的 `dW` 里也要包含它的导数 $\frac{\lambda}{m} W^{[l]}$。
- **关掉 dropout。** dropout 每次随机关闭不同的神经元，$J$ 不再是参数的确定函数，$J^{+}_i$ 和 $J^{-}_i$ 用的是不同的网络，
  差分没有意义。先令 `keep_prob = 1` 做梯度检验，确认无误后再打开 dropout。
- **在随机初始化时检验一次，训练一段时间后再检验一次。** 有些错误在参数很小时不明显（例如某一项恰好接近 0），
  参数长大以后才显现出来。
- **检验失败时，逐块查看。** 像第 4 节那样按参数块比较，找出差异大的块，就能把错误定位到具体的层和参数。
- ReLU 在 0 处不可导：如果某个 $z$ 恰好落在 $(-\varepsilon, \varepsilon)$ 之内，那一个分量的差分会不准。这种情况很少见，
  换一组随机参数或换一个 $\varepsilon$ 再检验即可。

## 总结

- 中心差分 $\frac{J(\theta+\varepsilon) - J(\theta-\varepsilon)}{2\varepsilon}$ 的截断误差是 $O(\varepsilon^2)$，比单侧差分的 $O(\varepsilon)$ 小得多；
- 用相对差异 $\frac{\lVert \text{grad} - \text{gradapprox} \rVert_2}{\lVert \text{grad} \rVert_2 + \lVert \text{gradapprox} \rVert_2}$ 比较反向传播与数值梯度；
- $\varepsilon$ 太小会被浮点舍入限制：$\varepsilon = 10^{-7}$ 时，正确的实现也只能得到约 $10^{-7}$ 的差异，因此阈值取 $2 \times 10^{-7}$；
- 按参数块计算差异，可以找出错误所在；梯度检验很慢，只用于调试。
"""),
]

if __name__ == "__main__":
    write(notebook(cells), OUT)
    print(f"wrote {OUT}")
