"""tf.nn namespace (under construction)."""
