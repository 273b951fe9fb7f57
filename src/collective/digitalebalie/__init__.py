"""collective.digitalebalie: a digital town-hall counter for Plone."""

from zope.i18nmessageid import MessageFactory
import logging


PACKAGE_NAME = "collective.digitalebalie"

_ = MessageFactory(PACKAGE_NAME)

logger = logging.getLogger(PACKAGE_NAME)
