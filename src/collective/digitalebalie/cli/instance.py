"""Write the configuration of a Zope instance that serves Plone with this add-on.

    digitalebalie-instance [--dir instance] [--host 127.0.0.1] [--port 8080]

The configuration is written again on every call (so a new port takes effect);
the data in ``<dir>/var`` (FileStorage and blobs) is never touched.
"""

from pathlib import Path
import argparse
import os


ZOPE_CONF = """\
# Written by digitalebalie-instance; edits are lost on the next `make start`.
%define INSTANCE {instance}
%define VAR $INSTANCE/var
instancehome $INSTANCE
clienthome $VAR
debug-mode off
security-policy-implementation C
verbose-security off
default-zpublisher-encoding utf-8
# Bookings of one product and day write one ledger record, so a burst of them
# conflicts; each retry sees the bookings before it (default is 3).
max-conflict-retries 10

<environment>
  CHAMELEON_CACHE $VAR/cache
  zope_i18n_compile_mo_files true
</environment>

{storage}
<dos_protection>
  form-memory-limit 4MB
</dos_protection>
"""

FILESTORAGE = """\
<zodb_db main>
  <filestorage>
    path $VAR/filestorage/Data.fs
    blob-dir $VAR/blobstorage
  </filestorage>
  mount-point /
  cache-size 30000
</zodb_db>
"""

# Several instances share one database: objects and blobs live in PostgreSQL,
# each instance keeps a local cache of the blobs it has read.
RELSTORAGE = """\
%import relstorage
<zodb_db main>
  <relstorage>
    keep-history false
    shared-blob-dir false
    blob-dir $VAR/blobcache
    blob-cache-size 512mb
    <postgresql>
      dsn {dsn}
    </postgresql>
  </relstorage>
  mount-point /
  cache-size 30000
</zodb_db>
"""

SITE_ZCML = """\
<configure
    xmlns="http://namespaces.zope.org/zope"
    xmlns:meta="http://namespaces.zope.org/meta"
    xmlns:five="http://namespaces.zope.org/five">

  <include package="Zope2.App" />
  <include package="Products.Five" />
  <meta:redefinePermission from="zope2.Public" to="zope.Public" />

  <!-- Products (Plone among them) and, through plone.autoinclude, add-ons. -->
  <five:loadProducts file="meta.zcml" />
  <five:loadProducts />
  <five:loadProductsOverrides />

  <securityPolicy component="AccessControl.security.SecurityPolicy" />

</configure>
"""

ZOPE_INI = """\
# Written by digitalebalie-instance; edits are lost on the next `make start`.
[app:zope]
use = egg:Zope#main
zope_conf = %(here)s/zope.conf

[server:main]
use = egg:waitress#main
host = {host}
port = {port}
threads = {threads}
clear_untrusted_proxy_headers = false
max_request_body_size = 1073741824

# HTML, CSS and JavaScript gzipped for the browser (waitress does not).
[filter:gzip]
use = call:collective.digitalebalie.cli.compression:filter_factory

[filter:translogger]
use = egg:Paste#translogger
setup_console_handler = False

[pipeline:main]
pipeline =
    egg:Zope#httpexceptions
    translogger
    gzip
    zope

[loggers]
keys = root, plone, waitress.queue, waitress, wsgi

[handlers]
keys = console, accesslog, eventlog

[formatters]
keys = generic, message

[formatter_generic]
format = %(asctime)s %(levelname)s [%(name)s] %(message)s
datefmt = %Y-%m-%d %H:%M:%S

[formatter_message]
format = %(message)s

[logger_root]
level = INFO
handlers = console, eventlog

[logger_plone]
level = INFO
handlers = eventlog
qualname = plone

[logger_waitress.queue]
level = INFO
handlers = eventlog
qualname = waitress.queue
propagate = 0

[logger_waitress]
level = INFO
handlers = eventlog
qualname = waitress

[logger_wsgi]
level = WARN
handlers = accesslog
qualname = wsgi
propagate = 0

# Tokens of citizens' and guests' links are masked in every log (cli/logs.py).
[handler_console]
class = collective.digitalebalie.cli.logs.MaskingStreamHandler
args = (sys.stderr,)
level = WARNING
formatter = generic

[handler_accesslog]
class = collective.digitalebalie.cli.logs.MaskingFileHandler
args = (r'{log}/access.log', 'a')
level = INFO
formatter = message

[handler_eventlog]
class = collective.digitalebalie.cli.logs.MaskingFileHandler
args = (r'{log}/event.log', 'a')
level = INFO
formatter = generic
"""


def write_instance(directory, host="127.0.0.1", port=8080, threads=4, dsn=None):
    """Write etc/ of the instance in ``directory``; create var/ folders.

    With ``dsn`` (a PostgreSQL connection string) the instance uses RelStorage
    on that database instead of its own FileStorage.
    """
    instance = Path(directory).resolve()
    etc = instance / "etc"
    var = instance / "var"
    blobs = var / ("blobcache" if dsn else "blobstorage")
    for folder in (etc, blobs, var / "log", var / "cache"):
        folder.mkdir(parents=True, exist_ok=True)
    if not dsn:
        (var / "filestorage").mkdir(exist_ok=True)
    # Blobs hold citizens' documents: keep them private to this user.
    os.chmod(blobs, 0o700)
    storage = RELSTORAGE.format(dsn=dsn) if dsn else FILESTORAGE
    conf = etc / "zope.conf"
    # The connection string holds the database password.
    conf.touch(mode=0o600)
    os.chmod(conf, 0o600)
    conf.write_text(ZOPE_CONF.format(instance=instance, storage=storage))
    (etc / "site.zcml").write_text(SITE_ZCML)
    (etc / "zope.ini").write_text(
        ZOPE_INI.format(host=host, port=int(port), threads=threads, log=var / "log")
    )
    return instance


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", default="instance", help="instance folder")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8080)))
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)
    instance = write_instance(args.dir, args.host, args.port, args.threads)
    print(f"Instance configuration written to {instance / 'etc'}")


if __name__ == "__main__":
    main()
