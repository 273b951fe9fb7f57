Every appointment belongs to a dossier that counter employees work through a workflow (open, in
progress, waiting for the citizen, closed, archived). Citizens send documents from their appointment
page before or during the call, with progress shown; employees add them in the dossier. Every file is
checked for size and type and scanned for viruses before it is kept. An audit trail records who saw,
downloaded or changed what. A dossier can be downloaded as a ZIP with a PDF/A summary or printed;
after its retention period, and a manager's approval, it is destroyed with the personal data.
