"""A TF1-style script as tutorials wrote them (only the import differs); run by test_tf1_scripts."""
import os
import numpy as np
import minitf as tf
tf.set_random_seed(0)
def generator(z, reuse=False):
    with tf.variable_scope("generator", reuse=reuse):
        h = tf.layers.dense(z, 32, activation=tf.nn.leaky_relu)
        return tf.layers.dense(h, 2)
def discriminator(x, training, reuse=False):
    with tf.variable_scope("discriminator", reuse=reuse):
        h = tf.layers.dense(x, 32)
        h = tf.layers.batch_normalization(h, training=training)
        h = tf.nn.relu(h)
        return tf.layers.dense(h, 1)
z = tf.placeholder(tf.float32, [None, 4]); real = tf.placeholder(tf.float32, [None, 2])
training = tf.placeholder_with_default(True, [])
fake = generator(z)
d_real = discriminator(real, training); d_fake = discriminator(fake, training, reuse=True)
d_loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(logits=d_real, labels=tf.ones_like(d_real))) + \
         tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(logits=d_fake, labels=tf.zeros_like(d_fake)))
g_loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(logits=d_fake, labels=tf.ones_like(d_fake)))
d_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="discriminator")
g_vars = [v for v in tf.trainable_variables() if v.name.startswith("generator/")]
update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
print(len(d_vars), len(g_vars), len(update_ops))
global_step = tf.train.get_or_create_global_step()
lr = tf.train.exponential_decay(0.01, global_step, 100, 0.9, staircase=True)
with tf.control_dependencies(update_ops):
    opt = tf.train.AdamOptimizer(lr, beta1=0.5)
    grads, vs = zip(*opt.compute_gradients(d_loss, var_list=d_vars))
    grads, _ = tf.clip_by_global_norm(grads, 5.0)
    d_train = opt.apply_gradients(zip(grads, vs), global_step=global_step)
g_train = tf.train.AdamOptimizer(lr, beta1=0.5).minimize(g_loss, var_list=g_vars)
saver = tf.train.Saver(max_to_keep=2)
os.makedirs("ckpt", exist_ok=True)
writer = tf.summary.FileWriter("logs", tf.get_default_graph())
summ = tf.summary.merge([tf.summary.scalar("d_loss", d_loss), tf.summary.histogram("fake", fake)])
rng = np.random.RandomState(0)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(300):
        r = rng.randn(64, 2) * 0.1 + [2.0, -1.0]
        zz = rng.randn(64, 4)
        _, dl, s = sess.run([d_train, d_loss, summ], {z: zz, real: r})
        _, gl = sess.run([g_train, g_loss], {z: zz})
        writer.add_summary(s, step)
    path = saver.save(sess, "ckpt/model", global_step=global_step)
    print("step", sess.run(global_step), "lr", sess.run(lr), "fake mean", sess.run(fake, {z: rng.randn(500, 4), training: False}).mean(0))
    mm = [v for v in tf.global_variables() if "moving_mean" in v.name][0]
    print(mm.name, sess.run(mm)[:3])
writer.close()
with tf.Session() as sess:
    saver.restore(sess, tf.train.latest_checkpoint("ckpt"))
    print("restored step", sess.run(global_step))
    assert sess.run(global_step) == 300
