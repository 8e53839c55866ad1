"""A TF1-style script as tutorials wrote them (only the import differs); run by test_tf1_scripts."""
import numpy as np
import minitf as tf
from minitf.contrib import rnn
timesteps, num_input, num_hidden, num_classes = 7, 5, 16, 3
X = tf.placeholder("float", [None, timesteps, num_input]); Y = tf.placeholder("float", [None, num_classes])
weights = {'out': tf.Variable(tf.random_normal([num_hidden, num_classes]))}
biases = {'out': tf.Variable(tf.random_normal([num_classes]))}
def RNN(x, weights, biases):
    x = tf.unstack(x, timesteps, 1)
    lstm_cell = rnn.BasicLSTMCell(num_hidden, forget_bias=1.0)
    outputs, states = rnn.static_rnn(lstm_cell, x, dtype=tf.float32)
    return tf.matmul(outputs[-1], weights['out']) + biases['out']
logits = RNN(X, weights, biases)
prediction = tf.nn.softmax(logits)
loss_op = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=Y))
train_op = tf.train.GradientDescentOptimizer(learning_rate=0.5).minimize(loss_op)
correct_pred = tf.equal(tf.argmax(prediction, 1), tf.argmax(Y, 1))
accuracy = tf.reduce_mean(tf.cast(correct_pred, tf.float32))
rng = np.random.RandomState(1)
xs = rng.randn(300, timesteps, num_input).astype(np.float32)
ys = np.eye(3)[(xs[:, :, 0].sum(1) > 0).astype(int) + (xs[:, -1, 1] > 1)].astype(np.float32)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(300):
        i = (step * 30) % 300
        sess.run(train_op, feed_dict={X: xs[i:i+30], Y: ys[i:i+30]})
    acc = sess.run(accuracy, feed_dict={X: xs, Y: ys})
    print("acc", acc)
    assert acc > 0.8
