Counter employees can ask a citizen to pay a fee during or after the conversation; the citizen pays
with iDEAL through Mollie from their appointment page or the e-mail, and a receipt goes into the
dossier. The demo has a built-in test provider that takes no money. Services that need it ask the
citizen to log in with DigiD before the video call; employees see the citizen service number
masked and can show it in full, which is recorded.
