"""The texts of the video room, translated for the page's language."""

from collective.digitalebalie import _
from collective.digitalebalie.browser.formatting import messages_json


MESSAGES = {
    "devices_ok": _("Your camera and microphone work. You can join."),
    "denied": _(
        "You did not allow the camera and microphone. Allow them in your "
        "browser (the icon next to the web address) and try again."
    ),
    "no_devices": _("We found no microphone. Connect one, or call us instead."),
    "audio_only": _("We found no camera. You can join with sound only."),
    "failed": _("We cannot open the video call now. Please try again later."),
    "connecting": _("Connecting…"),
    "reconnecting": _("The connection dropped. Connecting again…"),
    "waiting": _("You are in the waiting room. The employee will let you in soon."),
    "admitted": _("The employee let you in. The call starts."),
    "in_room": _("You are in the room."),
    "connected": _("Connected."),
    "unstable": _("The connection is unstable."),
    "left": _("${name} left the room."),
    "peer_reconnecting": _("${name}: the connection dropped. Reconnecting…"),
    "someone_waiting": _("${name} is waiting to be let in."),
    "mute_off": _("Your microphone is off."),
    "mute_on": _("Your microphone is on."),
    "camera_off": _("Your camera is off."),
    "camera_on": _("Your camera is on."),
    "sharing": _("You are sharing your screen."),
    "sharing_stopped": _("You stopped sharing your screen."),
    "sharing_failed": _("Sharing your screen did not start."),
    "quality_good": _("Connection: good"),
    "quality_poor": _("Connection: weak. Turning off your camera may help."),
    "you": _("You"),
    "left_room": _("You left the room."),
    "revoked": _("This appointment is cancelled. The video call has ended."),
    "document_shown": _("A document is shown: ${title}"),
    "document_closed": _("The document is no longer shown."),
    "document_unavailable": _(
        "The employee shows a document. You cannot open it here."
    ),
    "join_first": _("Join the call first."),
    "video_call": _("Video call"),
}


def room_messages(request):
    return messages_json(MESSAGES, request)
