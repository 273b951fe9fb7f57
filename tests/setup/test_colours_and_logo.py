"""The house style settings: colours checked for WCAG contrast, turned into
design tokens in every page's head; the logo's text names the municipality."""

from bs4 import BeautifulSoup
from collective.digitalebalie import colours
from collective.digitalebalie.browser.house_style import tokens
from collective.digitalebalie.interfaces import FocusTooDark
from collective.digitalebalie.interfaces import IDigitaleBalieSettings
from collective.digitalebalie.interfaces import InvalidColour
from collective.digitalebalie.interfaces import PrimaryTooLight
from zope.i18n import translate
import pytest


SETTINGS = "@@digitalebalie-controlpanel"
PREFIX = "form.widgets."


class TestContrast:
    @pytest.mark.parametrize(
        "first,second,expected",
        [
            ("#000000", "#ffffff", 21.0),
            ("#ffffff", "#ffffff", 1.0),
            # WebAIM's well-known example: the lightest grey that passes AA.
            ("#767676", "#ffffff", 4.54),
            ("#777777", "#ffffff", 4.48),
        ],
    )
    def test_contrast_ratio(self, first, second, expected):
        assert colours.contrast(first, second) == pytest.approx(expected, abs=0.01)
        assert colours.contrast(second, first) == pytest.approx(expected, abs=0.01)

    @pytest.mark.parametrize(
        "value", ["#00557F", "#00557f", "#000000", "#ffffff", "#a1b2c3"]
    )
    def test_hex(self, value):
        assert colours.is_hex(value)

    @pytest.mark.parametrize(
        "value",
        [
            "",
            None,
            "00557f",
            "#fff",
            "#00557f0",
            "#gg0000",
            "red",
            "#00557f;}",
            " #00557f",
        ],
    )
    def test_not_hex(self, value):
        assert not colours.is_hex(value)

    def test_shade_is_darker(self):
        darker = colours.shade("#6b2c91", 0.2)
        assert colours.contrast(darker, colours.WHITE) > colours.contrast(
            "#6b2c91", colours.WHITE
        )


class TestSettingsSchema:
    def _validate(self, name, value):
        field = IDigitaleBalieSettings[name]
        field.bind(None).validate(value)

    def test_defaults_pass(self):
        for name in ("primary_color", "focus_color"):
            self._validate(name, IDigitaleBalieSettings[name].default)

    @pytest.mark.parametrize("value", ["blue", "#00f", "#00557f;x"])
    def test_not_a_colour(self, value):
        with pytest.raises(InvalidColour):
            self._validate("primary_color", value)

    def test_main_colour_too_light_for_white_text(self):
        with pytest.raises(PrimaryTooLight) as raised:
            self._validate("primary_color", "#777777")
        # 4.48 is below 4.5: the message must not round it up.
        message = translate(raised.value.doc(), target_language="en")
        assert "the contrast is 4.4:1, it must be at least 4.5:1" in message
        dutch = translate(raised.value.doc(), target_language="nl")
        assert "het contrast is 4.4:1" in dutch
        assert "Kies een donkerdere kleur" in dutch

    def test_focus_colour_too_dark_for_black_text(self):
        with pytest.raises(FocusTooDark):
            self._validate("focus_color", "#005a9c")

    def test_tokens_are_only_the_checked_colours(self):
        declared = tokens("#6b2c91", "#9fe870")
        assert declared["--basis-color-action-1-inverse-bg-default"] == "#6b2c91"
        assert declared["--basis-focus-background-color"] == "#9fe870"
        assert all(colours.is_hex(value) for value in declared.values())


class TestPages:
    def test_colours_are_saved_and_reach_the_head(self, browser_as, browser):
        manager = browser_as("Manager", language="en")
        values = manager.form_values(manager.get(SETTINGS), "form")
        values.update(
            {
                f"{PREFIX}primary_color": "#6b2c91",
                f"{PREFIX}focus_color": "#9fe870",
                "form.buttons.save": "Save",
            }
        )
        assert manager.post(SETTINGS, data=values).status_code == 200
        soup = BeautifulSoup(browser.get("").text, "html.parser")
        style = soup.find("style", id="digitalebalie-tokens").text
        assert "--digitalebalie-primary-color:#6b2c91;" in style
        assert "--basis-focus-background-color:#9fe870;" in style
        assert "voorbeeld-theme" in soup.body["class"]

    def test_low_contrast_is_refused_in_english(self, browser_as, browser):
        manager = browser_as("Manager", language="en")
        values = manager.form_values(manager.get(SETTINGS), "form")
        values.update(
            {f"{PREFIX}primary_color": "#ffdd00", "form.buttons.save": "Save"}
        )
        response = manager.post(SETTINGS, data=values)
        assert "There were some errors" in response.text
        assert "White text on this colour is hard to read" in response.text
        style = BeautifulSoup(browser.get("").text, "html.parser").find(
            "style", id="digitalebalie-tokens"
        )
        assert "#ffdd00" not in style.text
        assert "--digitalebalie-primary-color:#00557f;" in style.text

    def test_logo_text_names_the_municipality(self, browser):
        soup = BeautifulSoup(browser.get("").text, "html.parser")
        logo = soup.select_one("#portal-logo img")
        assert logo["alt"] == "Gemeente Voorbeeld: naar de startpagina"
