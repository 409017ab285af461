"""Benchmark of the recordings push (issue 7, "bench/push"): one night of recordings to a local FTP and SFTP server.

One customer with the push service on and one day of recordings (default
200 × 1 MB; the issue's night is `--files 2000`), as Recording rows and files
in a throwaway SQLite database and recordings folder (your development
database and recordings are not touched). The day is pushed by the real
service, `recordings.push.services.push_day`: per file an upload to a
temporary name, the remote size compared with ours (over SFTP also the
"check-file" checksum, which the test server offers), the rename to the final
name, and a confirmation row for every verified file (committed in batches of
at most 100 files or 0.5 s, never before the file is verified under its final
name). The baseline is Debian's `lftp mirror -R` (installed when missing) of
the same day folder to the same server and folder in the same run, with
lftp's defaults (one file at a time, no verification).

Two kinds of servers (`--servers`, default both):

- test: the project's test servers (the writable pyftpdlib server of
  recordings/push/testing.py and the paramiko SFTP server of
  recordings/tests/sftp_server.py, which offers "check-file"), run in a
  separate process so that they do not share the interpreter lock with the
  push; being Python, they are often the bottleneck themselves;
- debian: vsftpd with anonymous upload (for FTPS a second vsftpd that
  demands TLS on the log-in and on every data connection, with a certificate
  made for the run) and OpenSSH's sshd with its internal-sftp (log-in with a
  key made for the run), installed when missing, bound to 127.0.0.1 on free
  ports and stopped at the end: fast servers, so the clients' own costs show.
  FTPS is measured only against vsftpd (`--protocols ftps`), and without
  lftp: Debian's lftp fails against vsftpd over TLS (see LFTP_FTPS_PROBLEM),
  so compare the push's FTPS figures between versions of the code instead.

Before every run the target folder is emptied and the confirmations are
forgotten, so every run really sends every file; afterwards the bench checks
that every file is on the server under its final name with its size. Push and
lftp take turns; the median of `--repeat` runs is reported, and the median of the
run-by-run ratios (each pair saw the same load, which matters on a busy machine).

Target (issue 7): at least 0.8 × lftp's throughput, with per-file verification on.

    python bench/push.py [--files 200] [--size-kb 1024] [--repeat 3] [--protocols ftp,sftp,ftps] [--servers test,debian]
    python bench/push.py --files 2000      # the issue's night
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import _ftp_support as support
from _ftp_support import MB, Child, heading, median, verdict

FULL_FILES = 2000
TARGET_RATIO = 0.8
NOT_MEASURED: list[str] = []  # comparisons this run could not make, named in the summary
PREFIX = "benchpush"
DAY = date(2026, 3, 10)  # an ordinary 24-hour day
REMOTE_FOLDER = "/nagrania/2026/03/10"
LFTP_TIMEOUT = 1800.0
SERVE_LIFETIME = 4 * 3600  # the target servers' process never outlives this, even if orphaned
# Debian's lftp (GnuTLS) cannot upload to vsftpd 3.0.3 over TLS: after some files vsftpd answers
# "426 Failure reading network stream" (TLS 1.3), and TLS 1.2 fails its handshake; so FTPS has no baseline.
LFTP_FTPS_PROBLEM = "lftp's TLS fails against vsftpd: 426 Failure reading network stream"


# --- the target servers (a child process: `push.py --serve-targets ROOT`)


def serve_targets(root: Path) -> None:
    """Run the writable FTP server and the SFTP server over root/ftp and root/sftp until told to stop."""
    sys.path.insert(0, str(support.ROOT))
    import django

    django.setup()
    from recordings.push.testing import TARGET_PASSWORD, TARGET_USER, writable_ftp_server
    from recordings.tests.sftp_server import SftpTestServer

    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    parent = os.getppid()
    with (
        writable_ftp_server(root / "ftp") as (ftp, _faults),
        SftpTestServer(root / "sftp", username=TARGET_USER, password=TARGET_PASSWORD) as sftp,
    ):
        print(f"READY ftp={ftp.address[1]} sftp={sftp.address[1]}", flush=True)
        deadline = time.monotonic() + SERVE_LIFETIME
        while not stop["now"] and os.getppid() == parent and time.monotonic() < deadline:
            time.sleep(0.2)


# --- set-up


def night_of_recordings(customer, storage, *, files: int, size: int) -> tuple[list, Path]:
    """`files` recordings spread over DAY (local time), stored through the real service; and their folder."""
    from recordings.naming import LOCAL_ZONE
    from recordings.testing import store_recording

    first = datetime.combine(DAY, datetime.min.time(), tzinfo=LOCAL_ZONE) + timedelta(minutes=30)
    step = timedelta(hours=23) / files
    started = time.perf_counter()
    recordings = [
        store_recording(
            customer,
            started_at=first + step * index,
            content=support.audio_bytes(size, seed=index),
            storage=storage,
            call_id=f"bench-push-{index}",
            direction="in" if index % 3 else "out",
        )
        for index in range(files)
    ]
    folders = {recording.path.rsplit("/", 1)[0] for recording in recordings}
    if len(folders) != 1:
        raise RuntimeError(f"the recordings landed in several day folders: {sorted(folders)}")
    total = sum(recording.size_bytes for recording in recordings)
    print(f"  {files} recordings, {total / MB:,.0f} MB written in {time.perf_counter() - started:.1f} s")
    return recordings, Path(storage.root) / folders.pop()


# --- the Debian servers (vsftpd with anonymous upload, OpenSSH's sshd with a key)


@dataclass
class Target:
    """A server to push to: where it listens, how to log in, where its files land on our disk."""

    name: str
    protocol: str
    port: int
    disk_root: Path  # the server's "/" (or, for sshd, the folder under which the remote folder is)
    remote_folder: str  # the day folder as the client names it
    username: str
    password: str = ""
    private_key: Path | None = None
    lftp_ssh: str = ""  # the ssh command lftp runs for SFTP

    @property
    def disk_folder(self) -> Path:
        if self.remote_folder.startswith(str(self.disk_root)):
            return Path(self.remote_folder)
        return self.disk_root / self.remote_folder.lstrip("/")

    @property
    def path_template(self) -> str:
        return self.remote_folder.rsplit("/", 3)[0] + "/%Y/%m/%d/"


def start_vsftpd(work: Path, binary: str, children: list[Child], *, tls: bool = False) -> Target:
    """vsftpd with anonymous upload, mkdir, rename and delete into a folder of the ftp user (`tls`: FTPS only)."""
    import pwd

    name = "vsftpd-tls" if tls else "vsftpd"
    root, empty = work / f"{name}-root", work / f"{name}-empty"
    root.mkdir(mode=0o755)  # vsftpd refuses an anonymous root its user could write to
    empty.mkdir()
    writable = root / REMOTE_FOLDER.lstrip("/").split("/")[0]  # /nagrania: the anonymous user's own
    writable.mkdir(mode=0o755)
    try:
        account = pwd.getpwnam("ftp")
        os.chown(writable, account.pw_uid, account.pw_gid)
    except (KeyError, PermissionError) as error:
        raise RuntimeError(f"vsftpd's anonymous user cannot own its folder: {error}") from error
    from recordings.testing import free_port_range

    port, passive = support.free_port(), free_port_range(100)
    config = work / "vsftpd.conf"
    options = {
        "listen": "YES",
        "listen_ipv6": "NO",
        "listen_address": "127.0.0.1",
        "listen_port": port,
        "background": "NO",
        "anonymous_enable": "YES",
        "no_anon_password": "YES",
        "anon_root": root,
        "write_enable": "YES",
        "anon_upload_enable": "YES",
        "anon_mkdir_write_enable": "YES",
        "anon_other_write_enable": "YES",  # rename and delete
        "anon_world_readable_only": "NO",
        "anon_umask": "022",
        "local_enable": "NO",
        "seccomp_sandbox": "NO",
        "secure_chroot_dir": empty,
        "pasv_enable": "YES",
        "pasv_min_port": passive[0],
        "pasv_max_port": passive[1],
        "pasv_address": "127.0.0.1",
        "connect_from_port_20": "NO",
        "isolate_network": "NO",
        "xferlog_enable": "YES",
        "vsftpd_log_file": work / f"{name}-transfers.log",
    }
    if tls:
        from recordings.ftp.certs import generate_self_signed_certificate

        certfile, keyfile = work / f"{name}-cert.pem", work / f"{name}-key.pem"
        generate_self_signed_certificate(certfile, keyfile)
        options.update(
            {
                "ssl_enable": "YES",
                "allow_anon_ssl": "YES",
                "force_anon_logins_ssl": "YES",
                "force_anon_data_ssl": "YES",
                "rsa_cert_file": certfile,
                "rsa_private_key_file": keyfile,
                "require_ssl_reuse": "YES",  # the default: data connections resume the control session
            }
        )
    config.write_text("".join(f"{key}={value}\n" for key, value in options.items()))
    child = Child(name, [binary, str(config)], log=work / f"{name}.log")
    children.append(child)
    wait_until_listening(child, port)
    label = "vsftpd (Debian), FTPS (TLS forced), anonymous upload" if tls else "vsftpd (Debian), anonymous upload"
    protocol = "ftps" if tls else "ftp"
    return Target(label, protocol, port, root, REMOTE_FOLDER, "anonymous", "bench")


def start_sshd(work: Path, binary: str, children: list[Child]) -> Target:
    """OpenSSH's sshd on 127.0.0.1 with its internal SFTP server; log-in as the current user with a new key."""
    import getpass

    folder = work / "sshd"
    folder.mkdir(mode=0o700)
    host_key, client_key = folder / "host_ed25519", folder / "client_ed25519"
    for key in (host_key, client_key):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True, timeout=60)
    shutil.copy(client_key.with_suffix(".pub"), folder / "authorized_keys")
    if os.geteuid() == 0 and not Path("/run/sshd").is_dir():
        Path("/run/sshd").mkdir(mode=0o755)  # sshd's privilege separation folder, normally made by its service
    user = getpass.getuser()
    port = support.free_port()
    config = folder / "sshd_config"
    config.write_text(
        f"""Port {port}
ListenAddress 127.0.0.1
HostKey {host_key}
PidFile {folder / "sshd.pid"}
AuthorizedKeysFile {folder / "authorized_keys"}
AllowUsers {user}
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
Subsystem sftp internal-sftp
ForceCommand internal-sftp
AllowTcpForwarding no
AllowAgentForwarding no
X11Forwarding no
PermitTTY no
"""
    )
    child = Child("sshd", [binary, "-D", "-e", "-f", str(config)], log=work / "sshd.log")
    children.append(child)
    wait_until_listening(child, port)
    root = work / "sshd-files"  # no chroot (sshd refuses one under /tmp): the remote folder is an absolute path here
    root.mkdir()
    ssh = f"ssh -a -x -i {client_key} -o IdentitiesOnly=yes -o BatchMode=yes"
    return Target(
        "OpenSSH sshd (Debian), internal-sftp",
        "sftp",
        port,
        root,
        f"{root}{REMOTE_FOLDER}",
        user,
        private_key=client_key,
        lftp_ssh=ssh,
    )


