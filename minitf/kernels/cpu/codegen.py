"""Generated elementwise kernels: one numba loop over memory for a DAG of elementwise ops.

A :class:`GroupSpec` describes the computation structurally — op types, the attributes their
scalar expressions use, dtypes, how values flow — never the values, so equal structures share
one kernel, cached in memory and on disk (:mod:`minitf.kernels.cpu.jit_cache`). A
:class:`FusedKernel` is what a plan step calls: it binds a spec to the group's constant inputs
and picks a compiled *variant* per call:

* ``flat`` — every array input has the output's shape (role ``F``: read ``x[i]``) or holds one
  value (``S``: read once); arrays are passed raveled. The common case, and the only one that
  needs no per-call shape work beyond comparing shapes.
* ``nd`` — general broadcasting: inputs are ``np.broadcast_to`` views of the output's rank.

Scalar constants of the group (``x * 2.0``) travel in one parameter vector per dtype, so the
kernel's signature stays short and its cache key value-free. Large outputs are split across
threads (kernels are ``nogil``).

Compilation policy: a kernel is compiled (or loaded from numba's disk cache) at plan build when
one of its ops is not bit-exact (exp, tanh ...: a plan's results must not change from one run
to the next), or when its static size is large and numba is already loaded. Otherwise —
arithmetic only, where the generated kernel gives the references' exact bits — it compiles when
the step runs for the ``hot_after``-th time (default 2), and until then the step runs its ops'
own kernels (so a fresh process's initializer run never imports numba). Plans
that run once (most of a test suite) skip numba's compile time; steady-state runs never pay it.
Any failure of the fast path (a dtype the kernel was not built for, a shape that does not
broadcast ...) falls back to the op-by-op kernels: reference semantics, errors naming the op.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from minitf.kernels.cpu import scalar_exprs

__all__ = ["fusable_op", "Node", "InputSpec", "GroupSpec", "FusedKernel", "jit_options",
           "variant_source", "kernel_threads", "compile_stats"]

# --- policy knobs ---------------------------------------------------------------------------------


def _numba_loaded() -> bool:
    """Large exact groups compile early only when numba is loaded already: loading it takes
    0.3-1.2 s, which a plan that runs once (a fresh process's initializer run) should not pay
    for a kernel it calls once."""
    return "numba" in sys.modules


@dataclass
class _Options:
    hot_after: int = int(os.environ.get("MINITF_JIT_HOT_AFTER", "2"))
    eager_min_size: int = 1 << 16
    parallel_min_size: int = 1 << 17


_options = _Options()


@contextlib.contextmanager
def jit_options(hot_after: int | None = None, eager_min_size: int | None = None,
                parallel_min_size: int | None = None) -> Iterator[None]:
    """Overrides the compilation policy for kernels created inside the block (tests, benches).
    ``hot_after=0`` compiles at plan build."""
    saved = _Options(**vars(_options))
    if hot_after is not None:
        _options.hot_after = hot_after
    if eager_min_size is not None:
        _options.eager_min_size = eager_min_size
    if parallel_min_size is not None:
        _options.parallel_min_size = parallel_min_size
    try:
        yield
    finally:
        for k, v in vars(saved).items():
            setattr(_options, k, v)


def kernel_threads() -> int:
    """Threads a large kernel may use: $MINITF_NUM_THREADS, else the CPUs this process may use
    (at most 8)."""
    env = os.environ.get("MINITF_NUM_THREADS")
    if env:
        return max(1, int(env))
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        n = os.cpu_count() or 1
    return max(1, min(n, 8))


# --- structure ------------------------------------------------------------------------------------

def fusable_op(op: Any) -> bool:
    """An op a generated kernel can compute: elementwise (``OpDef.extra["elementwise"]``), with
    a scalar expression, not stateful, one output, float32/float64 inputs and output."""
    op_def = op.op_def
    if not op_def.extra.get("elementwise") or op_def.stateful or len(op._outputs) != 1:
        return False
    if scalar_exprs.lookup(op.type) is None or not op._inputs:
        return False
    if any(a.is_ref for a in op_def.inputs):
        return False
    floats = scalar_exprs.FLOAT_DTYPES
    return op._outputs[0].dtype.base_dtype.name in floats and \
        all(t.dtype.base_dtype.name in floats for t in op._inputs)


@dataclass(frozen=True)
class Node:
    """One op of a group: ``args`` index the group's values (inputs first, then nodes)."""

    op_type: str
    dtype: str
    args: tuple[int, ...]
    attrs: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class InputSpec:
    """One input of a group; ``param``: a single constant value, read from the param vector."""

    dtype: str
    param: bool = False


@dataclass(frozen=True)
class GroupSpec:
    inputs: tuple[InputSpec, ...]
    nodes: tuple[Node, ...]
    _key: list[str] = field(default_factory=list, compare=False, repr=False)

    @property
    def out_dtype(self) -> str:
        return self.nodes[-1].dtype

    @property
    def exact(self) -> bool:
        """Every op is bit-identical to its reference."""
        return all(getattr(scalar_exprs.lookup(n.op_type), "exact", False) for n in self.nodes)

    @property
    def array_inputs(self) -> list[int]:
        return [i for i, s in enumerate(self.inputs) if not s.param]

    def structure(self) -> str:
        ins = ",".join(f"{s.dtype}{'*' if s.param else ''}" for s in self.inputs)
        nodes = ";".join(f"{n.op_type}{list(n.attrs) if n.attrs else ''}:{n.dtype}"
                         f"({','.join(map(str, n.args))})" for n in self.nodes)
        return f"in[{ins}] {nodes}"

    def key(self) -> str:
        """A value-free hash of the structure and of the code generator's version."""
        if not self._key:
            from minitf.kernels.cpu.jit_cache import code_version

            text = f"{code_version()}|{self.structure()}"
            self._key.append(hashlib.sha256(text.encode()).hexdigest()[:24])
        return self._key[0]


# --- source generation ----------------------------------------------------------------------------

def _array_type(dt: str, ndim: int, layout: str, readonly: bool) -> str:
    return f"types.Array(types.{dt}, {ndim}, {layout!r}, readonly={readonly})"


def _body(spec: GroupSpec, load: Callable[[int], str], indent: str) -> list[str]:
    """Statements computing every node; inputs come from ``load(i)``."""
    n_in = len(spec.inputs)
    names = [load(i) for i in range(n_in)]
    lines = []
    for j, node in enumerate(spec.nodes):
        expr = scalar_exprs.lookup(node.op_type)
        if expr is None:
            raise KeyError(f"no scalar expression for {node.op_type}")
        src = expr.build([names[a] for a in node.args], node.dtype, dict(node.attrs))
        lines.append(f"{indent}t{j} = {src}")
        names.append(f"t{j}")
    return lines


def variant_source(spec: GroupSpec, variant: tuple[Any, ...]) -> str:
    """Python source of one compiled variant: ``("flat", roles)`` or ``("nd", rank)``."""
    arrays = spec.array_inputs
    pdtypes = sorted({s.dtype for s in spec.inputs if s.param})
    pindex: dict[int, str] = {}
    counts = dict.fromkeys(pdtypes, 0)
    for i, s in enumerate(spec.inputs):
        if s.param:
            pindex[i] = f"p_{s.dtype}[{counts[s.dtype]}]"
            counts[s.dtype] += 1
    kind = variant[0]
    argnames = [f"x{i}" for i in arrays] + [f"p_{d}" for d in pdtypes] + ["out"]
    out_dt = spec.out_dtype
    if kind == "flat":
        roles = variant[1]
        sig_in = [_array_type(spec.inputs[i].dtype, 1, "C", True) for i in arrays]
        sig_out = _array_type(out_dt, 1, "C", False)
    else:
        rank = variant[1]
        sig_in = [_array_type(spec.inputs[i].dtype, rank, "A", True) for i in arrays]
        sig_out = _array_type(out_dt, rank, "C", False)
    sig_p = [_array_type(d, 1, "C", True) for d in pdtypes]
    lines = [
        "# Generated by minitf.kernels.cpu.codegen: a fused elementwise kernel. Do not edit;",
        "# the file name is a hash of the structure below and of the generator's version.",
        f"# {spec.structure()}",
        f"# variant: {variant!r}",
        "import math",
        "",
        "import numpy as np",
        "from numba import njit, types",
        "",
        "from minitf.kernels.cpu import vmath as _vm",
        "",
        f"SIGNATURE = types.void({', '.join(sig_in + sig_p + [sig_out])})",
        "",
        "",
        '@njit(SIGNATURE, cache=True, nogil=True, error_model="numpy")',
        f"def kernel({', '.join(argnames)}):",
    ]
    for i, ref in pindex.items():
        lines.append(f"    c{i} = {ref}")
    if kind == "flat":
        for pos, i in enumerate(arrays):
            if roles[pos] == "S":
                lines.append(f"    s{i} = x{i}[0]")
        lines.append("    for i in range(out.size):")

        def load(i: int) -> str:
            if spec.inputs[i].param:
                return f"c{i}"
            return f"s{i}" if roles[arrays.index(i)] == "S" else f"x{i}[i]"

        lines.extend(_body(spec, load, "        "))
        lines.append(f"        out[i] = t{len(spec.nodes) - 1}")
    else:
        rank = variant[1]
        idx = ", ".join(f"j{d}" for d in range(rank))
        lines.append(f"    {', '.join(f'n{d}' for d in range(rank))}, = out.shape")
        for d in range(rank):
            lines.append(f"{'    ' * (d + 1)}for j{d} in range(n{d}):")
        indent = "    " * (rank + 1)

        def load_nd(i: int) -> str:
            return f"c{i}" if spec.inputs[i].param else f"x{i}[{idx}]"

        lines.extend(_body(spec, load_nd, indent))
        lines.append(f"{indent}out[{idx}] = t{len(spec.nodes) - 1}")
    return "\n".join(lines) + "\n"


# --- compiled variants (process-wide) -------------------------------------------------------------

_compiled: dict[str, Any] = {}
_compile_lock = threading.RLock()
_stats = {"compiled": 0, "loaded": 0, "seconds": 0.0}


def compile_stats() -> dict[str, float]:
    """Kernels compiled / loaded from numba's disk cache in this process, and the seconds spent."""
    return dict(_stats)


def _variant_key(spec: GroupSpec, variant: tuple[Any, ...]) -> str:
    tag = variant[1] if variant[0] == "flat" else f"nd{variant[1]}"
    return f"{spec.key()}_{tag}"


def _variant_kernel(spec: GroupSpec, variant: tuple[Any, ...]) -> Any:
    """The numba dispatcher of one variant (compiled, or loaded from the disk cache)."""
    key = _variant_key(spec, variant)
    k = _compiled.get(key)
    if k is not None:
        return k
    with _compile_lock:
        k = _compiled.get(key)
        if k is not None:
            return k
        import time

        from minitf.kernels.cpu import jit_cache

        t0 = time.perf_counter()
        mod = jit_cache.load_source(key, variant_source(spec, variant))
        k = mod.kernel
        stats = k.stats
        _stats["loaded" if stats.cache_hits else "compiled"] += 1
        _stats["seconds"] += time.perf_counter() - t0
        if not stats.cache_hits:
            jit_cache.mark_compiled(key)
        _compiled[key] = k
        return k


# --- the callable a plan step runs ----------------------------------------------------------------

def _broadcast_shapes(shapes: Sequence[tuple[int, ...]]) -> tuple[int, ...]:
    rank = max(len(s) for s in shapes)
    out = [1] * rank
    for s in shapes:
        off = rank - len(s)
        for i, d in enumerate(s):
            j = off + i
            if d != 1:
                if out[j] == 1:
                    out[j] = d
                elif out[j] != d:
                    raise ValueError(f"Incompatible shapes: {list(shapes[0])} vs. {list(s)}")
    return tuple(out)


_entry_factories: dict[tuple[int, int, int], Callable[..., Any]] = {}


def _entry_factory(n: int, n_bound: int, n_params: int) -> Callable[..., Any]:
    """Compiles (once per arity) a factory of FusedKernel entry functions."""
    key = (n, n_bound, n_params)
    f = _entry_factories.get(key)
    if f is not None:
        return f
    args = ", ".join(f"x{i}" for i in range(n))
    arrays = [f"x{i}" for i in range(n)] + [f"b{i}" for i in range(n_bound)]
    same = " and ".join(f"{a}.shape == s" for a in arrays[1:]) or "True"
    params = "".join(f"p{i}, " for i in range(n_params))
    flat = "".join(f"{a}.reshape(-1), " for a in arrays)
    tup = f"({args},)" if n == 1 else f"({args})"
    consts = "".join(f", b{i}" for i in range(n_bound)) + \
        "".join(f", p{i}" for i in range(n_params))
    src = (f"def make(ready, k, empty, dt, pmin, general, fallback, cold, bound{consts}):\n"
           f"    def entry({args}):\n"
           f"        if ready[0]:\n"
           f"            try:\n"
           f"                s = {arrays[0]}.shape\n"
           f"                if k[0] is not None and {same}:\n"
           f"                    out = empty(s, dt)\n"
           f"                    if out.size < pmin:\n"
           f"                        k[0]({flat}{params}out.reshape(-1))\n"
           f"                        return out\n"
           f"                return general({tup}{' + bound' if n_bound else ''})\n"
           f"            except Exception:\n"
           f"                pass\n"
           f"            return fallback({args})\n"
           f"        return cold({args})\n"
           f"    return entry\n")
    ns: dict[str, Any] = {}
    exec(compile(src, f"<minitf-fused-entry-{n}-{n_bound}-{n_params}>", "exec"), ns)  # noqa: S102
    f = _entry_factories[key] = ns["make"]
    return f


class _Dispatch:
    """How to run one combination of input shapes."""

    __slots__ = ("shape", "kernel", "nd", "size")

    def __init__(self, shape: tuple[int, ...], kernel: Any, nd: bool) -> None:
        self.shape = shape
        self.kernel = kernel
        self.nd = nd
        self.size = math.prod(shape)


class FusedKernel:
    """Runs a :class:`GroupSpec` on its dynamic inputs: ``kernel(*values) -> ndarray``.

    ``bound`` are constant arrays (the spec's array inputs after the dynamic ones), ``params``
    the scalar constants in spec order, ``param_shape`` the broadcast shape those constants
    contribute (``()`` for 0-d ones), ``fallback(*values)`` the op-by-op evaluation.
    """

    def __init__(self, spec: GroupSpec, n_dynamic: int, bound: Sequence[np.ndarray],
                 params: Sequence[Any], param_shape: tuple[int, ...],
                 fallback: Callable[..., Any], threads: int | None = None,
                 label: str = "") -> None:
        self.spec = spec
        self.n_dynamic = n_dynamic
        self.bound = tuple(bound)
        self.param_shape = param_shape
        self.fallback = fallback
        self.label = label
        self.dtype = np.dtype(spec.out_dtype)
        self.threads = threads if threads else kernel_threads()
        pdtypes = sorted({s.dtype for s in spec.inputs if s.param})
        vecs: dict[str, list[Any]] = {d: [] for d in pdtypes}
        params_iter = iter(params)
        for s in spec.inputs:
            if s.param:
                vecs[s.dtype].append(next(params_iter))
        self.param_vecs = tuple(np.array(vecs[d], dtype=d) for d in pdtypes)
        self.n_arrays = len(spec.array_inputs)
        self._calls = 0
        # A plan's results must not change between runs: a kernel whose values may differ from
        # the references by an ulp (exp, tanh ...) is used from the first run on, or never.
        self._hot_after = _options.hot_after if spec.exact else 0
        self._parallel_min = _options.parallel_min_size
        self._broken = False
        self._ready_cell = [False]
        self._fast_cell: list[Any] = [None]  # the all-same-shape variant, once compiled
        self._dispatch: dict[tuple[tuple[int, ...], ...], _Dispatch] = {}
        self.entry = self._make_entry()

    @property
    def _ready(self) -> bool:
        return self._ready_cell[0]

    # -- compilation ---------------------------------------------------------------------------
    def prepare(self, static_shapes: Sequence[tuple[int | None, ...] | None],
                out_shape: tuple[int | None, ...] | None) -> None:
        """At plan build: compiles now when the output is known to be large or when asked to
        (hot_after=0); otherwise waits until the step is hot."""
        self._static = (list(static_shapes) + [tuple(np.shape(b)) for b in self.bound],
                        out_shape)
        size = None
        if out_shape is not None and all(d is not None for d in out_shape):
            size = math.prod(out_shape)  # type: ignore[arg-type]
        if self._hot_after <= 0 or (size is not None and size >= _options.eager_min_size
                                    and _numba_loaded()):
            self._compile()

    def _predicted_variants(self) -> list[tuple[Any, ...]]:
        shapes, out = getattr(self, "_static", ([], None))
        variants: list[tuple[Any, ...]] = []
        if not self.param_shape or (out is not None and len(self.param_shape) <= len(out)):
            variants.append(("flat", "F" * self.n_arrays))
        if out is None or any(s is None for s in shapes) or len(shapes) != self.n_arrays:
            return variants
        roles = []
        for s in shapes:
            if s == out and (len(s) == len(out)):
                roles.append("F")
            elif all(d == 1 for d in s if d is not None) and None not in s:
                roles.append("S")
            else:
                roles.append("B")
        if "B" in roles:
            variants.append(("nd", len(out)))
        elif "S" in roles:
            variants.append(("flat", "".join(roles)))
        return variants

    def _compile(self) -> None:
        if self._ready or self._broken:
            return
        try:
            for v in self._predicted_variants():
                k = _variant_kernel(self.spec, v)
                if v == ("flat", "F" * self.n_arrays) and not self.param_shape:
                    self._fast_cell[0] = k
            self._ready_cell[0] = True
        except Exception as e:  # noqa: BLE001 - never fail a run because codegen failed
            self._broken = True
            warnings.warn(f"minitf: fused kernel for {self.label or self.spec.structure()} "
                          f"failed to compile ({type(e).__name__}: {e}); running its ops one "
                          "by one", RuntimeWarning, stacklevel=2)

    # -- running -------------------------------------------------------------------------------
    def __call__(self, *xs: Any) -> Any:
        return self.entry(*xs)

    def _make_entry(self) -> Callable[..., Any]:
        """The function a plan calls: straight-line code for this group's arity (generated
        Python, a few hundred ns), with the same-shape case inline and everything else —
        broadcasting, threads, the op-by-op fallback — one call away."""
        factory = _entry_factory(self.n_dynamic, len(self.bound), len(self.param_vecs))
        entry = factory(self._ready_cell, self._fast_cell, np.empty, self.dtype,
                        self._parallel_min, self._general, self.fallback, self._cold,
                        self.bound, *self.bound, *self.param_vecs)
        entry.fused = self
        return entry

    def _cold(self, *xs: Any) -> Any:
        """Calls before the kernel is compiled: count them, compile when hot."""
        self._calls += 1
        if not self._broken and (self._calls >= self._hot_after or
                                 (self._large(xs) and _numba_loaded())):
            self._compile()
        if self._ready:
            return self.entry(*xs)
        return self.fallback(*xs)

    @staticmethod
    def _large(xs: tuple[Any, ...]) -> bool:
        return any(getattr(x, "size", 0) >= _options.eager_min_size for x in xs)

    def _general(self, arrays: tuple[Any, ...]) -> np.ndarray:
        key = tuple(x.shape for x in arrays)
        d = self._dispatch.get(key)
        if d is None:
            d = self._plan_dispatch(key)
        out = np.empty(d.shape, self.dtype)
        if d.nd:
            views = [np.broadcast_to(x, d.shape) for x in arrays]
            if d.size >= self._parallel_min and self.threads > 1 and d.shape[0] > 1:
                self._run_parallel(d.kernel, views, out)
            else:
                d.kernel(*views, *self.param_vecs, out)
        else:
            flat = [x.reshape(-1) for x in arrays]
            if d.size >= self._parallel_min and self.threads > 1:
                self._run_parallel(d.kernel, flat, out.reshape(-1), [x.size == 1 for x in flat])
            else:
                d.kernel(*flat, *self.param_vecs, out.reshape(-1))
        return out

    def _plan_dispatch(self, shapes: tuple[tuple[int, ...], ...]) -> _Dispatch:
        all_shapes = list(shapes) + ([self.param_shape] if self.param_shape else [])
        out = _broadcast_shapes(all_shapes)
        roles = "".join("F" if s == out else ("S" if math.prod(s) == 1 else "B") for s in shapes)
        if "B" in roles:
            variant: tuple[Any, ...] = ("nd", len(out))
        else:
            variant = ("flat", roles)
        d = _Dispatch(out, _variant_kernel(self.spec, variant), variant[0] == "nd")
        if len(self._dispatch) < 64:
            self._dispatch[shapes] = d
        return d

    def _run_parallel(self, k: Any, args: list[Any], out: np.ndarray,
                      scalar: list[bool] | None = None) -> None:
        """Splits axis 0 of ``out`` (and of the full-size ``args``) over the intra-op pool
        (:func:`minitf.kernels.cpu.parallel.parallel_for`: the calling thread takes part)."""
        from minitf.kernels.cpu.parallel import parallel_for

        n = out.shape[0]
        parts = min(self.threads, n)
        step = -(-n // parts)
        if out.ndim == 1:
            step = (step + 63) // 64 * 64
        bounds = [(lo, min(n, lo + step)) for lo in range(0, n, step)]
        scalar = scalar or [False] * len(args)
        params = self.param_vecs

        def chunk(i: int) -> None:
            lo, hi = bounds[i]
            k(*[a if s else a[lo:hi] for a, s in zip(args, scalar)], *params, out[lo:hi])

        parallel_for(len(bounds), chunk, self.threads)
