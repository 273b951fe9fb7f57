"""Installer for the collective.digitalebalie package."""

from pathlib import Path
from setuptools import find_namespace_packages
from setuptools import setup


long_description = "\n\n".join(
    Path(name).read_text(encoding="utf-8")
    for name in ("README.md", "CHANGES.md")
    if Path(name).exists()
)

setup(
    name="collective.digitalebalie",
    version="1.0.0a1.dev0",
    description="A digital town-hall counter for Plone: book a counter product, "
    "meet the counter employee by video, keep the dossier.",
    long_description=long_description,
    long_description_content_type="text/markdown",
    classifiers=[
        "Environment :: Web Environment",
        "Framework :: Plone",
        "Framework :: Plone :: 6.2",
        "Framework :: Plone :: Addon",
        "Programming Language :: Python",
        "Programming Language :: Python :: 3.11",
        "License :: OSI Approved :: GNU General Public License v2 (GPLv2)",
    ],
    keywords="Python Plone CMS municipality counter appointment video",
    author="collective.digitalebalie developers",
    url="https://github.com/collective/collective.digitalebalie",
    license="GPL version 2",
    packages=find_namespace_packages("src", include=["collective.*"]),
    package_dir={"": "src"},
    include_package_data=True,
    zip_safe=False,
    python_requires=">=3.11",
    install_requires=[
        "setuptools",
        "Plone",
        "Products.CMFPlone",
        "plone.api",
        "plone.app.dexterity",
        "plone.app.registry",
        "plone.distribution",
        "plone.restapi",
        "plone.classicui",
        "z3c.form",
        "collective.z3cform.datagridfield",
        "babel",
        "PyJWT",
        "aiohttp",
        "aiortc",
        "fpdf2",
        "mollie-api-python",
        "pas.plugins.oidc",
        # Proof-of-work challenges when many bookings come from one address.
        "altcha",
        "email-validator",
        "phonenumbers",
    ],
    extras_require={
        "test": [
            "plone.app.testing",
            "plone.testing",
            "pytest",
            "pytest-plone",
            "beautifulsoup4",
            "psutil",
            "playwright",
            "aiosmtpd",
            "pypdf",
            "oidc-provider-mock",
            "i18ndude",
            "requests",
            "ruff",
            "zpretty",
            "towncrier",
            # The cluster tests (issue 9) start PostgreSQL and two instances.
            "RelStorage",
            "psycopg2-binary",
        ],
        # Several instances on one RelStorage database: `make start-cluster`.
        "cluster": ["RelStorage", "psycopg2-binary"],
    },
    entry_points="""
    [plone.autoinclude.plugin]
    target = plone

    [console_scripts]
    digitalebalie-instance = collective.digitalebalie.cli.instance:main
    digitalebalie-start = collective.digitalebalie.cli.start:main
    digitalebalie-cluster = collective.digitalebalie.cli.cluster:main
    digitalebalie-rooms = collective.digitalebalie.video.server:main
    digitalebalie-video-check = collective.digitalebalie.video.check:main
    digitalebalie-jobs = collective.digitalebalie.cli.jobs:main
    digitalebalie-retention = collective.digitalebalie.cli.jobs:retention_main
    """,
)