def wait_until_listening(child: Child, port: int, *, timeout: float = 20) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            return
        except OSError:
            if child.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{child.name} did not start: {child.output()[-1000:]}") from None
            time.sleep(0.1)


# --- one run of each


def reset_target(customer, target: Target) -> None:
    """An empty target folder and no confirmations: the next run sends every file again."""
    from recordings.models import PushConfirmation, PushRun

    shutil.rmtree(target.disk_folder.parents[1], ignore_errors=True)  # /nagrania/2026 and below
    PushConfirmation.objects.filter(customer=customer).delete()
    PushRun.objects.filter(customer=customer).delete()


def check_remote(target: Target, recordings: list) -> None:
    """Every recording on the server under its final name with its size, and nothing else (no temporary files)."""
    folder = target.disk_folder
    found = {path.name: path.stat().st_size for path in folder.iterdir()} if folder.is_dir() else {}
    expected = {recording.file_name: recording.size_bytes for recording in recordings}
    if found != expected:
        missing = sorted(set(expected) - set(found))[:3]
        extra = sorted(set(found) - set(expected))[:3]
        raise RuntimeError(f"the server holds {len(found)} files, expected {len(expected)}: {missing=} {extra=}")


def configure(customer, target: Target) -> None:
    from recordings.push.services import push_target_save
    from recordings.push.testing import push_settings

    key = target.private_key.read_text() if target.private_key else None
    settings = push_settings(
        target.protocol,
        ("127.0.0.1", target.port),
        username=target.username,
        password=target.password or None,
        private_key=key,
        clear_private_key=key is None,
        path_template=target.path_template,
    )
    push_target_save(customer=customer, data=settings)


