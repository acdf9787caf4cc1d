"""ffi_libs/opencv through a real runtime (``scons runtime --with=opencv``).

Scripts run in the runtime binary; their PNG outputs are compared with the
same operations done by cv2 (opencv-python) on the same input. cv2 in the
venv is OpenCV 5.0, the library links Debian's 4.6. Measured on this
machine (docs/opencv.md, "4.6 vs cv2 5.0"): cvtColor, threshold (OTSU too),
resize NEAREST/LINEAR/AREA/LANCZOS4/NEAREST_EXACT/LINEAR_EXACT, GaussianBlur
(ksize 3..9, sigma 0..3), Canny and the rectangle/circle/line rasterizers
give identical pixels, so those are compared exactly. resize CUBIC differs
by at most 1 on ~3% of pixels (tolerance 1). putText differs completely (5.0
draws with a new built-in font), so text is checked for placement only.

Also: statistics printed by scripts vs numpy, every error path (a script
error with exit status 1 and a useful message, never a crash), and the
detector (static/shared link settings, DependencyMissing).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from buildhelp import install_with_module
from sffi.toolchain import DependencyMissing
from sffi.toolchain import opencv as opencv_detector

ROOT = Path(__file__).resolve().parents[3]
DECLS = ROOT / "ffi_libs" / "opencv" / "opencv.spl"
EXAMPLE = ROOT / "examples" / "opencv" / "pipeline.spl"

try:
    FOUND = opencv_detector.detect(prefer_static=True)
    MISSING = None
except DependencyMissing as exc:  # pragma: no cover - depends on the machine
    FOUND, MISSING = None, str(exc)

needs_opencv = pytest.mark.skipif(MISSING is not None, reason=f"OpenCV not available: {MISSING}")
cv2 = pytest.importorskip("cv2", reason="the comparisons need opencv-python (cv2) in the test environment")
np = pytest.importorskip("numpy")

# Every script starts with the library's declarations and the core externs it may use.
PRELUDE = (DECLS.read_text(encoding="utf-8")
           + "\nextern fn rt_args() -> [text]\nextern fn rt_exit(code: i32)\n\n")


@pytest.fixture(scope="module", params=["linked", "module"])
def runtime(build_runtime, request, tmp_path_factory) -> Path:
    """OpenCV linked in, and a core-only runtime beside the opencv module (docs/modules.md)."""
    if MISSING is not None:
        pytest.skip(f"OpenCV not available: {MISSING}")
    if request.param == "linked":
        return build_runtime("opencv")
    core = build_runtime("none", modules="opencv")
    return install_with_module(core, "opencv", tmp_path_factory.mktemp("opencv-module"))


def run(runtime: Path, tmp_path: Path, body: str, *args: str, name: str = "t.spl") -> subprocess.CompletedProcess:
    """Run PRELUDE + body as a script; arguments after the script file."""
    script = tmp_path / name
    script.write_text(PRELUDE + body, encoding="utf-8")
    return subprocess.run([str(runtime), str(script), *args], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)


def ok(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, f"script failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def stats(stdout: str) -> dict[str, list[float]]:
    """Lines ``STAT name v1 v2 ...`` -> {name: [v1, v2, ...]}."""
    out = {}
    for line in stdout.splitlines():
        if line.startswith("STAT "):
            name, *values = line.split()[1:]
            out[name] = [float(v.strip("[],")) for v in values if v.strip("[],")]
    return out


def read(path: Path):
    img = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    assert img is not None, f"cv2 cannot read {path}"
    return img


def assert_same(actual, expected, what: str, tolerance: int = 0) -> None:
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    diff = np.abs(actual.astype(np.int32) - expected.astype(np.int32))
    worst = int(diff.max()) if diff.size else 0
    assert worst <= tolerance, (f"{what}: {np.count_nonzero(diff > tolerance)} of {diff.size} values differ "
                                f"by more than {tolerance} (max {worst})")


# The scene: shapes only (rasterized identically by 4.6 and cv2 5.0).
SCENE_SPL = """
fn draw_scene(img):
    rt_opencv_rectangle(img, 0, 0, 319, 239, [40.0, 30.0, 20.0], -1)
    rt_opencv_rectangle(img, 20, 20, 120, 100, [0.0, 0.0, 255.0], -1)
    rt_opencv_rectangle(img, 140, 20, 300, 100, [0.0, 200.0, 0.0], 4)
    rt_opencv_circle(img, 80, 170, 45, [255.0, 64.0, 0.0], -1)
    rt_opencv_circle(img, 230, 165, 40, [0.0, 220.0, 255.0], 3)
    rt_opencv_line(img, 10, 230, 310, 120, [255.0, 255.0, 255.0], 2)
    rt_opencv_line(img, 5, 5, 315, 200, [255.0, 0.0, 255.0], 1)
