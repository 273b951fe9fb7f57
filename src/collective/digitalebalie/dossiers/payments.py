"""The old home of ``integrations.payments``, kept so that old imports work.

This module *is* ``collective.digitalebalie.integrations.payments`` under its
old name (one module object: patching one patches the other). Payments keep
no persistent classes of their own (plain PersistentMappings and BTrees).
"""

from collective.digitalebalie.integrations import payments
import sys


sys.modules[__name__] = payments
