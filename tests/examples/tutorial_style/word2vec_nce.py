"""A TF1-style script as tutorials wrote them (only the import differs); run by test_tf1_scripts."""
import math, numpy as np
import minitf as tf
vocabulary_size, embedding_size, batch_size, num_sampled = 50, 16, 32, 8
valid_examples = np.random.choice(20, 4, replace=False)
graph = tf.Graph()
with graph.as_default():
    train_inputs = tf.placeholder(tf.int32, shape=[batch_size])
    train_labels = tf.placeholder(tf.int32, shape=[batch_size, 1])
    valid_dataset = tf.constant(valid_examples, dtype=tf.int32)
    with tf.device('/cpu:0'):
        embeddings = tf.Variable(tf.random_uniform([vocabulary_size, embedding_size], -1.0, 1.0))
        embed = tf.nn.embedding_lookup(embeddings, train_inputs)
        nce_weights = tf.Variable(tf.truncated_normal([vocabulary_size, embedding_size], stddev=1.0 / math.sqrt(embedding_size)))
        nce_biases = tf.Variable(tf.zeros([vocabulary_size]))
    loss = tf.reduce_mean(tf.nn.nce_loss(weights=nce_weights, biases=nce_biases, labels=train_labels, inputs=embed, num_sampled=num_sampled, num_classes=vocabulary_size))
    tf.summary.scalar('loss', loss)
    optimizer = tf.train.GradientDescentOptimizer(1.0).minimize(loss)
    norm = tf.sqrt(tf.reduce_sum(tf.square(embeddings), 1, keepdims=True))
    normalized_embeddings = embeddings / norm
    valid_embeddings = tf.nn.embedding_lookup(normalized_embeddings, valid_dataset)
    similarity = tf.matmul(valid_embeddings, normalized_embeddings, transpose_b=True)
    merged = tf.summary.merge_all()
    init = tf.global_variables_initializer()
    saver = tf.train.Saver()
with tf.Session(graph=graph) as session:
    init.run()
    avg = 0
    for step in range(200):
        bi = np.random.randint(0, vocabulary_size, batch_size)
        bl = ((bi + 1) % vocabulary_size).reshape(-1, 1)
        _, summary, lv = session.run([optimizer, merged, loss], feed_dict={train_inputs: bi, train_labels: bl})
        avg += lv
    print("avg loss", avg / 200)
    assert np.isfinite(avg) and avg / 200 < 5
    sim = similarity.eval()
    print(sim.shape, (-sim[0, :]).argsort()[1:4])
    final_embeddings = normalized_embeddings.eval()
