"""Op kernels: numpy implementations of TensorFlow ops, one registry keyed by op name."""
