Citizens get an e-mail with a calendar invitation when they book, move or cancel, in their language;
mail waits in an outbox and is sent (and retried) by a job every minute, so nothing is lost when the
mail server is down. Managers read the outbox in Site Setup. A reminder e-mail goes out 24 hours before (configurable), exactly once.
