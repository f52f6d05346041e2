"""Drive wrk (HTTP load generator, Debian package ``wrk``) with a generated Lua script.

Each request is taken in turn from a list of (method, path, headers, body); wrk threads take
disjoint slices (thread t sends items t, t+T, t+2T, ...), so a list of distinct purchases is never
sent twice while it lasts. ``done()`` prints one JSON line with requests, duration, latency
percentiles and error counts (wrk counts a response with status >= 400 under ``status``).
"""
from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

LUA_TEMPLATE = r"""
local items = __ITEMS__
local idem_prefix = __IDEM__
local nthreads = __THREADS__
local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  counter = tid
end

function request()
  local it = items[(counter % #items) + 1]
  local h = {}
  for k, v in pairs(it.h) do h[k] = v end
  if idem_prefix ~= "" then h["Idempotency-Key"] = idem_prefix .. "-" .. tid .. "-" .. counter end
  counter = counter + nthreads
  return wrk.format(it.m, it.p, h, it.b)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect, e.read, e.write, e.status, e.timeout))
end
"""


@dataclass
class Item:
    method: str
    path: str
    headers: dict
    body: str | None = None


@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int       # socket errors and timeouts
    non_2xx: int      # responses with status >= 400

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal for our ASCII values


def _lua_items(items: list[Item]) -> str:
    rows = []
    for it in items:
        headers = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in it.headers.items())
        body = _lua_string(it.body) if it.body is not None else "nil"
        rows.append(f"{{m = {_lua_string(it.method)}, p = {_lua_string(it.path)}, h = {{{headers}}}, b = {body}}}")
    return "{\n" + ",\n".join(rows) + "\n}"


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    raise SystemExit("wrk is not installed: apt-get install wrk (Debian/Ubuntu package)")


def run(*, url: str, items: list[Item], seconds: float, connections: int, threads: int = 1,
        idempotency_prefix: str = "") -> Result:
    script = (LUA_TEMPLATE.replace("__ITEMS__", _lua_items(items))
              .replace("__IDEM__", _lua_string(idempotency_prefix)).replace("__THREADS__", str(threads)))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(script)
        path = Path(fh.name)
    try:
        out = subprocess.run(
            [ensure_wrk(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(path),
             url], capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    finally:
        path.unlink(missing_ok=True)
    line = next((ln for ln in out.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{out}")
    data = json.loads(line[len("WRKJSON "):])
    return Result(requests=data["requests"], seconds=data["duration_us"] / 1e6, p50_ms=data["p50_us"] / 1000,
                  p95_ms=data["p95_us"] / 1000, p99_ms=data["p99_us"] / 1000,
                  errors=data["connect"] + data["read"] + data["write"] + data["timeout"], non_2xx=data["status"])
