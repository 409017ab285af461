"""Shared helpers of bench/ftp.py and bench/push.py (not a benchmark itself: `make bench` runs it as a no-op).

A throwaway Django (centrala.settings on a temporary SQLite file, recordings in a
temporary folder, so the development database and recordings are never
touched), Debian tools installed on demand, child processes that are always
stopped, memory read from /proc, loopback source addresses for many clients,
and the few ways of printing figures both scripts share.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024
CLIENTS_PER_ADDRESS = 8  # the FTP server allows 10 connections per IP (FTP_MAX_CONNECTIONS_PER_IP): stay below
FIRST_SOURCE_OCTET = 2  # 127.0.0.1 is the server's own; clients use 127.0.0.2, 127.0.0.3, ...


# --- Django in a throwaway folder


def django_environment(work: Path) -> dict[str, str]:
    """The variables that make centrala.settings use `work` for everything (also given to child processes)."""
    return {
        "DJANGO_SETTINGS_MODULE": "centrala.settings",
        "DEBUG": "true",
        "CENTRALA_VAR_DIR": str(work / "var"),
        "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
        "RECORDINGS_ROOT": str(work / "recordings"),
        "PUSH_ALLOW_PRIVATE_TARGETS": "true",  # the push targets of a benchmark are on 127.0.0.1
        "PYTHONUNBUFFERED": "1",
    }


def setup_django(work: Path, *, migrate: bool = True) -> None:
    """Configure and start Django on `work` (a fresh SQLite database, migrated and seeded by the migrations)."""
    (work / "var").mkdir(parents=True, exist_ok=True)
    os.environ.update(django_environment(work))
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # this process only; servers get INFO like production
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def make_customer(prefix: str, *, name: str = "Benchmark"):
    """A Biznes customer (recording included) with some money on its account."""
    from decimal import Decimal

    from billing.services import balance_top_up
    from panel.choices import Package
    from panel.models import Customer

    customer = Customer.objects.create(name=name, prefix=prefix, package=Package.BIZNES)
    balance_top_up(customer=customer, amount_gross=Decimal("1000.00"), reason="Benchmark top-up")
    return customer


def audio_bytes(size: int, *, seed: int) -> bytes:
    """`size` random bytes standing in for an MP3: incompressible, different for every seed."""
    block = os.urandom(min(size, MB))
    header = seed.to_bytes(8, "big")
    data = bytearray(header)
    while len(data) < size:
        data += block
    return bytes(data[:size])


# --- Debian tools


def ensure_tool(command: str, package: str) -> str | None:
    """The path of `command`, installing Debian's `package` when missing (as root or with sudo -n); None if not."""
    found = shutil.which(command) or (shutil.which(command, path="/usr/sbin:/sbin") if command else None)
    if found:
        return found
    if os.geteuid() == 0:
        prefix = []
    elif shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        prefix = ["sudo", "-n"]
    else:
        print(f"  {command} is missing and cannot be installed (not root, no password-less sudo)")
        return None
    if not Path("/usr/sbin/policy-rc.d").exists():
        print(f"  note: no /usr/sbin/policy-rc.d, so Debian may start the system {package} service after installing")
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [*prefix, "apt-get", "install", "-y", "-qq", "--no-install-recommends", package]
    print(f"  installing Debian's {package} ...", flush=True)
    for attempt in range(2):
        try:
            result = subprocess.run(install, env=environment, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as error:
            print(f"  cannot install {package}: {error}")
            return None
        if result.returncode == 0:
            break
        if attempt == 0:  # maybe stale package lists
            subprocess.run([*prefix, "apt-get", "update", "-qq"], env=environment, capture_output=True, timeout=600)
    else:
        print(f"  cannot install {package}: {result.stderr.strip()[-300:]}")
        return None
    return shutil.which(command) or shutil.which(command, path="/usr/sbin:/sbin")


# --- child processes


class Child:
    """A child process in its own process group, its output in a log file; `stop()` ends the whole group."""

    def __init__(self, name: str, args: list[str], *, log: Path, env: dict[str, str] | None = None, cwd=None) -> None:
        self.name = name
        self.log = log
        self._log_handle = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=self._log_handle,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def wait_for(self, pattern: str, *, timeout: float = 60) -> re.Match:
        """The first match of `pattern` in the output; RuntimeError if the process ends or time runs out."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while time.monotonic() < deadline:
            match = regex.search(self.output())
            if match:
                return match
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.process.returncode}): {self.output()[-2000:]}")
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not print {pattern!r} within {timeout} s: {self.output()[-2000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        else:  # the leader is gone; make sure nothing it started is left
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self._log_handle.close()


def memory_mb(pid: int) -> tuple[float, float]:
    """(resident now, peak resident) of a process in MB, from /proc/<pid>/status."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def source_address(index: int, per_address: int = CLIENTS_PER_ADDRESS) -> str:
    """The loopback address client number `index` connects from: 127.0.0.2 for the first `per_address`, ..."""
    octet = FIRST_SOURCE_OCTET + index // per_address
    if octet > 254:
        raise ValueError(f"too many clients for 127.0.0.x with {per_address} per address")
    return f"127.0.0.{octet}"


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- figures


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def rate(nbytes: float, seconds: float) -> float:
    """MB/s (MiB, as `ls -lh` and curl count)."""
    return nbytes / MB / seconds if seconds > 0 else 0.0


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def heading(text: str) -> None:
    print(f"\n{text}", flush=True)


if __name__ == "__main__":
    print("bench/_ftp_support.py holds helpers for bench/ftp.py and bench/push.py; nothing to measure.")
