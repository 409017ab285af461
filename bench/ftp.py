"""Benchmark of the recordings FTP server (issue 6, "bench/ftp"): throughput, log-ins, parallel downloads, memory.

The project's server runs as in production: `manage.py runftpserver` in its
own process (plain, and a second one with `--tls`), on 127.0.0.1 with a fixed
passive-port range, over a throwaway SQLite database and recordings folder
(your development database and recordings are not touched). Every log-in and
download is written to its audit log as usual (the server inserts the rows in
batches, each within 0.25 s of its event). Clients connect from
127.0.0.2, 127.0.0.3, ... with at most 8 connections per address, so the
server keeps its production limit of 10 connections per IP.

Measured, each next to a baseline from the same run:

1. the fresh server's resident memory (VmRSS from /proc) with I idle
   logged-in clients (default 100), projected to 300 when fewer are used;
2. one large file (default 50 MB) downloaded with curl from the project's
   server, from Debian's vsftpd serving the same files (anonymous, read-only,
   installed when missing) and `cat` of the file to /dev/null (the read
   limit: the files are in the page cache); median of --repeat runs, for the
   whole download and for the transfer alone;
3. N concurrent clients (default 20; Python ftplib in threads, because curl
   stalls between transfers over one connection), each downloading its own
   2 MB file --rounds times over one log-in, from both servers, and N
   concurrent `cat`s; aggregate MB/s;
4. M clients logging in at once (default 100): time until all are in;
5. P parallel downloads (default 50 × 2 MB), plain and with TLS (explicit
   FTPS, AUTH TLS + PROT P), counting every error or short file.

Targets (issue 6): at least 0.9 × vsftpd's throughput; 200 log-ins within
2 s; under 100 MB resident with 300 idle clients; zero errors.

    python bench/ftp.py [--big-mb 50] [--clients 20] [--logins 100] [--parallel 50] [--parallel-mb 2] [--idle 100]
    python bench/ftp.py --full      # the issue's sizes: 200 MB, 50 clients, 200 log-ins, 200 × 10 MB, 300 idle

The retention part of "bench/ftp" (1 million recordings) is bench/recordings_retention.py.
"""

from __future__ import annotations

import argparse
import ftplib
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import _ftp_support as support
from _ftp_support import MB, Child, heading, median, rate, verdict

FULL = {"big_mb": 200, "clients": 50, "logins": 200, "parallel": 200, "parallel_mb": 10, "idle": 300}
CLIENT_MB = 2
TARGET_RATIO = 0.9
TARGET_LOGINS, TARGET_LOGIN_SECONDS = 200, 2.0
TARGET_IDLE, TARGET_RSS_MB = 300, 100.0
PREFIX = "benchftp"
DAY = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
CLIENT_TIMEOUT = 60.0  # every socket operation of a client
PHASE_TIMEOUT = 600.0  # no phase waits longer than this for its clients
LOGIN_TIMEOUT = 10.0  # a client that is not logged in after this counts as an error
BACKLOG_NOTE = (
    "(vsftpd listens with a backlog of 32 and forks per session: a burst of connections overflows its accept\n"
    "       queue, and some clients never get the greeting)"
)


@dataclass
class Server:
    """An FTP server to measure: where it listens, how to log in, its process."""

    name: str
    port: int
    user: str
    password: str
    child: Child
    tls: bool = False

    def url(self, path: str) -> str:
        return f"ftp://127.0.0.1:{self.port}/{path.lstrip('/')}"


@dataclass
class Library:
    """The recordings on disk: FTP paths (relative to the customer's folder) and local paths, by size."""

    customer_root: Path
    by_size: dict[int, list[str]] = field(default_factory=dict)

    def local(self, ftp_path: str) -> Path:
        return self.customer_root / ftp_path.lstrip("/")


# --- set-up


