"""Walking in without an appointment: each product's video queue (issue 19).

Where the queue lives, and why: one persistent record per product
(``WalkInQueue``, in the product's annotations) holds every ticket of that
product and is written by every join, take, leave and callback. All
translations of a product share one queue, on the canonical product (as the
booking ledger: ``multilingual.canonical``); each ticket keeps the citizen's
language and the translation they joined through. Two of those
at the same moment, on one instance or on two instances sharing RelStorage,
write the same record: ZODB lets one commit and raises a ConflictError for the
other, which Zope retries, and the retry sees the first change. So a ticket is
taken exactly once and nobody is skipped, without a lock of our own. It has no
conflict resolution on purpose: merging two takes is exactly what must not
happen. The price is that a product's queue changes one at a time, which for
a walk-in queue of at most some tens of people is plenty (see the benchmark).

A ticket's secret token finds it through one index on the appointments folder
(hash -> product UID; only the SHA-256 hash is stored, as for appointments).
When an employee takes the ticket, the appointment gets the same hash as its
link, so the citizen's page moves into the call with the token it has.

Who is available is one small BTree on the appointments folder (user id ->
time of the last activity); a ticket's holder shows it is still there by
asking for the ticket (the page does so every 30 s), kept per product in a
BTree of its own so that these writes merge rather than conflict with the
queue. Neither holds personal data.
"""
