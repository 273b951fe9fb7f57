"""Log handlers that keep citizens' and guests' link tokens out of the logs.

A link such as /Plone/@@my-appointment/<token> is the key to an appointment;
the access log (Paste's translogger: the request line and the Referer) and
the event log (errors name the URL) would keep it for anyone who reads the
files. The zope.ini that digitalebalie-instance writes uses these handlers.

No Plone imports: the logging configuration loads this module early.
"""

from collective.digitalebalie.masking import mask
import logging


class _Masking:
    def format(self, record):
        return mask(super().format(record))


class MaskingFileHandler(_Masking, logging.FileHandler):
    """logging.FileHandler, with tokens masked."""


class MaskingStreamHandler(_Masking, logging.StreamHandler):
    """logging.StreamHandler, with tokens masked."""
