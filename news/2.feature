Installable add-on with a two-command start: `make start` creates a Dutch/English Plone 6.2 site with a
demo counter (three counter products, a demo counter employee) and serves it; `make test` runs every
test. Control panel "Digitale Balie" with municipality name, time zone, room server address, and
secrets that are generated at install and never shown.