def run_push(customer, storage, recordings: list) -> tuple[float, str]:
    """Seconds the service took to push the day, and how the files were verified."""
    from recordings.models import PushConfirmation
    from recordings.naming import LOCAL_ZONE
    from recordings.push.choices import PushRunStatus
    from recordings.push.services import push_day

    night = datetime.combine(DAY + timedelta(days=1), datetime.min.time(), tzinfo=LOCAL_ZONE) + timedelta(minutes=5)
    started = time.perf_counter()
    outcome = push_day(customer=customer, day=DAY, storage=storage, now=night)
    seconds = time.perf_counter() - started
    run = outcome.run
    if run is None or run.status != PushRunStatus.DONE or run.uploaded_count != len(recordings):
        detail = f"{run.status}, {run.uploaded_count} uploaded, error: {run.error}" if run else "busy"
        raise RuntimeError(f"the push did not send the whole day: {detail}")
    checksums = set(PushConfirmation.objects.filter(customer=customer).values_list("checksum", flat=True))
    method = "size" + (f" + {'/'.join(sorted(checksums - {''}))} checksum" if checksums - {""} else "")
    return seconds, method


def lftp_script(target: Target, local_folder: Path) -> str:
    ssh = target.lftp_ssh or "ssh -a -x -o PreferredAuthentications=password -o PubkeyAuthentication=no"
    ssh += " -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"
    commands = [
        "set cmd:fail-exit yes",
        "set net:max-retries 1",
        "set net:timeout 30",
        "set net:reconnect-interval-base 1",
        "set ftp:ssl-allow no",
        "set ftp:passive-mode yes",
        f'set sftp:connect-program "{ssh}"',
        "set sftp:auto-confirm yes",
        f"open -u {target.username},{target.password} {target.protocol}://127.0.0.1:{target.port}",
        f"mirror -R --no-perms {local_folder} {target.remote_folder}",
    ]
    return "; ".join(commands)


