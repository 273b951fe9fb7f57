"""The "Digitale Balie" control panel: settings, and secrets that are never shown."""

from collective.digitalebalie import _
from collective.digitalebalie import credentials
from collective.digitalebalie.interfaces import IDigitaleBalieLayer
from collective.digitalebalie.interfaces import IDigitaleBalieSecrets
from collective.digitalebalie.interfaces import IDigitaleBalieSettings
from plone.app.registry.browser.controlpanel import ControlPanelFormWrapper
from plone.app.registry.browser.controlpanel import RegistryEditForm
from plone.restapi.controlpanels import RegistryConfigletPanel
from plone.z3cform import layout
from Products.statusmessages.interfaces import IStatusMessage
from z3c.form import button
from z3c.form import field
from z3c.form import form
from z3c.form.browser.password import PasswordFieldWidget
from zope import schema
from zope.component import adapter
from zope.i18n import translate
from zope.interface import Interface
from zope.interface import Invalid
import copy


class DigitaleBalieSettingsForm(RegistryEditForm):
    schema = IDigitaleBalieSettings
    label = _("Digitale Balie")
    description = _(
        "Settings of the digital counter. Secrets are on a page of their own: "
        "Site Setup, Digitale Balie secrets."
    )


DigitaleBalieControlPanel = layout.wrap_form(
    DigitaleBalieSettingsForm, ControlPanelFormWrapper
)


def _check_secret(value):
    if not value.isascii() or not value.isprintable() or " " in value:
        raise Invalid(_("Use only letters, digits and punctuation, without spaces."))
    return True


def _secret_form_field(name):
    source = IDigitaleBalieSecrets[name]
    return schema.ASCIILine(
        __name__=name,
        title=source.title,
        description=source.description,
        required=False,
        min_length=credentials.MIN_LENGTH
        if name in credentials.GENERATED
        else credentials.MIN_LENGTH_PROVIDED,
        constraint=_check_secret,
    )


class ISecretsForm(Interface):
    """Write-only inputs: an empty input keeps the current secret."""

    room_token_secret = _secret_form_field("room_token_secret")
    turn_secret = _secret_form_field("turn_secret")
    job_key = _secret_form_field("job_key")
    sms_api_key = _secret_form_field("sms_api_key")
    zgw_secret = _secret_form_field("zgw_secret")
    mollie_api_key = _secret_form_field("mollie_api_key")
    oidc_client_secret = _secret_form_field("oidc_client_secret")
    eherkenning_client_secret = _secret_form_field("eherkenning_client_secret")
    sso_client_secret = _secret_form_field("sso_client_secret")
    identity_key = _secret_form_field("identity_key")
    jitsi_app_secret = _secret_form_field("jitsi_app_secret")
    livekit_api_secret = _secret_form_field("livekit_api_secret")


class SecretsForm(form.Form):
    """Replace or regenerate secrets without ever displaying them."""

    label = _("Digitale Balie: secrets")
    description = _(
        "Secrets are made at install and are never shown. To share a secret "
        "with the room server or the TURN server, type a new one here and in "
        "their configuration. An empty field keeps the current secret."
    )
    ignoreContext = True
    fields = field.Fields(ISecretsForm)
    for _name in fields:
        fields[_name].widgetFactory = PasswordFieldWidget
    del _name

    def updateWidgets(self):
        super().updateWidgets()
        for name, widget in self.widgets.items():
            current = credentials.get_secret(name)
            if current:
                state = _(
                    "secret_is_set",
                    default="Currently set (fingerprint ${fingerprint}).",
                    mapping={"fingerprint": credentials.fingerprint(current)},
                )
            else:
                state = _("Not set yet.")
            # A copy, so the shared schema field keeps its own description.
            widget.field = copy.copy(widget.field)
            widget.field.description = _(
                "secret_description",
                default="${description} ${state}",
                mapping={
                    "description": translate(
                        widget.field.description, context=self.request
                    ),
                    "state": translate(state, context=self.request),
                },
            )
            widget.autocomplete = "new-password"

    def _status(self, message, kind="info"):
        IStatusMessage(self.request).addStatusMessage(message, kind)

    @button.buttonAndHandler(_("Save"), name="save")
    def handle_save(self, action):
        data, errors = self.extractData()
        if errors:
            self.status = self.formErrorsMessage
            return
        changed = [name for name, value in data.items() if value]
        for name in changed:
            credentials.set_secret(name, data[name])
        if changed:
            self._status(_("The secrets you typed are saved."))
        else:
            self._status(_("Nothing changed: all fields were empty."))
        self.request.response.redirect(self.request.getURL())

    @button.buttonAndHandler(_("Generate new secrets"), name="generate")
    def handle_generate(self, action):
        for name in credentials.GENERATED:
            credentials.set_secret(name, credentials.generate_secret())
        self._status(
            _(
                "New secrets are generated. Give the room server and the TURN "
                "server the new values, or video calls will not start."
            ),
            "warning",
        )
        self.request.response.redirect(self.request.getURL())

    @button.buttonAndHandler(_("Back to the settings"), name="cancel")
    def handle_cancel(self, action):
        self.request.response.redirect(
            self.context.absolute_url() + "/@@digitalebalie-controlpanel"
        )


SecretsPage = layout.wrap_form(SecretsForm, ControlPanelFormWrapper)


@adapter(Interface, IDigitaleBalieLayer)
class DigitaleBalieControlpanelREST(RegistryConfigletPanel):
    """@controlpanels/digitalebalie for REST clients (secrets excluded)."""

    schema = IDigitaleBalieSettings
    configlet_id = "digitalebalie"
    configlet_category_id = "plone-general"
    # Records carry the interface's dotted name (registry.xml sets no prefix).
    schema_prefix = None
