"""`--with=all`: one runtime in which a script uses SQLite, torch and OpenCV together."""

import subprocess

import pytest

from buildhelp import ROOT  # also puts the project root (toolchain/) on sys.path
from sffi import toolchain  # noqa: E402


def _missing() -> str:
    for name in ("libtorch", "opencv"):
        try:
            toolchain.find("detector", name, prefer_static=True)
        except toolchain.DependencyMissing as exc:
            return str(exc)
    return ""


@pytest.mark.slow
@pytest.mark.skipif(bool(_missing()), reason=f"--with=all needs libtorch and OpenCV: {_missing()}")
def test_one_runtime_uses_all_three_libraries(build_runtime, tmp_path):
    binary = build_runtime("all")
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True).stdout
    for lib in ("core", "opencv", "sqlite", "torch"):
        assert lib in version
    png = tmp_path / "m.png"
    proc = subprocess.run([str(binary), str(ROOT / "examples/all/measurements.spl"), str(png)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "sqlite: 8 values [0, 32, 64, 96, 128, 160, 192, 224]",  # Simple's float display
        "torch: sum 896, mean 112",
        "opencv: image mean [112]",
        f"wrote {png}",
    ]
    import cv2  # the image as OpenCV's Python package reads it
    img = cv2.imread(str(png), cv2.IMREAD_UNCHANGED)
    assert img.shape == (8, 8) and list(img[3]) == [0, 32, 64, 96, 128, 160, 192, 224]