def run_lftp(lftp: str, target: Target, local_folder: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [lftp, "-c", lftp_script(target, local_folder)],
        capture_output=True,
        text=True,
        timeout=LFTP_TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"lftp failed ({result.returncode}): {(result.stderr or result.stdout).strip()[-500:]}")
    return seconds


# --- the run


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=200, help=f"recordings in the night (issue: {FULL_FILES})")
    parser.add_argument("--size-kb", type=int, default=1024, help="size of each recording in KB (issue: 1024)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (median)")
    parser.add_argument("--protocols", default="ftp,sftp", help="any of ftp, sftp, ftps, comma-separated")
    parser.add_argument(
        "--servers", default="test,debian", help="test (the project's test servers), debian (vsftpd, sshd) or both"
    )
    parser.add_argument("--serve-targets", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve_targets is None:
        options.protocols = [name.strip() for name in options.protocols.split(",") if name.strip()]
        if not options.protocols or set(options.protocols) - {"ftp", "sftp", "ftps"}:
            parser.error("--protocols takes any of ftp, sftp, ftps (comma-separated)")
        options.servers = [name.strip() for name in options.servers.split(",") if name.strip()]
        if not options.servers or set(options.servers) - {"test", "debian"}:
            parser.error("--servers takes test, debian or test,debian")
        for name in ("files", "size_kb", "repeat"):
            if getattr(options, name) < 1:
                parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return options


def main() -> int:
    options = parse_arguments()
    if options.serve_targets is not None:
        serve_targets(options.serve_targets)
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the clean-up below runs
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="bench-push-"))
    children: list[Child] = []
    created_run_sshd = not Path("/run/sshd").exists()
    try:
        return run(options, work, children)
    finally:
        for child in reversed(children):
            child.stop()
        if created_run_sshd and Path("/run/sshd").is_dir():
            with contextlib.suppress(OSError):
                Path("/run/sshd").rmdir()
        shutil.rmtree(work, ignore_errors=True)
        print(f"\nbench/push.py took {time.perf_counter() - started:.0f} s")


