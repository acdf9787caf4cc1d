"""The matrix file (matrix.toml, sffi.report.matrix_file): validation messages, no builds.

Smoke runs are in test_matrix_run.py, the matrix report in test_matrix_report.py.
"""

from pathlib import Path

import pytest

from sffi.errors import SffiError
from sffi.manifest import discover
from sffi.report import matrix, matrix_file

ROOT = Path(__file__).resolve().parents[3]
KNOWN = ["core", "opencv", "sqlite", "torch"]


def load(tmp_path, body, files=("a.spl", "a.expected")):
    for rel in files:
        (tmp_path / rel).write_text("")
    path = tmp_path / "m.toml"
    path.write_text(body)
    return matrix_file.load(path, KNOWN, tmp_path)


def error(tmp_path, body) -> str:
    with pytest.raises(SffiError) as info:
        load(tmp_path, body)
    text = str(info.value)
    assert text.startswith(str((tmp_path / "m.toml").resolve())), text  # names the file
    return text


SEL = '[[selection]]\nwith = "sqlite"\n'


def test_the_projects_matrix_has_none_each_library_alone_and_all():
    m = matrix_file.load(ROOT / "matrix.toml", list(discover(ROOT / "ffi_libs")), ROOT)
    libs = [s.libraries for s in m.selections]
    known = list(discover(ROOT / "ffi_libs"))
    assert ("core",) in libs and tuple(sorted(known)) in libs
    for lib in known:
        assert tuple(sorted({"core", lib})) in libs, f"matrix.toml has no selection of {lib} alone"
    # every runtime runs a core smoke, every library has one of its own
    assert [s for s in m.smokes if not s.needs]
    for lib in set(known) - {"core"}:
        assert [s for s in m.smokes if s.needs == (lib,)], f"no smoke for {lib}"


def test_valid_file(tmp_path):
    m = load(tmp_path, '[[selection]]\nwith = "none"\n[[selection]]\nname = "two"\nwith = "torch, sqlite"\n'
                       '[library.torch]\noptional = true\n[library.sqlite]\noptional = false\n'
                       '[[smoke]]\nscript = "a.spl"\nneeds = []\n'
                       '[[smoke]]\nname = "b"\nscript = "a.spl"\nargs = ["{out}/x"]\nneeds = ["torch"]\n'
                       'expected = "a.expected"\ntimeout = 5\n')
    assert [(s.name, s.libraries) for s in m.selections] == [("core", ("core",)),
                                                            ("two", ("core", "sqlite", "torch"))]
    assert m.optional == {"torch"}
    assert [s.name for s in m.smokes_for(["core"])] == ["a"]
    assert [s.name for s in m.smokes_for(["core", "sqlite", "torch"])] == ["a", "b"]
    assert m.smokes[1] == matrix_file.Smoke("b", "a.spl", ("{out}/x",), ("torch",), "a.expected", 5.0)
    assert [s.name for s in m.only("two")] == ["two"]
    assert len(m.only("")) == 2
    assert matrix.github_matrix(m) == {"include": [{"name": "core", "with": "none", "bootstrap": "none"},
                                                   {"name": "two", "with": "torch, sqlite",
                                                    "bootstrap": "sqlite,torch"}]}


def test_module_selections(tmp_path):
    m = load(tmp_path, '[[selection]]\nwith = "none"\n[[selection]]\nwith = "none"\nmodules = "all"\n'
                       '[[selection]]\nname = "sq+mods"\nwith = "sqlite"\nmodules = "torch"\n'
                       '[[smoke]]\nscript = "a.spl"\nneeds = ["torch"]\n')
    assert [(s.name, s.libraries, s.modules) for s in m.selections] == [
        ("core", ("core",), ()), ("core+modules=opencv+sqlite+torch", ("core",), ("opencv", "sqlite", "torch")),
        ("sq+mods", ("core", "sqlite"), ("torch",))]
    assert m.selections[2].usable == ("core", "sqlite", "torch")
    assert [s.name for s in m.smokes_for(m.selections[2].usable)] == ["a"]
    assert m.smokes_for(m.selections[2].libraries) == []
    assert m.selections[1].variant_name == "core"  # the runtime of selection 'core', shared
    assert [e["bootstrap"] for e in matrix.github_matrix(m)["include"]] == ["none", "opencv,sqlite,torch",
                                                                             "sqlite,torch"]
    assert [s.name for s in m.only("core+modules=opencv+sqlite+torch")] == ["core+modules=opencv+sqlite+torch"]


