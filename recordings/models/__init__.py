from recordings.models.ftp import FtpAccount, FtpLogEntry
from recordings.models.recordings import Recording

__all__ = ["FtpAccount", "FtpLogEntry", "Recording"]
