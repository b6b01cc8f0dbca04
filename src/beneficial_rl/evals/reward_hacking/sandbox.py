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

Three sandboxes (`SANDBOXES`), chosen per eval run (`brl eval --sandbox`, the experiment config's
`eval.sandbox`, `EvalContext.sandbox`):

- `brl` (the default): `run_python` above, in this process's machine, no Inspect involved.
- `local`: Inspect's `local` sandbox provider (`sandbox().exec` / `write_file` in the sample's own
  temporary directory). What it runs is the same limited runner: a small launcher script
  (`_LAUNCHER`, standard library only) that starts `unshare -rn` (where available) + `python -I`
  with the guard, under the same rlimits, clean environment, wall-clock limit with a process-group
  kill and capped output, and reports back as JSON. Same limits, same isolation, now visible in
  Inspect's transcript as sandbox events.
- `docker`: Inspect's `docker` provider with the compose file shipped in `sandbox_docker/`
  (`network_mode: none`, memory, CPU and process limits, a non-root user; `docker_compose_file()`).
  The same launcher runs inside the container with the container's `python3` and no namespace
  of its own (the container has no network); it reports the network interfaces it sees, and the
  results record them. This is the one to use for a model that may mean harm.

Whatever the choice, an Inspect eval that was itself given a sandbox (`inspect eval ... --sandbox
docker:<compose file>`) runs the code there: `run_python_sandboxed` uses the sample's Inspect
sandbox whenever one exists, and records which (`SandboxResult.sandbox`).
"""

from __future__ import annotations

import asyncio
import base64
import functools
import json
import os
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

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
CONTAINER_NO_NETWORK = "container without network (loopback only) + python guard"

SANDBOXES = ("brl", "local", "docker")  # see the module docstring
DEFAULT_SANDBOX = "brl"
DOCKER_DIR = Path(__file__).parent / "sandbox_docker"  # package data: compose.yaml + Dockerfile


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
    isolation: str = GUARD_ONLY  # how the network was cut off: NETNS, GUARD_ONLY, or a container's
    sandbox: str = DEFAULT_SANDBOX  # where it ran: "brl", or the Inspect sandbox provider ("local", "docker")

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
                [*prefix, sys.executable, "-I", "-B", "-c", _GUARD, main],
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


# -- through Inspect's sandbox interface -------------------------------------------------------------
# The launcher runs inside the Inspect sandbox (the host for `local`, the container for `docker`) as
# `python -I launch.py config.json`. Standard library only: the container has no beneficial_rl. It
# writes the files, starts the guarded interpreter under the limits, kills the whole process group
# at the wall-clock limit (or when the code returns, so nothing it started lingers), removes its
# folder and prints one JSON report.
_LAUNCHER = r"""
import base64, json, os, resource, shutil, signal, subprocess, sys, time

cfg_path = os.path.abspath(sys.argv[1])
with open(cfg_path, encoding="utf-8") as f:
    cfg = json.load(f)
run = os.path.dirname(cfg_path)
work, logs = os.path.join(run, "work"), os.path.join(run, "logs")
try:
    os.makedirs(logs)
    for name, text in cfg["files"].items():
        dest = os.path.join(work, name)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "w", encoding="utf-8") as f:
            f.write(text)
    mem, cpu, fsize = cfg["memory_bytes"], cfg["cpu_s"], cfg["max_output_bytes"]

    def limits():
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    env = dict(cfg["env"], HOME=work, TMPDIR=work)
    prefix = ["unshare", "-rn"] if cfg["netns"] else []
    start = time.monotonic()
    with open(os.path.join(logs, "stdout"), "wb") as out, open(os.path.join(logs, "stderr"), "wb") as err:
        proc = subprocess.Popen([*prefix, sys.executable, "-I", "-B", "-c", cfg["guard"], cfg["main"]], cwd=work,
                                env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err, preexec_fn=limits,
                                start_new_session=True, close_fds=True)
        timed_out = False
        try:
            returncode = proc.wait(timeout=cfg["timeout_s"])
        except subprocess.TimeoutExpired:
            timed_out, returncode = True, None
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()
    seconds = time.monotonic() - start

    def read(name):  # raw bytes as base64: the report's size is bounded whatever the code printed
        with open(os.path.join(logs, name), "rb") as f:
            return base64.b64encode(f.read(fsize)).decode("ascii")

    net = "/sys/class/net"
    report = {"returncode": returncode, "timed_out": timed_out, "seconds": round(seconds, 3),
              "stdout": read("stdout"), "stderr": read("stderr"),
              "interfaces": sorted(os.listdir(net)) if os.path.isdir(net) else None}
finally:
    shutil.rmtree(run, ignore_errors=True)
sys.stdout.write(json.dumps(report))
"""

_CONTAINER_PATH = "/usr/local/bin:/usr/bin:/bin"  # python:3.x images keep python3 in /usr/local/bin
_EXEC_GRACE_S = 60  # the launcher enforces the limit; Inspect's exec timeout only backs it up


def docker_compose_file() -> Path:
    """The shipped compose file for Inspect's docker provider (`sandbox=("docker", this)`)."""
    return DOCKER_DIR / "compose.yaml"


