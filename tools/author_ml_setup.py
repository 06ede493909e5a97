"""Write source/ml_setup/ML_Setup.ipynb (the master notebook) from this script.

Run: python tools/author_ml_setup.py  (then `course release ml_setup`).

The figures quoted in the text are those of the reference solution on datasets/ml_setup.npz;
tests/test_ml_setup.py checks them. Figures that come out of a BLAS call or an iterative solver
are quoted with "≈" (they may move in the last digits under another OpenBLAS kernel); counts,
shapes and closed-form values are quoted exactly.
"""
from pathlib import Path

from nbcells import graded, given, md, notebook, public_test, setup, write

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "source" / "ml_setup" / "ML_Setup.ipynb"

cells = [
    md(r"""
# 搭建机器学习问题 (Setting up your Machine Learning application)

在调网络结构、调超参数之前，先要把问题“搭”好：数据怎么分，结果怎么读，输入怎么处理，深层网络的初值怎么选。这些决定做错了，后面再怎么调参也事倍功半。

本练习分四部分，每部分都先实现一个（或两个）小函数，再用它做一个实验：

1. **训练/开发/测试集 (train/dev/test sets)**：把数据随机打乱后切成三份；
2. **偏差与方差 (bias/variance)**：根据训练集误差和开发集误差诊断模型的问题，并用 scikit-learn 在真实的数字上看到高偏差和高方差；
3. **归一化输入 (normalizing inputs)**：零均值化、除以标准差，比较归一化前后梯度下降需要的步数；
4. **梯度消失与梯度爆炸 (vanishing/exploding gradients)**：看激活值的方差穿过 20 层网络时如何变化，以及初始化的尺度为什么重要。

**如何完成作业：** 只在 `### START CODE HERE ###` 与 `### END CODE HERE ###` 之间写代码，不要修改其他单元。每个函数后面都有一个公开测试 (public test) 单元，运行它可以检查你的实现；提交后还会用另外的隐藏测试评分。

约定与课程其他作业相同：数据矩阵的**每一列是一个样本**，`X` 的形状是 `(n_x, m)`。
"""),
    setup("setup_imports", """
import numpy as np
from ml_setup_utils import (BAYES_ERROR, DEGREES, load_data, plot_points, fit_polynomial_classifier,
                            complexity_sweep, plot_complexity_sweep, learning_curve, plot_learning_curves,
                            plot_decision_boundaries, regression_cost, least_squares, safe_learning_rate,
                            gradient_descent, plot_cost_contours, plot_activation_variances,
                            deep_linear_output, plot_deep_linear)

X, Y, X_house, y_house = load_data()
"""),
    given("plot_setup", """
import matplotlib.pyplot as plt
from public_tests import *

plt.rcParams['figure.figsize'] = (6.5, 4.0)
"""),
    md(r"""
## 1. 训练/开发/测试集

拿到一份带标签的数据，通常把它分成三份：

- **训练集 (training set)**：用来训练模型，也就是用梯度下降去拟合参数；
- **开发集 (development set, dev set)**，也叫验证集 (validation set)：用来在几个模型或几组超参数之间做选择；
- **测试集 (test set)**：模型选定之后，用它对最终模型做一次**无偏**的评估。

为什么不能只用两份？如果用同一份数据既挑模型又报告效果，挑出来的模型在这份数据上的表现会偏乐观，它部分是“挑”出来的。没有测试集也可以（这时有人把开发集叫作测试集），只是你就没有无偏的估计了。

比例取多少要看数据量：

| 数据量 | 常见划分 (train / dev / test) |
| --- | --- |
| 小数据（几百到一万左右） | 70% / 30%（无测试集），或 60% / 20% / 20% |
| 大数据（一百万以上） | 98% / 1% / 1%，甚至 99.5% / 0.4% / 0.1% |

大数据时代开发集和测试集的**比例**变小了，但条数并不少：开发集只要大到能分辨出几个候选模型的好坏就够了，一百万条数据里取一万条已经足够。

还有一条经验：**开发集和测试集要来自同一个分布**。例如训练集是网上抓取的高清猫图，而开发集和测试集是用户随手拍的照片，那么在开发集上调出来的模型，不一定在你真正关心的那类照片上好用。

### 1.1 随机打乱再切分

数据文件里的样本常常是按某种顺序存放的（按采集时间、按类别……）。直接按顺序切，三份数据的分布就可能不同，所以要先**随机打乱**。打乱的时候，**每个样本的 $x$ 必须和它自己的 $y$ 待在一起**：只能对样本（列）做同一个排列，不能分别打乱 `X` 和 `Y`。

**练习 1：** 实现 `split_train_dev_test(X, Y, dev_fraction, test_fraction, seed)`：

- 函数开头已经调用了 `np.random.seed(seed)`，请不要删除，它让切分可以复现：同一个 `seed` 永远得到同样的三份数据；
- 用**一个**随机排列 (permutation) 打乱样本的顺序（提示：`np.random.permutation(m)` 给出 `0 … m-1` 的一个随机排列，`X[:, idx]` 按下标取列）；
- 开发集 `round(dev_fraction * m)` 个样本，测试集 `round(test_fraction * m)` 个样本，其余都是训练集；每个样本恰好属于其中一份。
"""),
    graded("split_train_dev_test", 3, r'''
def split_train_dev_test(X, Y, dev_fraction, test_fraction, seed):
    """
    Shuffle the examples with a fixed seed and split them into training, dev and test sets.

    Arguments:
    X -- data, numpy array of shape (n_x, m), one example per column
    Y -- labels, numpy array of shape (n_y, m); column i is the label of column i of X
    dev_fraction -- float in [0, 1), share of the examples that go to the dev set
    test_fraction -- float in [0, 1), share of the examples that go to the test set
    seed -- int, the random seed of the shuffle

    Returns:
    X_train -- numpy array of shape (n_x, m_train), m_train is m - m_dev - m_test
    Y_train -- numpy array of shape (n_y, m_train)
    X_dev -- numpy array of shape (n_x, m_dev), m_dev is round(dev_fraction * m)
    Y_dev -- numpy array of shape (n_y, m_dev)
    X_test -- numpy array of shape (n_x, m_test), m_test is round(test_fraction * m)
    Y_test -- numpy array of shape (n_y, m_test)
    """
    np.random.seed(seed)
    m = X.shape[1]

    ### START CODE HERE ### (≈ 8 行代码 / 8 lines)
    ### BEGIN SOLUTION
    permutation = np.random.permutation(m)
    m_dev = round(dev_fraction * m)
    m_test = round(test_fraction * m)
    dev_idx = permutation[:m_dev]
    test_idx = permutation[m_dev:m_dev + m_test]
    train_idx = permutation[m_dev + m_test:]
    X_train, Y_train = X[:, train_idx], Y[:, train_idx]
    X_dev, Y_dev = X[:, dev_idx], Y[:, dev_idx]
    X_test, Y_test = X[:, test_idx], Y[:, test_idx]
    ### END SOLUTION
    ### END CODE HERE ###

    return X_train, Y_train, X_dev, Y_dev, X_test, Y_test
'''),
    public_test("split_train_dev_test"),
    md(r"""
下面用你的函数切分本练习的数据。数据池里有 1000 个平面上的点（`X` 的形状是 `(2, 1000)`，`Y` 的形状是 `(1, 1000)`），由课程用固定的随机种子生成，每次运行都完全相同：点均匀地撒在正方形 $[-1.5, 1.5]^2$ 里，落在一条波浪形闭合曲线内部的标为 1，外部的标为 0；然后**每个标签都以 10% 的概率被随机翻转**。这些翻转和位置无关，任何分类器都不可能预测它们，所以这份数据的**贝叶斯误差 (Bayes error)，即最优可能的误差，恰好是 10%**（`BAYES_ERROR = 0.1`）。

数据只有 1000 个，属于小数据。为了让开发集上的误差估计不至于太粗糙，我们取 50% / 25% / 25%。期望输出：

```
X_train: (2, 500)  X_dev: (2, 250)  X_test: (2, 250)
```
"""),
    given("run_split", """
try:
    X_train, Y_train, X_dev, Y_dev, X_test, Y_test = split_train_dev_test(X, Y, 0.25, 0.25, seed=1)
    print("X_train:", X_train.shape, " X_dev:", X_dev.shape, " X_test:", X_test.shape)
    plot_points(X_train, Y_train, "training set (labels flipped with probability 0.1)")
except NotImplementedError:
    X_train = None
    print("请先完成练习 1 (split_train_dev_test)，再运行本单元。")
"""),
    md(r"""
**要记住：**
- 训练集用来拟合参数，开发集用来挑模型和超参数，测试集只在最后做一次无偏评估；
- 先随机打乱再切分，X 和 Y 用**同一个**排列；固定随机种子，切分才能复现；
- 数据多时，开发集和测试集的比例可以很小，只要条数足够分辨模型的好坏；开发集和测试集要来自同一个分布。
"""),
    md(r"""
## 2. 偏差与方差

### 2.1 从两个误差读出问题

训练好一个分类器之后，最有用的两个数是**训练集误差**和**开发集误差**。和**贝叶斯误差**（最优误差；对于人能做好的任务，常用人的误差来近似）一起，它们告诉我们模型的问题出在哪里：

- **可避免偏差 (avoidable bias)** = 训练集误差 − 贝叶斯误差。它大，说明模型连训练集都没拟合好：**高偏差 (high bias)**，即欠拟合 (underfitting)；
- **方差 (variance)** = 开发集误差 − 训练集误差。它大，说明模型在训练集上学到的东西推广不到新数据：**高方差 (high variance)**，即过拟合 (overfitting)。

课上的猫咪分类器（假设人几乎不会认错，贝叶斯误差 ≈ 0%）有四种情况：

| 情况 | 训练集误差 | 开发集误差 | 诊断 |
| --- | --- | --- | --- |
| A | 1% | 11% | 高方差 |
| B | 15% | 16% | 高偏差 |
| C | 15% | 30% | 高偏差 + 高方差 |
| D | 0.5% | 1% | 低偏差 + 低方差 |

如果贝叶斯误差本身就高，结论会变。例如图片非常模糊、连人都有 15% 认错时，情况 B 的 15% / 16% 已经接近最优，偏差并不高。所以偏差要和贝叶斯误差比，而不是和 0 比。

**练习 2：** 实现 `diagnose_bias_variance(train_error, dev_error, bayes_error=0.0, threshold=0.02)`：误差都用小数表示（1% 写作 `0.01`）；可避免偏差大于 `threshold` 时 `high_bias` 为 `True`，方差大于 `threshold` 时 `high_variance` 为 `True`。
"""),
    graded("diagnose_bias_variance", 2, r'''
def diagnose_bias_variance(train_error, dev_error, bayes_error=0.0, threshold=0.02):
    """
    Diagnose high bias and high variance from the training and dev errors.

    Arguments:
    train_error -- float, error on the training set (0.01 means 1 %)
    dev_error -- float, error on the dev set
    bayes_error -- float, the optimal (Bayes) error, estimated e.g. by human error
    threshold -- float, how large a gap counts as "high"

    Returns:
    diagnosis -- dict {"high_bias": bool, "high_variance": bool}:
                 high_bias when the avoidable bias (train_error - bayes_error) exceeds threshold,
                 high_variance when the variance (dev_error - train_error) exceeds threshold
    """
    ### START CODE HERE ### (≈ 4 行代码 / 4 lines)
    ### BEGIN SOLUTION
    avoidable_bias = train_error - bayes_error
    variance = dev_error - train_error
    high_bias = avoidable_bias > threshold
    high_variance = variance > threshold
    ### END SOLUTION
    ### END CODE HERE ###

    return {"high_bias": bool(high_bias), "high_variance": bool(high_variance)}
'''),
    public_test("diagnose_bias_variance"),
    given("run_lecture_cases", """
try:
    for name, train_error, dev_error in [("A", 0.01, 0.11), ("B", 0.15, 0.16), ("C", 0.15, 0.30), ("D", 0.005, 0.01)]:
        print(name, train_error, dev_error, diagnose_bias_variance(train_error, dev_error))
    print("B with Bayes error 0.15:", diagnose_bias_variance(0.15, 0.16, bayes_error=0.15))
except NotImplementedError:
    print("请先完成练习 2 (diagnose_bias_variance)，再运行本单元。")
"""),
    md(r"""
期望输出：

```
A 0.01 0.11 {'high_bias': False, 'high_variance': True}
B 0.15 0.16 {'high_bias': True, 'high_variance': False}
C 0.15 0.3 {'high_bias': True, 'high_variance': True}
D 0.005 0.01 {'high_bias': False, 'high_variance': False}
B with Bayes error 0.15: {'high_bias': False, 'high_variance': False}
```

### 2.2 在真实的数字上看偏差和方差：模型复杂度

现在在我们的数据上训练一系列越来越复杂的分类器：先把两个坐标展开成次数不超过 $d$ 的所有多项式特征（$d = 2$ 时是 $1, x_1, x_2, x_1^2, x_1x_2, x_2^2$），再做逻辑回归 (logistic regression)。这是 scikit-learn 的一条流水线 (pipeline)：

```python
make_pipeline(PolynomialFeatures(d), StandardScaler(), LogisticRegression(C=1e6, solver="newton-cholesky"))
```

`C=1e6` 表示几乎不加正则化，这样才能看清楚模型本身的偏差和方差。`complexity_sweep` 对每个次数 $d$ 在训练集上训练一次，返回训练集误差和开发集误差。整个扫描需要几秒钟。
"""),
    given("run_sweep", """
if X_train is None:
    print("这个实验要用练习 1 切分出的训练集和开发集：请先完成练习 1。")
else:
    train_errors, dev_errors = complexity_sweep(X_train, Y_train, X_dev, Y_dev, DEGREES)
    plot_complexity_sweep(DEGREES, train_errors, dev_errors)
    print("degree  train   dev     diagnosis (Bayes error 0.10, threshold 0.04)")
    for d, tr, dv in zip(DEGREES, train_errors, dev_errors):
        try:
            diagnosis = diagnose_bias_variance(tr, dv, bayes_error=BAYES_ERROR, threshold=0.04)
        except NotImplementedError:
            diagnosis = "(练习 2 还没有完成)"
        print(f"{d:6d}  {tr:.3f}   {dv:.3f}   {diagnosis}")
"""),
    md(r"""
表格里的诊断用的阈值是 0.04，不是默认的 0.02。开发集只有 250 个样本，它的误差本身就带着抽样误差，标准差约为 $\sqrt{0.1 \times 0.9 / 250} \approx 0.02$；比两倍标准差还小的差距，很可能只是运气。开发集越大，能分辨的差距就越小。

参考实现的切分下，你应该看到下面的规律（训练集一个样本是 0.2%，开发集一个样本是 0.4%；逻辑回归是迭代求解的，换一台机器，个别样本可能落到边界另一侧，所以数字写“≈”。如果你的打乱方式和参考实现不同，切分出的样本不同，数字也会不同，但规律一样）：

- $d = 1$（直线）：训练集误差和开发集误差都 ≈ 0.42，可避免偏差 ≈ 0.32：**高偏差**，方差却很低。一条直线分不开曲线内外，最好的直线干脆把所有点都判为 0（下面左图），误差就是标签为 1 的点所占的比例；
- $d = 2$ 到 $4$：误差降到 ≈ 0.14 到 0.19，但训练集误差仍比贝叶斯误差高出 ≈ 0.05 到 0.09：仍是**高偏差**。低次多项式画不出这条波浪形的边界；
- $d = 5$ 到 $10$：训练集误差 ≈ 0.11 到 0.13，开发集误差 ≈ 0.11 到 0.15，偏差和方差都不超过阈值，是这组模型里最好的一段；
- $d = 12, 15$：训练集误差降到 ≈ 0.09，开发集误差却升到 ≈ 0.15 到 0.16：**高方差**。模型开始把被翻转的那些标签也“背”下来。

训练集误差随 $d$ 一路下降，开发集误差先降后升，这是偏差与方差此消彼长的典型形状。下面直接看三个模型的决策边界：
"""),
    given("run_boundaries", """
if X_train is None:
    print("请先完成练习 1。")
else:
    plot_decision_boundaries(X_train, Y_train, {f"degree {d}": fit_polynomial_classifier(X_train, Y_train, d) for d in (1, 5, 15)})
"""),
    md(r"""
### 2.3 学习曲线 (learning curves)

另一种诊断方法是固定模型，只改变训练集的大小：用前 $n$ 个训练样本训练，画出训练集误差和开发集误差随 $n$ 的变化。
"""),
    given("run_learning_curves", """
if X_train is None:
    print("请先完成练习 1。")
else:
    sizes = [25, 50, 100, 200, 300, 500]
    curves = {f"degree {d}": learning_curve(X_train, Y_train, X_dev, Y_dev, d, sizes) for d in (1, 15)}
    plot_learning_curves(sizes, curves)
"""),
    md(r"""
- **高偏差**（左，$d = 1$）：两条曲线很快靠在一起，停在 ≈ 0.42，远高于贝叶斯误差。再加数据也没用，要换更大的模型；
- **高方差**（右，$d = 15$）：样本少时训练集误差是 0（模型把每个点都记住了），开发集误差却在 0.3 以上；随着数据增多，训练集误差慢慢上升，开发集误差下降，用满 500 个样本时两者 ≈ 0.09 和 0.16，差距缩小了很多。更多数据（或者正则化）对高方差有帮助。

这就是课上讲的**机器学习基本流程**：

1. 先看偏差（训练集表现）。偏差高，就用更大的网络（更多隐藏层、更多隐藏单元）、训练更久、或换一种网络结构，直到训练集拟合得足够好；
2. 再看方差（开发集表现）。方差高，最好的办法是收集更多数据；数据有限时用正则化，或者换一种网络结构；
3. 反复，直到偏差和方差都低。

在深度学习时代，“更大的网络”和“更多的数据”几乎只降低其中一个而不太伤害另一个，所以偏差和方差不再像传统机器学习里那样必须此消彼长。

**要记住：**
- 可避免偏差 = 训练集误差 − 贝叶斯误差；方差 = 开发集误差 − 训练集误差；
- 高偏差：换更大的模型、训练更久；高方差：更多数据、正则化。先解决偏差，再解决方差；
- 训练集误差比贝叶斯误差还低，通常是过拟合的信号，而不是好消息。
"""),
    md(r"""
## 3. 归一化输入

训练神经网络时，一个简单而有效的加速方法是**归一化输入**。它分两步。

**第一步：零均值化。** 对每个特征 $j$ 计算训练集上的均值，再从每个样本里减掉：

$$\mu_j = \frac{1}{m}\sum_{i=1}^{m} x_j^{(i)}, \qquad x_j := x_j - \mu_j$$

**第二步：归一化方差。** 对零均值化之后的数据，每个特征计算方差，再**除以标准差 $\sigma_j$**（方差的平方根）：

$$\sigma_j^2 = \frac{1}{m}\sum_{i=1}^{m} \left(x_j^{(i)}\right)^2, \qquad x_j := \frac{x_j}{\sigma_j}$$

这样每个特征的均值都是 0，**方差都是 1**。

> **勘误 (ERRATA 2 和 8)：** 课程讲义写的是 $x /= \sigma^2$，即除以方差，这是错的。设 $x$ 已经零均值化，$\mathrm{Var}(x / c) = \mathrm{Var}(x) / c^2$：除以 $\sigma$ 得到 $\sigma^2 / \sigma^2 = 1$；除以 $\sigma^2$ 却得到 $\sigma^2 / \sigma^4 = 1 / \sigma^2$，只有 $\sigma = 1$ 时才碰巧是 1。所以讲义里“方差均为 1”的说法，只有在**除以标准差**之后才成立。

这里的 $\sigma$ 是**总体标准差**（分母是 $m$），也就是 `np.std` 的默认值；`np.std(x, ddof=1)` 的分母是 $m-1$，不是我们要的。

**练习 3：** 实现 `normalize_inputs(X_train)`，返回归一化后的训练集，以及每个特征的均值 `mu` 和标准差 `sigma`，两者的形状都是 `(n_x, 1)`（提示：`axis=1, keepdims=True`）。
"""),
    graded("normalize_inputs", 2, r'''
def normalize_inputs(X_train):
    """
    Normalize every feature of the training set to mean 0 and variance 1.

    Arguments:
    X_train -- numpy array of shape (n_x, m), one example per column

    Returns:
    X_norm -- numpy array of shape (n_x, m), (X_train - mu) / sigma
    mu -- numpy array of shape (n_x, 1), the mean of each feature over the m examples
    sigma -- numpy array of shape (n_x, 1), the population standard deviation of each feature
    """
    ### START CODE HERE ### (≈ 3 行代码 / 3 lines)
    ### BEGIN SOLUTION
    mu = np.mean(X_train, axis=1, keepdims=True)
    sigma = np.sqrt(np.mean((X_train - mu) ** 2, axis=1, keepdims=True))
    X_norm = (X_train - mu) / sigma
    ### END SOLUTION
    ### END CODE HERE ###

    return X_norm, mu, sigma
'''),
    public_test("normalize_inputs"),
    md(r"""
### 3.1 开发集和测试集用训练集的 $\mu$ 和 $\sigma$

归一化是模型的一部分：模型看到的输入是 $(x - \mu) / \sigma$。所以开发集、测试集以及上线后的每一个新样本，都必须用**训练集**算出的 $\mu$ 和 $\sigma$ 去变换，而不是各自重新计算。否则同一个 $x$ 在训练时和测试时会被变换成不同的数，模型就等于在另一个坐标系里做预测；上线时一次只来一个样本，更是根本算不出它“自己的” $\sigma$。

**练习 4：** 实现 `apply_normalization(X, mu, sigma)`：用给定的 `mu`、`sigma`（来自训练集）变换 `X`。
"""),
    graded("apply_normalization", 1, r'''
def apply_normalization(X, mu, sigma):
    """
    Normalize new data (dev set, test set, ...) with the training set's statistics.

    Arguments:
    X -- numpy array of shape (n_x, m'), one example per column
    mu -- numpy array of shape (n_x, 1), the training set's mean of each feature
    sigma -- numpy array of shape (n_x, 1), the training set's standard deviation of each feature

    Returns:
    X_norm -- numpy array of shape (n_x, m')
    """
    ### START CODE HERE ### (≈ 1 行代码 / 1 line)
    ### BEGIN SOLUTION
    X_norm = (X - mu) / sigma
    ### END SOLUTION
    ### END CODE HERE ###

    return X_norm
'''),
    public_test("apply_normalization"),
    md(r"""
### 3.2 归一化让梯度下降快得多

课上的例子：$x_1 \in (0, 1000)$，$x_2 \in (0, 1)$。我们的回归数据 `X_house` 正是这样：第一个特征是面积，取值 0 到 1000，第二个是一个 0 到 1 之间的评分；要预测的 `y_house` 与两者成线性关系，加少量噪声。模型是线性回归 $\hat y = w_1x_1 + w_2x_2 + b$，cost 是均方误差 $J = \frac{1}{2m}\sum (\hat y - y)^2$。

先把它切成训练集和开发集，用训练集的统计量归一化两者：
"""),
    given("run_normalize_house", """
try:
    Xh_train, yh_train, Xh_dev, yh_dev, _, _ = split_train_dev_test(X_house, y_house, 0.2, 0.0, seed=2)
    Xh_train_norm, mu, sigma = normalize_inputs(Xh_train)
    Xh_dev_norm = apply_normalization(Xh_dev, mu, sigma)
    print("mu    =", mu.ravel())
    print("sigma =", sigma.ravel())
    print("train, normalized: mean", Xh_train_norm.mean(axis=1), " variance", Xh_train_norm.var(axis=1))
    print("dev,   normalized: mean", Xh_dev_norm.mean(axis=1), " variance", Xh_dev_norm.var(axis=1))
    print("divided by sigma**2 instead (wrong): variance", ((Xh_train - mu) / sigma ** 2).var(axis=1))
except NotImplementedError:
    Xh_train_norm = None
    print("请先完成练习 1、3、4 (split_train_dev_test, normalize_inputs, apply_normalization)，再运行本单元。")
"""),
    md(r"""
期望输出（参考实现的切分；数值保留 3 位）：训练集 80 个样本，$\mu \approx (433, 0.485)$，$\sigma \approx (272, 0.275)$；归一化后的训练集每个特征均值 ≈ 0（小到 $10^{-16}$ 量级，只剩舍入误差）、方差 ≈ 1；开发集只有 20 个样本，它的均值 ≈ (0.365, 0.048)、方差 ≈ (1.06, 1.36)，只是大致在 0 和 1 附近，并**不等于** 0 和 1：它用的是训练集的统计量，这正是我们要的。最后一行是按讲义的写法除以 $\sigma^2$ 的结果：方差变成 $1/\sigma^2$，第一个特征约 $1.35 \times 10^{-5}$，第二个约 13.2，离 1 差得很远。

再看原始数据和归一化后的数据：
"""),
    given("plot_house", """
if Xh_train_norm is None:
    print("请先完成练习 1、3、4。")
else:
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    axes[0].scatter(Xh_train[0], Xh_train[1], s=10)
    axes[0].set_title("raw: x1 in (0, 1000), x2 in (0, 1)")
    axes[1].scatter(Xh_train_norm[0], Xh_train_norm[1], s=10)
    axes[1].set_title("normalized")
    for ax in axes:
        ax.set_aspect("equal", adjustable="datalim")
    plt.show()
"""),
    md(r"""
原始数据在等比例的坐标轴上被压成一条线：$x_2$ 的变化范围只有 $x_1$ 的千分之一。

现在分别在原始数据和归一化后的数据上做批量梯度下降，都从 $w = 0, b = 0$ 开始，学习率都取**各自能用的最大安全值** $1/L$（$L$ 是 cost 的 Hessian 矩阵的最大特征值，超过 $2/L$ 梯度下降就会发散），数一数要多少步才能让 $J$ 离最小值不到 $10^{-6}$（最多走 10000 步）：
"""),
    given("run_gradient_descent", """
if Xh_train_norm is None:
    print("请先完成练习 1、3、4。")
else:
    runs = {}
    for name, data in [("raw inputs", Xh_train), ("normalized inputs", Xh_train_norm)]:
        lr = safe_learning_rate(data)
        steps, path, costs = gradient_descent(data, yh_train, lr, max_steps=10000)
        w_opt, b_opt = least_squares(data, yh_train)
        print(f"{name:18s} learning rate {lr:.3g}: {steps} steps, J = {costs[-1]:.6f} (minimum {regression_cost(w_opt, b_opt, data, yh_train):.6f})")
        runs[name] = (data, yh_train, path)
    plot_cost_contours(runs)
"""),
    md(r"""
期望输出（学习率和 cost 写“≈”：它们来自特征值分解和矩阵乘法，不同 CPU 上最后几位可能不同；步数是精确的）：

- 原始输入：学习率 ≈ 3.82e-06，走满 **10000 步**仍未到达，$J \approx 0.764$，而最小值 $J^* \approx 0.00345$；
- 归一化输入：学习率 ≈ 0.889，只要 **5 步**就到达 $J^* \approx 0.00345$。

两个结果的最小值一样，因为归一化只是换了一组坐标，模型能表示的函数完全相同。差别在 cost 的形状：原始输入下，$J$ 沿 $w_1$ 方向极陡、沿 $w_2$ 方向极平（左图在等比例坐标下，等高线几乎是竖直的直线，也就是一个极其细长的椭圆碗），学习率必须小到不让 $w_1$ 方向振荡，于是 $w_2$ 方向几乎不动。归一化之后碗接近圆形（右图），梯度直接指向最小值，可以用大得多的学习率。

**要记住：**
- 归一化：减去均值 $\mu$，再**除以标准差 $\sigma$**（不是方差 $\sigma^2$），之后每个特征的均值为 0、方差为 1；
- $\mu$ 和 $\sigma$ 只在训练集上计算，开发集、测试集和新数据都用同样的 $\mu$ 和 $\sigma$；
- 特征的尺度相差越大，归一化带来的加速越明显；尺度本来就相近时，归一化也几乎没有坏处。
"""),
    md(r"""
## 4. 梯度消失与梯度爆炸

### 4.1 深层线性网络

为了看清问题，考虑一个极简的深层网络：每层 2 个单元，激活函数是恒等函数 $g(z) = z$，所有 $b^{[l]} = 0$。于是

$$\hat y = W^{[L]} W^{[L-1]} \cdots W^{[1]} x$$

如果每层都是 $W^{[l]} = a \cdot I$（$I$ 是单位矩阵），那么 $\hat y = a^L x$：$a = 1.5$ 时输出随层数**指数增长**（爆炸），$a = 0.5$ 时**指数衰减**（消失）。反向传播的梯度也是同样一串矩阵相乘，所以梯度同样会爆炸或消失。`deep_linear_output(x, a, L)` 逐层计算这个乘积：
"""),
    given("run_deep_linear", """
x = np.array([[1.0], [1.0]])
for a in (0.5, 1.0, 1.5):
    print(f"a = {a}: y_hat after 50 layers = {deep_linear_output(x, a, 50)[0, 0]:.6g}   a**50 = {a ** 50:.6g}")
plot_deep_linear((0.5, 1.0, 1.5), 50, x)
"""),
    md(r"""
期望输出：

```
a = 0.5: y_hat after 50 layers = 8.88178e-16   a**50 = 8.88178e-16
a = 1.0: y_hat after 50 layers = 1   a**50 = 1
a = 1.5: y_hat after 50 layers = 6.37622e+08   a**50 = 6.37622e+08
```

$a$ 只比 1 大一半或小一半，50 层之后就差了 $10^{8}$ 和 $10^{-15}$ 倍。真实网络有 150 层甚至更多，这样的放大或衰减会让梯度下降的每一步要么大得离谱，要么小到不动。

### 4.2 初始化的尺度

一个神经元计算 $z = w_1x_1 + \dots + w_nx_n$。若各个 $w_i$ 独立、均值为 0，则 $\mathrm{Var}(z) = n\,\mathrm{Var}(w)\,\mathrm{Var}(x)$：输入个数 $n$ 越大，$w$ 就应该越小，才能让 $z$ 的方差逐层保持不变。常用的几种尺度（$n^{[l-1]}$ 是第 $l$ 层的输入个数）：

| 名称 | 权重 | 适合 |
| --- | --- | --- |
| 全零 `"zeros"` | `np.zeros((n[l], n[l-1]))` | 什么都不适合（对称性无法打破） |
| 大随机数 `"random"` | `np.random.randn(n[l], n[l-1]) * 10` | 反面例子 |
| He `"he"` | `np.random.randn(n[l], n[l-1]) * np.sqrt(2 / n[l-1])` | ReLU |
| Xavier `"xavier"` | `np.random.randn(n[l], n[l-1]) * np.sqrt(2 / (n[l-1] + n[l]))` | tanh |

（“Xavier 初始化”有两种常见用法：课程讲义把 tanh 用的 `np.sqrt(1 / n[l-1])` 称为 Xavier 初始化；本练习的 `"xavier"` 指 Glorot 和 Bengio (2010) 兼顾反向传播的 `np.sqrt(2 / (n[l-1] + n[l]))`，与 Initialization 作业的加分题相同。注意它的括号：分母是两层单元数之和，写成 `np.sqrt(2/n[l-1] + n[l])` 是错的，ERRATA 1。）

**练习 5：** 实现 `activation_variances(X, layers_dims, initialization, activation, seed)`：做一次前向传播，$b^{[l]} = 0$，每层都用同一个激活函数（`"relu"` 或 `"tanh"`），返回 $A^{[1]}, \dots, A^{[L]}$ 各自的方差（`np.var`，对矩阵的全部元素求）组成的列表。

随机数的约定和 Initialization 作业一样：函数开头调用**一次** `np.random.seed(seed)`（已经写好），然后按 $l = 1, 2, \dots, L$ 的顺序逐层生成 $W^{[l]}$，每层一次 `np.random.randn(layers_dims[l], layers_dims[l-1])`（全零初始化不抽随机数）。
"""),
    graded("activation_variances", 2, r'''
def activation_variances(X, layers_dims, initialization, activation, seed):
    """
    Forward X through a deep network with zero biases; return the variance of each layer's activations.

    Arguments:
    X -- numpy array of shape (layers_dims[0], m), the input
    layers_dims -- python list [n_x, n_1, ..., n_L], the number of units of each layer
    initialization -- "zeros", "random" (randn * 10), "he" (randn * sqrt(2 / n[l-1]))
                      or "xavier" (randn * sqrt(2 / (n[l-1] + n[l])))
    activation -- "relu" or "tanh", used in every layer
    seed -- int; np.random.seed(seed) once, then W1, W2, ..., WL are drawn in this order

    Returns:
    variances -- python list of L floats, variances[l - 1] = np.var(A[l]) where
                 A[l] = activation(W[l] A[l-1]), A[0] = X, W[l] of shape (n_l, n_{l-1})
    """
    np.random.seed(seed)
    A = X
    variances = []
    L = len(layers_dims) - 1

    for l in range(1, L + 1):
        n_prev, n = layers_dims[l - 1], layers_dims[l]
        ### START CODE HERE ### (≈ 12 行代码 / 12 lines)
        ### BEGIN SOLUTION
        if initialization == "zeros":
            W = np.zeros((n, n_prev))
        elif initialization == "random":
            W = np.random.randn(n, n_prev) * 10
        elif initialization == "he":
            W = np.random.randn(n, n_prev) * np.sqrt(2 / n_prev)
        elif initialization == "xavier":
            W = np.random.randn(n, n_prev) * np.sqrt(2 / (n_prev + n))
        else:
            raise ValueError(f"unknown initialization {initialization!r}")
        Z = np.dot(W, A)
        A = np.maximum(0, Z) if activation == "relu" else np.tanh(Z)
        variances.append(float(np.var(A)))
        ### END SOLUTION
        ### END CODE HERE ###

    return variances
'''),
    public_test("activation_variances"),
    md(r"""
下面让 500 个 100 维的标准正态输入穿过 20 层、每层 100 个单元的网络，比较四种初始化。纵轴是对数坐标；全零初始化的方差处处为 0，画在最底下。
"""),
    given("run_variances", """
X_deep = np.random.RandomState(1).randn(100, 500)
deep_dims = [100] * 21
try:
    activation_variances(X_deep[:, :2], [100, 1], "zeros", "relu", seed=1)
    activations = ("relu", "tanh")
except NotImplementedError:
    activations = ()
    print("请先完成练习 5 (activation_variances)，再运行本单元。")
for activation in activations:
    results = {init: activation_variances(X_deep, deep_dims, init, activation, seed=1)
               for init in ("zeros", "random", "he", "xavier")}
    plot_activation_variances(results, f"Var(A[l]) through 20 {activation} layers")
    for init, v in results.items():
        print(f"{activation:4s} {init:6s}  layer 1: {v[0]:.3g}   layer 10: {v[9]:.3g}   layer 20: {v[19]:.3g}")
"""),
    md(r"""
期望输出（保留 3 位有效数字；它们来自矩阵乘法，不同 CPU 上最后几位可能不同，所以写“≈”；全零的 0 是精确的）：

| 激活 | 初始化 | 第 1 层 | 第 10 层 | 第 20 层 |
| --- | --- | --- | --- | --- |
| ReLU | zeros | 0 | 0 | 0 |
| ReLU | random | ≈ 3.42e+03 | ≈ 9.27e+36 | ≈ 1.31e+74 |
| ReLU | he | ≈ 0.684 | ≈ 0.949 | ≈ 1.37 |
| ReLU | xavier | ≈ 0.342 | ≈ 0.000927 | ≈ 1.31e-06 |
| tanh | zeros | 0 | 0 | 0 |
| tanh | random | ≈ 0.992 | ≈ 0.992 | ≈ 0.992 |
| tanh | he | ≈ 0.518 | ≈ 0.304 | ≈ 0.307 |
| tanh | xavier | ≈ 0.392 | ≈ 0.0507 | ≈ 0.0229 |

读图：

- **ReLU + He**：方差在 20 层里始终是 1 的量级，既不爆炸也不消失。$\sqrt{2/n}$ 里的 2 正好补偿了 ReLU 把一半的输入置零；
- **ReLU + 大随机数**：每层把方差放大约 $n \cdot 100 / 2 = 5000$ 倍，20 层之后到了 $10^{74}$：爆炸；
- **ReLU + Xavier**：这里每层输入输出都是 100 个单元，Xavier 的方差 $1/n$ 只有 He 的一半，ReLU 又砍掉一半，每层方差减半，20 层后只剩约 $10^{-6}$：消失；
- **全零**：第一层起所有激活都是 0，后面的层什么也收不到（梯度也一样，网络根本学不动）；
- **tanh**：tanh 的输出在 $(-1, 1)$ 之间，所以不会爆炸；大随机数让几乎所有单元都饱和在 $\pm 1$（方差 ≈ 1），饱和处导数接近 0，梯度反而消失了。He 让方差稳定在 ≈ 0.3，Xavier 则随层数缓慢变小（tanh 在 0 附近的斜率是 1，离开 0 就小于 1，每层都会略微压缩）。

**要记住：**
- 深层网络里，每层的一点点放大或缩小会被层数指数级地累积：$a^L$；
- 让 $\mathrm{Var}(W^{[l]})$ 与输入个数成反比（ReLU 用 He 的 $2/n^{[l-1]}$，tanh 用 $1/n^{[l-1]}$ 或 Xavier 的 $2/(n^{[l-1]} + n^{[l]})$），激活值的方差就能逐层保持稳定；
- 这不能彻底解决梯度消失和爆炸，但让深层网络的训练容易得多。

## 总结

- 先随机打乱，再切成训练/开发/测试集，每个 $x$ 和它的 $y$ 一起移动；开发集和测试集来自同一分布；
- 用训练集误差、开发集误差和贝叶斯误差诊断偏差和方差，先解决偏差，再解决方差；
- 输入归一化除以标准差 $\sigma$，开发集和测试集用训练集的 $\mu$ 和 $\sigma$；
- 初始化的尺度决定激活值（和梯度）的方差能否穿过很多层而不爆炸、不消失。
"""),
]

if __name__ == "__main__":
    write(notebook(cells), OUT)
    print(f"wrote {OUT}")
