"""Where the add-on keeps records of its own: annotations, made on first use."""

from zope.annotation.interfaces import IAnnotations


def annotation(context, key, factory):
    """The object stored on ``context`` under ``key``; ``factory()`` makes it the first time."""
    annotations = IAnnotations(context)
    if key not in annotations:
        annotations[key] = factory()
    return annotations[key]
