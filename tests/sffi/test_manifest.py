"""Library manifests (sffi.toml): loading, validation messages, discovery."""

from pathlib import Path

import pytest

from sffi import manifest
from sffi.errors import SffiError
from sffi.plan import kinds

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path, body, files=("x.spl", "src/a.c")):
    for rel in files:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    (tmp_path / "sffi.toml").write_text(body)
    return tmp_path / "sffi.toml"


GOOD = '''name = "x"
prefix = "rt_x_"
kind = "c"
declarations = ["x.spl"]
sources = ["src/*.c"]
[build]
cflags = ["-O1"]
[[dependency]]
pkg-config = "zlib"
install = "apt-get install zlib1g-dev"
[link]
libs = ["z"]
prefer-static = true
'''


def test_valid_manifest(tmp_path):
    m = manifest.load(write(tmp_path, GOOD))
    assert (m.name, m.prefix, m.kind, m.prefer_static) == ("x", "rt_x_", "c", True)
    assert m.declarations == ((tmp_path / "x.spl").resolve(),)
    assert m.source_files() == [(tmp_path / "src/a.c").resolve()]
    assert m.dependencies == (manifest.Dependency("pkg-config", "zlib", "apt-get install zlib1g-dev"),)
    assert m.cflags == ("-O1",) and m.link_libs == ("z",)


@pytest.mark.parametrize("old, new, fragment", [
    ('kind = "c"', 'kind = "rust"', "key 'kind': expected one of c, cxx, cargo, got 'rust'"),
    ('name = "x"', 'name = "X-1"', "key 'name': expected a lower-case identifier"),
    ('prefix = "rt_x_"', 'prefix = "x_"', "key 'prefix': expected a symbol prefix starting with 'rt_'"),
    ('declarations = ["x.spl"]', 'declarations = ["nope.spl"]', "key 'declarations': expected a path that exists"),
    ('declarations = ["x.spl"]', 'declarations = "x.spl"', "key 'declarations': expected a list of non-empty strings"),
    ('prefer-static = true', 'prefer-static = "yes"', "key 'link.prefer-static': expected true or false"),
    ('cflags = ["-O1"]', 'cflag = ["-O1"]', "unknown key 'build.cflag'"),
    ('pkg-config = "zlib"', 'detector = "a"\npkg-config = "zlib"', "exactly one of 'pkg-config' or 'detector'"),
    ('sources = ["src/*.c"]', 'crate = "."', "key 'crate': expected no 'crate' for kind 'c'"),
])
def test_validation_errors_name_file_key_and_expectation(tmp_path, old, new, fragment):
    path = write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(SffiError) as info:
        kinds.load(path)  # the manifest's rules, then its kind's (sffi.plan.kinds)
    assert str(path.resolve()) in str(info.value)
    assert fragment in str(info.value)


def test_missing_key_and_bad_toml(tmp_path):
    with pytest.raises(SffiError, match="key 'prefix': expected a string \\(the key is missing\\)"):
        manifest.load(write(tmp_path, GOOD.replace('prefix = "rt_x_"\n', "")))
    with pytest.raises(SffiError, match="invalid TOML"):
        manifest.load(write(tmp_path, "name = \n"))
    with pytest.raises(SffiError, match="does not exist"):
        manifest.load(tmp_path / "nowhere")


def test_glob_matching_nothing(tmp_path):
    m = manifest.load(write(tmp_path, GOOD.replace('"src/*.c"', '"src/*.cpp"')))
    with pytest.raises(SffiError, match="pattern 'src/\\*.cpp' matches no file"):
        m.source_files()


def test_project_libraries_are_valid():
    libs = manifest.discover(ROOT / "ffi_libs")
    assert "core" in libs and "sqlite" in libs
    for m in libs.values():
        if kinds.built_by_scons(m):  # also raises for an unknown kind
            assert m.source_files()


def test_cargo_crate_name_and_broken_cargo_toml(tmp_path):
    body = ('name = "r"\nprefix = "rt_r_"\nkind = "cargo"\ndeclarations = ["x.spl"]\ncrate = "."\n')
    path = write(tmp_path, body, files=("x.spl",))
    (tmp_path / "Cargo.toml").write_text('[package]\nname = "sffi-r"\n')
    assert kinds.load(path).crate_name == "sffi_r"
    (tmp_path / "Cargo.toml").write_text("[package\n")
    with pytest.raises(SffiError, match="cannot read the crate's name") as info:
        kinds.load(path)
    assert str((tmp_path / "Cargo.toml").resolve()) in str(info.value)
