Citizens get an e-mail with a calendar invitation when they book, move or cancel, in their language;
mail waits in an outbox and is sent (and retried) by a job every minute, so nothing is lost when the
mail server is down. Managers read the outbox in Site Setup. A reminder e-mail goes out 24 hours before (configurable), exactly once.
Counter employees work in teams: each product names its teams, a new appointment goes to the team
member with the fewest appointments that day, and only the team (and managers) can see it. The agenda
page shows today, the coming and past days for oneself or the team, with search, counts and the
actions start, complete, did-not-come and cancel with a message to the citizen; it works with the
keyboard and on a phone. Employees can make appointments for citizens who phoned, and subscribe to
their own agenda in Outlook through a secret, revocable address. Citizens who give a telephone
number get text messages (CM.com or a generic gateway): a reminder, and a message 10 minutes before a
video call with the link. `GET /@agenda` gives the agenda over REST.
