"""After the call: completing with a note, the note, the satisfaction answers."""
