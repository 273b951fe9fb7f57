Closed dossiers are sent to the municipality's case system through the ZGW APIs (Zaken and Documenten
API, e.g. Open Zaak): one zaak with all its documents, and a final status when the dossier is
archived. Delivery is retried when the case system is down and never creates a zaak or document
twice; errors are shown on the dossier. The export ZIP carries MDTO archival metadata.