def start_servers(options, work: Path, children: list[Child]) -> list[Target]:
    from recordings.push.testing import TARGET_PASSWORD, TARGET_USER

    targets: list[Target] = []
    if "test" in options.servers:
        ports = start_test_servers(work, children)
        for protocol, name in (("ftp", "pyftpdlib test server, writable"), ("sftp", "paramiko test server")):
            if protocol in options.protocols:
                root = work / "targets" / protocol
                target = Target(name, protocol, ports[protocol], root, REMOTE_FOLDER, TARGET_USER, TARGET_PASSWORD)
                targets.append(target)
        print(f"  the project's test servers (a separate process): FTP :{ports['ftp']}, SFTP :{ports['sftp']}")
        if "ftps" in options.protocols:
            NOT_MEASURED.append("ftps to the test servers (FTPS is measured against vsftpd only)")
    if "debian" in options.servers:
        starters = [
            ("ftp", "vsftpd", "vsftpd", start_vsftpd),
            ("ftps", "vsftpd", "vsftpd", lambda *args: start_vsftpd(*args, tls=True)),
            ("sftp", "sshd", "openssh-server", start_sshd),
        ]
        for protocol, command, package, start in starters:
            if protocol not in options.protocols:
                continue
            binary = support.ensure_tool(command, package)
            if binary is None:
                print(f"  {package} is not available: that server is skipped")
                NOT_MEASURED.append(f"{protocol} to {package} (not available)")
                continue
            try:
                target = start(work, binary, children)
            except (RuntimeError, OSError, subprocess.SubprocessError) as error:
                print(f"  {package} cannot be started, that server is skipped: {error}")
                NOT_MEASURED.append(f"{protocol} to {package} (could not start: {error})")
                continue
            targets.append(target)
            print(f"  {target.name}: 127.0.0.1:{target.port}")
    return targets


def start_test_servers(work: Path, children: list[Child]) -> dict[str, int]:
    args = [sys.executable, str(Path(__file__).resolve()), "--serve-targets", str(work / "targets")]
    child = Child("test servers", args, log=work / "targets.log", env={**os.environ, "LOG_LEVEL": "WARNING"})
    children.append(child)
    match = child.wait_for(r"READY ftp=(\d+) sftp=(\d+)", timeout=120)
    return {"ftp": int(match.group(1)), "sftp": int(match.group(2))}


