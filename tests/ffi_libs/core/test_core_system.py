"""core's system and time externs (issue 26) against Python's time, datetime, uuid, socket, os."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import socket
import time
import uuid

import numpy as np
import pytest

from corestd import lines, run

UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)


def _micros(d: dt.datetime) -> int:
    delta = d - EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def test_clocks_against_time(simple_runtime, tmp_path):
    before = time.time()
    out = lines(simple_runtime, """
print rt_time_now()
print rt_time_now_unix_millis()
print rt_time_millis()
print rt_time_now_unix_micros()
print rt_time_now_iso()
""", tmp_path)
    after = time.time()
    s, ms, ms2, us = (int(x) for x in out[:4])
    assert int(before) <= s <= after and before * 1000 - 1 <= ms <= ms2 <= after * 1000 + 1
    assert before * 1e6 - 1 <= us <= after * 1e6 + 1
    iso = dt.datetime.strptime(out[4], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert int(before) <= iso.timestamp() <= after


def test_local_fields_against_localtime(simple_runtime, tmp_path):
    env = {**os.environ, "TZ": "Asia/Kolkata"}  # +05:30: local differs from UTC in hours and minutes
    for _ in range(3):  # a second boundary between the two readings: read again
        out = lines(simple_runtime, "print [rt_time_year(), rt_time_month(), rt_time_day(), rt_time_hour(), "
                                    "rt_time_minute(), rt_time_second()]\n", tmp_path, env=env)
        now = dt.datetime.now(dt.timezone(dt.timedelta(hours=5, minutes=30)))
        want = [now.year, now.month, now.day, now.hour, now.minute, now.second]
        if out == [str(want)]:
            break
    assert out == [str(want)]


STAMPS = [0, 1, 1_500, -1, 951_782_400_000_000, 1_709_208_000_500_000, -62_135_596_800_000_000,
          253_402_300_799_999_999, -2**63 + 1, 2**63 - 1]


def test_timestamp_to_text_against_datetime(simple_runtime, tmp_path):
    body = "".join(f"print rt_timestamp_to_iso({t})\nprint rt_timestamp_to_string({t})\n" for t in STAMPS)
    out = lines(simple_runtime, body + "print rt_timestamp_to_iso(-9223372036854775807 - 1)\n", tmp_path)
    for i, t in enumerate(STAMPS[:8]):  # datetime covers years 1..9999
        d = EPOCH + dt.timedelta(microseconds=t)
        text = f"{d.year:04d}-{d:%m-%d %H:%M:%S}" + (f".{d.microsecond:06d}" if d.microsecond else "")
        assert out[2 * i] == text.replace(" ", "T") + "Z" and out[2 * i + 1] == text, t
    # Beyond datetime's years: numpy's datetime64 (proleptic Gregorian, µs) is the oracle.
    for i, t in enumerate(STAMPS[8:], start=8):
        assert out[2 * i] == np.datetime_as_string(np.datetime64(t, "us")) + "Z", t
    assert out[20] == "-290308-12-21T19:59:05.224192Z"  # -2^63: one µs before numpy's smallest


@pytest.mark.parametrize("text", ["2024-02-29", "2024-02-29T12:00:00", "2024-02-29t12:00:00Z", "2024-02-29 12:00:00z",
                                  "2000-01-01T00:00:00.123456789Z", "2024-02-29T12:00:00.5+01:00",
                                  "2024-02-29T12:00:00-0230", "1969-12-31T23:59:59+05", "0001-01-01T00:00:00Z",
                                  "1999-12-31T23:59:60Z"])
def test_timestamp_from_iso_against_datetime(simple_runtime, tmp_path, text):
    out = lines(simple_runtime, f'print rt_timestamp_from_iso("{text}")\nprint rt_timestamp_parse("{text}")\n',
                tmp_path)
    norm = re.sub(r"(\.\d{6})\d+", r"\1", text.upper().replace(" ", "T").replace("Z", "+00:00"))
    norm = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", re.sub(r"([+-]\d\d)$", r"\1:00", norm))
    leap = ":60" in norm
    d = dt.datetime.fromisoformat(norm.replace(":60", ":59"))
    d = d if d.tzinfo else d.replace(tzinfo=UTC)
    assert out == [str(_micros(d) + leap * 1_000_000)] * 2


@pytest.mark.parametrize("text", ["", "2024", "2024-13-01", "2024-02-30", "2023-02-29", "2024-02-29T25:00:00",
                                  "2024-02-29T12:00", "2024-02-29T12:00:00.", "2024-02-29T12:00:00+24:00",
                                  "2024-02-29 trailing", "999999-12-31T23:59:59Z", "24-02-29"])
def test_timestamp_from_iso_rejects(simple_runtime, tmp_path, text):
    assert lines(simple_runtime, f'print rt_timestamp_from_iso("{text}")\n', tmp_path) == ["-1"]


def test_diff_seconds_rounds_down(simple_runtime, tmp_path):
    pairs = [(5_000_000, 2_000_000), (2_000_000, 5_000_001), (1, 0), (0, 1), (2**63 - 1, -2**63), (-2**63, 2**63 - 1)]
    body = "".join(f"print rt_timestamp_diff_seconds({a}, {b})\n" for a, b in pairs)
    out = lines(simple_runtime, body.replace("-9223372036854775808", "(-9223372036854775807 - 1)"), tmp_path)
    assert out == [str((a - b) // 1_000_000) for a, b in pairs]


def test_sleep(simple_runtime, tmp_path):
    start = time.monotonic()
    assert lines(simple_runtime, 'rt_sleep_ms(300)\nrt_sleep_secs(0)\nprint "ok"\n', tmp_path) == ["ok"]
    assert time.monotonic() - start >= 0.3
    for call in ["rt_sleep_ms(-1)", "rt_sleep_ms(86400001)", "rt_sleep_secs(86401)", "rt_sleep_secs(-5)"]:
        proc = run(simple_runtime, call + "\n", tmp_path)
        assert proc.returncode == 1 and "outside 0 .. one day" in proc.stderr, call


def test_uuid_v4_against_uuid(simple_runtime, tmp_path):
    out = lines(simple_runtime, "for i in 0..200:\n    print rt_uuid_v4()\n", tmp_path)
    parsed = [uuid.UUID(u) for u in out]
    assert all(str(p) == u and p.version == 4 and p.variant == uuid.RFC_4122 for p, u in zip(parsed, out))
    assert len(set(out)) == 200


def test_host(simple_runtime, tmp_path):
    out = lines(simple_runtime, "print rt_hostname()\nprint rt_cpu_count()\nprint rt_get_host_target_code()\n"
                                "print rt_getpid() > 1\n", tmp_path)
    target = {"x86_64": 0, "aarch64": 1, "arm64": 1, "riscv64": 2}.get(platform.machine(), 0)
    assert out == [socket.gethostname(), str(os.cpu_count()), str(target), "true"]
