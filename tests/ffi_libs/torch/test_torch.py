"""ffi_libs/torch through a real runtime (``scons runtime --with=torch``).

Scripts run in the runtime binary and print tensors as ``T name [shape]
[values]`` lines; each is compared with the same computation done here by the
``torch`` Python package. When libtorch comes from that package (the usual
case) both sides run the same kernels and the same random generator, so the
tolerances are tight (float32 values printed exactly as f64). Also: every
error path (a script error with exit status 1 and libtorch's one-line message,
never a crash), the examples, XOR training converging, and the detector.

``SFFI_TORCH_RUNTIME=/path/to/simple`` runs the script tests with an already
built runtime instead of building one.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from buildhelp import install_with_module
from sffi.toolchain import DependencyMissing
from sffi.toolchain import libtorch as libtorch_detector

ROOT = Path(__file__).resolve().parents[3]
DECLS = ROOT / "ffi_libs" / "torch" / "torch.spl"
EXAMPLES = ROOT / "examples" / "torch"

try:
    FOUND = libtorch_detector.detect(prefer_static=False)
    MISSING = None
except DependencyMissing as exc:  # pragma: no cover - depends on the machine
    FOUND, MISSING = None, str(exc)

if MISSING is not None:  # pragma: no cover - depends on the machine
    pytest.skip(f"libtorch not available: {MISSING}", allow_module_level=True)
torch = pytest.importorskip("torch", reason="the comparisons need the torch Python package in the test environment")
F = torch.nn.functional

slow = pytest.mark.slow  # builds a runtime with SCons

# sffi::HandleTable encodes (tag << 48) | (generation << 24) | (slot + 1);
# streams use tag 0x7453. Without CUDA no real stream can be made, so the
# stream-as-tensor test uses the handle the first stream would get.
FAKE_STREAM_HANDLE = (0x7453 << 48) | (1 << 24) | 1

# Every script starts with the library's declarations and two printing helpers.
PRELUDE = DECLS.read_text(encoding="utf-8") + '''
fn emit(name, t):
    print "T {name} {rt_torch_torchtensor_shape(t)} {rt_torch_torchtensor_to_data(t)}"

fn emit_dtype(name, t):
    print "D {name} {rt_torch_torchtensor_dtype(t)}"

'''


@pytest.fixture(scope="module", params=["linked", "module"])
def runtime(build_runtime, request, tmp_path_factory) -> Path:
    """torch linked in, and a core-only runtime beside the torch module (docs/modules.md)."""
    prebuilt = os.environ.get("SFFI_TORCH_RUNTIME")
    if prebuilt:
        return Path(prebuilt)
    if request.param == "linked":
        return build_runtime("torch")
    core = build_runtime("none", modules="torch")
    return install_with_module(core, "torch", tmp_path_factory.mktemp("torch-module"))


def run(runtime: Path, tmp_path: Path, body: str, name: str = "t.spl") -> subprocess.CompletedProcess:
    script = tmp_path / name
    script.write_text(PRELUDE + body, encoding="utf-8")
    return subprocess.run([str(runtime), str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path)


def ok(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, f"script failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def _floats(text: str) -> list[float]:
    return [float(v) for v in text.split(",") if v.strip()]


def tensors(stdout: str) -> dict[str, tuple[tuple[int, ...], list[float]]]:
    """``T name [d0, d1] [v0, v1, ...]`` lines -> {name: (shape, values)}."""
    out = {}
    for m in re.finditer(r"^T (\S+) \[([^\]]*)\] \[([^\]]*)\]$", stdout, re.M):
        out[m.group(1)] = (tuple(int(d) for d in _floats(m.group(2))), _floats(m.group(3)))
    return out


def dtypes(stdout: str) -> dict[str, str]:
    return dict(re.findall(r"^D (\S+) (\S+)$", stdout, re.M))


def scalars(stdout: str) -> dict[str, str]:
    """``S name value`` lines -> {name: value text}."""
    return dict(re.findall(r"^S (\S+) (.*)$", stdout, re.M))


def check(got: dict, name: str, expected, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    assert name in got, f"no output for {name}"
    shape, values = got[name]
    expected = torch.as_tensor(expected).detach()
    assert shape == tuple(expected.shape), f"{name}: shape {shape}, expected {tuple(expected.shape)}"
    actual = torch.tensor(values, dtype=torch.float64)
    want = expected.to(torch.float64).flatten()
    assert torch.allclose(actual, want, rtol=rtol, atol=atol, equal_nan=True), \
        f"{name}: got {values}, expected {want.tolist()}"


A_DATA = "[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [2, 3]"
B_DATA = "[0.5, -1.0, 2.0, 3.0, 0.25, -4.0], [2, 3]"
A = torch.tensor([[1.0, 2, 3], [4, 5, 6]])
B = torch.tensor([[0.5, -1, 2], [3, 0.25, -4]])
AB_SCRIPT = f'''
val a = rt_torch_tensor_from_data({A_DATA})
val b = rt_torch_tensor_from_data({B_DATA})
'''


# ---------------------------------------------------------------- library --

@slow
def test_library_info(runtime, tmp_path):
    out = ok(run(runtime, tmp_path, '''
print "S available {rt_torch_available()}"
print "S version {rt_torch_version()}"
print "S cuda {rt_torch_cuda_available()}"
print "S grad {rt_torch_autograd_is_grad_enabled()}"
'''))
    s = scalars(out)
    assert s["available"] == "true"
    assert s["version"] == FOUND.version.split("+")[0]
    assert s["grad"] == "true"
    if FOUND.origin.startswith("Python package torch"):
        assert s["version"] == torch.__version__.split("+")[0]
        assert s["cuda"] == ("true" if torch.cuda.is_available() else "false")


# --------------------------------------------------------------- creation --

@slow
def test_creation_matches_torch(runtime, tmp_path):
    out = ok(run(runtime, tmp_path, '''
emit("zeros", rt_torch_tensor_zeros([2, 3]))
emit("ones", rt_torch_tensor_ones([3]))
emit("full", rt_torch_tensor_full([2, 2], -1.25))
emit("scalar", rt_torch_tensor_scalar(3.5))
emit("zeros0d", rt_torch_tensor_zeros([]))
emit("arange", rt_torch_tensor_arange(-1.0, 2.0, 0.5))
emit("linspace", rt_torch_tensor_linspace(0.0, 1.0, 5))
emit("eye", rt_torch_tensor_eye(3))
val d = rt_torch_tensor_from_data([1.5, -2.0, 3.25, 4.0, 0.1, 6.0], [3, 2])
emit("from_data", d)
emit_dtype("from_data", d)
val i = rt_torch_tensor_from_i64([3, -1, 4], [3])
emit("from_i64", i)
emit_dtype("from_i64", i)
val e = rt_torch_tensor_empty([4, 0, 2])
print "S empty_shape {rt_torch_torchtensor_shape(e)}"
emit_dtype("zeros", rt_torch_tensor_zeros([1]))
emit_dtype("randn", rt_torch_tensor_randn([1]))
rt_torch_manual_seed(1234)
emit("randn", rt_torch_tensor_randn([3, 4]))
emit("rand", rt_torch_tensor_rand([5]))
rt_torch_manual_seed(1234)
emit("randn_again", rt_torch_tensor_randn([3, 4]))
'''))
    t, d = tensors(out), dtypes(out)
    check(t, "zeros", torch.zeros(2, 3))
    check(t, "ones", torch.ones(3))
    check(t, "full", torch.full((2, 2), -1.25))
    check(t, "scalar", torch.tensor(3.5))
    check(t, "zeros0d", torch.zeros(()))
    check(t, "arange", torch.arange(-1.0, 2.0, 0.5))
    check(t, "linspace", torch.linspace(0, 1, 5))
    check(t, "eye", torch.eye(3))
    check(t, "from_data", torch.tensor([[1.5, -2.0], [3.25, 4.0], [0.1, 6.0]], dtype=torch.float32), rtol=0, atol=0)
    check(t, "from_i64", torch.tensor([3, -1, 4]))
    assert d == {"from_data": "float32", "from_i64": "int64", "zeros": "float32", "randn": "float32"}
    assert scalars(out)["empty_shape"] == "[4, 0, 2]"
    torch.manual_seed(1234)
    check(t, "randn", torch.randn(3, 4))
    check(t, "rand", torch.rand(5))
    assert t["randn"] == t["randn_again"]


# ------------------------------------------------------------ element-wise --

@slow
def test_elementwise_and_activations(runtime, tmp_path):
    out = ok(run(runtime, tmp_path, AB_SCRIPT + '''
emit("add", rt_torch_torchtensor_add(a, b))
emit("sub", rt_torch_torchtensor_sub(a, b))
emit("mul", rt_torch_torchtensor_mul(a, b))
emit("div", rt_torch_torchtensor_div(a, b))
emit("pow_tensor", rt_torch_torchtensor_pow_tensor(a, rt_torch_tensor_from_data([2.0, 0.5, -1.0], [3])))
emit("pow", rt_torch_torchtensor_pow(a, 1.5))
emit("pow_scalar", rt_torch_torchtensor_pow_scalar(a, -0.5))
emit("neg", rt_torch_torchtensor_neg(b))
emit("abs", rt_torch_torchtensor_abs(b))
emit("sqrt", rt_torch_torchtensor_sqrt(a))
emit("exp", rt_torch_torchtensor_exp(b))
emit("log", rt_torch_torchtensor_log(a))
emit("add_scalar", rt_torch_torchtensor_add_scalar(a, -0.75))
emit("mul_scalar", rt_torch_torchtensor_mul_scalar(b, 3.0))
emit("broadcast", rt_torch_torchtensor_add(a, rt_torch_tensor_from_data([10.0, 20.0, 30.0], [3])))
emit("relu", rt_torch_torchtensor_relu(b))
emit("sigmoid", rt_torch_torchtensor_sigmoid(b))
emit("tanh", rt_torch_torchtensor_tanh(b))
emit("leaky_relu", rt_torch_torchtensor_leaky_relu(b, 0.2))
emit("gelu", rt_torch_torchtensor_gelu(b))
emit("softmax", rt_torch_torchtensor_softmax(b, 1))
emit("softmax0", rt_torch_torchtensor_softmax(b, 0))
emit("log_softmax", rt_torch_torchtensor_log_softmax(b, -1))
'''))
    t = tensors(out)
    check(t, "add", A + B)
    check(t, "sub", A - B)
    check(t, "mul", A * B)
    check(t, "div", A / B)
    check(t, "pow_tensor", A ** torch.tensor([2.0, 0.5, -1.0]))
    check(t, "pow", A ** 1.5)
    check(t, "pow_scalar", A ** -0.5)
    check(t, "neg", -B)
    check(t, "abs", B.abs())
    check(t, "sqrt", A.sqrt())
    check(t, "exp", B.exp())
    check(t, "log", A.log())
    check(t, "add_scalar", A - 0.75)
    check(t, "mul_scalar", B * 3)
    check(t, "broadcast", A + torch.tensor([10.0, 20, 30]))
    check(t, "relu", B.relu())
    check(t, "sigmoid", B.sigmoid())
    check(t, "tanh", B.tanh())
    check(t, "leaky_relu", F.leaky_relu(B, 0.2))
    check(t, "gelu", F.gelu(B))
    check(t, "softmax", B.softmax(1))
    check(t, "softmax0", B.softmax(0))
    check(t, "log_softmax", B.log_softmax(-1))


@slow
def test_in_place_updates(runtime, tmp_path):
    out = ok(run(runtime, tmp_path, AB_SCRIPT + '''
val c = rt_torch_torchtensor_clone(a)
rt_torch_torchtensor_sub_(c, b)
emit("sub_", c)
rt_torch_torchtensor_add_scaled_(c, b, 0.5)
emit("add_scaled_", c)
rt_torch_torchtensor_copy_(c, rt_torch_tensor_from_data([7.0, 8.0, 9.0], [3]))
emit("copy_", c)
emit("a_untouched", a)
'''))
    t = tensors(out)
    check(t, "sub_", A - B)
    check(t, "add_scaled_", A - B + 0.5 * B)
    check(t, "copy_", torch.tensor([7.0, 8, 9]).expand(2, 3))
    check(t, "a_untouched", A)


# ---------------------------------------------------------- linear algebra --

@slow
def test_linear_algebra(runtime, tmp_path):
    out = ok(run(runtime, tmp_path, AB_SCRIPT + '''
val m = rt_torch_tensor_from_data([4.0, 1.0, 2.0, 3.0], [2, 2])
val s = rt_torch_tensor_from_data([2.0, 1.0, 0.0, 1.0, 3.0, 1.0, 0.0, 1.0, 4.0], [3, 3])
emit("matmul", rt_torch_torchtensor_matmul(a, rt_torch_torchtensor_t(b)))
emit("matmul_vec", rt_torch_torchtensor_matmul(a, rt_torch_tensor_from_data([1.0, -1.0, 2.0], [3])))
emit("dot", rt_torch_torchtensor_dot(rt_torch_tensor_from_data([1.0, 2.0, 3.0], [3]), rt_torch_tensor_from_data([4.0, -5.0, 6.0], [3])))
emit("transpose", rt_torch_torchtensor_transpose(a, 0, 1))
emit("t", rt_torch_torchtensor_t(a))
print "S norm {rt_torch_torchtensor_norm(a)}"
emit("norm2", rt_torch_torchtensor_norm_tensor(a, 2.0))
emit("norm1", rt_torch_torchtensor_norm_tensor(b, 1.0))
print "S det {rt_torch_torchtensor_det(m)}"
print "S det3 {rt_torch_torchtensor_det(s)}"
emit("det_tensor", rt_torch_torchtensor_det_tensor(m))
val batch = rt_torch_tensor_from_data([4.0, 1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 4.0], [2, 2, 2])
emit("det_batch", rt_torch_torchtensor_det_tensor(batch))
emit("inverse", rt_torch_torchtensor_inverse(s))
val svd = rt_torch_torchtensor_svd_parts(a)
print "S svd_parts {len(svd)}"
emit("svd_U", svd[0])
emit("svd_S", svd[1])
emit("svd_Vh", svd[2])
emit("svd_one", rt_torch_torchtensor_svd(a))
val eig = rt_torch_torchtensor_eig_parts(s)
print "S eig_parts {len(eig)}"
emit("eig_values", eig[0])
emit("eig_vectors", eig[1])
emit("eig_one", rt_torch_torchtensor_eig(s))
val rot = rt_torch_tensor_from_data([0.0, -2.0, 2.0, 0.0], [2, 2])
val ec = rt_torch_torchtensor_eig_complex(rot)
print "S eig_complex_parts {len(ec)}"
emit("ec_values_re", ec[0])
emit("ec_values_im", ec[1])
emit("ec_vectors_re", ec[2])
emit("ec_vectors_im", ec[3])
'''))
    t, s = tensors(out), scalars(out)
    m = torch.tensor([[4.0, 1], [2, 3]])
    sym = torch.tensor([[2.0, 1, 0], [1, 3, 1], [0, 1, 4]])
    check(t, "matmul", A @ B.T)
    check(t, "matmul_vec", A @ torch.tensor([1.0, -1, 2]))
    check(t, "dot", torch.dot(torch.tensor([1.0, 2, 3]), torch.tensor([4.0, -5, 6])))
    check(t, "transpose", A.T)
    check(t, "t", A.t())
    assert float(s["norm"]) == pytest.approx(float(A.norm()), rel=1e-6)
    check(t, "norm2", A.norm())
    check(t, "norm1", B.norm(1))
    assert float(s["det"]) == pytest.approx(float(torch.linalg.det(m)), abs=1e-5)
    assert float(s["det3"]) == pytest.approx(float(torch.linalg.det(sym)), abs=1e-5)
    check(t, "det_tensor", torch.linalg.det(m), rtol=1e-5, atol=1e-5)
    check(t, "det_batch", torch.linalg.det(torch.tensor([[[4.0, 1], [2, 3]], [[1, 2], [3, 4]]])), atol=1e-5)
    # the one-result forms are the first part (svd: U; eig: the eigenvalues)
    assert t["svd_one"] == t["svd_U"] and t["eig_one"] == t["eig_values"]
    check(t, "inverse", torch.linalg.inv(sym), rtol=1e-5, atol=1e-6)
    # svd: [U, S, Vh], reduced; singular values are unique, U and Vh up to signs.
    assert s["svd_parts"] == "3"
    check(t, "svd_S", torch.linalg.svdvals(A), rtol=1e-5, atol=1e-5)
    u = torch.tensor(t["svd_U"][1], dtype=torch.float64).reshape(t["svd_U"][0])
    sv = torch.tensor(t["svd_S"][1], dtype=torch.float64)
    vh = torch.tensor(t["svd_Vh"][1], dtype=torch.float64).reshape(t["svd_Vh"][0])
    assert (u.shape, vh.shape) == ((2, 2), (2, 3))
    assert torch.allclose(u @ torch.diag(sv) @ vh, A.double(), atol=1e-5)
    # eig of a symmetric matrix: real; [values, vectors], vectors in the columns.
    assert s["eig_parts"] == "2"
    values = torch.tensor(t["eig_values"][1], dtype=torch.float64)
    vectors = torch.tensor(t["eig_vectors"][1], dtype=torch.float64).reshape(3, 3)
    assert torch.allclose(values.sort().values, torch.linalg.eigvalsh(sym).double(), atol=1e-5)
    assert torch.allclose(sym.double() @ vectors, vectors * values, atol=1e-5)
    # eig_complex of a rotation-like matrix: eigenvalues +-2i.
    assert s["eig_complex_parts"] == "4"
    expected = torch.linalg.eig(torch.tensor([[0.0, -2], [2, 0]]))
    check(t, "ec_values_re", expected.eigenvalues.real, atol=1e-6)
    check(t, "ec_values_im", expected.eigenvalues.imag, atol=1e-6)
    check(t, "ec_vectors_re", expected.eigenvectors.real, atol=1e-6)
    check(t, "ec_vectors_im", expected.eigenvectors.imag, atol=1e-6)


# -------------------------------------------------------------- reductions --

@slow
def test_reductions(runtime, tmp_path):
    out = ok(run(runtime, tmp_path, AB_SCRIPT + '''
print "S sum {rt_torch_torchtensor_sum(a)}"
print "S mean {rt_torch_torchtensor_mean(b)}"
print "S max {rt_torch_torchtensor_max(b)}"
print "S min {rt_torch_torchtensor_min(b)}"
print "S std {rt_torch_torchtensor_std(b)}"
print "S var {rt_torch_torchtensor_var(b)}"
print "S int_sum {rt_torch_torchtensor_sum(rt_torch_tensor_from_i64([3, -1, 4], [3]))}"
emit("sum", rt_torch_torchtensor_sum_tensor(a))
emit("mean", rt_torch_torchtensor_mean_tensor(b))
emit("max", rt_torch_torchtensor_max_tensor(b))
emit("min", rt_torch_torchtensor_min_tensor(b))
emit("std", rt_torch_torchtensor_std_tensor(b))
emit("var", rt_torch_torchtensor_var_tensor(b))
emit("sum_dim0", rt_torch_torchtensor_sum_dim(a, 0, false))
emit("sum_dim1_keep", rt_torch_torchtensor_sum_dim(a, 1, true))
emit("mean_dim", rt_torch_torchtensor_mean_dim(b, -1, false))
emit("max_dim", rt_torch_torchtensor_max_dim(b, 1, false))
val mx = rt_torch_torchtensor_max_dim_parts(b, 1, false)
emit("max_dim_values", mx[0])
emit("max_dim_indices", mx[1])
emit_dtype("max_dim_indices", mx[1])
emit("min_dim", rt_torch_torchtensor_min_dim(b, 0, true))
val mn = rt_torch_torchtensor_min_dim_parts(b, 0, true)
emit("min_dim_values", mn[0])
emit("min_dim_indices", mn[1])
val am = rt_torch_torchtensor_argmax_flat(b)
emit("argmax_flat", am)
emit_dtype("argmax_flat", am)
emit("argmin_flat", rt_torch_torchtensor_argmin_flat(b))
val ad = rt_torch_torchtensor_argmax(b, 1, false)
emit("argmax", ad)
emit_dtype("argmax", ad)
emit("argmax_last", rt_torch_torchtensor_argmax(b, -1, true))
emit("argmin", rt_torch_torchtensor_argmin(b, 0, true))
print "S argmax_item {rt_torch_torchtensor_item(am)}"
'''))
    t, d = tensors(out), dtypes(out)
    s = scalars(out)
    # the numbers are the float32 results converted to f64, as .item() gives them
    for name, value in (("sum", A.sum()), ("mean", B.mean()), ("max", B.max()), ("min", B.min()),
                        ("std", B.std()), ("var", B.var())):
        assert float(s[name]) == value.item(), name
        check(t, name, value)
    assert s["int_sum"] == "6"  # a whole float prints as Simple prints it (no ".0")
    check(t, "sum_dim0", A.sum(0))
    check(t, "sum_dim1_keep", A.sum(1, keepdim=True))
    check(t, "mean_dim", B.mean(-1))
    check(t, "max_dim", B.max(1).values)
    check(t, "max_dim_values", B.max(1).values)
    check(t, "max_dim_indices", B.max(1).indices)
    check(t, "min_dim", B.min(0, keepdim=True).values)
    check(t, "min_dim_values", B.min(0, keepdim=True).values)
    check(t, "min_dim_indices", B.min(0, keepdim=True).indices)
    check(t, "argmax_flat", B.argmax())
    check(t, "argmin_flat", B.argmin())
    check(t, "argmax", B.argmax(1))
    check(t, "argmax_last", B.argmax(-1, keepdim=True))
    check(t, "argmin", B.argmin(0, keepdim=True))
    assert d == {"max_dim_indices": "int64", "argmax_flat": "int64", "argmax": "int64"}
    assert float(scalars(out)["argmax_item"]) == float(B.argmax())


# ------------------------------------------------------------------- shape --

@slow
def test_shape_operations(runtime, tmp_path):
    out = ok(run(runtime, tmp_path, '''
val x = rt_torch_torchtensor_reshape(rt_torch_tensor_arange(0.0, 24.0, 1.0), [2, 3, 4])
print "S ndim {rt_torch_torchtensor_ndim(x)}"
print "S numel {rt_torch_torchtensor_numel(x)}"
print "S shape {rt_torch_torchtensor_shape(x)}"
emit("reshape", rt_torch_torchtensor_reshape(x, [4, -1]))
emit("view", rt_torch_torchtensor_view(x, [6, 4]))
val p = rt_torch_torchtensor_permute(x, [2, 0, 1])
emit("permute", p)
print "S permute_contiguous {rt_torch_torchtensor_is_contiguous(p)}"
val c = rt_torch_torchtensor_contiguous(p)
print "S contiguous {rt_torch_torchtensor_is_contiguous(c)}"
emit("contiguous", c)
val u = rt_torch_torchtensor_unsqueeze(x, 1)
emit("unsqueeze", u)
emit("squeeze", rt_torch_torchtensor_squeeze(u))
emit("squeeze_dim", rt_torch_torchtensor_squeeze_dim(u, 1))
emit("flatten_all", rt_torch_torchtensor_flatten(x))
emit("flatten_tail", rt_torch_torchtensor_flatten_range(x, 1, 2))
'''))
    t, s = tensors(out), scalars(out)
    x = torch.arange(24.0).reshape(2, 3, 4)
    assert (s["ndim"], s["numel"], s["shape"]) == ("3", "24", "[2, 3, 4]")
    check(t, "reshape", x.reshape(4, -1))
    check(t, "view", x.view(6, 4))
    check(t, "permute", x.permute(2, 0, 1))
    assert (s["permute_contiguous"], s["contiguous"]) == ("false", "true")
    check(t, "contiguous", x.permute(2, 0, 1).contiguous())
    check(t, "unsqueeze", x.unsqueeze(1))
    check(t, "squeeze", x.unsqueeze(1).squeeze())
    check(t, "squeeze_dim", x.unsqueeze(1).squeeze(1))
    check(t, "flatten_all", x.flatten())
    check(t, "flatten_tail", x.flatten(1, 2))


# ---------------------------------------------------------------- indexing --

@slow
def test_indexing_joining_splitting(runtime, tmp_path):
    out = ok(run(runtime, tmp_path, '''
val x = rt_torch_torchtensor_reshape(rt_torch_tensor_arange(0.0, 24.0, 1.0), [4, 6])
emit("slice_rows", rt_torch_torchtensor_slice(x, 0, 1, 3, 1))
emit("slice_step", rt_torch_torchtensor_slice(x, 1, 0, 6, 2))
emit("slice_negative", rt_torch_torchtensor_slice(x, -1, -3, -1, 1))
emit("slice_past_end", rt_torch_torchtensor_slice(x, 0, 2, 100, 1))
val rows = rt_torch_tensor_from_i64([3, 0, 3], [3])
emit("index_select", rt_torch_torchtensor_index_select(x, 0, rows))
emit("index_select_cols", rt_torch_torchtensor_index_select(x, 1, rt_torch_tensor_from_i64([5, 1], [2])))
val picks = rt_torch_tensor_from_i64([0, 5, 2, 2, 1, 1, 4, 3], [4, 2])
emit("gather", rt_torch_torchtensor_gather(x, 1, picks))
val a = rt_torch_tensor_ones([2, 3])
val b = rt_torch_tensor_full([1, 3], 7.0)
emit("cat0", rt_torch_torchtensor_cat([a, b, a], 0))
emit("cat1", rt_torch_torchtensor_cat([a, rt_torch_tensor_zeros([2, 2])], -1))
emit("stack0", rt_torch_torchtensor_stack([a, a], 0))
emit("stack2", rt_torch_torchtensor_stack([a, rt_torch_torchtensor_mul_scalar(a, 2.0)], 2))
val parts = rt_torch_torchtensor_chunk(x, 4, 1)
print "S chunks {len(parts)}"
for i in 0..len(parts):
    emit("chunk{i}", parts[i])
val uneven = rt_torch_torchtensor_chunk(rt_torch_tensor_arange(0.0, 5.0, 1.0), 2, 0)
print "S uneven {len(uneven)}"
emit("uneven0", uneven[0])
emit("uneven1", uneven[1])
val before = rt_torch_live_tensors()
rt_torch_torchtensor_free(uneven[0])
print "S freed {before - rt_torch_live_tensors()}"
'''))
    t, s = tensors(out), scalars(out)
    x = torch.arange(24.0).reshape(4, 6)
    check(t, "slice_rows", x[1:3])
    check(t, "slice_step", x[:, 0:6:2])
    check(t, "slice_negative", x[:, -3:-1])
    check(t, "slice_past_end", x[2:100])
    check(t, "index_select", x.index_select(0, torch.tensor([3, 0, 3])))
    check(t, "index_select_cols", x.index_select(1, torch.tensor([5, 1])))
    check(t, "gather", x.gather(1, torch.tensor([[0, 5], [2, 2], [1, 1], [4, 3]])))
    a, b = torch.ones(2, 3), torch.full((1, 3), 7.0)
    check(t, "cat0", torch.cat([a, b, a], 0))
    check(t, "cat1", torch.cat([a, torch.zeros(2, 2)], -1))
    check(t, "stack0", torch.stack([a, a], 0))
    check(t, "stack2", torch.stack([a, 2 * a], 2))
    expected = x.chunk(4, 1)
    assert s["chunks"] == str(len(expected))
    for i, part in enumerate(expected):
        check(t, f"chunk{i}", part)
    uneven = torch.arange(5.0).chunk(2, 0)
    assert s["uneven"] == "2"
    check(t, "uneven0", uneven[0])
    check(t, "uneven1", uneven[1])
    assert s["freed"] == "1"


# ---------------------------------------------------------------------- nn --

@slow
def test_neural_network_ops(runtime, tmp_path):
    out = ok(run(runtime, tmp_path, '''
rt_torch_manual_seed(3)
val img = rt_torch_tensor_randn([2, 3, 6, 6])
val w = rt_torch_tensor_randn([4, 3, 3, 3])
val bias = rt_torch_tensor_randn([4])
emit("conv", rt_torch_nn_conv2d(img, w, bias, [1], [0], [1], 1))
emit("conv_s2p1_nobias", rt_torch_nn_conv2d(img, w, 0, [2, 2], [1, 1], [1, 1], 1))
emit("conv_dilated", rt_torch_nn_conv2d(img, w, bias, [1], [2], [2], 1))
emit("conv_rect", rt_torch_nn_conv2d(img, w, bias, [1, 2], [0, 1], [2, 1], 1))
val wg = rt_torch_tensor_randn([6, 1, 3, 3])
emit("conv_groups", rt_torch_nn_conv2d(img, wg, 0, [1], [1], [1], 3))
emit("max_pool", rt_torch_nn_max_pool2d(img, [2], [], [0]))
emit("max_pool_s1p1", rt_torch_nn_max_pool2d(img, [3, 3], [1, 1], [1, 1]))
emit("max_pool_rect", rt_torch_nn_max_pool2d(img, [2, 3], [2, 1], [0, 1]))
emit("avg_pool", rt_torch_nn_avg_pool2d(img, [3], [2], [1]))
emit("avg_pool_default_stride", rt_torch_nn_avg_pool2d(img, [2, 3], [], [0]))
val x = rt_torch_tensor_randn([5, 4])
val rm = rt_torch_tensor_zeros([4])
val rv = rt_torch_tensor_ones([4])
val gamma = rt_torch_tensor_randn([4])
val beta = rt_torch_tensor_randn([4])
emit("bn_train", rt_torch_nn_batch_norm(x, rm, rv, gamma, beta, true, 0.1, 0.00001))
emit("bn_running_mean", rm)
emit("bn_running_var", rv)
emit("bn_eval", rt_torch_nn_batch_norm(x, rm, rv, 0, 0, false, 0.1, 0.00001))
emit("bn_no_stats", rt_torch_nn_batch_norm(x, 0, 0, gamma, 0, true, 0.1, 0.00001))
emit("ln", rt_torch_nn_layer_norm(x, [4], gamma, beta, 0.00001))
emit("ln_plain", rt_torch_nn_layer_norm(x, [4], 0, 0, 0.00001))
emit("dropout_eval", rt_torch_nn_dropout(x, 0.5, false))
emit("dropout_train", rt_torch_nn_dropout(x, 0.25, true))
val lw = rt_torch_tensor_randn([3, 4])
val lb = rt_torch_tensor_randn([3])
emit("linear", rt_torch_nn_linear(x, lw, lb))
emit("linear_nobias", rt_torch_nn_linear(x, lw, 0))
val table = rt_torch_tensor_randn([10, 3])
emit("embedding", rt_torch_nn_embedding(rt_torch_tensor_from_i64([9, 0, 3, 3], [2, 2]), table))
'''))
    t = tensors(out)
    torch.manual_seed(3)
    img, w, bias = torch.randn(2, 3, 6, 6), torch.randn(4, 3, 3, 3), torch.randn(4)
    check(t, "conv", F.conv2d(img, w, bias), atol=1e-5)
    check(t, "conv_s2p1_nobias", F.conv2d(img, w, None, 2, 1), atol=1e-5)
    check(t, "conv_dilated", F.conv2d(img, w, bias, 1, 2, 2), atol=1e-5)
    check(t, "conv_rect", F.conv2d(img, w, bias, (1, 2), (0, 1), (2, 1)), atol=1e-5)
    wg = torch.randn(6, 1, 3, 3)
    check(t, "conv_groups", F.conv2d(img, wg, None, 1, 1, 1, 3), atol=1e-5)
    check(t, "max_pool", F.max_pool2d(img, 2))
    check(t, "max_pool_s1p1", F.max_pool2d(img, 3, 1, 1))
    check(t, "max_pool_rect", F.max_pool2d(img, (2, 3), (2, 1), (0, 1)))
    check(t, "avg_pool", F.avg_pool2d(img, 3, 2, 1))
    check(t, "avg_pool_default_stride", F.avg_pool2d(img, (2, 3)))
    x, rm, rv = torch.randn(5, 4), torch.zeros(4), torch.ones(4)
    gamma, beta = torch.randn(4), torch.randn(4)
    check(t, "bn_train", F.batch_norm(x, rm, rv, gamma, beta, True, 0.1, 1e-5), atol=1e-5)
    check(t, "bn_running_mean", rm)
    check(t, "bn_running_var", rv)
    check(t, "bn_eval", F.batch_norm(x, rm, rv, None, None, False, 0.1, 1e-5), atol=1e-5)
    check(t, "bn_no_stats", F.batch_norm(x, None, None, gamma, None, True, 0.1, 1e-5), atol=1e-5)
    check(t, "ln", F.layer_norm(x, (4,), gamma, beta, 1e-5), atol=1e-5)
    check(t, "ln_plain", F.layer_norm(x, (4,)), atol=1e-5)
    check(t, "dropout_eval", x)
    check(t, "dropout_train", F.dropout(x, 0.25, True))
    lw, lb = torch.randn(3, 4), torch.randn(3)
    check(t, "linear", F.linear(x, lw, lb), atol=1e-5)
    check(t, "linear_nobias", F.linear(x, lw), atol=1e-5)
    table = torch.randn(10, 3)
    check(t, "embedding", F.embedding(torch.tensor([[9, 0], [3, 3]]), table))


@slow
def test_losses(runtime, tmp_path):
    out = ok(run(runtime, tmp_path, AB_SCRIPT + '''
emit("mse", rt_torch_nn_mse_loss_tensor(a, b))
print "S mse {rt_torch_nn_mse_loss(a, b)}"
val scores = rt_torch_tensor_from_data([1.0, 2.0, 0.5, -1.0, 0.0, 3.0, 0.2, 0.2, 0.2, 2.0, -2.0, 0.0], [4, 3])
val classes = rt_torch_tensor_from_i64([1, 2, 0, 0], [4])
emit("cross_entropy", rt_torch_nn_cross_entropy_tensor(scores, classes))
print "S cross_entropy {rt_torch_nn_cross_entropy(scores, classes)}"
val probs = rt_torch_torchtensor_softmax(scores, 1)
emit("cross_entropy_soft", rt_torch_nn_cross_entropy_tensor(scores, probs))
val logp = rt_torch_torchtensor_log_softmax(scores, 1)
emit("nll", rt_torch_nn_nll_loss_tensor(logp, classes))
print "S nll {rt_torch_nn_nll_loss(logp, classes)}"
val p = rt_torch_tensor_from_data([0.9, 0.2, 0.6, 0.01], [4])
val y = rt_torch_tensor_from_data([1.0, 0.0, 1.0, 0.0], [4])
emit("bce", rt_torch_nn_binary_cross_entropy_tensor(p, y))
print "S bce {rt_torch_nn_binary_cross_entropy(p, y)}"
'''))
    t = tensors(out)
    scores = torch.tensor([[1.0, 2, 0.5], [-1, 0, 3], [0.2, 0.2, 0.2], [2, -2, 0]])
    classes = torch.tensor([1, 2, 0, 0])
    check(t, "mse", F.mse_loss(A, B))
    check(t, "cross_entropy", F.cross_entropy(scores, classes))
    check(t, "cross_entropy_soft", F.cross_entropy(scores, scores.softmax(1)))
    check(t, "nll", F.nll_loss(scores.log_softmax(1), classes))
    check(t, "bce", F.binary_cross_entropy(torch.tensor([0.9, 0.2, 0.6, 0.01]), torch.tensor([1.0, 0, 1, 0])))
    s = scalars(out)
    for name in ("mse", "cross_entropy", "nll", "bce"):  # the f64 forms give the tensor's value
        assert float(s[name]) == t[name][1][0], name


# ---------------------------------------------------------------- autograd --

@slow
def test_autograd(runtime, tmp_path):
    out = ok(run(runtime, tmp_path, '''
val x = rt_torch_tensor_from_data([1.0, -2.0, 3.0], [3])
val w = rt_torch_tensor_from_data([0.5, 1.5, -1.0], [3])
print "S rg_before {rt_torch_autograd_requires_grad(x)}"
rt_torch_autograd_set_requires_grad(x, true)
rt_torch_autograd_set_requires_grad(w, true)
print "S rg_after {rt_torch_autograd_requires_grad(x)}"
print "S has_grad_before {rt_torch_autograd_has_grad(x)}"
print "S grad_before {rt_torch_autograd_grad(x)}"
# y = sum(w * x^3) + mean(tanh(x))
fn loss_of(x, w):
    val cube = rt_torch_torchtensor_pow(x, 3.0)
    val prod = rt_torch_torchtensor_mul(w, cube)
    val t = rt_torch_torchtensor_mean_tensor(rt_torch_torchtensor_tanh(x))
    return rt_torch_torchtensor_add(rt_torch_torchtensor_sum_tensor(prod), t)
val y = loss_of(x, w)
print "S y_rg {rt_torch_autograd_requires_grad(y)}"
rt_torch_autograd_backward(y)
print "S has_grad_after {rt_torch_autograd_has_grad(x)}"
val gx = rt_torch_autograd_grad(x)
emit("grad_x", gx)
emit("grad_w", rt_torch_autograd_grad(w))
rt_torch_autograd_backward(loss_of(x, w))
emit("grad_x_accumulated", rt_torch_autograd_grad(x))
rt_torch_autograd_zero_grad(x)
emit("grad_x_zeroed", gx)
val d = rt_torch_autograd_detach(x)
print "S detach_rg {rt_torch_autograd_requires_grad(d)}"
rt_torch_autograd_no_grad_begin()
rt_torch_autograd_no_grad_begin()
print "S grad_in_no_grad {rt_torch_autograd_is_grad_enabled()}"
val z = rt_torch_torchtensor_mul(x, w)
print "S z_rg {rt_torch_autograd_requires_grad(z)}"
rt_torch_torchtensor_add_scaled_(x, rt_torch_autograd_grad(w), -0.1)
rt_torch_autograd_no_grad_end()
print "S grad_after_one_end {rt_torch_autograd_is_grad_enabled()}"
rt_torch_autograd_no_grad_end()
print "S grad_after_two_ends {rt_torch_autograd_is_grad_enabled()}"
emit("x_updated", x)
'''))
    t, s = tensors(out), scalars(out)
    x = torch.tensor([1.0, -2, 3], requires_grad=True)
    w = torch.tensor([0.5, 1.5, -1], requires_grad=True)

    def loss_of(x, w):
        return (w * x ** 3).sum() + x.tanh().mean()

    loss_of(x, w).backward()
    check(t, "grad_x", x.grad)
    check(t, "grad_w", w.grad)
    loss_of(x, w).backward()
    check(t, "grad_x_accumulated", x.grad)
    check(t, "grad_x_zeroed", torch.zeros(3))
    with torch.no_grad():
        x.add_(w.grad, alpha=-0.1)
    check(t, "x_updated", x)
    assert s == {"rg_before": "false", "rg_after": "true", "has_grad_before": "false", "grad_before": "0", "y_rg": "true",
                 "has_grad_after": "true", "detach_rg": "false", "grad_in_no_grad": "false", "z_rg": "false",
                 "grad_after_one_end": "false", "grad_after_two_ends": "true"}


# ------------------------------------------------------- data out, devices --

@slow
def test_data_out_and_devices(runtime, tmp_path):
    out = ok(run(runtime, tmp_path, AB_SCRIPT + '''
print "S item {rt_torch_torchtensor_item(rt_torch_torchtensor_sum_tensor(b))}"
print "S to_data {rt_torch_torchtensor_to_data(rt_torch_torchtensor_t(a))}"
print "S int_item {rt_torch_torchtensor_item(rt_torch_tensor_from_i64([42], [1]))}"
val d64 = rt_torch_torchtensor_to_dtype(a, "float64")
emit_dtype("to_float64", d64)
emit_dtype("to_int64", rt_torch_torchtensor_to_dtype(b, "int64"))
emit("to_int64", rt_torch_torchtensor_to_dtype(b, "int64"))
emit_dtype("to_bool", rt_torch_torchtensor_to_dtype(b, "bool"))
print "S device {rt_torch_torchtensor_device(a)}"
print "S device_name {rt_torch_torchtensor_device_name(a)}"
print "S is_cuda {rt_torch_torchtensor_is_cuda(a)}"
emit("cpu", rt_torch_torchtensor_cpu(a))
val c = rt_torch_torchtensor_clone(a)
rt_torch_torchtensor_add_scaled_(c, a, 1.0)
emit("clone_changed", c)
emit("clone_source", a)
print "S str {rt_torch_torchtensor_str(rt_torch_tensor_eye(2))}"
'''))
    t, s, d = tensors(out), scalars(out), dtypes(out)
    assert float(s["item"]) == pytest.approx(float(B.sum()), rel=1e-6)
    assert _floats(s["to_data"].strip("[]")) == A.t().flatten().tolist()
    assert float(s["int_item"]) == 42.0
    assert d == {"to_float64": "float64", "to_int64": "int64", "to_bool": "bool"}
    check(t, "to_int64", B.to(torch.int64))
    assert (s["device"], s["device_name"], s["is_cuda"]) == ("-1", "cpu", "false")
    check(t, "cpu", A)
    check(t, "clone_changed", 2 * A)
    check(t, "clone_source", A)
    assert "CPUFloatType{2,2}" in out


@slow
def test_free_releases_handles(runtime, tmp_path):
    out = ok(run(runtime, tmp_path, '''
val before = rt_torch_live_tensors()
var made = []
for i in 0..50:
    made.push(rt_torch_tensor_ones([i + 1]))
print "S during {rt_torch_live_tensors() - before}"
for h in made:
    rt_torch_torchtensor_free(h)
print "S after {rt_torch_live_tensors() - before}"
val again = rt_torch_tensor_ones([1])
print "S reused_differs {again != made[len(made) - 1]}"
'''))
    s = scalars(out)
    assert (s["during"], s["after"], s["reused_differs"]) == ("50", "0", "true")


# ------------------------------------------------------------- error paths --

ERRORS = {
    # name: (script body, extern that fails, text the message must hold)
    "freed handle": ('val h = rt_torch_tensor_ones([2])\nrt_torch_torchtensor_free(h)\nprint "before"\n'
                     'print rt_torch_torchtensor_numel(h)\n',
                     "rt_torch_torchtensor_numel", "was already freed"),
    "double free": ('val h = rt_torch_tensor_ones([2])\nrt_torch_torchtensor_free(h)\nprint "before"\n'
                    'rt_torch_torchtensor_free(h)\n', "rt_torch_torchtensor_free", "was already freed"),
    "unknown handle": ('print "before"\nprint rt_torch_torchtensor_numel(12345)\n',
                       "rt_torch_torchtensor_numel", "invalid tensor handle 12345"),
    "handle zero": ('print "before"\nprint rt_torch_torchtensor_shape(0)\n',
                    "rt_torch_torchtensor_shape", "invalid tensor handle 0"),
    "unknown second operand": ('val a = rt_torch_tensor_ones([2])\nprint "before"\n'
                               'print rt_torch_torchtensor_add(a, 777)\n',
                               "rt_torch_torchtensor_add", "invalid tensor handle 777"),
    "stream handle as tensor": (f'print "before"\nprint rt_torch_torchtensor_numel({FAKE_STREAM_HANDLE})\n',
                                "rt_torch_torchtensor_numel", "is a stream handle, not a tensor handle"),
    "tensor handle as stream": ('val a = rt_torch_tensor_ones([2])\nprint "before"\nrt_torch_torchstream_sync(a)\n',
                                "rt_torch_torchstream_sync", "is a tensor handle, not a stream handle"),
    "matmul shape mismatch": ('val a = rt_torch_tensor_ones([2, 3])\nval b = rt_torch_tensor_ones([2, 3])\n'
                              'print "before"\nprint rt_torch_torchtensor_matmul(a, b)\n',
                              "rt_torch_torchtensor_matmul", "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"),
    "add shape mismatch": ('val a = rt_torch_tensor_ones([2, 3])\nval b = rt_torch_tensor_ones([4])\n'
                           'print "before"\nprint rt_torch_torchtensor_add(a, b)\n',
                           "rt_torch_torchtensor_add", "must match the size of tensor b"),
    "from_data count": ('print "before"\nprint rt_torch_tensor_from_data([1.0, 2.0, 3.0], [2, 2])\n',
                        "rt_torch_tensor_from_data", "3 values do not fill shape [2, 2]"),
    "negative dimension": ('print "before"\nprint rt_torch_tensor_zeros([2, -1])\n',
                           "rt_torch_tensor_zeros", "non-negative"),
    "item of many": ('val a = rt_torch_tensor_ones([2, 3])\nprint "before"\nprint rt_torch_torchtensor_item(a)\n',
                     "rt_torch_torchtensor_item", "a Tensor with 6 elements cannot be converted to Scalar"),
    "the none gradient used as a tensor": ('val a = rt_torch_tensor_ones([2])\nrt_torch_autograd_set_requires_grad(a, true)\n'
                                           'val g = rt_torch_autograd_grad(a)\nprint "before"\nprint rt_torch_torchtensor_sum(g)\n',
                                           "rt_torch_torchtensor_sum", "invalid tensor handle 0"),
    "backward of non-scalar": ('val a = rt_torch_tensor_ones([2])\nrt_torch_autograd_set_requires_grad(a, true)\n'
                               'val b = rt_torch_torchtensor_mul_scalar(a, 2.0)\nprint "before"\n'
                               'rt_torch_autograd_backward(b)\n',
                               "rt_torch_autograd_backward", "grad can be implicitly created only for scalar outputs"),
    "in-place on a leaf that requires grad": (
        'val a = rt_torch_tensor_ones([2])\nrt_torch_autograd_set_requires_grad(a, true)\nprint "before"\n'
        'rt_torch_torchtensor_sub_(a, rt_torch_tensor_ones([2]))\n',
        "rt_torch_torchtensor_sub_", "a leaf Variable that requires grad is being used in an in-place operation"),
    "requires_grad on int64": ('val i = rt_torch_tensor_from_i64([1], [1])\nprint "before"\n'
                               'rt_torch_autograd_set_requires_grad(i, true)\n',
                               "rt_torch_autograd_set_requires_grad", "floating point"),
    "unbalanced no_grad_end": ('print "before"\nrt_torch_autograd_no_grad_end()\n',
                               "rt_torch_autograd_no_grad_end", "without a matching no_grad_begin"),
    "eig with complex eigenvalues": ('val r = rt_torch_tensor_from_data([0.0, -1.0, 1.0, 0.0], [2, 2])\n'
                                     'print "before"\nprint rt_torch_torchtensor_eig(r)\n',
                                     "rt_torch_torchtensor_eig", "complex eigenvalues"),
    "eig_parts with complex eigenvalues": ('val r = rt_torch_tensor_from_data([0.0, -1.0, 1.0, 0.0], [2, 2])\n'
                                           'print "before"\nprint rt_torch_torchtensor_eig_parts(r)\n',
                                           "rt_torch_torchtensor_eig_parts", "use rt_torch_torchtensor_eig_complex"),
    "det of a non-square matrix": (
        'val a = rt_torch_tensor_ones([2, 3])\nprint "before"\nprint rt_torch_torchtensor_det(rt_torch_torchtensor_reshape(a, [3, 2]))\n',
        "rt_torch_torchtensor_det", "must be batches of square matrices"),
    "det of a batch as a number": (
        'val a = rt_torch_tensor_ones([2, 2, 2])\nprint "before"\nprint rt_torch_torchtensor_det(a)\n',
        "rt_torch_torchtensor_det", "a Tensor with 2 elements cannot be converted to Scalar"),
    "max of an empty tensor": ('val a = rt_torch_tensor_zeros([0])\nprint "before"\nprint rt_torch_torchtensor_max(a)\n',
                               "rt_torch_torchtensor_max", "numel() == 0"),
    "slice with step 0": ('val a = rt_torch_tensor_ones([4])\nprint "before"\nprint rt_torch_torchtensor_slice(a, 0, 0, 4, 0)\n',
                          "rt_torch_torchtensor_slice", "slice step must be positive"),
    "index_select with a float index": ('val a = rt_torch_tensor_ones([4])\nval i = rt_torch_tensor_ones([2])\n'
                                        'print "before"\nprint rt_torch_torchtensor_index_select(a, 0, i)\n',
                                        "rt_torch_torchtensor_index_select", "int"),
    "cat of nothing": ('print "before"\nprint rt_torch_torchtensor_cat([], 0)\n',
                       "rt_torch_torchtensor_cat", "non-empty list of Tensors"),
    "cat with a freed handle": ('val a = rt_torch_tensor_ones([2])\nval b = rt_torch_tensor_ones([2])\n'
                                'rt_torch_torchtensor_free(b)\nprint "before"\nprint rt_torch_torchtensor_cat([a, b], 0)\n',
                                "rt_torch_torchtensor_cat", "was already freed"),
    "stack of unequal shapes": ('val a = rt_torch_tensor_ones([2])\nval b = rt_torch_tensor_ones([3])\n'
                                'print "before"\nprint rt_torch_torchtensor_stack([a, b], 0)\n',
                                "rt_torch_torchtensor_stack", "stack expects each tensor to be equal size"),
    "chunk into 0": ('val a = rt_torch_tensor_ones([4])\nprint "before"\nprint rt_torch_torchtensor_chunk(a, 0, 0)\n',
                     "rt_torch_torchtensor_chunk", "greater than 0"),
    "conv2d with three strides": ('val a = rt_torch_tensor_ones([1, 1, 4, 4])\nval w = rt_torch_tensor_ones([1, 1, 1, 1])\n'
                                  'print "before"\nprint rt_torch_nn_conv2d(a, w, 0, [1, 1, 1], [0], [1], 1)\n',
                                  "rt_torch_nn_conv2d", "stride"),
    "batch_norm in eval without statistics": ('val x = rt_torch_tensor_ones([3, 2])\nprint "before"\n'
                                              'print rt_torch_nn_batch_norm(x, 0, 0, 0, 0, false, 0.1, 0.00001)\n',
                                              "rt_torch_nn_batch_norm", "running_mean must be defined in evaluation mode"),
    "embedding with float indices": ('val t = rt_torch_tensor_ones([4, 2])\nval i = rt_torch_tensor_ones([2])\n'
                                     'print "before"\nprint rt_torch_nn_embedding(i, t)\n',
                                     "rt_torch_nn_embedding", "Long"),
    "singular inverse": ('print "before"\nprint rt_torch_torchtensor_inverse(rt_torch_tensor_zeros([2, 2]))\n',
                         "rt_torch_torchtensor_inverse", "singular"),
    "unknown dtype": ('val a = rt_torch_tensor_ones([2])\nprint "before"\n'
                      'print rt_torch_torchtensor_to_dtype(a, "float16")\n',
                      "rt_torch_torchtensor_to_dtype", "unknown dtype 'float16'"),
    "view of a non-contiguous tensor": ('val a = rt_torch_torchtensor_t(rt_torch_tensor_ones([2, 3]))\n'
                                        'print "before"\nprint rt_torch_torchtensor_view(a, [6])\n',
                                        "rt_torch_torchtensor_view", "Use .reshape(...) instead"),
    "cross_entropy with float classes": ('val s = rt_torch_tensor_ones([2, 3])\n'
                                         'val c = rt_torch_tensor_from_data([1.0, 0.0], [2])\nprint "before"\n'
                                         'print rt_torch_nn_cross_entropy(s, c)\n',
                                         "rt_torch_nn_cross_entropy", "expected target dtype to be Long"),
    "softmax dim out of range": ('val a = rt_torch_tensor_ones([2, 3])\nprint "before"\n'
                                 'print rt_torch_torchtensor_softmax(a, 5)\n',
                                 "rt_torch_torchtensor_softmax", "Dimension out of range"),
    "conv2d of a 2-d input": ('val a = rt_torch_tensor_ones([2, 3])\nval w = rt_torch_tensor_ones([1, 1, 1, 1])\n'
                              'print "before"\nprint rt_torch_nn_conv2d(a, w, 0, [1], [0], [1], 1)\n',
                              "rt_torch_nn_conv2d", "Expected 3D (unbatched) or 4D (batched) input"),
}

CUDA_ERRORS = {
    "cuda without CUDA": ('val a = rt_torch_tensor_ones([2])\nprint "before"\nprint rt_torch_torchtensor_cuda(a, 0)\n',
                          "rt_torch_torchtensor_cuda", "CUDA is not available"),
    "stream_create without CUDA": ('print "before"\nprint rt_torch_stream_create(0)\n',
                                   "rt_torch_stream_create", "CUDA is not available"),
    "to_stream without CUDA": ('val a = rt_torch_tensor_ones([2])\nprint "before"\n'
                               'print rt_torch_torchtensor_to_stream(a, 0, 0)\n',
                               "rt_torch_torchtensor_to_stream", "CUDA is not available"),
    "memory_allocated without CUDA": ('print "before"\nprint rt_torch_cuda_memory_allocated(0)\n',
                                      "rt_torch_cuda_memory_allocated", "CUDA is not available"),
    "max_memory_allocated without CUDA": ('print "before"\nprint rt_torch_cuda_max_memory_allocated(0)\n',
                                          "rt_torch_cuda_max_memory_allocated", "CUDA is not available"),
}


def _check_error(runtime, tmp_path, body, extern, needle):
    proc = run(runtime, tmp_path, body)
    assert proc.returncode == 1, f"expected a script error (status 1), got {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    assert proc.stdout.splitlines()[-1:] == ["before"], proc.stdout  # ran up to the failing call, no further
    assert extern in proc.stderr and needle in proc.stderr, proc.stderr
    # libtorch's message is cut to one line: no C++ backtrace, no "Exception raised from".
    assert "frame #" not in proc.stderr and "Exception raised from" not in proc.stderr, proc.stderr
    line = next(ln for ln in proc.stderr.splitlines() if needle in ln)
    assert "t.spl:" in proc.stderr, proc.stderr  # the runtime names the script line
    return line


@slow
@pytest.mark.parametrize("case", sorted(ERRORS))
def test_error_is_a_script_error(runtime, tmp_path, case):
    body, extern, needle = ERRORS[case]
    _check_error(runtime, tmp_path, body, extern, needle)


@slow
@pytest.mark.parametrize("case", sorted(CUDA_ERRORS))
def test_cuda_call_without_cuda_is_a_script_error(runtime, tmp_path, case):
    probe = ok(run(runtime, tmp_path, 'print "S cuda {rt_torch_cuda_available()}"\n', name="probe.spl"))
    if scalars(probe)["cuda"] == "true":
        pytest.skip("this runtime sees a CUDA device")
    body, extern, needle = CUDA_ERRORS[case]
    _check_error(runtime, tmp_path, body, extern, needle)


@slow
def test_cuda_memory_without_cuda(runtime, tmp_path):
    # empty_cache has nothing to release without CUDA and returns; the byte
    # counts are script errors (CUDA_ERRORS). With CUDA: the test below.
    out = ok(run(runtime, tmp_path, '''
print "S cuda {rt_torch_cuda_available()}"
rt_torch_cuda_empty_cache()
print "S after_empty_cache yes"
'''))
    s = scalars(out)
    if s["cuda"] == "true":
        pytest.skip("this runtime sees a CUDA device")  # pragma: no cover - needs a GPU
    assert s["after_empty_cache"] == "yes"


@slow
def test_cuda_memory_with_cuda(runtime, tmp_path):
    probe = ok(run(runtime, tmp_path, 'print "S cuda {rt_torch_cuda_available()}"\n', name="probe.spl"))
    if scalars(probe)["cuda"] != "true":
        pytest.skip("needs a CUDA device (rt_torch_cuda_available() is false)")
    out = ok(run(runtime, tmp_path, '''
val before = rt_torch_cuda_memory_allocated(0)
val g = rt_torch_torchtensor_cuda(rt_torch_tensor_zeros([1024, 1024]), 0)
print "S grew {rt_torch_cuda_memory_allocated(0) - before}"
print "S device {rt_torch_torchtensor_device(g)}"
rt_torch_torchtensor_free(g)
print "S peak_kept {rt_torch_cuda_max_memory_allocated(0) - before >= 4194304}"
rt_torch_cuda_empty_cache()
'''))  # pragma: no cover - needs a GPU
    s = scalars(out)
    assert (s["grew"], s["device"], s["peak_kept"]) == ("4194304", "0", "true")


# ---------------------------------------------------------------- examples --

def test_examples_declare_what_they_use_as_torch_spl_does():
    from sffi import decls

    library, _ = decls.parse_files([DECLS])
    for example in sorted(EXAMPLES.glob("*.spl")):
        text = example.read_text(encoding="utf-8")
        found, diags = decls.parse_text(text, str(example))
        assert not diags, diags
        declared = {d.name for d in found}
        for d in found:
            assert d.name in library, f"{example.name}: {d.name} is not in torch.spl"
            assert d.signature == library[d.name].signature, f"{example.name}: {d.name} {d.signature}"
        body = "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("extern "))
        used = set(re.findall(r"\brt_torch_\w+", body))
        assert used <= declared, f"{example.name} uses undeclared {sorted(used - declared)}"


@slow
@pytest.mark.parametrize("example", ["tensors.spl", "linalg.spl"])
def test_example_runs_and_frees_everything(runtime, example):
    proc = subprocess.run([str(runtime), str(EXAMPLES / example)], capture_output=True, text=True, timeout=120)
    out = ok(proc)
    assert out.splitlines()[-1] == "live tensors at exit: 0"


@slow
def test_linalg_example_values(runtime):
    out = ok(subprocess.run([str(runtime), str(EXAMPLES / "linalg.spl")], capture_output=True, text=True,
                            timeout=120))

    def values(label):
        m = re.search(rf"^{re.escape(label)} \[[^\]]*\]: \[([^\]]*)\]$", out, re.M)
        assert m, f"no line for {label}"
        return torch.tensor(_floats(m.group(1)), dtype=torch.float64)

    def scalar(label):
        m = re.search(rf"^{re.escape(label)} = (\S+)$", out, re.M)
        assert m, f"no line for {label}"
        return float(m.group(1))

    m = torch.tensor([[4.0, 1], [2, 3]])
    assert torch.allclose(values("a @ b^T"), (A @ B.T).double().flatten())
    assert torch.allclose(values("softmax(b, 1)"), B.softmax(1).double().flatten())
    assert torch.allclose(values("inverse(m)"), torch.linalg.inv(m).double().flatten())
    assert torch.allclose(values("singular values S"), torch.linalg.svdvals(A).double(), atol=1e-5)
    assert torch.allclose(values("eigenvalues").sort().values, torch.tensor([2.0, 5.0], dtype=torch.float64),
                          atol=1e-5)
    assert scalar("det(m)") == pytest.approx(10.0, abs=1e-5)
    assert scalar("std(a)") == pytest.approx(float(A.std()), rel=1e-6)
    assert scalar("|U diag(S) Vh - a|") < 1e-5


def _xor_in_python(seed=0, hidden=8, lr=2.0, epochs=1000, every=100):
    """The training of examples/torch/xor.spl, done with the torch package."""
    torch.manual_seed(seed)
    x = torch.tensor([[0.0, 0], [0, 1], [1, 0], [1, 1]])
    y = torch.tensor([[0.0], [1], [1], [0]])
    w1, b1 = torch.randn(hidden, 2), torch.zeros(hidden)
    w2, b2 = torch.randn(1, hidden), torch.zeros(1)
    params = [w1, b1, w2, b2]
    for p in params:
        p.requires_grad_(True)
    reported = {}
    for epoch in range(epochs):
        out = torch.sigmoid(F.linear(torch.tanh(F.linear(x, w1, b1)), w2, b2))
        loss = F.mse_loss(out, y)
        if epoch % every == 0:
            reported[epoch] = loss.item()
        loss.backward()
        with torch.no_grad():
            for p in params:
                p.add_(p.grad, alpha=-lr)
                p.grad.zero_()
    with torch.no_grad():
        out = torch.sigmoid(F.linear(torch.tanh(F.linear(x, w1, b1)), w2, b2))
        return reported, F.mse_loss(out, y).item(), out.flatten().tolist()


@slow
def test_xor_example_converges(runtime):
    proc = subprocess.run([str(runtime), str(EXAMPLES / "xor.spl")], capture_output=True, text=True, timeout=300)
    out = ok(proc)
    losses = {int(e): float(v) for e, v in re.findall(r"^epoch (\d+): loss (\S+)$", out, re.M)}
    final = float(re.search(r"^final loss (\S+) after 1000 epochs$", out, re.M).group(1))
    predictions = re.findall(r"^xor\((\d), (\d)\) = (\S+) -> (\d)$", out, re.M)
    assert sorted(losses) == list(range(0, 1000, 100))
    assert losses[900] < losses[0] / 100, losses
    assert final < 0.01
    assert [(a, b, bit) for a, b, _, bit in predictions] == [("0", "0", "0"), ("0", "1", "1"), ("1", "0", "1"),
                                                             ("1", "1", "0")]
    assert "predictions: 4 of 4 correct" in out
    assert out.splitlines()[-1] == "live tensors at exit: 0"
    # The same training in Python: same kernels, same generator, same numbers
    # (a small tolerance in case libtorch and the Python package differ).
    reported, final_py, out_py = _xor_in_python()
    for epoch, value in reported.items():
        assert losses[epoch] == pytest.approx(value, rel=1e-3, abs=1e-6), epoch
    assert final == pytest.approx(final_py, rel=1e-3, abs=1e-6)
    assert [float(p) for _, _, p, _ in predictions] == pytest.approx(out_py, abs=1e-4)


# ---------------------------------------------------------------- detector --

def test_detector_settings():
    assert FOUND.name == "libtorch" and FOUND.linkage == "shared"
    assert FOUND.version and FOUND.origin
    assert "-std=c++20" in FOUND.cxxflags
    assert FOUND.libs[:2] == ["torch_cpu", "c10"]
    assert any(p.endswith("torch/csrc/api/include") for p in FOUND.cpppath)
    assert FOUND.rpath == FOUND.libpath
    for lib in FOUND.libpath:
        assert (Path(lib) / "libtorch_cpu.so").exists()
    assert libtorch_detector.detect(prefer_static=True) == FOUND  # no static libtorch: same settings


def test_detector_does_not_import_torch():
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from sffi.toolchain import libtorch; f = libtorch.detect(False); "
            "print(f.version); assert 'torch' not in sys.modules, 'torch was imported'")
    proc = subprocess.run([sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == FOUND.version


def test_detector_uses_libtorch_env(monkeypatch, tmp_path):
    # Any directory with include/ and lib/ laid out like a libtorch zip will do:
    # make one from the found installation with symbolic links.
    include = Path(FOUND.cpppath[0]) if not FOUND.origin.startswith("Debian") else None
    if include is None or not FOUND.libpath:
        pytest.skip("needs a libtorch with its own include/ and lib/ directories")
    dist = tmp_path / "libtorch"
    dist.mkdir()
    (dist / "include").symlink_to(include)
    (dist / "lib").symlink_to(FOUND.libpath[0])
    (dist / "build-version").write_text("9.9.9+test\n")
    monkeypatch.setenv("LIBTORCH", str(dist))
    found = libtorch_detector.detect(prefer_static=False)
    assert found.origin.startswith(f"LIBTORCH={dist}")
    assert found.version == "9.9.9+test"
    assert found.libs[:2] == ["torch_cpu", "c10"] and found.rpath == found.libpath


def test_detector_rejects_a_wrong_libtorch_env(monkeypatch, tmp_path):
    monkeypatch.setenv("LIBTORCH", str(tmp_path))
    with pytest.raises(DependencyMissing) as info:
        libtorch_detector.detect(prefer_static=False)
    assert info.value.name == "libtorch"
    assert f"LIBTORCH={tmp_path}" in info.value.reason
    assert "pip install torch==2.13.0" in info.value.install


def test_detector_reports_what_it_looked_for(monkeypatch):
    monkeypatch.delenv("LIBTORCH", raising=False)
    monkeypatch.setattr(libtorch_detector, "_python_torch_dir", lambda: None)
    real_is_dir = Path.is_dir
    monkeypatch.setattr(Path, "is_dir", lambda self: False if str(self) == "/usr/include/torch" else real_is_dir(self))
    with pytest.raises(DependencyMissing) as info:
        libtorch_detector.detect(prefer_static=False)
    message = str(info.value)
    for part in ("$LIBTORCH (not set)", "Python package torch", "Debian libtorch-dev", "pip install torch==2.13.0"):
        assert part in message


def test_detector_rejects_an_old_libtorch(monkeypatch, tmp_path):
    if FOUND.origin.startswith("Debian"):
        pytest.skip("needs a libtorch with its own include/ and lib/ directories")
    dist = tmp_path / "libtorch"
    dist.mkdir()
    (dist / "include").symlink_to(FOUND.cpppath[0])
    (dist / "lib").symlink_to(FOUND.libpath[0])
    (dist / "build-version").write_text("1.13.1+cpu\n")
    monkeypatch.setenv("LIBTORCH", str(dist))
    with pytest.raises(DependencyMissing, match="too old"):
        libtorch_detector.detect(prefer_static=False)
