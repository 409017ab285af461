"""The embedded FTP/FTPS server that gives each customer a read-only view of its recordings.

Built on pyftpdlib: `server.build_server()` assembles a server from an
`FtpServerConfig` (normally `FtpServerConfig.from_settings()`), and
`manage.py runftpserver` runs it. Files are reached only through the
recording storage (`filesystem.StorageFilesystem`), log-ins are checked by
`authorizer.RecordingsAuthorizer`, password guessing is slowed and banned by
`guard.LoginGuard`, and every log-in, download and refusal is written to the
FTP audit log.
"""
