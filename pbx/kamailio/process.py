"""Start and stop a Kamailio process with a rendered configuration (`make run` and the integration tests)."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import subprocess
from pathlib import Path

from panel import embedded
from pbx.kamailio import sipping

# Debian's packages put the modules here; the database modules come in separate packages.
MODULE_DIRS = ("/usr/lib/*/kamailio/modules", "/usr/lib/kamailio/modules", "/usr/local/lib*/kamailio/modules")
PACKAGES = "kamailio kamailio-sqlite-modules kamailio-postgres-modules"


def binary(name: str = "kamailio") -> str | None:
    """The Kamailio executable, or None when it is not installed."""
    found = shutil.which(name)
    if found is None and name == "kamailio" and os.access("/usr/sbin/kamailio", os.X_OK):
        found = "/usr/sbin/kamailio"  # PATH without sbin
    return found


def has_module(module: str) -> bool:
    """Whether a Kamailio module (e.g. "db_sqlite") is installed."""
    return any(glob.glob(f"{directory}/{module}.so") for directory in MODULE_DIRS)


def missing(*, db_module: str, executable: str = "kamailio") -> str | None:
    """Why Kamailio cannot run here with `db_module` ("db_sqlite"/"db_postgres"), or None when it can."""
    if binary(executable) is None:
        return f"Kamailio is not installed (apt-get install {PACKAGES})."
    if not has_module(db_module):
        return f"Kamailio's {db_module} module is not installed (apt-get install {PACKAGES})."
    return None


def check_config(config: Path, *, executable: str = "kamailio") -> str:
    """Run `kamailio -c` on `config`; raise RuntimeError with its output when it is not valid."""
    result = subprocess.run(
        [binary(executable) or executable, "-c", "-f", str(config)], capture_output=True, text=True, timeout=30
    )
    if result.returncode != 0:
        raise RuntimeError(f"Kamailio rejects {config}:\n{result.stdout}{result.stderr}")
    return result.stdout + result.stderr


def start(
    *,
    config: Path,
    host: str,
    port: int,
    work_dir: Path,
    executable: str = "kamailio",
    timeout: float = 15.0,
    shared_memory_mb: int = 64,
) -> subprocess.Popen:
    """Start Kamailio in the foreground (its log in work_dir/kamailio.log) and wait until it answers OPTIONS.

    TZ=UTC because Kamailio writes registration times in its local time on
    PostgreSQL and the panel reads them as UTC.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    runtime_dir = work_dir / "run"
    runtime_dir.mkdir(exist_ok=True)
    log_path = work_dir / "kamailio.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [
                binary(executable) or executable,
                "-DD",
                "-E",
                "-f",
                str(config),
                "-Y",
                str(runtime_dir),
                "-m",
                str(shared_memory_mb),
                "-M",
                "8",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=work_dir,
            env={**os.environ, "TZ": "UTC"},
            start_new_session=True,
        )
    if sipping.wait_until_answering(host, port, timeout=timeout, alive=lambda: process.poll() is None):
        return process
    stop(process)
    tail = log_path.read_text(errors="replace")[-3000:]
    raise RuntimeError(f"Kamailio did not answer on {host}:{port} (exit code {process.returncode}):\n{tail}")


def stop(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """Stop Kamailio: its main process stops its children on SIGTERM; whatever is left of its group is killed."""
    embedded.stop(process, timeout)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # its own session (start_new_session), so only its children
