"""Writes of the recordings push: the settings, the server key, and pushing one day to the customer's server.

A day's push (`push_day`) uploads every recording of that local day that is
not yet confirmed on the target: to a temporary name, then the remote size is
compared with ours (and, over SFTP, a checksum when the server offers one),
and only then the file gets its final name and the recording a
`PushConfirmation`. This happens in small batches (every `CONFIRM_BATCH_FILES`
files or `CONFIRM_BATCH_SECONDS`, and always before the push returns): the
batch's files are uploaded one after another, then their sizes are asked
for and they are renamed all at once (over FTP each in one round trip), and
their confirmations are committed together, each only for a file verified
and renamed to its final name. A push that loses its connection during an
upload first checks and renames the batch's earlier uploads over a new
connection, so it resumes where it stopped; a killed worker leaves at most
one batch behind (renamed files are found on the server by the next push and
not sent again, temporary ones are overwritten), and nothing is ever marked
as pushed unless it is verified on the server under its final name.
Only one push per customer and day runs at a time: the run row is claimed
with a lease that a killed worker's successor may take over.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from panel.models import Customer, User
from recordings.crypto import decrypt_secret, encrypt_secret
from recordings.models import PushConfirmation, PushRun, PushTarget, Recording
from recordings.push import selectors
from recordings.push.choices import ConfirmationMethod, PushRunStatus
from recordings.push.connection_test import ConnectionTestResult, run_connection_test
from recordings.push.days import local_day_of
from recordings.push.hosts import private_targets_allowed
from recordings.push.paths import expand_path_template, remote_file_path
from recordings.push.transports import (
    STEP_LOGIN,
    STEP_UPLOAD,
    STEP_VERIFY,
    Deadline,
    Endpoint,
    HostKeyChanged,
    PushError,
    Transport,
    open_transport,
)
from recordings.storage import RecordingStorage, get_storage

logger = logging.getLogger("recordings.push")

LEASE = timedelta(minutes=20)  # a running push that showed no sign of life for this long is taken over
TEMPORARY_SUFFIX = ".part"
MAX_ERRORS_SHOWN = 5
CONFIRM_BATCH_FILES = 100  # verified files recorded in one transaction at most
CONFIRM_BATCH_SECONDS = 0.5  # and a verified file waits at most this long for its confirmation


# --- settings


@dataclass(frozen=True)
class PushSettings:
    """What the settings form gives: `password` / `private_key` None keep the saved one."""

    protocol: str
    host: str
    port: int
    username: str
    password: str | None
    private_key: str | None
    clear_private_key: bool
    passive_mode: bool
    verify_tls: bool
    path_template: str


@transaction.atomic
def push_target_save(*, customer: Customer, data: PushSettings) -> PushTarget:
    """Create or change the customer's push target; secrets are stored encrypted and kept unless replaced.

    Another server (protocol, host or port changed) forgets the remembered
    SSH key, so the new server's key is trusted on its first connection.
    """
    target = PushTarget.objects.select_for_update().for_customer(customer).first() or PushTarget(customer=customer)
    identity = (target.protocol, target.host, target.port)
    target.protocol = data.protocol
    target.host = data.host
    target.port = data.port
    target.username = data.username
    if data.password:
        target.password_encrypted = encrypt_secret(data.password)
    if data.private_key:
        target.private_key_encrypted = encrypt_secret(data.private_key)
    elif data.clear_private_key:
        target.private_key_encrypted = ""
    target.passive_mode = data.passive_mode
    target.verify_tls = data.verify_tls
    target.path_template = data.path_template
    if target.pk and identity != (target.protocol, target.host, target.port):
        target.host_key_fingerprint = ""
        target.host_key_recorded_at = None
        target.host_key_offered = ""
    target.save()
    return target


def push_endpoint(*, target: PushTarget, settings_override: PushSettings | None = None) -> Endpoint:
    """Where to connect, with the secrets decrypted: the saved target, or unsaved form values over it."""
    data = settings_override
    if data is None:
        return Endpoint(
            protocol=target.protocol,
            host=target.host,
            port=target.port,
            username=target.username,
            password=decrypt_secret(target.password_encrypted) if target.password_encrypted else "",
            private_key=decrypt_secret(target.private_key_encrypted) if target.private_key_encrypted else "",
            passive=target.passive_mode,
            verify_tls=target.verify_tls,
            pinned_fingerprint=target.host_key_fingerprint,
            allow_private=private_targets_allowed(),
        )
    saved = target if target is not None and target.pk else None
    same_server = saved is not None and (saved.protocol, saved.host, saved.port) == (
        data.protocol,
        data.host,
        data.port,
    )
    password = data.password or (decrypt_secret(saved.password_encrypted) if saved and saved.has_password else "")
    private_key = data.private_key or ""
    if not private_key and not data.clear_private_key and saved and saved.has_private_key:
        private_key = decrypt_secret(saved.private_key_encrypted)
    return Endpoint(
        protocol=data.protocol,
        host=data.host,
        port=data.port,
        username=data.username,
        password=password,
        private_key=private_key,
        passive=data.passive_mode,
        verify_tls=data.verify_tls,
        pinned_fingerprint=saved.host_key_fingerprint if same_server else "",
        allow_private=private_targets_allowed(),
    )


def _same_server(target: PushTarget | None, endpoint: Endpoint) -> bool:
    return target is not None and (target.protocol, target.host, target.port) == (
        endpoint.protocol,
        endpoint.host,
        endpoint.port,
    )


@transaction.atomic
def push_host_key_seen(*, customer: Customer, endpoint: Endpoint, fingerprint: str, changed: bool) -> None:
    """Trust on first use: remember the first key of the saved server; a different one waits for the customer."""
    target = PushTarget.objects.select_for_update().for_customer(customer).first()
    if not fingerprint or not _same_server(target, endpoint):
        return
    if changed:
        if target.host_key_fingerprint and target.host_key_offered != fingerprint:
            target.host_key_offered = fingerprint
            target.save(update_fields=["host_key_offered", "updated_at"])
    elif not target.host_key_fingerprint:
        target.host_key_fingerprint = fingerprint
        target.host_key_recorded_at = timezone.now()
        target.host_key_offered = ""
        target.save(update_fields=["host_key_fingerprint", "host_key_recorded_at", "host_key_offered", "updated_at"])


@transaction.atomic
def push_host_key_accept(*, customer: Customer) -> bool:
    """The customer confirms that the server's new key is right: it becomes the remembered one."""
    target = PushTarget.objects.select_for_update().for_customer(customer).first()
    if target is None or not target.host_key_offered:
        return False
    target.host_key_fingerprint = target.host_key_offered
    target.host_key_recorded_at = timezone.now()
    target.host_key_offered = ""
    target.save(update_fields=["host_key_fingerprint", "host_key_recorded_at", "host_key_offered", "updated_at"])
    return True