"""


def draw_scene_cv2():
    img = np.zeros((240, 320, 3), np.uint8)
    cv2.rectangle(img, (0, 0), (319, 239), (40, 30, 20), -1)
    cv2.rectangle(img, (20, 20), (120, 100), (0, 0, 255), -1)
    cv2.rectangle(img, (140, 20), (300, 100), (0, 200, 0), 4)
    cv2.circle(img, (80, 170), 45, (255, 64, 0), -1)
    cv2.circle(img, (230, 165), 40, (0, 220, 255), 3)
    cv2.line(img, (10, 230), (310, 120), (255, 255, 255), 2)
    cv2.line(img, (5, 5), (315, 200), (255, 0, 255), 1)
    return img


@pytest.mark.slow
@needs_opencv
def test_version_matches_pkg_config(runtime, tmp_path):
    out = ok(run(runtime, tmp_path, 'print "VERSION {rt_opencv_version()}"\n'))
    assert f"VERSION {FOUND.version}" in out


@pytest.mark.slow
@needs_opencv
def test_operations_match_cv2(runtime, tmp_path):
    body = SCENE_SPL + """
fn save(dir, name, mat):
    rt_opencv_imwrite("{dir}/{name}.png", mat)
    rt_opencv_mat_free(mat)

val dir = rt_args()[0]
val canvas = rt_opencv_mat_zeros(240, 320, 3)
draw_scene(canvas)
rt_opencv_imwrite("{dir}/drawn.png", canvas)
rt_opencv_mat_free(canvas)