def build_library(customer, storage, sizes: dict[int, int]) -> Library:
    """`sizes[size_mb] = count` recordings of that size (MB), stored through the real service."""
    from recordings.testing import store_recording

    library = Library(customer_root=Path(storage.root) / customer.prefix)
    moment = DAY
    started = time.perf_counter()
    total = 0
    for size_mb, count in sorted(sizes.items()):
        paths = []
        for index in range(count):
            moment += timedelta(seconds=61)
            recording = store_recording(
                customer,
                started_at=moment,
                content=support.audio_bytes(size_mb * MB, seed=index),
                storage=storage,
                call_id=f"bench-{size_mb}-{index}",
            )
            paths.append("/" + recording.path.split("/", 1)[1])
            total += recording.size_bytes
        library.by_size[size_mb] = paths
    # vsftpd serves them as its anonymous user: make them world-readable (the project's server runs as their owner).
    for folder, _dirs, files in os.walk(library.customer_root):
        os.chmod(folder, 0o755)  # noqa: S103 - a throwaway benchmark folder
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)
    print(f"  {sum(sizes.values())} recordings, {total / MB:,.0f} MB written in {time.perf_counter() - started:.1f} s")
    return library


def start_project_server(
    work: Path, children: list[Child], *, user: str, password: str, ports: tuple[int, int], tls: bool
) -> Server:
    name = "project FTPS server" if tls else "project FTP server"
    env = {**os.environ, "LOG_LEVEL": "INFO"}
    args = [sys.executable, str(support.ROOT / "manage.py"), "runftpserver", "--host", "127.0.0.1", "--port", "0"]
    args += ["--passive-ports", f"{ports[0]}-{ports[1]}"] + (["--tls"] if tls else [])
    child = Child(name, args, log=work / f"{'ftps' if tls else 'ftp'}-server.log", env=env, cwd=support.ROOT)
    children.append(child)  # stopped at the end whatever happens next
    match = child.wait_for(r"on 127\.0\.0\.1:(\d+)", timeout=120)
    return Server(name, int(match.group(1)), user, password, child, tls=tls)


def start_vsftpd(work: Path, children: list[Child], binary: str, *, anon_root: Path, ports: tuple[int, int]) -> Server:
    empty = work / "vsftpd-empty"
    empty.mkdir(mode=0o755, exist_ok=True)
    port = support.free_port()
    config = work / "vsftpd.conf"
    config.write_text(
        "\n".join(
            [
                "listen=YES",
                "listen_ipv6=NO",
                "listen_address=127.0.0.1",
                f"listen_port={port}",
                "background=NO",
                "anonymous_enable=YES",
                "no_anon_password=YES",
                f"anon_root={anon_root}",
                "local_enable=NO",
                "write_enable=NO",
                "seccomp_sandbox=NO",
                f"secure_chroot_dir={empty}",
                "pasv_enable=YES",
                f"pasv_min_port={ports[0]}",
                f"pasv_max_port={ports[1]}",
                "pasv_address=127.0.0.1",
                "connect_from_port_20=NO",
                "max_clients=0",
                "max_per_ip=0",
                "xferlog_enable=YES",  # it logs downloads too, as the project's server does
                f"vsftpd_log_file={work / 'vsftpd-transfers.log'}",
                "idle_session_timeout=300",
                "ftp_username=ftp",
                # Debian's default gives every session a new network namespace, which the kernel creates slowly
                # and one at a time: 100 log-ins at once then time out. Off, vsftpd is the faster (stricter) baseline.
                "isolate_network=NO",
                "",
            ]
        )
    )
    child = Child("vsftpd", [binary, str(config)], log=work / "vsftpd.log")
    children.append(child)
    deadline = time.monotonic() + 20
    while True:  # vsftpd prints nothing when it is ready: wait until it answers
        try:
            with ftplib.FTP() as probe:  # noqa: S321 - a local benchmark server
                probe.connect("127.0.0.1", port, timeout=2)
                break
        except OSError:
            if child.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"vsftpd did not start: {child.output()[-1000:]}") from None
            time.sleep(0.1)
    return Server("vsftpd", port, "anonymous", "bench@example.com", child)