@transaction.atomic
def push_host_key_forget(*, customer: Customer) -> bool:
    """Forget the remembered key: the next successful connection remembers the server's key again."""
    target = PushTarget.objects.select_for_update().for_customer(customer).first()
    if target is None or not (target.host_key_fingerprint or target.host_key_offered):
        return False
    target.host_key_fingerprint = ""
    target.host_key_recorded_at = None
    target.host_key_offered = ""
    target.save(update_fields=["host_key_fingerprint", "host_key_recorded_at", "host_key_offered", "updated_at"])
    return True


def push_connection_test(
    *, customer: Customer, data: PushSettings, now: datetime | None = None, seconds: float | None = None
) -> ConnectionTestResult:
    """Test the settings as typed (saved or not) against today's target folder; remembers a first SSH key."""
    now = now or timezone.now()
    target = selectors.push_target_get(customer=customer)
    endpoint = push_endpoint(target=target, settings_override=data)
    folder = expand_path_template(data.path_template, day=local_day_of(now), prefix=customer.prefix)
    options = {"seconds": seconds} if seconds else {}
    result = run_connection_test(endpoint, folder=folder, **options)
    if result.host_key_changed is not None:
        push_host_key_seen(customer=customer, endpoint=endpoint, fingerprint=result.fingerprint, changed=True)
    elif result.fingerprint and any(step.key == STEP_LOGIN and step.ok for step in result.steps):
        push_host_key_seen(customer=customer, endpoint=endpoint, fingerprint=result.fingerprint, changed=False)
    return result


# --- queueing


@transaction.atomic
def push_run_queue(*, customer: Customer, day: date, now: datetime | None = None) -> PushRun:
    """Mark a day as waiting for its push (the history shows "queued"); a running push is left alone."""
    now = now or timezone.now()
    run, created = PushRun.objects.select_for_update().get_or_create(
        customer=customer, day=day, defaults={"status": PushRunStatus.QUEUED, "queued_at": now}
    )
    if not created and run.status != PushRunStatus.RUNNING:
        run.status = PushRunStatus.QUEUED
        run.queued_at = now
        run.save(update_fields=["status", "queued_at"])
    return run


