"""A TF1-style script as tutorials wrote them (only the import differs); run by test_tf1_scripts."""
import numpy as np
import minitf as tf
rng = np.random.RandomState(0)
X_ = rng.randn(500, 10).astype(np.float32); W_ = rng.randn(10, 3)
Y_ = np.eye(3)[np.argmax(X_ @ W_, 1)].astype(np.float32)
x = tf.placeholder("float", [None, 10]); y = tf.placeholder("float", [None, 3])
W = tf.Variable(tf.zeros([10, 3])); b = tf.Variable(tf.zeros([3]))
pred = tf.nn.softmax(tf.matmul(x, W) + b)
cost = tf.reduce_mean(-tf.reduce_sum(y*tf.log(pred), reduction_indices=1))
optimizer = tf.train.GradientDescentOptimizer(0.5).minimize(cost)
init = tf.initialize_all_variables()
with tf.Session() as sess:
    sess.run(init)
    for epoch in range(50):
        for i in range(0, 500, 50):
            _, c = sess.run([optimizer, cost], feed_dict={x: X_[i:i+50], y: Y_[i:i+50]})
    correct_prediction = tf.equal(tf.argmax(pred, 1), tf.argmax(y, 1))
    accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))
    acc = accuracy.eval({x: X_, y: Y_})
    print("Accuracy:", acc)
    assert acc > 0.9
    print(tf.shape(x), x.get_shape(), tf.rank(x).eval())
