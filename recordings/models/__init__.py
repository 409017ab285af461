from recordings.models.ftp import FtpAccount, FtpLogEntry
from recordings.models.push import PushConfirmation, PushRun, PushTarget
from recordings.models.recordings import Recording
from recordings.models.retention import RetentionLog

__all__ = ["FtpAccount", "FtpLogEntry", "PushConfirmation", "PushRun", "PushTarget", "Recording", "RetentionLog"]