def run(options: argparse.Namespace, work: Path, children: list[Child]) -> int:
    size = options.size_kb * 1024
    full = options.files >= FULL_FILES and size >= MB
    print("Recordings push benchmark (issue 7): one night pushed by the service, next to lftp mirror -R")
    print(
        f"  {options.files} recordings × {options.size_kb} KB "
        + ("(the issue's size)" if full else f"(reduced; the issue's size is --files {FULL_FILES})")
        + f", median of {options.repeat} runs each; protocols {', '.join(options.protocols)}; "
        + f"servers {', '.join(options.servers)}"
    )

    heading("Set-up")
    support.setup_django(work)
    from django.conf import settings

    from recordings.push.testing import switch_push_on
    from recordings.storage import LocalRecordingStorage

    lftp = support.ensure_tool("lftp", "lftp")
    if lftp is None:
        print("  lftp is not available: no baseline, nothing to compare (install Debian's lftp)")
    if "sftp" in options.protocols and not shutil.which("ssh"):
        support.ensure_tool("ssh", "openssh-client")
    customer = support.make_customer(PREFIX)
    switch_push_on(customer)
    storage = LocalRecordingStorage(settings.RECORDINGS_ROOT)
    recordings, local_folder = night_of_recordings(customer, storage, files=options.files, size=size)
    total_bytes = sum(recording.size_bytes for recording in recordings)
    targets = start_servers(options, work, children)

    failures: list[str] = []
    for target in targets:
        heading(f"{target.protocol.upper()}: {target.name}, 127.0.0.1:{target.port}, into {target.remote_folder}/")
        configure(customer, target)
        push_times, lftp_times = [], []
        method = ""
        for _ in range(options.repeat):
            reset_target(customer, target)
            seconds, method = run_push(customer, storage, recordings)
            check_remote(target, recordings)
            push_times.append(seconds)
            if lftp and target.protocol != "ftps":
                reset_target(customer, target)
                lftp_times.append(run_lftp(lftp, target, local_folder))
                check_remote(target, recordings)
        reset_target(customer, target)

        def line(label: str, times: list[float]) -> float:
            seconds = median(times)
            runs = ", ".join(f"{value:.2f}" for value in times)
            print(
                f"  {label:44} {options.files / seconds:8.1f} files/s {total_bytes / MB / seconds:8.1f} MB/s"
                f"   ({seconds:.2f} s; runs: {runs} s)"
            )
            return seconds

        push_seconds = line(f"push service (verified: {method}, rename):", push_times)
        if not lftp_times:
            why = "no lftp" if target.protocol != "ftps" else LFTP_FTPS_PROBLEM
            print(f"  lftp mirror -R: not measured ({why})")
            NOT_MEASURED.append(f"{target.protocol} to {target.name.split(',')[0]} ({why})")
            continue
        lftp_seconds = line("lftp mirror -R (defaults, no verification):", lftp_times)
        ratio = lftp_seconds / push_seconds
        ok = ratio >= TARGET_RATIO
        print(f"  ratio push / lftp: {ratio:.2f}   target ≥ {TARGET_RATIO} × lftp: {verdict(ok)}")
        # Push and lftp take turns, so each run's pair saw the same load: on a busy machine this moves less.
        pairs = [lftp_run / push_run for push_run, lftp_run in zip(push_times, lftp_times, strict=True)]
        paired = ", ".join(f"{value:.2f}" for value in pairs)
        print(f"  run by run (lftp / push of the same turn): median {median(pairs):.2f}; runs: {paired}")
        if not ok:
            failures.append(f"{target.protocol} to {target.name.split(',')[0]}: {ratio:.2f} × lftp")

    summary = "every measured target met" if not failures else "targets not met: " + "; ".join(failures)
    if NOT_MEASURED:
        summary += ". NOT MEASURED: " + "; ".join(NOT_MEASURED)
    heading("Summary: " + summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
