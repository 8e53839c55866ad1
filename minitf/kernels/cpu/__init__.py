"""CPU kernels: importing this package registers them (minitf.kernels.registry imports it on
the first plan build). Kernel modules must stay cheap to import: numba is imported inside
factories / code generation, never at module level.

Other kernel families add their modules to the ``from minitf.kernels.cpu import ...`` line
below (e.g. ``elementwise, nn_activation, nn_conv, reductions``). The plan rewrites (constant
folding, CSE, elementwise fusion) register when ``minitf.runtime.rewrites`` is imported; it is
imported here so that they are active from the first plan build on.
"""

import minitf.runtime.rewrites  # noqa: F401
from minitf.kernels.cpu import (  # noqa: F401
    array_kernels,
    elementwise,
    matmul,
    nn_activation,
    nn_bias,
    nn_conv,
    nn_pool,
    nn_softmax,
    reductions,
    training_kernels,
)
