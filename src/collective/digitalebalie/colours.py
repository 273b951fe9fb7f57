"""Colours of the house style: hex parsing and WCAG 2.1 contrast, pure Python."""

import re


HEX = re.compile(r"#[0-9a-fA-F]{6}")
WHITE = "#ffffff"
# The dark ring of the focus indicator and the text on a focused button.
FOCUS_TEXT = "#0b0c0c"
# WCAG 2.1 AA: normal text needs 4.5:1.
MIN_TEXT_CONTRAST = 4.5


def is_hex(value):
    return bool(value and HEX.fullmatch(value))


def rgb(value):
    if not is_hex(value):
        raise ValueError(f"not a colour like #1a2b3c: {value!r}")
    return tuple(int(value[i : i + 2], 16) for i in (1, 3, 5))


def luminance(value):
    """Relative luminance (WCAG 2.1, sRGB)."""

    def linear(channel):
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb(value))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first, second):
    """Contrast ratio between two colours, from 1 to 21."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def shade(value, amount):
    """The colour mixed with ``amount`` (0..1) black: darker, so more contrast with white."""
    return "#" + "".join(f"{round(c * (1 - amount)):02x}" for c in rgb(value))