val img = rt_opencv_imread("{dir}/drawn.png")
val gray = rt_opencv_cvt_color(img, "BGR2GRAY")
val blur = rt_opencv_gaussian_blur(gray, 5, 1.5)
save(dir, "gray", rt_opencv_mat_clone(gray))
save(dir, "blur", rt_opencv_mat_clone(blur))
save(dir, "blur3", rt_opencv_gaussian_blur(img, 3, 0.0))
save(dir, "blur9", rt_opencv_gaussian_blur(gray, 9, 3.0))
save(dir, "canny", rt_opencv_canny(blur, 50.0, 150.0))
save(dir, "canny_raw", rt_opencv_canny(gray, 20.0, 60.0))
save(dir, "binary", rt_opencv_threshold(gray, 100.0, 255.0, "BINARY"))
save(dir, "binary_inv", rt_opencv_threshold(gray, 60.0, 200.0, "BINARY_INV"))
save(dir, "trunc", rt_opencv_threshold(gray, 90.0, 255.0, "TRUNC"))
save(dir, "tozero", rt_opencv_threshold(gray, 50.0, 255.0, "TOZERO"))
save(dir, "tozero_inv", rt_opencv_threshold(gray, 50.0, 255.0, "TOZERO_INV"))
save(dir, "otsu", rt_opencv_threshold(gray, 0.0, 255.0, "OTSU"))
save(dir, "nearest", rt_opencv_resize(img, 123, 77, "NEAREST"))
save(dir, "linear", rt_opencv_resize(img, 517, 401, "LINEAR"))
save(dir, "area", rt_opencv_resize(img, 160, 120, "AREA"))
save(dir, "cubic", rt_opencv_resize(img, 517, 401, "CUBIC"))
save(dir, "hsv", rt_opencv_cvt_color(img, "BGR2HSV"))
save(dir, "rgb", rt_opencv_cvt_color(img, "BGR2RGB"))
save(dir, "lab", rt_opencv_cvt_color(img, "BGR2LAB"))
save(dir, "gray2bgr", rt_opencv_cvt_color(gray, "GRAY2BGR"))
save(dir, "side", rt_opencv_hconcat(img, rt_opencv_cvt_color(gray, "GRAY2BGR")))
rt_opencv_mat_free(img)
rt_opencv_mat_free(gray)
rt_opencv_mat_free(blur)
print "LIVE {rt_opencv_mat_live()}"
"""
    out = ok(run(runtime, tmp_path, body, str(tmp_path)))
    # The hconcat's temporary GRAY2BGR mat is never freed: exactly one live mat.
    assert "LIVE 1" in out

    drawn = read(tmp_path / "drawn.png")
    assert_same(drawn, draw_scene_cv2(), "drawing (rectangle/circle/line)")
    gray = cv2.cvtColor(drawn, cv2.COLOR_BGR2GRAY)
    blur = cv2.GaussianBlur(gray, (5, 5), 1.5, sigmaY=1.5)
    expected = {
        "gray": gray,
        "blur": blur,
        "blur3": cv2.GaussianBlur(drawn, (3, 3), 0),
        "blur9": cv2.GaussianBlur(gray, (9, 9), 3.0, sigmaY=3.0),
        "canny": cv2.Canny(blur, 50, 150),
        "canny_raw": cv2.Canny(gray, 20, 60),
        "binary": cv2.threshold(gray, 100, 255, cv2.THRESH_BINARY)[1],
        "binary_inv": cv2.threshold(gray, 60, 200, cv2.THRESH_BINARY_INV)[1],
        "trunc": cv2.threshold(gray, 90, 255, cv2.THRESH_TRUNC)[1],
        "tozero": cv2.threshold(gray, 50, 255, cv2.THRESH_TOZERO)[1],
        "tozero_inv": cv2.threshold(gray, 50, 255, cv2.THRESH_TOZERO_INV)[1],
        "otsu": cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)[1],
        "nearest": cv2.resize(drawn, (123, 77), interpolation=cv2.INTER_NEAREST),
        "linear": cv2.resize(drawn, (517, 401), interpolation=cv2.INTER_LINEAR),
        "area": cv2.resize(drawn, (160, 120), interpolation=cv2.INTER_AREA),
        "hsv": cv2.cvtColor(drawn, cv2.COLOR_BGR2HSV),
        "rgb": cv2.cvtColor(drawn, cv2.COLOR_BGR2RGB),
        "lab": cv2.cvtColor(drawn, cv2.COLOR_BGR2Lab),
        "gray2bgr": cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR),
        "side": np.hstack([drawn, cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)]),
    }
    for name, ref in expected.items():
        assert_same(read(tmp_path / f"{name}.png"), ref, name)
    # Measured: INTER_CUBIC differs by at most 1 between OpenCV 4.6 and 5.0.
    cubic = cv2.resize(drawn, (517, 401), interpolation=cv2.INTER_CUBIC)
    assert_same(read(tmp_path / "cubic.png"), cubic, "cubic", tolerance=1)
    assert np.count_nonzero(read(tmp_path / "canny.png")) > 500, "Canny found almost no edges"


@pytest.mark.slow
@needs_opencv
def test_put_text_draws_near_its_anchor(runtime, tmp_path):
    # cv2 5.0 renders text with a different font than 4.6's Hershey fonts, so
    # only placement is checked: something is drawn, in the text color, in a
    # box above-right of the anchor (x, y) = bottom-left of the text.
    body = """
