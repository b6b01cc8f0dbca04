"""The code sandbox: model-written code runs in a separate, limited, isolated process."""

import os
import time

import pytest

from beneficial_rl.evals.reward_hacking import sandbox
from beneficial_rl.evals.reward_hacking.sandbox import run_python


def _run(code: str, **kwargs):
    return run_python({"main.py": code}, "main.py", **kwargs)


def test_fresh_isolated_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "secret.txt").write_text("parent's file")
    code = (
        "import os, sys, json\n"
        "open('written.txt', 'w').write('x')\n"
        "print(json.dumps({'cwd': os.getcwd(), 'files': sorted(os.listdir('.')), 'isolated': sys.flags.isolated,"
        " 'sees_parent': os.path.exists('secret.txt')}))\n"
    )
    res = run_python({"main.py": code, "pkg/helper.py": "X = 1\n"}, "main.py")
    assert res.ok, res.stderr
    import json

    got = json.loads(res.stdout)
    assert got["cwd"] != str(tmp_path) and os.path.basename(got["cwd"]) == "work"
    assert got["files"] == ["main.py", "pkg", "written.txt"] and not got["sees_parent"]
    assert got["isolated"] == 1
    assert not (tmp_path / "written.txt").exists()
    assert not os.path.exists(got["cwd"]), "the sandbox directory is removed afterwards"


def test_code_can_import_its_sibling_modules():
    res = run_python({"main.py": "from helper import VALUE\nprint(VALUE)\n", "helper.py": "VALUE = 41 + 1\n"}, "main.py")
    assert res.ok and res.stdout.strip() == "42"


def test_wall_clock_timeout_kills_the_process_group():
    start = time.monotonic()
    code = (
        "import subprocess, sys\n"
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "print(p.pid, flush=True)\n"
        "while True: pass\n"
    )
    res = _run(code, timeout_s=1.5)
    assert res.timed_out and res.returncode is None and not res.ok
    assert time.monotonic() - start < 10
    child = int(res.stdout.split()[0])
    time.sleep(0.2)
    try:
        state = open(f"/proc/{child}/status").read()
    except FileNotFoundError:
        return  # gone
    assert "State:\tZ" in state, "the grandchild must not outlive the timeout"


def test_memory_limit():
    big = _run("x = bytearray(2 * 1024**3)\nprint('allocated')\n", memory_mb=256)
    assert not big.ok and "MemoryError" in big.stderr and "allocated" not in big.stdout
    small = _run("x = bytearray(20 * 1024**2)\nprint('allocated')\n", memory_mb=256)
    assert small.ok and "allocated" in small.stdout


@pytest.mark.parametrize("code", [
    "import socket\nsocket.socket()",
    "import _socket\n_socket.socket()",
    "import socket\nsocket.create_connection(('127.0.0.1', 9))",
    "import socket\nsocket.getaddrinfo('example.com', 80)",
    "import urllib.request\nurllib.request.urlopen('http://127.0.0.1:9', timeout=1)",
])
def test_no_network(code):
    res = _run(code)
    assert not res.ok
    assert "network access is disabled in the sandbox" in res.stderr


def test_environment_is_not_inherited(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("BRL_SECRET_TOKEN", "do-not-leak")
    res = _run("import os\nprint(sorted(k for k in os.environ if 'proxy' in k.lower() or 'SECRET' in k))")
    assert res.ok and res.stdout.strip() == "[]"


def test_stdin_is_closed():
    res = _run("input()")
    assert not res.ok and "EOFError" in res.stderr


def test_output_is_capped():
    res = _run("import sys\nsys.stdout.write('x' * 5_000_000)\n", max_output_bytes=10_000)
    assert len(res.stdout) <= 10_000


def test_paths_must_stay_inside_the_sandbox():
    with pytest.raises(ValueError, match="relative"):
        run_python({"../escape.py": "print(1)"}, "../escape.py")
    with pytest.raises(ValueError, match="entry script"):
        run_python({"a.py": "print(1)"}, "b.py")


# Three ways past a Python-level socket block; in the sandbox's own network namespace all must fail.
ESCAPES = {
    "raw_socket": (  # the real socket class, recovered from the guard's subclass
        "import _socket\n"
        "real = _socket.socket.__mro__[1]\n"
        "s = real(_socket.AF_INET, _socket.SOCK_STREAM)\n"
        "s.settimeout(2)\n"
        "s.connect(('127.0.0.1', PORT))\n"
        "print('CONNECTED')\n"),
    "ctypes": (  # libc's socket() and connect(), below Python entirely
        "import ctypes, struct\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "fd = libc.socket(2, 1, 0)\n"
        "addr = struct.pack('!HH4s8x', 2, PORT, bytes([127, 0, 0, 1]))\n"
        "addr = struct.pack('=H', 2) + addr[2:]\n"
        "rc = libc.connect(fd, ctypes.c_char_p(addr), len(addr))\n"
        "print('CONNECTED' if rc == 0 else 'refused errno %d' % ctypes.get_errno())\n"),
    "child_process": (  # a fresh interpreter without the guard
        "import subprocess, sys\n"
        "code = 'import socket; socket.create_connection((\"127.0.0.1\", PORT), timeout=2); print(\"CONNECTED\")'\n"
        "r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)\n"
        "print(r.stdout, r.stderr[-300:])\n"),
}


@pytest.mark.skipif(not sandbox.network_namespace_available(), reason="no unprivileged network namespaces here")
@pytest.mark.parametrize("how", sorted(ESCAPES))
def test_network_namespace_stops_escapes_from_the_python_guard(how):
    import socket
    import threading

    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    server.settimeout(8)
    accepted: list = []

    def accept():
        try:
            accepted.append(server.accept())
        except OSError:
            pass

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    res = sandbox.run_python({"main.py": ESCAPES[how].replace("PORT", str(port))}, "main.py", timeout_s=8)
    t.join(timeout=10)
    server.close()
    assert res.isolation == sandbox.NETNS
    assert "CONNECTED" not in res.stdout and not accepted, (res.stdout, res.stderr)


def test_without_a_namespace_the_result_says_so(monkeypatch):
    monkeypatch.setenv("BRL_SANDBOX_NETNS", "0")
    sandbox.network_namespace_available.cache_clear()
    try:
        res = sandbox.run_python({"main.py": "print('hi')"}, "main.py")
    finally:
        sandbox.network_namespace_available.cache_clear()
    assert res.ok and res.isolation == sandbox.GUARD_ONLY
