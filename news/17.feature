A device test for the citizen's link (and a guest's link), any day before the video appointment:
camera preview, microphone level, a test sound, the connection to the room server and through the
TURN relay with their round-trip times, and a plain verdict ("Everything works" or what to do). The
appointment page links to it ("Test your camera and microphone").