val dir = rt_args()[0]
val img = rt_opencv_mat_zeros(100, 300, 3)
rt_opencv_put_text(img, "Hello sffi", 20, 60, 1.0, [10.0, 200.0, 250.0], 2)
rt_opencv_imwrite("{dir}/text.png", img)
"""
    ok(run(runtime, tmp_path, body, str(tmp_path)))
    img = read(tmp_path / "text.png")
    drawn = np.any(img != 0, axis=2)
    ys, xs = np.nonzero(drawn)
    assert len(ys) > 200, "putText drew (almost) nothing"
    assert xs.min() >= 18 and xs.max() < 260 and ys.min() >= 25 and ys.max() <= 66, (xs.min(), xs.max(), ys.min(), ys.max())
    # LINE_8 text: every drawn pixel has exactly the text color.
    assert {tuple(p) for p in img[drawn]} == {(10, 200, 250)}


@pytest.mark.slow
@needs_opencv
def test_statistics_match_numpy(runtime, tmp_path):
    body = SCENE_SPL + """
fn show(name, values):
    var line = "STAT {name}"
    for v in values:
        line = line + " {v}"
    print line

val dir = rt_args()[0]
val img = rt_opencv_mat_zeros(240, 320, 3)
draw_scene(img)
rt_opencv_imwrite("{dir}/scene.png", img)
val gray = rt_opencv_cvt_color(img, "BGR2GRAY")
val edges = rt_opencv_canny(gray, 50.0, 150.0)
show("size", [rt_opencv_mat_rows(img), rt_opencv_mat_cols(img), rt_opencv_mat_channels(img)])
show("gray_size", [rt_opencv_mat_rows(gray), rt_opencv_mat_cols(gray), rt_opencv_mat_channels(gray)])
show("mean_img", rt_opencv_mean(img))
show("mean_gray", rt_opencv_mean(gray))
show("minmax_img", rt_opencv_min_max(img))
show("minmax_gray", rt_opencv_min_max(gray))
show("minmax_edges", rt_opencv_min_max(edges))
show("nonzero_edges", [rt_opencv_count_non_zero(edges)])
show("nonzero_gray", [rt_opencv_count_non_zero(gray)])
"""
    got = stats(ok(run(runtime, tmp_path, body, str(tmp_path))))
    img = read(tmp_path / "scene.png")
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    edges = cv2.Canny(gray, 50, 150)
    assert got["size"] == [240, 320, 3]
    assert got["gray_size"] == [240, 320, 1]
    # Means are printed by the runtime's float formatting: compare to 1e-5 relative.
    assert got["mean_img"] == pytest.approx(img.reshape(-1, 3).mean(axis=0).tolist(), rel=1e-5)
    assert got["mean_gray"] == pytest.approx([gray.mean()], rel=1e-5)
    assert got["minmax_img"] == [img.min(), img.max()]
    assert got["minmax_gray"] == [gray.min(), gray.max()]
    assert got["minmax_edges"] == [0, 255]
    assert got["nonzero_edges"] == [np.count_nonzero(edges)]
    assert got["nonzero_gray"] == [np.count_nonzero(gray)]


@pytest.mark.slow
@needs_opencv
def test_get_set_clone_and_in_place_drawing(runtime, tmp_path):
    body = """
fn show(name, values):
    var line = "STAT {name}"
    for v in values:
        line = line + " {v}"
    print line

