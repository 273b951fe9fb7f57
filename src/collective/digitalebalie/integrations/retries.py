"""What the job queues share: how long a claim holds, how long to wait after a failure.

The outbox (mail, text messages) and the case-system delivery (ZGW) each
claim an item in its own transaction before working on it, so two runs at the
same time never do it twice; a failed item waits ever longer. (Payment
polling asks the provider on its own schedule: see payments.poll_pause.)
"""

from datetime import timedelta


# A run that stopped halfway leaves its claim; after this another run may take over.
CLAIM = timedelta(minutes=5)
# Pauses after the 1st, 2nd, ... failed attempt (seconds); the last one repeats.
RETRY_PAUSES = (60, 300, 900, 3600, 6 * 3600)


def pause_after(attempts):
    """Seconds to wait after ``attempts`` failed attempts (1 or more)."""
    return RETRY_PAUSES[min(max(attempts, 1) - 1, len(RETRY_PAUSES) - 1)]
