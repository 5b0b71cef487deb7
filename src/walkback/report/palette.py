"""Colour-blind-safe colours (Okabe & Ito, 2008) for activity classes and walking pace.

Classes that never occur together (``sitting``/``lying`` with two sensors, ``sedentary`` with the
thigh only) share a hue family. Pace uses one hue at three lightness levels, which stays readable
in every form of colour-vision deficiency and in greyscale print.
"""

from __future__ import annotations

#: The eight Okabe–Ito colours.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: Study summary classes (``study_class`` in the epochs table) → colour, in display order.
ACTIVITY_COLOURS = {
    "lying": OKABE_ITO["blue"],
    "sitting": OKABE_ITO["sky_blue"],
    "sedentary": "#7FB8DA",
    "standing": OKABE_ITO["yellow"],
    "walking": OKABE_ITO["bluish_green"],
    "running": OKABE_ITO["vermillion"],
    "cycling": OKABE_ITO["reddish_purple"],
    "other": OKABE_ITO["orange"],
    "non_wear": "#B0B0B0",
}
#: Time the recording did not cover.
UNRECORDED = "#F2F2F2"
#: Colour of any class not listed above.
UNKNOWN = "#5A5A5A"

#: Walking pace, slow → brisk (light → dark green).
PACE_COLOURS = {"slow": "#A8DCC9", "moderate": OKABE_ITO["bluish_green"], "brisk": "#00523C"}

#: Human labels of the classes.
ACTIVITY_LABELS = {
    "lying": "Lying",
    "sitting": "Sitting",
    "sedentary": "Sitting or lying",
    "standing": "Standing",
    "walking": "Walking",
    "running": "Running",
    "cycling": "Cycling",
    "other": "Other",
    "non_wear": "Not worn",
}


def activity_colour(name: str) -> str:
    """Colour of a study class (a dark grey for unknown names)."""
    return ACTIVITY_COLOURS.get(str(name), UNKNOWN)
