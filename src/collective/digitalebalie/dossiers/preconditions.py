"""What must hold before a dossier may be closed: named adapters.

Each adapts a dossier to IClosePrecondition and returns the problems it sees
(empty: fine). Later features (payments) register their own.
"""

from collective.digitalebalie import _
from collective.digitalebalie.content.dossier import IDossier
from collective.digitalebalie.integrations import payments
from zope.component import adapter
from zope.component import getAdapters
from zope.interface import Interface
from zope.interface import implementer


class IClosePrecondition(Interface):
    def problems():
        """A list of messages; empty when the dossier may be closed."""


@implementer(IClosePrecondition)
@adapter(IDossier)
class DocumentsScanned:
    """No document may be unscanned or infected."""

    def __init__(self, dossier):
        self.dossier = dossier

    def problems(self):
        bad = [
            doc.Title()
            for doc in self.dossier.objectValues()
            if getattr(doc, "scan", None) != "clean"
        ]
        if not bad:
            return []
        return [
            _(
                "These documents are not scanned for viruses or are infected: ${names}.",
                mapping={"names": ", ".join(bad)},
            )
        ]


@implementer(IClosePrecondition)
@adapter(IDossier)
class PaymentsSettled:
    """No payment request may still be open."""

    def __init__(self, dossier):
        self.dossier = dossier

    def problems(self):
        waiting = payments.open_requests(self.dossier)
        if not waiting:
            return []
        return [
            _(
                "A payment request is still open: ${what}.",
                mapping={"what": ", ".join(p["description"] for p in waiting)},
            )
        ]


def closing_problems(dossier):
    problems = []
    for _name, check in sorted(getAdapters((dossier,), IClosePrecondition)):
        problems.extend(check.problems())
    return problems
