"""The check record (sffi.plan.records) on a real compiled archive: what the build writes
gives back the same check, without scanning the archive again."""

import json
import subprocess

import pytest

from sffi import check, decls, manifest
from sffi.errors import SffiError
from sffi.plan import kinds, records


def test_recorded_check_equals_a_fresh_scan(tmp_path):
    lib = tmp_path / "alpha"
    (lib / "src").mkdir(parents=True)
    (lib / "alpha.spl").write_text("extern fn rt_alpha_one() -> i64\nextern fn rt_alpha_two(x: f64)\n")
    (lib / "src/alpha.c").write_text("#include <stdint.h>\nint64_t rt_alpha_one(void) { return 1; }\n"
                                     "void rt_alpha_extra(void) {}\n__attribute__((weak)) int helper(void) { return 3; }\n")
    (lib / "sffi.toml").write_text('name = "alpha"\nprefix = "rt_alpha_"\nkind = "c"\n'
                                   'declarations = ["alpha.spl"]\nsources = ["src/*.c"]\n')
    subprocess.run(["cc", "-c", str(lib / "src/alpha.c"), "-o", str(tmp_path / "alpha.o")], check=True)
    archive = tmp_path / "libsffi_alpha.a"
    subprocess.run(["ar", "rcs", str(archive), str(tmp_path / "alpha.o")], check=True)
    m = manifest.load(lib)
    parsed = decls.parse_files(m.declarations)
    scanned = check.check_library(m, [archive], parsed, define_hint=kinds.of(m).define_hint)
    path = tmp_path / "alpha.check.json"
    path.write_text(json.dumps(records.record(scanned, str(archive), "abc")))
    archive.unlink()  # the record is all the second check reads
    recorded = records.library_check(path, m, parsed)
    assert recorded.exported == scanned.exported
    assert [d.name for d in recorded.missing] == ["rt_alpha_two"]
    assert [s.name for s in recorded.undeclared] == ["rt_alpha_extra"]
    assert recorded.messages() == scanned.messages()
    data = json.loads(path.read_text())
    assert data["strong_exports"] == {"rt_alpha_extra": "alpha.o", "rt_alpha_one": "alpha.o"}
    assert data["prototypes_sha256"] == "abc"


def test_a_record_of_an_older_build_asks_for_a_rebuild(tmp_path):
    path = tmp_path / "x.check.json"
    path.write_text('{"library": "x", "matched": []}')
    with pytest.raises(SffiError, match="not a check record of this sffi version: rebuild with scons"):
        records.load(path)
