"""After the call: what happens next (the outcome note) and one satisfaction question."""