@pytest.mark.parametrize("body, message", [
    ('[[selection]]\nwith = "sqlite"\nmodules = "sqlite"\n',
     "key 'selection[0].modules': sqlite also given to --with; a library is either linked in or a module"),
    ('[[selection]]\nwith = "none"\nmodules = "pg"\n', "key 'selection[0].modules': unknown library 'pg'; "
                                                       "libraries that can be modules: opencv, sqlite, torch"),
    ('[[selection]]\nwith = "none"\nmodules = "core"\n', "key 'selection[0].modules': unknown library 'core'"),
    ('[[selection]]\nwith = "none"\nmodules = 3\n', "key 'selection[0].modules': expected a non-empty string"),
    ('[[selection]]\nwith = "none"\nmodules = "torch,sqlite"\n[[selection]]\nname = "b"\nwith = "none"\n'
     'modules = "sqlite, torch"\n', "key 'selection[1].with': selects the same libraries "
                                   "(core+modules=sqlite+torch) as selection 'core+modules=sqlite+torch'"),
])
def test_module_selection_errors(tmp_path, body, message):
    assert message in error(tmp_path, body)


@pytest.mark.parametrize("body, message", [
    ("", "key 'selection': expected at least one [[selection]] table"),
    ("selection = 3\n", "key 'selection': expected an array of tables ([[selection]]), got 3"),
    ("colour = 1\n" + SEL, "unknown key 'colour' (known keys: selection, library, smoke)"),
    ("[[selection]]\nname = \"x\"\n", "key 'selection[0].with': expected a string (the key is missing)"),
    ("[[selection]]\nwith = \"\"\n", "key 'selection[0].with': expected a non-empty string"),
    ("[[selection]]\nwith = \"postgres\"\n", "key 'selection[0].with': unknown library 'postgres'; "
                                            "known libraries: core, opencv, sqlite, torch"),
    (SEL + "flavour = 2\n", "unknown key 'selection[0].flavour' (known keys: name, with, modules)"),
    ("[[selection]]\nname = \"a b\"\nwith = \"none\"\n", "key 'selection[0].name': expected a name of letters"),
    (SEL + "[[selection]]\nname = \"core+sqlite\"\nwith = \"none\"\n",
     "key 'selection[1].name': selection name 'core+sqlite' is used twice"),
    (SEL + "[[selection]]\nname = \"again\"\nwith = \"sqlite,core\"\n",
     "key 'selection[1].with': selects the same libraries (core+sqlite) as selection 'core+sqlite'"),
    (SEL + "[library.postgres]\noptional = true\n", "key 'library.postgres': unknown library 'postgres'"),
    (SEL + "[library.torch]\noptional = \"yes\"\n", "key 'library.torch.optional': expected true or false"),
    (SEL + "[library.torch]\nrequired = true\n", "unknown key 'library.torch.required' (known keys: optional)"),
    (SEL + "[library.core]\noptional = true\n", "key 'library.core.optional': expected false"),
    (SEL + "[[smoke]]\nneeds = []\n", "key 'smoke[0].script': expected a string (the key is missing)"),
    (SEL + "[[smoke]]\nscript = \"nope.spl\"\nneeds = []\n",
     "key 'smoke[0].script': expected a file path relative to the project root"),
    (SEL + "[[smoke]]\nscript = \"a.spl\"\n", "key 'smoke[0].needs': expected a list of the libraries"),
    (SEL + "[[smoke]]\nscript = \"a.spl\"\nneeds = \"sqlite\"\n", "key 'smoke[0].needs': expected a list of strings"),
    (SEL + "[[smoke]]\nscript = \"a.spl\"\nneeds = [\"pg\"]\n", "key 'smoke[0].needs': unknown library 'pg'"),
    (SEL + "[[smoke]]\nscript = \"a.spl\"\nneeds = []\nargs = [1]\n", "key 'smoke[0].args': expected a list of strings"),
    (SEL + "[[smoke]]\nscript = \"a.spl\"\nneeds = []\nexpected = \"no.txt\"\n",
     "key 'smoke[0].expected': expected a file path relative to the project root"),
    (SEL + "[[smoke]]\nscript = \"a.spl\"\nneeds = []\ntimeout = 0\n", "key 'smoke[0].timeout': expected a number"),
    (SEL + "[[smoke]]\nscript = \"a.spl\"\nneeds = []\nverbose = true\n", "unknown key 'smoke[0].verbose'"),
    (SEL + "[[smoke]]\nscript = \"a.spl\"\nneeds = []\n[[smoke]]\nscript = \"a.spl\"\nneeds = [\"sqlite\"]\n",
     "key 'smoke[1].name': smoke name 'a' is used twice; give one of them another 'name'"),
    ("[[selection]\n", "invalid TOML"),
])
def test_validation_errors_name_file_and_key(tmp_path, body, message):
    assert message in error(tmp_path, body)


def test_missing_file_says_how_to_name_another(tmp_path):
    with pytest.raises(SffiError, match=r"no matrix file: .*nope.toml does not exist \(scons matrix --matrix=FILE"):
        matrix_file.load(tmp_path / "nope.toml", KNOWN, tmp_path)


def test_only_unknown_name_lists_the_selections(tmp_path):
    m = load(tmp_path, SEL)
    with pytest.raises(SffiError, match=r"--matrix-only: no selection 'x' in .*m.toml; its selections: core\+sqlite"):
        m.only("core+sqlite,x")
