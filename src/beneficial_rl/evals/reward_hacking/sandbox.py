"""Run model-written Python in a separate, limited process.

The impossible-coding eval executes whatever code a model wrote. That code is not malicious by
design, but it is untested and sometimes wrong in expensive ways (an infinite loop, a 10 GB list, a
`requests.get` to a URL it invented), so it never runs in our process. Each run gets:

- a fresh Python in isolated mode (`sys.executable -I`: no PYTHON* variables, no user site, the
  script's folder not on sys.path unless we put it there);
- a fresh temporary directory as its working directory, holding only the files we give it, removed
  afterwards;
- a wall-clock limit (the whole process group is killed), plus CPU, address-space, file-size and
  core-dump limits set with `resource.setrlimit` in `preexec_fn` (before the interpreter starts);
- its own network namespace on Linux where unprivileged user namespaces allow it (`unshare -rn`):
  an empty network with the loopback interface down, so no socket reaches anything, whether it is
  opened from Python, through ctypes or by a child process;
- a Python-level network block as well (`socket.socket` and friends raise before the code runs),
  which is all there is where namespaces are not available: every result says which one it had
  (`SandboxResult.isolation`), and so do the evals' per-sample results;
- a minimal environment (no proxy variables, HOME and TMPDIR inside the sandbox);
- stdin closed, stdout and stderr written to size-limited files rather than pipes.

With the namespace, code cannot reach the network; without it, code that means to escape (ctypes,
a C extension, a subprocess running a network tool) can. Either way this is a guard against
accidents, not a security boundary against a hostile model: run those in a container.
"""

from __future__ import annotations

import asyncio
import functools
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

DEFAULT_MEMORY_MB = 512
DEFAULT_OUTPUT_BYTES = 1_000_000

# Runs first inside the sandboxed interpreter: block the network, make the working directory
# importable (isolated mode leaves it off sys.path), then run the entry script as __main__.
_GUARD = r"""
import os, sys
import socket, _socket

def _no_network(*args, **kwargs):
    raise PermissionError("network access is disabled in the sandbox")

class _NoSocket(socket.socket):  # a class, so modules that subclass socket (ssl) still import
    def __init__(self, *args, **kwargs):
        _no_network()

class _NoRawSocket(_socket.socket):
    def __init__(self, *args, **kwargs):
        _no_network()

socket.socket = socket.SocketType = _NoSocket
_socket.socket = _socket.SocketType = _NoRawSocket
for _mod in (socket, _socket):
    for _name in ("create_connection", "create_server", "socketpair", "fromfd", "getaddrinfo",
                  "gethostbyname", "gethostbyname_ex", "gethostbyaddr"):
        if hasattr(_mod, _name):
            setattr(_mod, _name, _no_network)
del _mod, _name, socket, _socket

sys.path.insert(0, os.getcwd())
_main = sys.argv[1]
sys.argv = sys.argv[1:]
import runpy
runpy.run_path(_main, run_name="__main__")
"""


NETNS = "network namespace + python guard"
GUARD_ONLY = "python guard only (no network namespace here)"


@functools.cache
def network_namespace_available() -> bool:
    """Whether `unshare -rn` (a user + network namespace, no privileges needed) works here.
    BRL_SANDBOX_NETNS=0 turns it off (e.g. to compare)."""
    if os.environ.get("BRL_SANDBOX_NETNS") == "0" or not sys.platform.startswith("linux") or not shutil.which("unshare"):
        return False
    try:
        return subprocess.run(["unshare", "-rn", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@dataclass(frozen=True)
class SandboxResult:
    """What a run produced. `returncode` is None when the run was killed for time."""

    returncode: int | None
    stdout: str
    stderr: str
    timed_out: bool
    seconds: float
    isolation: str = GUARD_ONLY  # how the network was cut off: NETNS or GUARD_ONLY

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


def _limits(memory_bytes: int, cpu_s: int, file_bytes: int):
    """The child's resource limits, applied after fork and before exec."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def _env(home: str) -> dict[str, str]:
    """A minimal environment: nothing inherited, so no proxies, tokens or keys reach the code."""
    return {"HOME": home, "TMPDIR": home, "LANG": "C.UTF-8", "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"}


def _safe_relpath(name: str) -> Path:
    p = PurePosixPath(name)
    if p.is_absolute() or ".." in p.parts or not p.parts:
        raise ValueError(f"sandbox file names must be relative paths inside the sandbox: {name!r}")
    return Path(*p.parts)


def _read(path: Path, limit: int) -> str:
    with open(path, "rb") as f:
        return f.read(limit).decode("utf-8", errors="replace")


def run_python(files: Mapping[str, str], main: str, timeout_s: float = 10.0,
               memory_mb: int = DEFAULT_MEMORY_MB, max_output_bytes: int = DEFAULT_OUTPUT_BYTES) -> SandboxResult:
    """Write `files` into a fresh directory and run `main` (one of them) there, within limits."""
    if main not in files:
        raise ValueError(f"entry script {main!r} is not among the files")
    root = Path(tempfile.mkdtemp(prefix="brl-sandbox-"))
    try:
        work, logs = root / "work", root / "logs"
        work.mkdir()
        logs.mkdir()
        for name, text in files.items():
            dest = work / _safe_relpath(name)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(text, encoding="utf-8")
        cpu_s = max(1, int(timeout_s) + 1)
        start = time.monotonic()
        netns = network_namespace_available()
        prefix = ["unshare", "-rn"] if netns else []
        with open(logs / "stdout", "wb") as out, open(logs / "stderr", "wb") as err:
            proc = subprocess.Popen(
                [*prefix, sys.executable, "-I", "-c", _GUARD, main],
                cwd=work, env=_env(str(work)), stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                preexec_fn=_limits(memory_mb * 2**20, cpu_s, max_output_bytes), start_new_session=True,
                close_fds=True,
            )
            timed_out = False
            try:
                returncode: int | None = proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                timed_out, returncode = True, None
                _kill_group(proc)
        seconds = time.monotonic() - start
        return SandboxResult(returncode, _read(logs / "stdout", max_output_bytes),
                             _read(logs / "stderr", max_output_bytes), timed_out, round(seconds, 3),
                             NETNS if netns else GUARD_ONLY)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _kill_group(proc: subprocess.Popen) -> None:
    """Kill the child and anything it started (it leads its own session)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


async def run_python_async(files: Mapping[str, str], main: str, **kwargs) -> SandboxResult:
    """`run_python` off the event loop, so Inspect keeps scoring other samples meanwhile."""
    return await asyncio.to_thread(run_python, files, main, **kwargs)