# --- pushing one day


@dataclass
class PushOutcome:
    """What one `push_day` call did; `retry` says whether trying again soon can help."""

    run: PushRun | None
    retry: bool = False
    busy: bool = False


def _claim(*, customer: Customer, day: date, now: datetime) -> PushRun | None:
    """Take the day's run for this worker, or None when another push of the same day is alive."""
    with transaction.atomic():
        run, _created = PushRun.objects.select_for_update().get_or_create(
            customer=customer, day=day, defaults={"queued_at": now}
        )
        if run.status == PushRunStatus.RUNNING and run.heartbeat_at and now - run.heartbeat_at < LEASE:
            return None
        run.status = PushRunStatus.RUNNING
        run.attempts += 1
        run.started_at = now
        run.finished_at = None
        run.heartbeat_at = now
        run.error = ""
        run.notes = ""
        run.save()
    return run


def _finish(run: PushRun, *, night: date, error: str = "", notes: list[str] | None = None) -> None:
    """Close the attempt; a failure counts once per night (`night`: the local date the push ran)."""
    now = timezone.now()
    run.status = PushRunStatus.FAILED if error else PushRunStatus.DONE
    run.error = error
    run.notes = "\n".join(notes or [])
    run.finished_at = now
    run.heartbeat_at = now
    if error:
        if run.last_failed_night != night:
            run.failed_nights += 1
            run.last_failed_night = night
    else:
        run.failed_nights = 0
    run.save()
    if error and run.failed_nights >= selectors.WARNING_AFTER_FAILED_NIGHTS and run.alert_sent_at is None:
        _send_failure_warning(run)


def _send_failure_warning(run: PushRun) -> None:
    """Tell the customer's users by e-mail that a day is still not on their server after two nights."""
    addresses = list(
        User.objects.filter(customer_id=run.customer_id, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    run.alert_sent_at = timezone.now()
    run.save(update_fields=["alert_sent_at"])
    if not addresses:
        return
    subject = _("Centrala: recordings of %(day)s have not reached your server") % {"day": f"{run.day:%Y-%m-%d}"}
    body = _(
        "For the second night we could not send the call recordings of %(day)s to your server.\n\n"
        "Reason: %(error)s\n\n"
        "Check the settings in the panel (Nagrania > Automatyczne przesyłanie nagrań) and use "
        "“Test the connection”. We will try again next night.\n"
    ) % {"day": f"{run.day:%Y-%m-%d}", "error": run.error}
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, addresses, fail_silently=True))


def _heartbeat(run: PushRun) -> None:
    PushRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())


def _recount(run: PushRun, *, target_key: str, folder: str, recordings: list[Recording]) -> None:
    """The run's counters from what is confirmed on the target (so retries never count twice)."""
    paths = {recording.pk: remote_file_path(folder, recording.file_name) for recording in recordings}
    confirmed = PushConfirmation.objects.filter(
        customer_id=run.customer_id, target=target_key, recording_id__in=list(paths)
    ).values("recording_id", "remote_path", "method", "size_bytes")
    uploaded = skipped = 0
    uploaded_bytes = 0
    for row in confirmed:
        if paths.get(row["recording_id"]) != row["remote_path"]:
            continue
        if row["method"] == ConfirmationMethod.UPLOADED:
            uploaded += 1
            uploaded_bytes += row["size_bytes"]
        else:
            skipped += 1
    run.total_count = max(run.total_count, len(recordings))
    run.uploaded_count = uploaded
    run.skipped_count = skipped
    run.failed_count = run.total_count - uploaded - skipped
    run.bytes_uploaded = uploaded_bytes