# --- clients


def curl_command(server: Server, paths: list[str], *, source: str) -> list[str]:
    """One curl process downloading `paths` over one log-in; prints bytes and seconds of each.

    Only ever given one path: curl 7.88 often stalls 0.2 or 1 s between transfers that reuse a connection.
    """
    command = ["curl", "-sS", "--interface", source, "--ftp-method", "nocwd", "--max-time", "300"]
    command += [
        "--user",
        f"{server.user}:{server.password}",
        "-w",
        "%{size_download} %{time_total} %{time_pretransfer}\\n",
    ]
    for path in paths:
        command += ["-o", "/dev/null", server.url(path)]
    return command


def run_parallel(
    commands: list[list[str]], *, discard_output: bool = False
) -> tuple[float, list[tuple[int, str, str]]]:
    """Start all commands at once; wall time until the last ends, and (exit code, stdout, stderr) of each."""
    stdout = subprocess.DEVNULL if discard_output else subprocess.PIPE
    started = time.perf_counter()
    processes = [subprocess.Popen(command, stdout=stdout, stderr=subprocess.PIPE, text=True) for command in commands]
    results = []
    for process in processes:
        try:
            out, err = process.communicate(timeout=PHASE_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
        results.append((process.returncode, out or "", err))
    return time.perf_counter() - started, results


def downloaded_bytes(results: list[tuple[int, str, str]]) -> tuple[int, list[str]]:
    total, errors = 0, []
    for code, out, err in results:
        if code != 0:
            errors.append(f"exit {code}: {err.strip()[:200]}")
        for line in out.splitlines():
            total += int(float(line.split()[0]))
    return total, errors


def ftp_login(server: Server, *, source: str, cafile: str | None = None, timeout: float = CLIENT_TIMEOUT) -> ftplib.FTP:
    if server.tls:
        client = ftplib.FTP_TLS(context=ssl.create_default_context(cafile=cafile), source_address=(source, 0))  # noqa: S321
    else:
        client = ftplib.FTP(source_address=(source, 0))  # noqa: S321 - plain FTP is what is measured
    client.connect("127.0.0.1", server.port, timeout=timeout)
    if server.tls:
        client.auth()
    client.login(server.user, server.password)
    if server.tls:
        client.prot_p()
    return client


def close_quietly(client: ftplib.FTP) -> None:
    try:
        client.quit()
    except (OSError, EOFError, ftplib.Error):
        client.close()


def clients_at_once(count: int, work, *, timeout: float = PHASE_TIMEOUT) -> tuple[float, list, list[str]]:
    """Run `work(index)` in `count` threads released together; (seconds until the last returned, results, errors)."""
    barrier = threading.Barrier(count + 1)
    finished: list[float] = [0.0] * count
    results: list = [None] * count
    errors: list[str] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=60)
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001 - every failure is counted and shown
            with lock:
                errors.append(f"client {index}: {type(error).__name__}: {error}")
        finally:
            finished[index] = time.perf_counter()

    threads = [threading.Thread(target=run, args=(index,), daemon=True) for index in range(count)]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=60)
    started = time.perf_counter()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(timeout=max(0.1, deadline - time.monotonic()))
    stuck = sum(thread.is_alive() for thread in threads)
    if stuck:
        errors.append(f"{stuck} clients still busy after {timeout:.0f} s")
    return max(finished) - started, results, errors


# --- measurements


