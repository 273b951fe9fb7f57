Video rooms in the appointment page: the citizen checks camera and microphone, waits in the waiting
room and meets the counter employee peer to peer; mute, camera, screen sharing, chat, guest links for
an interpreter, connection hint, reconnection. A room server (`digitalebalie-rooms`) with signed room
tokens, TURN REST credentials for coturn, and a self-check (`digitalebalie-video-check`).
