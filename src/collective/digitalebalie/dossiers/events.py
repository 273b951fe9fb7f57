"""Workflow of dossiers: preconditions before closing, dates and audit after."""

from collective.digitalebalie.dossiers import audit
from collective.digitalebalie.dossiers import dossiers
from collective.digitalebalie.dossiers.preconditions import closing_problems
from collective.digitalebalie.integrations import zgw


class PreconditionFailed(Exception):
    """A dossier may not take this transition now; ``problems`` says why."""

    def __init__(self, problems):
        # Zope's publisher may re-raise it as type(error)(error): keep the problems.
        if isinstance(problems, PreconditionFailed):
            problems = problems.problems
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = list(problems)


def before_transition(dossier, event):
    if event.transition is None:
        return
    if event.transition.getId() == "dossier-transition-close":
        problems = closing_problems(dossier)
        if problems:
            raise PreconditionFailed(problems)


def after_transition(dossier, event):
    if event.transition is None:
        return
    transition = event.transition.getId()
    if transition == "dossier-transition-close":
        dossiers.closed(dossier)
        if zgw.enabled():
            zgw.request_archive(dossier)
    elif transition == "dossier-transition-reopen":
        dossiers.reopened(dossier)
    elif transition == "dossier-transition-archive":
        dossiers.archived(dossier)
        if zgw.enabled():
            zgw.request_final_status(dossier)
    audit.log(dossier, "state", event.new_state.getId())