def push_day(
    *,
    customer: Customer,
    day: date,
    storage: RecordingStorage | None = None,
    now: datetime | None = None,
    recheck: bool = False,
) -> PushOutcome:
    """Push the recordings of one local day to the customer's server (safe to repeat; resumes where it stopped).

    `recheck` (the customer's "Wyślij ponownie") looks at every recording of
    the day on the server again instead of trusting earlier confirmations, so
    files removed there are sent once more.
    """
    now = now or timezone.now()
    storage = storage or get_storage()
    run = _claim(customer=customer, day=day, now=now)
    if run is None:
        return PushOutcome(run=None, busy=True)
    notes: list[str] = []
    night = local_day_of(now)
    try:
        if not selectors.push_service_active(customer=customer, at=now):
            _finish(run, night=night, error=_("The service “Automatic recording push to your server” is off."))
            return PushOutcome(run=run)
        target = selectors.push_target_get(customer=customer)
        if target is None:
            _finish(run, night=night, error=_("No server is set up yet: fill in and save the push settings."))
            return PushOutcome(run=run)
        if target.host_key_offered:
            _finish(
                run,
                night=night,
                error=str(HostKeyChanged(pinned=target.host_key_fingerprint, offered=target.host_key_offered)),
            )
            return PushOutcome(run=run)
        folder = expand_path_template(target.path_template, day=day, prefix=customer.prefix)
        recordings = list(selectors.day_recordings(customer=customer, day=day))
        run.target = f"{target.target_key}{folder}"
        if len(recordings) < run.total_count:
            # Reported, never silently skipped: they count as not sent, and the history says why.
            notes.append(_gone_note(run.total_count - len(recordings)))
        pending = _pending(customer=customer, target=target, folder=folder, recordings=recordings, recheck=recheck)
        failures: list[str] = []
        if pending:
            failures = _push_pending(run=run, target=target, folder=folder, pending=pending, storage=storage)
        _recount(run, target_key=target.target_key, folder=folder, recordings=recordings)
        _finish(run, night=night, error=_summary(failures), notes=notes)
        return PushOutcome(run=run, retry=bool(failures))
    except HostKeyChanged as error:
        push_host_key_seen(
            customer=customer, endpoint=push_endpoint(target=target), fingerprint=error.offered, changed=True
        )
        _finish(run, night=night, error=error.message, notes=notes)
        return PushOutcome(run=run)
    except PushError as error:
        _recount_quietly(run, customer=customer, day=day)
        _finish(run, night=night, error=error.message, notes=notes)
        return PushOutcome(run=run, retry=not error.permanent)
    except Exception:
        logger.exception("push of %s for %s failed unexpectedly", day, customer.prefix)
        _finish(run, night=night, error=_("An unexpected error stopped the push; we will try again."), notes=notes)
        raise


def _recount_quietly(run: PushRun, *, customer: Customer, day: date) -> None:
    target = selectors.push_target_get(customer=customer)
    if target is None:
        return
    folder = expand_path_template(target.path_template, day=day, prefix=customer.prefix)
    _recount(
        run,
        target_key=target.target_key,
        folder=folder,
        recordings=list(selectors.day_recordings(customer=customer, day=day)),
    )


def _gone_note(count: int) -> str:
    return ngettext(
        "%(count)d recording of this day was deleted (retention) before it could be sent.",
        "%(count)d recordings of this day were deleted (retention) before they could be sent.",
        count,
    ) % {"count": count}


def _summary(failures: list[str]) -> str:
    if not failures:
        return ""
    shown = failures[:MAX_ERRORS_SHOWN]
    more = len(failures) - len(shown)
    if more:
        shown.append(ngettext("…and %(count)d more error.", "…and %(count)d more errors.", more) % {"count": more})
    return "\n".join(shown)


def _pending(
    *, customer: Customer, target: PushTarget, folder: str, recordings: list[Recording], recheck: bool
) -> list[Recording]:
    if recheck:
        return recordings
    confirmed = set(
        PushConfirmation.objects.for_customer(customer)
        .filter(target=target.target_key, recording__in=recordings)
        .values_list("recording_id", "remote_path")
    )
    return [r for r in recordings if (r.pk, remote_file_path(folder, r.file_name)) not in confirmed]


def _push_pending(
    *, run: PushRun, target: PushTarget, folder: str, pending: list[Recording], storage: RecordingStorage
) -> list[str]:
    """Upload what is pending over one connection; returns the per-file failures (a lost connection raises).

    The files are checked and renamed in batches (`_Batch`): every upload of
    a batch first, then the size of every temporary file, then every rename,
    then the batch's confirmations in one transaction.
    """
    endpoint = push_endpoint(target=target)
    failures: list[str] = []
    batch = _Batch(run=run, target_key=target.target_key, folder=folder)
    try:
        with open_transport(endpoint, deadline=Deadline()) as transport:
            if transport.fingerprint and not target.host_key_fingerprint:
                push_host_key_seen(
                    customer=target.customer, endpoint=endpoint, fingerprint=transport.fingerprint, changed=False
                )
            if transport.fingerprint:  # a second connection (`_rescue`) must meet the same server key
                endpoint = replace(endpoint, pinned_fingerprint=transport.fingerprint)
            transport.ensure_folder(folder)
            present = transport.folder_sizes(folder)
            for recording in pending:
                try:
                    uploaded = _push_one(
                        transport, recording=recording, folder=folder, storage=storage, present=present
                    )
                except PushError as error:
                    if error.connection_lost:
                        failures.extend(_rescue(batch, endpoint=endpoint, storage=storage))
                    if error.connection_lost or error.permanent:
                        raise
                    failures.append(error.message)
                    continue
                batch.add(recording, uploaded)
                if batch.due():
                    failures.extend(batch.finish(transport, storage))
            failures.extend(batch.finish(transport, storage))
    finally:
        # Whatever stopped the loop, the files verified so far are recorded (an unexpected error included);
        # uploads not yet checked are not (their temporary files are replaced by the next push).
        batch.flush()
    return failures


