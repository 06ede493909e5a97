"""Write source/regularization/Regularization.ipynb (the master notebook) from this script.

Run: python tools/author_regularization.py  (then `course release regularization`).

The figures quoted in the text (costs, accuracies) are those of the reference solution on
datasets/football.mat, classified by stability: the accuracies and the first cost are the same
under every OpenBLAS kernel (tools/kernel_matrix.py) and are stated exactly; later costs move in
their last digits and are stated with "≈" to the digits every kernel shares.
tests/test_regularization.py checks both.
"""
from pathlib import Path

from nbcells import graded, given, md, notebook, public_test, setup, write

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "source" / "regularization" / "Regularization.ipynb"

cells = [
    md(r"""
# 正则化 (Regularization)

深度神经网络的参数很多，表达能力很强。训练数据不够多的时候，这种能力反而会带来麻烦：网络不但学到了数据里真正的规律，
连偶然的噪声也一并“背”了下来。结果是训练集上的准确率很高，换一批没见过的数据就明显变差，这就是**过拟合 (overfitting)**，
也叫高方差 (high variance)。

**正则化 (regularization)** 是对付过拟合的一类方法。本练习用同一个 3 层网络、同一份数据，比较三种做法：

1. 不加正则化；
2. **L2 正则化**：在 cost 里加一项对大权重的惩罚；
3. **Dropout**：训练时每次迭代随机关闭一部分隐藏单元。

你要实现四个函数：带 L2 正则项的 cost 及其反向传播，带 dropout 的前向传播和反向传播。

**如何完成作业：** 只在 `### START CODE HERE ###` 与 `### END CODE HERE ###` 之间写代码，不要修改其他单元。
每个函数后面都有一个公开测试 (public test) 单元，运行它可以检查你的实现；提交后还会用另外的隐藏测试评分。
"""),
    setup("setup_imports", """
import numpy as np
from reg_utils import (sigmoid, relu, initialize_parameters, forward_propagation, backward_propagation,
                       update_parameters, compute_cost, predict, predict_dec, plot_decision_boundary,
                       load_2D_dataset, model, accuracy, train_and_evaluate, comparison_table,
                       plot_boundaries)

train_X, train_Y, test_X, test_Y = load_2D_dataset()
"""),
    given("plot_setup", """
import matplotlib.pyplot as plt
from public_tests import *

plt.rcParams['figure.figsize'] = (7.0, 4.0)  # 图的默认大小
plt.rcParams['image.interpolation'] = 'nearest'
plt.rcParams['image.cmap'] = 'gray'
"""),
    md(r"""
## 1. 问题：守门员该把球踢到哪里？

假设你刚刚加入一家为法国国家足球队做数据分析的公司。教练想知道：守门员开大脚时，应该把球踢向球场的哪些位置，
才更可能让本队球员抢到头球？

公司整理了过去若干场比赛的记录。守门员从球场左侧开球，每个点是球落下后被某个球员用头顶到的位置：

- **蓝点**（标签 1）：法国队球员顶到了球；
- **红点**（标签 0）：对方球员顶到了球。

数据是用固定的随机种子生成的，每次运行都完全相同：训练集 211 个点，测试集 200 个点。

这份数据是本课程自己生成的，不是原课程的 `football.mat`，所以下面的数字与原课程不同。原来的数据上，训练结束时有些点离决策边界只有千分之几，换一台机器（不同的 CPU 和 BLAS 库）准确率就可能变；我们的数据在分界线两侧留出了一条空白带，三个实验在任何机器上都给出相同的准确率。

- `train_X` 的形状是 `(2, 211)`：每一列是一个落点的两个坐标；`train_Y` 的形状是 `(1, 211)`；
- `test_X`、`test_Y` 的形状是 `(2, 200)` 和 `(1, 200)`。

**你的任务：** 训练一个分类器，预测落在某个位置的球会被哪一队顶到。
"""),
    given("plot_data", """
plt.scatter(train_X[0, :], train_X[1, :], c=train_Y.ravel(), s=40, cmap=plt.cm.Spectral)
plt.title("training set")
plt.show()
print("train_X:", train_X.shape, " train_Y:", train_Y.shape, " test_X:", test_X.shape, " test_Y:", test_Y.shape)
"""),
    md(r"""
观察这张图：左上方是蓝色（法国队的区域），右下方是红色（对方的区域），两者之间隔着一条斜线，斜线两旁有一条窄窄的空白带。
此外，离斜线不远的地方有一些点“站错了边”：红区里的蓝点、蓝区里的红点。它们是噪声，换一场比赛就不会出现在同样的位置。
一个好的分类器应该学到那条斜线，而不是绕着这些零星的点画圈。

## 2. 模型

`reg_utils.py` 里已经写好了一个 3 层网络：

$$\text{LINEAR} \to \text{RELU} \to \text{LINEAR} \to \text{RELU} \to \text{LINEAR} \to \text{SIGMOID}$$

各层单元数为 `[2, 20, 3, 1]`。训练函数的签名是

```python
model(X, Y, learning_rate=0.3, num_iterations=30000, print_cost=True, lambd=0, keep_prob=1)
```

它做 30000 步批量梯度下降 (batch gradient descent)，每 10000 步打印一次 cost，最后画出 cost 曲线。两个参数决定用哪种正则化：

- `lambd`：L2 正则化的超参数 $\lambda$。`lambda` 是 Python 的关键字，所以变量名写作 `lambd`。`lambd > 0` 时，`model` 调用你写的
  `compute_cost_with_regularization` 和 `backward_propagation_with_regularization`；
- `keep_prob`：dropout 中每个隐藏单元被**保留**的概率。`keep_prob < 1` 时，`model` 调用你写的
  `forward_propagation_with_dropout` 和 `backward_propagation_with_dropout`；
- 两者都取默认值时，就是不加正则化的普通网络（`reg_utils` 里的 `forward_propagation`、`compute_cost`、`backward_propagation`）。

本练习每次只试一种正则化，不同时使用两者。

关于随机数：`initialize_parameters` 内部设置了随机种子 3；`model` 在初始化参数之后、进入循环之前调用**一次**
`np.random.seed(1)`。这样整次训练可以复现，而每一次迭代仍然会抽到新的随机数。

下面每个实验都用 `train_and_evaluate(...)` 运行：它调用 `model` 训练，打印训练集和测试集的准确率，并在训练集上画出决策边界
(decision boundary)。每次训练需要几秒钟。
"""),
    md(r"""
## 3. 不加正则化

先训练一个不加任何正则化的网络，作为比较的基准。
"""),
    given("run_no_regularization", """
results = {}
results["no regularization"] = train_and_evaluate(train_X, train_Y, test_X, test_Y, "Model without regularization")
"""),
    md(r"""
期望输出 (expected output)：

```
Cost after iteration 0: 0.665190615791983
Cost after iteration 10000: ≈ 0.24767596003114
Cost after iteration 20000: ≈ 0.2260526365558
On the training set:
Accuracy: 0.9241706161137441
On the test set:
Accuracy: 0.87
```

标了 ≈ 的 cost 只给出了在各种机器上都相同的前几位：最后几位数字取决于你的机器（CPU 与 BLAS 库做矩阵乘法时的舍入顺序），与这里不同并不说明代码有错。准确率则在任何机器上都完全相同。

训练集准确率约 92.4%，测试集只有 87%，差了 5.4 个百分点。看决策边界：它不再是一条斜线，而是拐成了台阶状，把斜线下方一大块本属于红方的区域划给了蓝方，只为了多分对训练集里几个站错了边的蓝点。
这些点是噪声，网络为了在训练集上把它们分对，画出了一条过于复杂的边界；测试集里落在这块区域的红点就全被分错了。
这就是过拟合。下面看两种减轻过拟合的方法。
"""),
    md(r"""
## 4. L2 正则化

### 4.1 带正则项的 cost

原来的 cost 是交叉熵 (cross-entropy)：

$$J = -\frac{1}{m} \sum_{i=1}^{m} \left( y^{(i)}\log a^{[3](i)} + (1-y^{(i)})\log\left(1- a^{[3](i)}\right) \right) \tag{1}$$

L2 正则化在它后面加上所有权重的平方和，乘以 $\frac{\lambda}{2m}$：

$$J_{\text{regularized}} = \underbrace{-\frac{1}{m} \sum_{i=1}^{m} \left( y^{(i)}\log a^{[3](i)} + (1-y^{(i)})\log\left(1- a^{[3](i)}\right) \right)}_{\text{交叉熵}}
+ \underbrace{\frac{1}{m}\,\frac{\lambda}{2} \sum_{l=1}^{3}\sum_{k}\sum_{j} \left(W^{[l]}_{k,j}\right)^2}_{\text{L2 正则项}} \tag{2}$$

几点说明：

- 只惩罚权重 $W^{[1]}, W^{[2]}, W^{[3]}$，不惩罚偏置 $b$。偏置的个数比权重少得多，对模型复杂度的影响很小；
- $\sum_k\sum_j (W^{[l]}_{k,j})^2$ 是矩阵所有元素的平方和（Frobenius 范数的平方），可以写成 `np.sum(np.square(W))`；
- 系数 $\frac{1}{m}$ 让正则项与交叉熵一样按样本数平均，$\frac{1}{2}$ 只是为了求导后系数更简洁。

**练习 1：** 实现 `compute_cost_with_regularization`，按公式 (2) 计算正则项。交叉熵部分已经用 `compute_cost(A3, Y)` 算好了。
"""),
    graded("compute_cost_with_regularization", 2, '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    """
    带 L2 正则项的 cost，见公式 (2)。

    Arguments:
    A3 -- 前向传播的输出（sigmoid 之后），形状 (1, m)
    Y -- 真实标签，形状 (1, m)
    parameters -- python dict，含 "W1", "b1", "W2", "b2", "W3", "b3"
    lambd -- 正则化超参数 lambda，一个实数

    Returns:
    cost -- 正则化后的 cost，Python float
    """
    m = Y.shape[1]
    W1 = parameters["W1"]
    W2 = parameters["W2"]
    W3 = parameters["W3"]

    cross_entropy_cost = compute_cost(A3, Y)  # 交叉熵部分

    ### START CODE HERE ### (≈ 1 行代码 / 1 line)
    ### BEGIN SOLUTION
    L2_regularization_cost = (1 / m) * (lambd / 2) * (np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3)))
    ### END SOLUTION
    ### END CODE HERE ###

    cost = cross_entropy_cost + L2_regularization_cost
    return float(cost)
'''),
    public_test("compute_cost_with_regularization"),
    md(r"""
### 4.2 反向传播与“权重衰减”

cost 变了，梯度也要跟着变。偏置和激活值的梯度不受影响（正则项里没有它们），只有每个 $dW^{[l]}$ 多出一项：

$$\frac{\partial}{\partial W^{[l]}} \left( \frac{1}{m}\,\frac{\lambda}{2} \sum_{k,j} \left(W^{[l]}_{k,j}\right)^2 \right) = \frac{\lambda}{m} W^{[l]}$$

所以

$$dW^{[l]} = \underbrace{\frac{1}{m}\, dZ^{[l]} A^{[l-1]T}}_{\text{交叉熵的梯度}} + \frac{\lambda}{m} W^{[l]} \tag{3}$$

（$l = 1$ 时 $A^{[0]} = X$。）把它代入梯度下降的更新式：

$$W^{[l]} \leftarrow W^{[l]} - \alpha\, dW^{[l]} = \left(1 - \frac{\alpha\lambda}{m}\right) W^{[l]} - \alpha \cdot \frac{1}{m}\, dZ^{[l]} A^{[l-1]T}$$

每一步更新之前，权重先被乘上一个略小于 1 的数 $1 - \frac{\alpha\lambda}{m}$，好像在不停地“衰减”，
所以 L2 正则化也叫**权重衰减 (weight decay)**。

**练习 2：** 实现 `backward_propagation_with_regularization`。其余各行已经写好（与不带正则化的反向传播相同），
你只需按公式 (3) 写出三个 `dW`。
"""),
    graded("backward_propagation_with_regularization", 2, '''
def backward_propagation_with_regularization(X, Y, cache, lambd):
    """
    带 L2 正则化的 3 层网络的反向传播。

    Arguments:
    X -- 输入数据，形状 (n_x, m)
    Y -- 真实标签，形状 (1, m)
    cache -- forward_propagation 返回的 cache：(Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)
    lambd -- 正则化超参数 lambda，一个实数

    Returns:
    gradients -- python dict，含 "dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1"，
                 每个梯度的形状与它对应的量相同
    """
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache

    dZ3 = A3 - Y
    ### START CODE HERE ### (≈ 1 行代码 / 1 line)
    ### BEGIN SOLUTION
    dW3 = 1. / m * np.dot(dZ3, A2.T) + (lambd / m) * W3
    ### END SOLUTION
    ### END CODE HERE ###
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)

    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    ### START CODE HERE ### (≈ 1 行代码 / 1 line)
    ### BEGIN SOLUTION
    dW2 = 1. / m * np.dot(dZ2, A1.T) + (lambd / m) * W2
    ### END SOLUTION
    ### END CODE HERE ###
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)

    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    ### START CODE HERE ### (≈ 1 行代码 / 1 line)
    ### BEGIN SOLUTION
    dW1 = 1. / m * np.dot(dZ1, X.T) + (lambd / m) * W1
    ### END SOLUTION
    ### END CODE HERE ###
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)

    gradients = {"dZ3": dZ3, "dW3": dW3, "db3": db3,
                 "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
                 "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}
    return gradients
'''),
    public_test("backward_propagation_with_regularization"),
    md(r"""
### 4.3 用 L2 正则化训练

取 $\lambda = 0.7$ 训练同一个网络。
"""),
    given("run_l2", """
results["L2 (lambd=0.7)"] = train_and_evaluate(train_X, train_Y, test_X, test_Y, "Model with L2-regularization",
                                               lambd=0.7)
"""),
    md(r"""
期望输出：

```
Cost after iteration 0: 0.7068978127570092
Cost after iteration 10000: 0.2846995691773506
Cost after iteration 20000: 0.2845480541648456
On the training set:
Accuracy: 0.9146919431279621
On the test set:
Accuracy: 0.915
```

测试集准确率从 87% 提高到 91.5%；训练集准确率略有下降（92.4% → 91.5%），两者持平，过拟合消失了。
决策边界又变回了一条几乎笔直的斜线，不再为了个别噪声点拐弯。实际上，训练集和测试集里站错边的点各占约 8.5%，谁也不该把它们分对：91.5% 正是那条真实的斜线在两个数据集上能达到的准确率。（这里的 cost 包含正则项，所以数值比不加正则化时大，这并不说明模型更差。）

**L2 正则化在做什么？** 它的前提是：权重越大，模型越“复杂”。惩罚权重的平方，会把所有权重都推向较小的值。
权重小了，输入稍有变化时输出的变化也小，函数更平滑，也就画不出那些急转弯的边界。

**关于 $\lambda$：**

- $\lambda$ 是一个超参数 (hyperparameter)，应该在开发集 (dev set) 上调：多试几个值，选开发集表现最好的那个；
- $\lambda$ 太大，权重被压得太小，边界会“过于平滑”，模型连训练集都拟合不好，变成高偏差 (high bias)。
  学完本练习后，可以试试 `lambd=5`、`lambd=20` 看看会怎样。

**附：L1 正则化。** 把正则项换成权重绝对值之和，就是 L1 正则化。本课程采用的写法是
$\frac{\lambda}{m}\sum_{l}\sum_{k,j} \left|W^{[l]}_{k,j}\right|$（也有教材写成 $\frac{\lambda}{2m}$，两者只差一个常数，
相当于换了一个 $\lambda$；选定一种写法并保持一致即可）。L1 会让很多权重恰好变成 0（稀疏），但在神经网络里 L2 用得更多。

**要记住：** L2 正则化

- 在 cost 里加上 $\frac{\lambda}{2m}\sum \lVert W^{[l]} \rVert_F^2$；
- 在反向传播中给每个 $dW^{[l]}$ 加上 $\frac{\lambda}{m} W^{[l]}$；
- 使权重变小（权重衰减），决策边界更平滑。
"""),
    md(r"""
## 5. Dropout

**Dropout**（随机失活）是深度学习中很常用的另一种正则化方法：训练时，**每次迭代**都随机关闭一部分隐藏单元。

被关闭的单元在这一次迭代中输出为 0，既不参与前向传播，也不参与反向传播。于是每次迭代实际训练的是原网络的一个随机“子网络”；
下一次迭代换一批单元关闭，又是另一个子网络。任何一个单元都不能指望某几个输入一定存在，因为它们随时可能被关掉，
所以它不会把太大的权重押在少数几个输入上，权重被分散开。这与 L2 正则化收缩权重的效果相似。

`keep_prob` 是每个单元被**保留**的概率。本练习取 `keep_prob = 0.86`：每次迭代中，第 1、2 个隐藏层的每个单元
以 86% 的概率保留、以 $1 - 0.86 = 14\%$ 的概率被关闭。

### 5.1 带 dropout 的前向传播

我们只对两个隐藏层的激活值 $A^{[1]}$、$A^{[2]}$ 做 dropout，不对输入层和输出层做。对 $A^{[1]}$ 分四步（$A^{[2]}$ 相同）：

1. 生成一个与 $A^{[1]}$ 形状相同、元素在 $[0, 1)$ 上均匀分布的随机矩阵，用 `np.random.rand(*A1.shape)`
   （`*` 把形状元组展开成两个参数，与 `np.random.rand(A1.shape[0], A1.shape[1])` 相同）；
2. 把它与 `keep_prob` 比较（`<`），得到掩码 (mask) $D^{[1]}$：每个元素以概率 `keep_prob` 为 `True`（保留），
   以概率 `1 - keep_prob` 为 `False`（关闭）。布尔值参与乘法时，`True` 当作 1，`False` 当作 0；
3. 关闭单元：$A^{[1]} \leftarrow A^{[1]} \odot D^{[1]}$（$\odot$ 表示逐元素相乘，numpy 里就是 `*`）；
4. 放大保留下来的单元：$A^{[1]} \leftarrow A^{[1]} / \text{keep\_prob}$。

第 4 步叫 **inverted dropout**。单元 $a$ 乘上掩码后，期望值变成 $\text{keep\_prob} \cdot a$，
再除以 `keep_prob` 就恢复为 $a$：

$$\mathbb{E}\left[\frac{d \cdot a}{\text{keep\_prob}}\right] = \frac{\text{keep\_prob} \cdot a}{\text{keep\_prob}} = a$$

这样下一层收到的输入在平均意义上与不做 dropout 时一样大，测试时就可以直接用普通的前向传播，既不关闭单元，也不用再缩放。

**关于随机种子：** 函数内部**不要**调用 `np.random.seed`。如果每次调用都重新设置种子，每次迭代抽到的掩码就完全相同，
关闭的永远是同一批单元，这样训练的只是一个固定的、更小的网络，而不是 dropout。种子由 `model` 在训练开始前设置一次；
公开测试和隐藏测试也是在调用你的函数之前设置种子。生成掩码的顺序也要固定：先 $D^{[1]}$，后 $D^{[2]}$，
这样同样的种子才能得到同样的结果。

**练习 3：** 实现 `forward_propagation_with_dropout`，并把 `D1`、`D2` 存进 cache（反向传播要用）。
cache 中的 `A1`、`A2` 是 dropout **之后**的值。
"""),
    graded("forward_propagation_with_dropout", 3, '''
def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):
    """
    前向传播 LINEAR -> RELU + DROPOUT -> LINEAR -> RELU + DROPOUT -> LINEAR -> SIGMOID。

    Arguments:
    X -- 输入数据，形状 (n_x, m)
    parameters -- python dict，含 "W1", "b1", "W2", "b2", "W3", "b3"：
                    W1 -- 形状 (n1, n_x)，b1 -- 形状 (n1, 1)
                    W2 -- 形状 (n2, n1)，b2 -- 形状 (n2, 1)
                    W3 -- 形状 (1, n2)， b3 -- 形状 (1, 1)
    keep_prob -- 每个隐藏单元被保留的概率，一个实数

    Returns:
    A3 -- 输出层的激活值，形状 (1, m)
    cache -- tuple (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)，供反向传播使用；
             D1、D2 是掩码，A1、A2 是 dropout 之后的激活值
    """
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]
    W3 = parameters["W3"]
    b3 = parameters["b3"]

    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    ### START CODE HERE ### (≈ 4 行代码 / 4 lines)
    ### BEGIN SOLUTION
    D1 = np.random.rand(*A1.shape)   # 步骤 1：与 A1 形状相同的 [0, 1) 均匀随机数
    D1 = D1 < keep_prob              # 步骤 2：以概率 keep_prob 保留
    A1 = A1 * D1                     # 步骤 3：关闭被选中的单元
    A1 = A1 / keep_prob              # 步骤 4：inverted dropout，保持期望值不变
    ### END SOLUTION
    ### END CODE HERE ###

    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    ### START CODE HERE ### (≈ 4 行代码 / 4 lines)
    ### BEGIN SOLUTION
    D2 = np.random.rand(*A2.shape)
    D2 = D2 < keep_prob
    A2 = A2 * D2
    A2 = A2 / keep_prob
    ### END SOLUTION
    ### END CODE HERE ###

    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)

    cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
    return A3, cache
'''),
    public_test("forward_propagation_with_dropout"),
    md(r"""
### 5.2 带 dropout 的反向传播

前向传播中，$A^{[1]}$ 先乘上掩码 $D^{[1]}$ 再除以 `keep_prob`；反向传播时，梯度 $dA^{[1]}$ 要经过**同样**的两步：

1. 乘上掩码 $D^{[1]}$：前向传播时被关闭的单元对 cost 没有贡献，它们的梯度是 0。必须用前向传播**同一个**掩码
   （从 cache 里取），不能重新生成；
2. 除以 `keep_prob`：前向传播时乘了 $\frac{1}{\text{keep\_prob}}$，按链式法则，梯度也要乘同样的因子。

对 $dA^{[2]}$ 和 $D^{[2]}$ 做同样的处理。

**练习 4：** 实现 `backward_propagation_with_dropout`。
"""),
    graded("backward_propagation_with_dropout", 3, '''
def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    """
    带 dropout 的 3 层网络的反向传播。

    Arguments:
    X -- 输入数据，形状 (n_x, m)
    Y -- 真实标签，形状 (1, m)
    cache -- forward_propagation_with_dropout 返回的 cache
    keep_prob -- 每个隐藏单元被保留的概率（与前向传播时相同）

    Returns:
    gradients -- python dict，含 "dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1"，
                 每个梯度的形状与它对应的量相同
    """
    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache

    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    ### START CODE HERE ### (≈ 2 行代码 / 2 lines)
    ### BEGIN SOLUTION
    dA2 = dA2 * D2              # 步骤 1：与前向传播关闭同样的单元
    dA2 = dA2 / keep_prob       # 步骤 2：与前向传播同样地缩放
    ### END SOLUTION
    ### END CODE HERE ###
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)

    dA1 = np.dot(W2.T, dZ2)
    ### START CODE HERE ### (≈ 2 行代码 / 2 lines)
    ### BEGIN SOLUTION
    dA1 = dA1 * D1
    dA1 = dA1 / keep_prob
    ### END SOLUTION
    ### END CODE HERE ###
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)

    gradients = {"dZ3": dZ3, "dW3": dW3, "db3": db3,
                 "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
                 "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}
    return gradients
'''),
    public_test("backward_propagation_with_dropout"),
    md(r"""
### 5.3 用 dropout 训练

取 `keep_prob = 0.86` 训练：每次迭代，两个隐藏层的每个单元各以 14% 的概率被关闭，每次关闭的是不同的单元。
"""),
    given("run_dropout", """
results["dropout (keep_prob=0.86)"] = train_and_evaluate(train_X, train_Y, test_X, test_Y, "Model with dropout",
                                                         keep_prob=0.86)
"""),
    md(r"""
期望输出：

```
Cost after iteration 0: 0.6652553144742724
Cost after iteration 10000: ≈ 0.2294268310449
Cost after iteration 20000: ≈ 0.222542627779
On the training set:
Accuracy: 0.9241706161137441
On the test set:
Accuracy: 0.91
```

测试集准确率从 87% 提高到 91%，训练集与测试集的差距从 5.4 个百分点缩小到 1.4 个百分点。与 L2 不同，dropout 的训练集准确率没有下降（仍是 92.4%），它的决策边界是一条略带弯曲的斜线，与 L2 的直线并不相同：两种方法限制模型的方式不一样，结果也不完全一样。

几点注意：

- **只在训练时使用 dropout。** 训练好之后，`predict` 用的是普通的 `forward_propagation`，不关闭任何单元，也不缩放；
  正因为训练时做了 inverted dropout，这里什么都不用改；
- **前向和反向传播都要用到掩码**，而且必须是同一个；
- 打印出来的 cost 是随机子网络的 cost，每次迭代的网络都不一样，它不再是一个固定函数的值，曲线会有些抖动。
  调试时可以先把 `keep_prob` 设为 1，确认 cost 单调下降，再打开 dropout；
- 做梯度检验 (gradient checking) 时要关闭 dropout（`keep_prob = 1`），否则每次计算的 cost 都不同，数值梯度没有意义；
- 不同的层可以用不同的 `keep_prob`：单元多、更容易过拟合的层可以设小一些，单元少的层设大一些甚至为 1。
"""),
    md(r"""
## 6. 三个模型的对比

参考实现在本练习数据上的结果：

| 模型（3 层网络） | 训练集准确率 | 测试集准确率 |
| --- | --- | --- |
| 不加正则化 | 92.42% | 87.00% |
| L2 正则化，$\lambda = 0.7$ | 91.47% | 91.50% |
| Dropout，`keep_prob = 0.86` | 92.42% | 91.00% |

下面的单元格用你在上面跑出的结果重新生成这张表，并在**测试集**上画出三个模型的决策边界。
"""),
    given("comparison", """
comparison_table(results)
plot_boundaries(results, test_X, test_Y, " (test set)")
"""),
    md(r"""
两种正则化都限制了网络去迎合训练集里的每一个点（包括噪声）：L2 为此付出了约 1 个百分点的训练集准确率，dropout 则没有。
正是这种限制，让测试集准确率提高了 4 到 4.5 个百分点。我们关心的是模型在没见过的数据上的表现，所以即使要牺牲一点训练集上的表现，这笔交换也是值得的。

## 总结：要记住

- 过拟合的表现是训练集上的表现明显好于开发集 / 测试集；正则化可以减轻过拟合；
- **L2 正则化**：cost 加上 $\frac{\lambda}{2m}\sum_l \lVert W^{[l]} \rVert_F^2$，每个 $dW^{[l]}$ 加上 $\frac{\lambda}{m}W^{[l]}$；
  权重在每一步都被“衰减”，模型更平滑。$\lambda$ 是要在开发集上调的超参数，太大会导致高偏差；
- **Dropout**：训练时每次迭代用新的随机掩码关闭一部分隐藏单元，并除以 `keep_prob`（inverted dropout）保持期望值不变；
  反向传播用同一个掩码、同样的缩放；测试时不做 dropout；
- 每个单元被关闭的概率是 `1 - keep_prob`（`keep_prob = 0.86` 即 14%）；
- 随机种子在训练开始前设置一次，dropout 的前向传播内部不能重设种子，否则每次迭代关闭的都是同一批单元；
- 两种方法都把权重推向较小的值，让模型不去迎合训练集里的噪声，换取更好的泛化能力（代价通常是训练集上的表现略有下降）。
"""),
]

if __name__ == "__main__":
    write(notebook(cells), OUT)
    print(f"wrote {OUT}")