def task_sandbox(name: str) -> str | tuple[str, str] | None:
    """What an Inspect Task declares as `sandbox=` for this choice (None: no Inspect sandbox)."""
    if name not in SANDBOXES:
        raise ValueError(f"unknown sandbox {name!r}; choose one of {', '.join(SANDBOXES)}")
    if name == "local":
        return "local"
    if name == "docker":
        return ("docker", docker_compose_file().as_posix())
    return None


def inspect_sandbox() -> Any | None:
    """The current sample's Inspect sandbox environment, or None outside a sample that has one."""
    from inspect_ai.util import sandbox

    try:
        return sandbox()
    except ProcessLookupError:
        return None


def provider(env: Any) -> str:
    """The Inspect provider behind an environment: "local", "docker", or the class name."""
    # Inspect exports neither class; these are its provider modules (checked by the tests).
    from inspect_ai.util._sandbox.docker.docker import DockerSandboxEnvironment
    from inspect_ai.util._sandbox.local import LocalSandboxEnvironment

    for name, cls in (("local", LocalSandboxEnvironment), ("docker", DockerSandboxEnvironment)):
        try:
            env.as_type(cls)
            return name
        except TypeError:
            pass
    return type(getattr(env, "_sandbox", env)).__name__


async def run_python_inspect(files: Mapping[str, str], main: str, timeout_s: float = 10.0,
                             memory_mb: int = DEFAULT_MEMORY_MB, max_output_bytes: int = DEFAULT_OUTPUT_BYTES,
                             env: Any | None = None) -> SandboxResult:
    """`run_python` through an Inspect sandbox environment (`env`, default: the current sample's).

    On the `local` provider the code gets exactly what `run_python` gives it (namespace where
    available, guard, rlimits, clean environment, wall-clock limit on the process group). On a
    container provider it gets the guard, the rlimits and the container's own limits; the result's
    `isolation` says whether the container had a network."""
    if main not in files:
        raise ValueError(f"entry script {main!r} is not among the files")
    for name in files:
        _safe_relpath(name)
    if env is None:
        env = inspect_sandbox()
        if env is None:
            raise RuntimeError("no Inspect sandbox for this sample: declare the task with sandbox='local' or "
                               "'docker' (see evals/reward_hacking/sandbox.py)")
    kind = provider(env)
    local = kind == "local"
    netns = local and network_namespace_available()
    run = f"brl-run-{secrets.token_hex(8)}"
    home = f"{run}/work"  # replaced by the absolute folder inside the launcher
    cfg = {
        "files": {_safe_relpath(n).as_posix(): t for n, t in files.items()}, "main": main, "guard": _GUARD,
        "netns": netns, "timeout_s": timeout_s, "cpu_s": max(1, int(timeout_s) + 1),
        "memory_bytes": memory_mb * 2**20, "max_output_bytes": max_output_bytes,
        "env": _env(home) if local else {**_env(home), "PATH": _CONTAINER_PATH},
    }
    await env.write_file(f"{run}/launch.py", _LAUNCHER)
    await env.write_file(f"{run}/config.json", json.dumps(cfg))
    python = sys.executable if local else "python3"
    start = time.monotonic()
    try:
        res = await env.exec([python, "-I", f"{run}/launch.py", f"{run}/config.json"],
                             timeout=int(timeout_s) + _EXEC_GRACE_S)
    except TimeoutError:  # Inspect's SandboxTimeoutError is one
        return SandboxResult(None, "", "the sandbox's exec timed out", True, round(time.monotonic() - start, 3),
                             _isolation(kind, netns, None), kind)
    try:
        report = json.loads(res.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(f"the sandbox launcher failed (exit {res.returncode}): {res.stderr[-2000:]}") from None
    stdout, stderr = (base64.b64decode(report[k]).decode("utf-8", errors="replace") for k in ("stdout", "stderr"))
    return SandboxResult(report["returncode"], stdout, stderr, report["timed_out"], report["seconds"],
                         _isolation(kind, netns, report["interfaces"]), kind)


def _isolation(kind: str, netns: bool, interfaces: list[str] | None) -> str:
    if kind == "local":
        return NETNS if netns else GUARD_ONLY
    if interfaces is not None and set(interfaces) <= {"lo"}:
        return CONTAINER_NO_NETWORK
    seen = "unknown" if interfaces is None else ", ".join(interfaces)
    return f"container with network interfaces ({seen}) + python guard"


async def run_python_sandboxed(files: Mapping[str, str], main: str, sandbox: str = DEFAULT_SANDBOX,
                               **kwargs) -> SandboxResult:
    """Run in the chosen sandbox: the sample's Inspect sandbox when it has one (a task declared with
    `task_sandbox(sandbox)`, or an `inspect eval --sandbox ...`), else `run_python` for `brl`. Asking
    for `local` or `docker` where the sample has no Inspect sandbox is an error, not a silent fallback."""
    if sandbox not in SANDBOXES:
        raise ValueError(f"unknown sandbox {sandbox!r}; choose one of {', '.join(SANDBOXES)}")
    env = inspect_sandbox()
    if env is not None:
        return await run_python_inspect(files, main, env=env, **kwargs)
    if sandbox != DEFAULT_SANDBOX:
        raise RuntimeError(f"sandbox {sandbox!r} was asked for but this sample has no Inspect sandbox "
                           "(the task must be declared with sandbox.task_sandbox(...))")
    return await run_python_async(files, main, **kwargs)
