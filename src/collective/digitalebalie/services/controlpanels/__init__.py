"""@controlpanels/digitalebalie: refusals in the add-on's error format."""
