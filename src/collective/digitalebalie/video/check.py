"""Self-check of a video deployment: two headless peers meet in a test room.

    digitalebalie-video-check --room-server ws://host:8081/rooms --secret-file FILE
        [--turn turn:host:3478 --turn-secret-file FILE [--relay-only]]

Reports the time to the first video frame, so an administrator can verify
that the room server (and TURN) work. Exit code 0 when the call succeeded.
"""

from collective.digitalebalie.video import peer
from collective.digitalebalie.video import tokens
from collective.digitalebalie.video.server import read_secret
import argparse
import asyncio
import secrets
import sys


def participants(room_server, secret, turn_urls=(), turn_secret=None):
    room = "selfcheck-" + secrets.token_hex(6)
    infos = []
    for role in ("employee", "citizen"):
        participant = f"{role}-check"
        ice = []
        if turn_urls and turn_secret:
            username, credential = tokens.turn_credentials(
                turn_secret, participant, 600
            )
            ice.append(
                {
                    "urls": list(turn_urls),
                    "username": username,
                    "credential": credential,
                }
            )
        infos.append(
            {
                "signal_url": f"{room_server.rstrip('/')}/{room}",
                "token": tokens.mint(
                    secret, room=room, participant=participant, role=role, ttl=120
                ),
                "participant": participant,
                "ice_servers": ice,
            }
        )
    return infos


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Check the video rooms of a Digitale Balie."
    )
    parser.add_argument("--room-server", default="ws://127.0.0.1:8081/rooms")
    parser.add_argument(
        "--secret-file", help="room token secret (or DIGITALEBALIE_ROOM_SECRET)"
    )
    parser.add_argument(
        "--turn", action="append", default=[], help="TURN URL, repeatable"
    )
    parser.add_argument("--turn-secret-file")
    parser.add_argument(
        "--relay-only", action="store_true", help="use TURN relays only"
    )
    parser.add_argument("--timeout", type=float, default=20)
    args = parser.parse_args(argv)
    secret = read_secret(args.secret_file)
    if not secret:
        parser.error(
            "no room token secret: use --secret-file or DIGITALEBALIE_ROOM_SECRET"
        )
    turn_secret = read_secret(args.turn_secret_file) if args.turn_secret_file else None
    employee, citizen = participants(args.room_server, secret, args.turn, turn_secret)
    try:
        result = asyncio.run(
            peer.call(employee, citizen, args.relay_only, args.timeout)
        )
    except (peer.RoomError, TimeoutError, OSError) as error:
        print(f"FAILED: {error or type(error).__name__}", file=sys.stderr)
        return 1
    print(
        f"OK: first video frame after {result['first_frame_seconds'] * 1000:.0f} ms "
        f"({result['frame_size'][0]}x{result['frame_size'][1]}), chat passed"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
