"""The check on real compiled archives: matched, missing, undeclared, clashes."""

import subprocess

import pytest

from sffi import check, manifest

#: the kind's advice in a missing extern's message (passed in: sffi.check names no kind)
HINT = "define {name} here"


def make_library(root, name, spl, c_source):
    lib = root / name
    (lib / "src").mkdir(parents=True)
    (lib / f"{name}.spl").write_text(spl)
    (lib / "src" / f"{name}.c").write_text(c_source)
    (lib / "sffi.toml").write_text(f'name = "{name}"\nprefix = "rt_{name}_"\nkind = "c"\n'
                                   f'declarations = ["{name}.spl"]\nsources = ["src/*.c"]\n')
    obj = root / f"{name}.o"
    archive = root / f"lib{name}.a"
    subprocess.run(["cc", "-c", str(lib / "src" / f"{name}.c"), "-o", str(obj)], check=True)
    subprocess.run(["ar", "rcs", str(archive), str(obj)], check=True)
    return manifest.load(lib), archive


@pytest.fixture
def libs(tmp_path):
    a = make_library(tmp_path, "alpha",
                     "extern fn rt_alpha_one() -> i64\nextern fn rt_alpha_two(x: f64)\n",
                     "#include <stdint.h>\nint64_t rt_alpha_one(void) { return 1; }\n"
                     "void rt_alpha_extra(void) {}\nint shared_helper(void) { return 2; }\n"
                     "__attribute__((weak)) int weak_helper(void) { return 3; }\n")
    b = make_library(tmp_path, "beta", "extern fn rt_beta_go() -> bool\n",
                     "#include <stdbool.h>\nbool rt_beta_go(void) { return true; }\n"
                     "int shared_helper(void) { return 4; }\n"
                     "__attribute__((weak)) int weak_helper(void) { return 5; }\n")
    return a, b


def test_missing_and_undeclared(libs):
    (alpha, archive), _ = libs
    result = check.check_library(alpha, [archive], define_hint=HINT)
    assert [d.name for d in result.matched] == ["rt_alpha_one"]
    assert [d.name for d in result.missing] == ["rt_alpha_two"]
    assert [s.name for s in result.undeclared] == ["rt_alpha_extra"]
    assert result.status == 12
    messages = result.messages()
    assert any(m.startswith(f"{alpha.declarations[0]}:2:1: error: extern 'rt_alpha_two'")
               and "define rt_alpha_two here, or remove the declaration" in m for m in messages)
    assert any("warning: 'rt_alpha_extra' is exported" in m for m in messages)


def test_clean_library_and_strong_clash(libs):
    (alpha, a_archive), (beta, b_archive) = libs
    rb = check.check_library(beta, [b_archive], define_hint=HINT)
    assert rb.status == 0 and not rb.missing and not rb.undeclared
    ra = check.check_library(alpha, [a_archive], define_hint=HINT)
    clashes = check.find_clashes([ra, rb], {"alpha": [str(a_archive)], "beta": [str(b_archive)]})
    assert [c.symbol for c in clashes] == ["shared_helper"]  # weak_helper is merged by the linker
    assert "library 'alpha'" in clashes[0].message() and "library 'beta'" in clashes[0].message()