def _rescue(batch: _Batch, *, endpoint: Endpoint, storage: RecordingStorage) -> list[str]:
    """The connection was lost during an upload: check and rename the batch's earlier uploads over a new one.

    They are complete on the server under their temporary names; without
    this the next push would send them again. If the server cannot be
    reached now, they are simply left for the next push.
    """
    if not batch.uploaded:
        return []
    try:
        with open_transport(endpoint, deadline=Deadline()) as transport:
            return batch.finish(transport, storage)
    except PushError:
        batch.uploaded.clear()
        return []


@dataclass
class _Uploaded:
    """A recording sent to its temporary name, not yet checked."""

    recording: Recording
    temporary: str
    final: str


@dataclass
class _Batch:
    """Files of one push checked, renamed and confirmed together (`CONFIRM_BATCH_FILES` / `_SECONDS` at most).

    An uploaded file gets its size checked (and its checksum, where the
    server has one) under its temporary name, then its final name, and only
    then its `PushConfirmation`; the confirmations of the batch are written
    in one short transaction, with the run's heartbeat. A file found on the
    server with the right size is confirmed with the batch as it is.
    """

    run: PushRun
    target_key: str
    folder: str
    uploaded: list[_Uploaded] = field(default_factory=list)
    verified: list[PushConfirmation] = field(default_factory=list)
    since: float = field(default_factory=time.monotonic)

    def add(self, recording: Recording, uploaded: _Uploaded | None) -> None:
        """`uploaded`: the file sent to its temporary name; None: found on the server already (verified)."""
        if uploaded is None:
            self._confirm(recording, method=ConfirmationMethod.PRESENT, checksum="")
        else:
            self.uploaded.append(uploaded)

    def due(self) -> bool:
        waiting = len(self.uploaded) + len(self.verified)
        return waiting >= CONFIRM_BATCH_FILES or time.monotonic() - self.since >= CONFIRM_BATCH_SECONDS

    def finish(self, transport: Transport, storage: RecordingStorage) -> list[str]:
        """Check and rename the uploaded files, confirm those that passed; the failures (a lost connection raises).

        A file that fails a check keeps no temporary file on the server; one
        the server refused to rename is reported and not confirmed.
        """
        uploaded, self.uploaded = self.uploaded, []
        failures: list[str] = []
        checked: list[tuple[_Uploaded, str]] = []
        sizes = transport.sizes([item.temporary for item in uploaded]) if uploaded else []
        for item, remote_size in zip(uploaded, sizes, strict=True):
            try:
                checked.append((item, _check(transport, item, remote_size, storage)))
            except PushError as error:
                if error.connection_lost or error.permanent:
                    raise
                failures.append(error.message)
                transport.delete(item.temporary)
        refusals = transport.renames([(item.temporary, item.final) for item, _checksum in checked]) if checked else []
        for (item, checksum), refusal in zip(checked, refusals, strict=True):
            if refusal is not None:
                failures.append(refusal.message)
                transport.delete(item.temporary)
                continue
            self._confirm(item.recording, method=ConfirmationMethod.UPLOADED, checksum=checksum)
        self.flush()
        return failures

    def _confirm(self, recording: Recording, *, method: str, checksum: str) -> None:
        self.verified.append(
            PushConfirmation(
                customer_id=recording.customer_id,
                recording_id=recording.pk,
                target=self.target_key,
                remote_path=remote_file_path(self.folder, recording.file_name),
                run_id=self.run.pk,
                size_bytes=recording.size_bytes,
                method=method,
                checksum=checksum,
                confirmed_at=timezone.now(),
            )
        )

    def flush(self) -> None:
        """Write the confirmations of the verified files (never of files still unchecked)."""
        waiting, self.verified = self.verified, []
        self.since = time.monotonic()
        if not waiting:
            return
        with transaction.atomic():
            PushConfirmation.objects.bulk_create(
                waiting,
                update_conflicts=True,
                unique_fields=["recording", "target", "remote_path"],
                update_fields=["customer", "run", "size_bytes", "method", "checksum", "confirmed_at"],
            )
            _heartbeat(self.run)


