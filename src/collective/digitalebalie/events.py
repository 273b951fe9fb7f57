"""Keep the booking ledger true whatever way an appointment changes."""

from collective.digitalebalie import appointments


def appointment_transitioned(appointment, event):
    """Cancelled by the citizen or by counter staff: the time is free again."""
    if event.new_state and event.new_state.getId() == "cancelled":
        appointments.release(appointment)
        appointments.notifications().cancelled(appointment)


def appointment_removed(appointment, event):
    """Deleted by a manager: the time is free again."""
    appointments.release(appointment)