val a = rt_opencv_mat_zeros(4, 5, 3)
rt_opencv_mat_set(a, 1, 2, 0, 7.0)
rt_opencv_mat_set(a, 1, 2, 1, 300.0)
rt_opencv_mat_set(a, 1, 2, 2, -3.0)
rt_opencv_mat_set(a, 3, 4, 2, 12.6)
val b = rt_opencv_mat_clone(a)
rt_opencv_mat_set(b, 1, 2, 0, 99.0)
rt_opencv_rectangle(b, 0, 0, 0, 0, [1.0, 2.0, 3.0], -1)
show("a", [rt_opencv_mat_get(a, 1, 2, 0), rt_opencv_mat_get(a, 1, 2, 1), rt_opencv_mat_get(a, 1, 2, 2), rt_opencv_mat_get(a, 3, 4, 2), rt_opencv_mat_get(a, 0, 0, 0)])
show("b", [rt_opencv_mat_get(b, 1, 2, 0), rt_opencv_mat_get(b, 0, 0, 0), rt_opencv_mat_get(b, 0, 0, 2)])
val g = rt_opencv_mat_zeros(2, 3, 1)
rt_opencv_line(g, 0, 0, 2, 0, [200.0], 1)
show("g", [rt_opencv_mat_get(g, 0, 0, 0), rt_opencv_mat_get(g, 0, 2, 0), rt_opencv_mat_get(g, 1, 0, 0), rt_opencv_count_non_zero(g)])
show("live", [rt_opencv_mat_live()])
rt_opencv_mat_free(a)
rt_opencv_mat_free(b)
rt_opencv_mat_free(g)
show("live_after", [rt_opencv_mat_live()])
"""
    got = stats(ok(run(runtime, tmp_path, body)))
    assert got["a"] == [7, 255, 0, 13, 0]      # saturate_cast: clamped and rounded
    assert got["b"] == [99, 1, 3]              # the clone changed, the original did not
    assert got["g"] == [200, 200, 0, 3]
    assert got["live"] == [3] and got["live_after"] == [0]


@pytest.mark.slow
@needs_opencv
def test_example_pipeline(runtime, tmp_path):
    proc = subprocess.run([str(runtime), str(EXAMPLE), str(tmp_path)], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    out = ok(proc)
    side = read(tmp_path / "pipeline_side_by_side.png")
    drawn = read(tmp_path / "pipeline_drawn.png")
    assert side.shape == (300, 800, 3)
    assert_same(side[:, :400], drawn, "left half = the drawn image")
    right = side[:, 400:]
    assert np.array_equal(right[..., 0], right[..., 1]) and np.array_equal(right[..., 1], right[..., 2])
    assert set(np.unique(right).tolist()) == {0, 255}
    match = re.search(r"edges: (\d+) of 120000 pixels", out)
    assert match, out
    assert int(match.group(1)) == np.count_nonzero(right[..., 0])
    assert "image: 400x300, 3 channel(s)" in out
    assert "OpenCV " + FOUND.version in out


# --- errors: a script error (exit status 1, message naming the extern), never a crash ---

ERROR_CASES = {
    # id: (script body, substrings the error output must contain)
    "missing_file": ('val m = rt_opencv_imread("@TMP@/nope.png")\n',
                     ["rt_opencv_imread", "cannot read image '@TMP@/nope.png'", "No such file"]),
    "not_an_image": ('val m = rt_opencv_imread("@TMP@/garbage.png")\n',
                     ["rt_opencv_imread", "cannot read image '@TMP@/garbage.png'"]),
    "bad_imread_mode": ('val m = rt_opencv_imread_as("@TMP@/garbage.png", "COLOUR")\n',
                        ["unknown mode 'COLOUR'", "GRAYSCALE"]),
    "bad_conversion_code": ('val m = rt_opencv_cvt_color(rt_opencv_mat_zeros(4, 4, 3), "BGR2FOO")\n',
                            ["rt_opencv_cvt_color", "unknown conversion code 'BGR2FOO'", "valid:", "BGR2GRAY",
                             "GRAY2BGR", "BGR2RGB", "BGR2HSV"]),
    "conversion_channels": ('val m = rt_opencv_cvt_color(rt_opencv_mat_zeros(4, 4, 1), "BGR2GRAY")\n',
                            ["BGR2GRAY needs an image of 3 or 4 channels, got 1 channel"]),
    "unknown_handle": ("val r = rt_opencv_mat_rows(12345)\n", ["rt_opencv_mat_rows", "invalid mat handle 12345"]),
    "zero_handle": ("val r = rt_opencv_mat_cols(0)\n", ["invalid mat handle 0"]),
    "freed_handle": ("val m = rt_opencv_mat_zeros(2, 2, 1)\nrt_opencv_mat_free(m)\nval r = rt_opencv_mat_rows(m)\n",
                     ["was already freed"]),
    "double_free": ("val m = rt_opencv_mat_zeros(2, 2, 1)\nrt_opencv_mat_free(m)\nrt_opencv_mat_free(m)\n",
                    ["rt_opencv_mat_free", "was already freed"]),
    "row_out_of_range": ("val v = rt_opencv_mat_get(rt_opencv_mat_zeros(3, 4, 1), 3, 0, 0)\n",
                         ["row 3 is out of range 0..2"]),
    "col_out_of_range": ("val v = rt_opencv_mat_get(rt_opencv_mat_zeros(3, 4, 1), 0, -1, 0)\n",
                         ["col -1 is out of range 0..3"]),
    "channel_out_of_range": ("val v = rt_opencv_mat_get(rt_opencv_mat_zeros(3, 4, 3), 0, 0, 3)\n",
                             ["channel 3 is out of range 0..2"]),
    "set_channel_out_of_range": ("rt_opencv_mat_set(rt_opencv_mat_zeros(3, 4, 1), 0, 0, 1, 5.0)\n",
                                 ["rt_opencv_mat_set", "channel 1 is out of range 0..0"]),
    "even_ksize": ("val b = rt_opencv_gaussian_blur(rt_opencv_mat_zeros(8, 8, 1), 4, 1.0)\n",
                   ["rt_opencv_gaussian_blur", "OpenCV: assertion failed", "ksize.width % 2 == 1",
                    "createGaussianKernels"]),
    "zero_ksize_zero_sigma": ("val b = rt_opencv_gaussian_blur(rt_opencv_mat_zeros(8, 8, 1), 0, 0.0)\n",
                              ["ksize.width > 0"]),
    "bad_threshold_type": ('val t = rt_opencv_threshold(rt_opencv_mat_zeros(4, 4, 1), 1.0, 255.0, "BINARY+FOO")\n',
                           ["unknown threshold type 'FOO'", "BINARY_INV", "TOZERO"]),
    "otsu_on_color": ('val t = rt_opencv_threshold(rt_opencv_mat_zeros(4, 4, 3), 0.0, 255.0, "OTSU")\n',
                      ["OTSU and TRIANGLE need a 1-channel image, got 3 channels"]),
    "count_non_zero_color": ("val n = rt_opencv_count_non_zero(rt_opencv_mat_zeros(4, 4, 3))\n",
                             ["count_non_zero needs a 1-channel image, got 3 channels"]),
    "hconcat_rows": ("val s = rt_opencv_hconcat(rt_opencv_mat_zeros(4, 4, 3), rt_opencv_mat_zeros(5, 4, 3))\n",
                     ["rt_opencv_hconcat", "images differ in rows (4 and 5)"]),
    "hconcat_channels": ("val s = rt_opencv_hconcat(rt_opencv_mat_zeros(4, 4, 3), rt_opencv_mat_zeros(4, 4, 1))\n",
                         ["images differ in channels (3 and 1)"]),
    "bad_channels": ("val m = rt_opencv_mat_zeros(4, 4, 5)\n", ["channels 5 is out of range 1..4"]),
    "bad_rows": ("val m = rt_opencv_mat_zeros(0, 4, 1)\n", ["rows 0 is out of range"]),
    "too_large": ("val m = rt_opencv_mat_zeros(100000, 100000, 3)\n", ["larger than the 2 GiB limit"]),
    "bad_interpolation": ('val r = rt_opencv_resize(rt_opencv_mat_zeros(4, 4, 1), 2, 2, "BICUBIC")\n',
                          ["unknown interpolation 'BICUBIC'", "CUBIC", "NEAREST"]),
    "bad_resize_size": ('val r = rt_opencv_resize(rt_opencv_mat_zeros(4, 4, 1), 0, 2, "LINEAR")\n',
                        ["width 0 is out of range"]),
    "empty_color": ("rt_opencv_circle(rt_opencv_mat_zeros(4, 4, 3), 1, 1, 1, [], 1)\n",
                    ["rt_opencv_circle", "a color is 1 to 4 numbers"]),
    "long_color": ("rt_opencv_line(rt_opencv_mat_zeros(4, 4, 3), 0, 0, 3, 3, [1.0, 2.0, 3.0, 4.0, 5.0], 1)\n",
                   ["a color is 1 to 4 numbers", "got 5"]),
    "line_fill": ("rt_opencv_line(rt_opencv_mat_zeros(4, 4, 3), 0, 0, 3, 3, [1.0], -1)\n",
                  ["thickness -1 is out of range 1..255"]),
    "imwrite_extension": ('val ok = rt_opencv_imwrite("@TMP@/x.nosuchformat", rt_opencv_mat_zeros(4, 4, 3))\n',
                          ["rt_opencv_imwrite", "could not find a writer for the specified extension"]),
    "imwrite_directory": ('val ok = rt_opencv_imwrite("@TMP@/no/such/dir/x.png", rt_opencv_mat_zeros(4, 4, 3))\n',
                          ["cannot write image '@TMP@/no/such/dir/x.png'", "No such file or directory"]),
}


@pytest.mark.slow
@needs_opencv
@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_errors_are_script_errors(runtime, tmp_path, case):
    body, needles = ERROR_CASES[case]
    (tmp_path / "garbage.png").write_bytes(b"this is not a PNG file\n")
    tmp = str(tmp_path)
    proc = run(runtime, tmp_path, body.replace("@TMP@", tmp) + 'print "UNREACHED"\n')
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, f"want exit status 1 (script error), got {proc.returncode}:\n{output}"
    assert "UNREACHED" not in proc.stdout
    for needle in needles:
        assert needle.replace("@TMP@", tmp) in output, f"{needle!r} not in:\n{output}"
    # OpenCV's own messages are trimmed: no version banner, no build path, one line.
    assert "OpenCV(" not in output and "/modules/" not in output
    assert "terminate called" not in output and "Aborted" not in output


# --- the detector (no runtime needed) ---

@needs_opencv
def test_detect_static_links_three_archives_in_order():
    if FOUND.linkage != "static":
        pytest.skip(f"no static OpenCV archives here: {FOUND.origin}")
    names = [os.path.basename(a) for a in FOUND.static_archives]
    assert names == ["libopencv_imgcodecs.a", "libopencv_imgproc.a", "libopencv_core.a"]
    assert all(os.path.isfile(a) for a in FOUND.static_archives)
    assert not any(lib.startswith("opencv_") for lib in FOUND.libs)
    assert "tbb" in FOUND.libs and "z" in FOUND.libs


@needs_opencv
def test_detect_static_set_is_the_measured_debian12_set():
    if FOUND.linkage != "static" or FOUND.version != "4.6.0":
        pytest.skip("the measured set is for Debian 12's OpenCV 4.6.0 static archives")
    expected = {re.sub(r"^lib|\.so(\..*)?$", "", s) for s in opencv_detector.DEBIAN12_STATIC_DEPS}
    got = {lib.lstrip(":") for lib in FOUND.libs}
    got = {re.sub(r"^lib|\.so(\..*)?$", "", lib) for lib in got} - {"dl", "m", "pthread", "rt"}
    assert got == expected


@needs_opencv
def test_detect_shared():
    found = opencv_detector.detect(prefer_static=False)
    assert found.linkage == "shared"
    assert found.libs == ["opencv_imgcodecs", "opencv_imgproc", "opencv_core"]
    assert found.static_archives == []
    assert any(Path(p, "opencv2", "core.hpp").is_file() for p in found.cpppath)


def test_detect_missing_names_package_and_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PKG_CONFIG_LIBDIR", str(tmp_path))
    monkeypatch.setenv("PKG_CONFIG_PATH", str(tmp_path))
    with pytest.raises(DependencyMissing) as info:
        opencv_detector.detect(prefer_static=True)
    assert info.value.name == "opencv4"
    assert info.value.install == "apt-get install libopencv-dev"
    assert "apt-get install libopencv-dev" in str(info.value)


@pytest.mark.slow
@needs_opencv
def test_runtime_links_opencv_statically(runtime):
    if FOUND.linkage != "static":
        pytest.skip(f"no static OpenCV archives here: {FOUND.origin}")
    proc = subprocess.run(["ldd", str(runtime)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "libopencv_" not in proc.stdout, "manifest says prefer-static, but the runtime loads shared OpenCV"
