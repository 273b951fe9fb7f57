"""The old name of ``credentials``, kept so that stored data still loads.

``SecretStore`` pickles written before 1.0 name
``collective.digitalebalie.secrets.SecretStore``; this module *is* the
credentials module under its old name (one module object, not a copy), so
those pickles load and old imports keep working. New code imports
``collective.digitalebalie.credentials``.
"""

from collective.digitalebalie import credentials
import sys


sys.modules[__name__] = credentials
