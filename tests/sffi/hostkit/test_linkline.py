"""sffi.hostkit.linkline: the host kit's link line, as flags, cargo lines and a pkg-config file."""

from __future__ import annotations

from sffi.hostkit import linkline


def test_link_line_order_and_cargo_lines():
    line = linkline.LinkLine(("sqlite3", "m"), ("/opt/lib",), ("-Wl,--as-needed",), ("-lgcc_s", "-lc"), cxx=True,
                             rpath=("/opt/lib",))
    assert line.flags("/kit/lib") == ["-L/kit/lib", "-lsffi_host", "-L/opt/lib", "-Wl,-rpath,/opt/lib", "-Wl,--as-needed",
                                      "-lsqlite3", "-lm", "-lgcc_s", "-lc", "-lstdc++"]
    cargo = line.cargo_lines("/kit/lib")
    assert cargo[:2] == ["cargo:rustc-link-search=native=/kit/lib", "cargo:rustc-link-lib=static=sffi_host"]
    assert "cargo:rustc-link-arg=-Wl,-rpath,/opt/lib" in cargo and "cargo:rustc-link-arg=-Wl,--as-needed" in cargo and "cargo:rustc-link-lib=dylib=stdc++" in cargo
    pc = linkline.pkg_config(["core"], line, "0.1.0")
    assert "prefix=${pcfiledir}/../..\n" in pc and "Libs: -L${libdir} -lsffi_host -L/opt/lib" in pc
