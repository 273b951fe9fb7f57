"""Run with `zconsole run <instance>/etc/zope.conf prepare_retention.py <name>`.

A third process on the cluster's database (RelStorage lets several share it):
closes and archives the dossiers of appointments booked by ``<name>``, puts
their destruction date in the past and approves it, as a manager would after
years. Prints the dossiers' paths as JSON.
"""

from AccessControl.SecurityManagement import newSecurityManager
from collective.digitalebalie import appointments
from collective.digitalebalie.dossiers import dossiers
from collective.digitalebalie.dossiers import retention
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from plone import api
from Testing.makerequest import makerequest
from zope.component.hooks import setSite
import json
import sys
import transaction


name = sys.argv[-1]
app = makerequest(app)  # noqa: F821 - zconsole provides `app`
site = app["Plone"]
setSite(site)
newSecurityManager(None, app.acl_users.getUser("admin").__of__(app.acl_users))
paths = []
for appointment in appointments.appointments_folder().objectValues():
    if appointment.fullname != name:
        continue
    dossier = dossiers.of(appointment)
    api.content.transition(dossier, transition="dossier-transition-close")
    api.content.transition(dossier, transition="dossier-transition-archive")
    dossier.destroy_after = datetime.now(UTC).date() - timedelta(days=1)
    retention.approve(dossier, "admin")
    paths.append("/".join(dossier.getPhysicalPath()[2:]))
transaction.commit()
print(json.dumps(paths))