def _push_one(
    transport: Transport,
    *,
    recording: Recording,
    folder: str,
    storage: RecordingStorage,
    present: dict[str, int | None] | None = None,
) -> _Uploaded | None:
    """Send one recording to its temporary name (checked and renamed later with its batch); None if already there.

    `present` is the folder's listing taken at the start (name → size, None
    where the listing gives no size), or None when the server gave none: a
    file is trusted as already there only if the server reports our size for
    it, and a name missing from the listing is sent without asking.
    """
    name = recording.file_name
    final = remote_file_path(folder, name)
    if present is None or name in present:
        known = present.get(name) if present is not None else None
        size = known if known is not None else transport.remote_size(final)
        if size == recording.size_bytes:
            return None
    try:
        source = storage.open(recording.path)
    except FileNotFoundError:
        raise PushError(
            STEP_UPLOAD,
            _("%(name)s is no longer in the recordings storage (deleted by retention?).") % {"name": name},
        ) from None
    temporary = remote_file_path(folder, f".{name}{TEMPORARY_SUFFIX}")
    try:
        with source:
            sent = transport.upload(source, temporary)
        if sent != recording.size_bytes:
            raise PushError(
                STEP_UPLOAD,
                _("%(name)s has %(sent)s bytes in the storage instead of %(size)s; it was not sent.")
                % {"name": name, "sent": sent, "size": recording.size_bytes},
            )
    except PushError as error:
        if not error.connection_lost:
            transport.delete(temporary)
        raise
    return _Uploaded(recording=recording, temporary=temporary, final=final)


def _check(
    transport: Transport, item: _Uploaded, remote_size: int | None | PushError, storage: RecordingStorage
) -> str:
    """PushError unless the upload has our size (and checksum, where the server has one); the checksum's name."""
    recording = item.recording
    if isinstance(remote_size, PushError):
        raise remote_size
    if remote_size != recording.size_bytes:
        raise PushError(
            STEP_VERIFY,
            _("%(name)s: the server reports %(remote)s bytes after the upload instead of %(size)s.")
            % {
                "name": recording.file_name,
                "remote": remote_size if remote_size is not None else "0",
                "size": recording.size_bytes,
            },
        )
    checksum_ok = transport.checksum_matches(
        item.temporary, lambda algorithm: _local_digest(recording, storage, algorithm)
    )
    if checksum_ok is False:
        raise PushError(
            STEP_VERIFY,
            _("%(name)s: the checksum on the server differs from ours; the file was not accepted.")
            % {"name": recording.file_name},
        )
    checksum = getattr(transport, "checksum_algorithm", None) if checksum_ok else None
    return checksum or ""


def _local_digest(recording: Recording, storage: RecordingStorage, algorithm: str) -> bytes:
    if algorithm == "sha256" and recording.sha256:
        return bytes.fromhex(recording.sha256)
    digest = hashlib.new(algorithm)
    with storage.open(recording.path) as source:
        while chunk := source.read(1024 * 1024):
            digest.update(chunk)
    return digest.digest()


def push_days(
    *, customer: Customer, days: list[date], storage: RecordingStorage | None = None, recheck: bool = False
) -> list[PushOutcome]:
    """Push several days oldest first (tonight's backlog); days already done are skipped unless rechecked."""
    outcomes = []
    for day in sorted(days):
        run = selectors.push_run_for_day(customer=customer, day=day)
        if run is not None and run.status == PushRunStatus.DONE and not recheck:
            continue
        outcomes.append(push_day(customer=customer, day=day, storage=storage, recheck=recheck))
    return outcomes


@transaction.atomic
def push_resend(*, customer: Customer, day: date, now: datetime | None = None) -> PushRun:
    """ "Wyślij ponownie": queue the day again; every recording is checked on the server, missing ones sent."""
    from recordings.jobs.push import enqueue_push_unique

    run = push_run_queue(customer=customer, day=day, now=now)
    transaction.on_commit(lambda: enqueue_push_unique(customer.pk, [day], recheck=True))
    return run