def measure_big_file(
    servers: list[Server], library: Library, big_mb: int, repeat: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Median MB/s of the whole download (connect, log-in, transfer) and of the transfer alone, per server."""
    path = library.by_size[big_mb][0]
    whole: dict[str, list[float]] = {server.name: [] for server in servers} | {"cat": []}
    transfer: dict[str, list[float]] = {server.name: [] for server in servers} | {"cat": []}
    for _ in range(repeat):
        for server in servers:
            _elapsed, results = run_parallel([curl_command(server, [path], source=support.source_address(0))])
            nbytes, errors = downloaded_bytes(results)
            if errors or nbytes != big_mb * MB:
                raise RuntimeError(f"{server.name}: download failed ({nbytes} bytes): {errors}")
            _size, total, pretransfer = (float(value) for value in results[0][1].split())  # curl's own clock
            whole[server.name].append(rate(nbytes, total))
            transfer[server.name].append(rate(nbytes, total - pretransfer))
        started = time.perf_counter()
        subprocess.run(["cat", str(library.local(path))], stdout=subprocess.DEVNULL, check=True)
        seconds = time.perf_counter() - started
        whole["cat"].append(rate(big_mb * MB, seconds))
        transfer["cat"].append(rate(big_mb * MB, seconds))
    return (
        {name: median(values) for name, values in whole.items()},
        {name: median(values) for name, values in transfer.items()},
    )


def measure_concurrent(
    servers: list[Server], library: Library, clients: int, rounds: int, repeat: int
) -> dict[str, float]:
    """Python ftplib clients in threads (curl stalls for 0.2-1 s between downloads over one connection)."""
    paths = library.by_size[CLIENT_MB][:clients]
    speeds: dict[str, list[float]] = {server.name: [] for server in servers} | {"cat": []}
    for _ in range(repeat):
        for server in servers:
            seconds, nbytes, errors = download_clients(server, paths, CLIENT_MB * MB, rounds=rounds)
            if errors:
                raise RuntimeError(f"{server.name}: {len(errors)} failed clients: {errors[:3]}")
            speeds[server.name].append(rate(nbytes, seconds))
        elapsed, _results = run_parallel(
            [["cat", *[str(library.local(path))] * rounds] for path in paths], discard_output=True
        )
        speeds["cat"].append(rate(clients * rounds * CLIENT_MB * MB, elapsed))
    return {name: median(values) for name, values in speeds.items()}


def measure_logins(server: Server, count: int, *, timeout: float) -> tuple[float, int, list[str]]:
    """`count` clients connect and log in at once; seconds until the last is in, how many made it, errors."""
    logged_in: list[ftplib.FTP] = []
    lock = threading.Lock()

    def work(index: int) -> None:
        client = ftp_login(server, source=support.source_address(index), timeout=timeout)
        with lock:
            logged_in.append(client)

    try:
        seconds, _results, errors = clients_at_once(count, work, timeout=timeout + 30)
    finally:
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(close_quietly, list(logged_in)))
    return seconds, len(logged_in), errors


def download_clients(
    server: Server,
    paths: list[str],
    size: int,
    *,
    rounds: int = 1,
    cafile: str | None = None,
    timeout: float = CLIENT_TIMEOUT,
) -> tuple[float, int, list[str]]:
    """One client per path, all released at once: log in, download its file `rounds` times, check each size.

    Returns the seconds until the last client finished, the bytes received and the errors.
    """

    def work(index: int) -> int:
        client = ftp_login(server, source=support.source_address(index), cafile=cafile, timeout=timeout)
        total = 0
        try:
            for _ in range(rounds):
                received = 0

                def count(chunk: bytes) -> None:
                    nonlocal received
                    received += len(chunk)

                client.retrbinary(f"RETR {paths[index]}", count, blocksize=256 * 1024)
                if received != size:
                    raise RuntimeError(f"received {received} of {size} bytes")
                total += received
        finally:
            close_quietly(client)
        return total

    seconds, results, errors = clients_at_once(len(paths), work)
    return seconds, sum(result or 0 for result in results), errors


def measure_idle_memory(server: Server, count: int) -> tuple[float, float, int, list[str]]:
    """Resident MB before and with `count` idle logged-in clients, how many were in, errors."""
    before, _peak = support.memory_mb(server.child.pid)
    clients: list[ftplib.FTP] = []
    errors: list[str] = []

    def connect(index: int) -> None:
        try:
            clients.append(ftp_login(server, source=support.source_address(index)))
        except Exception as error:  # noqa: BLE001 - counted and shown
            errors.append(f"client {index}: {type(error).__name__}: {error}")

    try:
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(connect, range(count)))
        time.sleep(2)  # idle: nothing but open, logged-in sessions
        with_clients, _peak = support.memory_mb(server.child.pid)
    finally:
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(close_quietly, clients))
    return before, with_clients, len(clients), errors


# --- the run


def main() -> int:
    options = parse_arguments()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the clean-up below runs
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="bench-ftp-"))
    children: list[Child] = []
    try:
        return run(options, work, children)
    finally:
        for child in reversed(children):
            child.stop()
        shutil.rmtree(work, ignore_errors=True)
        print(f"\nbench/ftp.py took {time.perf_counter() - started:.0f} s")


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--big-mb", type=int, default=50, help="size of the single large file (issue: 200)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients × 2 MB (issue: 50)")
    parser.add_argument("--rounds", type=int, default=5, help="downloads of its file per concurrent client")
    parser.add_argument("--logins", type=int, default=100, help="clients logging in at once (issue: 200)")
    parser.add_argument("--parallel", type=int, default=50, help="parallel downloads, plain and TLS (issue: 200)")
    parser.add_argument("--parallel-mb", type=int, default=2, help="size of each parallel download (issue: 10)")
    parser.add_argument("--idle", type=int, default=100, help="idle logged-in clients for memory (issue: 300)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each throughput measurement (median)")
    parser.add_argument("--no-vsftpd", action="store_true", help="skip the vsftpd baseline")
    parser.add_argument("--full", action="store_true", help="the issue's sizes for everything")
    options = parser.parse_args()
    if options.full:
        for name, value in FULL.items():
            setattr(options, name, max(getattr(options, name), value))
    for name in ("big_mb", "clients", "rounds", "logins", "parallel", "parallel_mb", "idle", "repeat"):
        if getattr(options, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return options


def size_label(value: int, full: int, flag: str) -> str:
    return "the issue's size" if value >= full else f"reduced; the issue's size is {flag} {full}"


def run(options: argparse.Namespace, work: Path, children: list[Child]) -> int:
    print("Recordings FTP server benchmark (issue 6), loopback only, 2 throughput baselines: vsftpd and cat")
    print(f"  big file {options.big_mb} MB ({size_label(options.big_mb, FULL['big_mb'], '--big-mb')})")
    print(
        f"  concurrent clients {options.clients} × {CLIENT_MB} MB × {options.rounds} rounds "
        f"({size_label(options.clients, FULL['clients'], '--clients')})"
    )
    print(f"  log-ins at once {options.logins} ({size_label(options.logins, FULL['logins'], '--logins')})")
    full_parallel = options.parallel >= FULL["parallel"] and options.parallel_mb >= FULL["parallel_mb"]
    print(
        f"  parallel downloads {options.parallel} × {options.parallel_mb} MB ("
        + ("the issue's size" if full_parallel else "reduced; the issue's size is --parallel 200 --parallel-mb 10")
        + ")"
    )
    print(f"  idle clients {options.idle} ({size_label(options.idle, FULL['idle'], '--idle')})")
    print(
        f"  clients spread over 127.0.0.2+ with {support.CLIENTS_PER_ADDRESS} per address; "
        "the server keeps its production limit of 10 per IP"
    )

    heading("Set-up")
    support.setup_django(work)
    from django.conf import settings

    from recordings.ftp.certs import generate_self_signed_certificate
    from recordings.services import ftp_password_regenerate
    from recordings.storage import LocalRecordingStorage
    from recordings.testing import free_port_range

    if support.ensure_tool("curl", "curl") is None:
        print("  curl is missing and cannot be installed: nothing measured")
        return 1
    customer = support.make_customer(PREFIX)
    password = ftp_password_regenerate(customer=customer)
    storage = LocalRecordingStorage(settings.RECORDINGS_ROOT)
    sizes = {options.big_mb: 1}
    sizes[CLIENT_MB] = sizes.get(CLIENT_MB, 0) + options.clients
    sizes[options.parallel_mb] = max(sizes.get(options.parallel_mb, 0), options.parallel)
    library = build_library(customer, storage, sizes)
    certfile, keyfile = work / "ftp-cert.pem", work / "ftp-key.pem"
    generate_self_signed_certificate(certfile, keyfile)
    os.environ.update(FTP_TLS_CERTFILE=str(certfile), FTP_TLS_KEYFILE=str(keyfile))

    concurrency = max(options.clients, options.parallel, options.logins, options.idle)
    passive_count = max(100, 2 * concurrency)
    plain = start_project_server(
        work, children, user=PREFIX, password=password, ports=free_port_range(passive_count), tls=False
    )
    print(f"  {plain.name}: manage.py runftpserver on 127.0.0.1:{plain.port}, {passive_count} passive ports")
    servers = [plain]
    vsftpd = None
    if options.no_vsftpd:
        print("  vsftpd baseline skipped (--no-vsftpd)")
    else:
        binary = support.ensure_tool("vsftpd", "vsftpd")
        if binary is None:
            print("  vsftpd is not available: its baseline is skipped")
        else:
            try:
                vsftpd = start_vsftpd(
                    work, children, binary, anon_root=library.customer_root, ports=free_port_range(passive_count)
                )
            except RuntimeError as error:
                print(f"  vsftpd cannot be started, its baseline is skipped: {error}")
            else:
                servers.append(vsftpd)
                print(f"  vsftpd: 127.0.0.1:{vsftpd.port}, anonymous read-only over the same folder")
    rss_start, _ = support.memory_mb(plain.child.pid)

    failures: list[str] = []

    def ratio_line(figures: dict[str, float], what: str, *, subheading: str = "") -> None:
        pad = "    " if subheading else "  "
        if subheading:
            print(f"  {subheading}:")
        ours = figures[plain.name]
        print(f"{pad}{plain.name + ':':24} {ours:9.1f} MB/s")
        if vsftpd:
            print(f"{pad}{'vsftpd:':24} {figures[vsftpd.name]:9.1f} MB/s")
        print(f"{pad}{'cat (read limit):':24} {figures['cat']:9.1f} MB/s")
        if vsftpd:
            ratio = ours / figures[vsftpd.name] if figures[vsftpd.name] else 0.0
            ok = ratio >= TARGET_RATIO
            print(f"{pad}ratio project / vsftpd:  {ratio:9.2f}   target ≥ {TARGET_RATIO}: {verdict(ok)}")
            if not ok:
                failures.append(f"{what}: {ratio:.2f} × vsftpd")
        else:
            print(f"{pad}ratio to vsftpd: not measured (no vsftpd)")
        print(f"{pad}ratio project / cat:     {ours / figures['cat']:9.2f}")

    heading(f"1. Resident memory of the fresh project server with {options.idle} idle logged-in clients")
    before, with_idle, connected, errors = measure_idle_memory(plain, options.idle)
    per_client = (with_idle - before) / connected if connected else 0.0
    print(
        f"  at start {rss_start:.1f} MB; before the idle clients {before:.1f} MB; "
        f"with {connected} idle clients {with_idle:.1f} MB ({per_client * 1024:.0f} KB per client); "
        f"{len(errors)} errors"
    )
    for error in errors[:3]:
        print(f"      {error}")
    if options.idle >= TARGET_IDLE:
        ok = with_idle < TARGET_RSS_MB and not errors
        print(f"  target < {TARGET_RSS_MB:g} MB with {TARGET_IDLE} idle clients: {verdict(ok)}")
    else:
        projected = before + per_client * TARGET_IDLE
        ok = projected < TARGET_RSS_MB and not errors
        print(
            f"  projected to {TARGET_IDLE} idle clients: {projected:.1f} MB; target < {TARGET_RSS_MB:g} MB: "
            f"{verdict(ok)} (projected; measure with --idle {TARGET_IDLE})"
        )
    if not ok:
        failures.append("memory")

    heading(f"2. One {options.big_mb} MB file, curl over loopback (median of {options.repeat}; curl's own clock)")
    whole, transfer = measure_big_file(servers, library, options.big_mb, options.repeat)
    ratio_line(whole, "big file, whole download", subheading="whole download (connect, log-in, transfer)")
    ratio_line(transfer, "big file, transfer alone", subheading="transfer alone (from RETR to the last byte)")

    heading(
        f"3. {options.clients} concurrent clients (ftplib threads) × {CLIENT_MB} MB, each {options.rounds} downloads "
        f"over one log-in ({options.clients * options.rounds * CLIENT_MB} MB per run, median of {options.repeat})"
    )
    ratio_line(measure_concurrent(servers, library, options.clients, options.rounds, options.repeat), "concurrent")

    heading(f"4. {options.logins} clients logging in at once")
    needed_rate = TARGET_LOGINS / TARGET_LOGIN_SECONDS
    for server in servers:
        seconds, done, errors = measure_logins(server, options.logins, timeout=LOGIN_TIMEOUT)
        label = server.name + (" [reference]" if server is vsftpd else "")
        print(
            f"  {label + ':':24} {done}/{options.logins} logged in after {seconds:6.2f} s "
            f"({done / seconds:7.0f} log-ins/s), {len(errors)} errors (client timeout {LOGIN_TIMEOUT:g} s)"
        )
        for error in errors[:3]:
            print(f"      {error}")
        if errors and server is vsftpd:
            print(f"      {BACKLOG_NOTE}")
        if server is plain:
            if options.logins >= TARGET_LOGINS:
                ok = seconds <= TARGET_LOGIN_SECONDS and not errors
                print(f"  target {TARGET_LOGINS} within {TARGET_LOGIN_SECONDS:g} s: {verdict(ok)}")
            else:
                ok = done / seconds >= needed_rate and not errors
                print(
                    f"  target {TARGET_LOGINS} within {TARGET_LOGIN_SECONDS:g} s, pro rata ≥ {needed_rate:.0f} "
                    f"log-ins/s at this size: {verdict(ok)}"
                )
            if not ok:
                failures.append("log-ins")

    heading(f"5. {options.parallel} parallel downloads × {options.parallel_mb} MB, every client its own file")
    paths = library.by_size[options.parallel_mb][: options.parallel]
    tls = start_project_server(
        work, children, user=PREFIX, password=password, ports=free_port_range(max(100, 2 * options.parallel)), tls=True
    )
    runs = [(plain, None), (tls, str(certfile))] + ([(vsftpd, None)] if vsftpd else [])
    for server, cafile in runs:
        timeout = 2 * LOGIN_TIMEOUT if server is vsftpd else CLIENT_TIMEOUT  # the reference may lose connections
        seconds, nbytes, errors = download_clients(
            server, paths, options.parallel_mb * MB, cafile=cafile, timeout=timeout
        )
        speed = rate(nbytes, seconds)
        label = f"{server.name} ({'TLS' if server.tls else 'plain'})" + (" [reference]" if server is vsftpd else "")
        print(f"  {label + ':':36} {seconds:6.2f} s, {speed:8.1f} MB/s, {len(errors)} errors")
        for error in errors[:3]:
            print(f"      {error}")
        if errors and server is vsftpd:
            print(f"      {BACKLOG_NOTE}")
        if server is not vsftpd:
            print(f"    target zero errors: {verdict(not errors)}")
            if errors:
                failures.append(f"parallel downloads ({label})")

    _now, peak = support.memory_mb(plain.child.pid)
    print(f"\nPeak resident memory of the project's plain server over the whole run: {peak:.1f} MB")

    heading("Summary: " + ("every target met" if not failures else "targets not met: " + "; ".join(failures)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
