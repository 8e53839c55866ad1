"""Process-level helpers of the TF 1.x API: ``tf.app``, ``tf.flags``, ``tf.logging``,
``tf.gfile`` and the eager/v2 switches (graph mode is the only mode)."""
