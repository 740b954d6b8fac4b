"""Geometry of the fraud-triangle picture, computed here so the template only draws.

The picture is server-rendered SVG (our CSP allows no script and no style attributes), so
text has to be wrapped by hand: SVG does not wrap. Japanese may break between any two
characters; Latin words are kept whole where they fit.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .choices import CauseElement

WIDTH = 960
FONT_SIZE = 15
LINE_HEIGHT = 21
ITEM_GAP = 8
MAX_LINES_PER_ITEM = 3

# Each side of the triangle and the column of causes that belongs to it.
APEX, LEFT, RIGHT = (480, 64), (300, 380), (660, 380)
COLOURS = {"opportunity": "#1d4ed8", "motivation": "#b45309", "rationalisation": "#7e22ce"}


@dataclass
class Line:
    x: float
    y: float
    text: str
    anchor: str = "start"
    fill: str = "#1f2937"
    weight: str = "normal"
    size: int = FONT_SIZE
    core: bool = False  # part of the triangle itself, drawn in the compact picture for phones too
    content: bool = False  # a cause as the editor wrote it (Japanese), not a translated label


@dataclass
class Side:
    element: str
    label: str
    colour: str
    x1: float
    y1: float
    x2: float
    y2: float
    causes: list[str] = field(default_factory=list)


@dataclass
class FraudTriangle:
    sides: list[Side]
    lines: list[Line]
    height: int
    width: int = WIDTH
    points: str = f"{APEX[0]},{APEX[1]} {LEFT[0]},{LEFT[1]} {RIGHT[0]},{RIGHT[1]}"
    # The triangle and its side labels only: on a phone the whole picture would shrink its text to
    # a few pixels, so the page shows this part and the causes as lists below it.
    compact_view_box: str = f"{LEFT[0] - 30} {APEX[1] - 34} {RIGHT[0] - LEFT[0] + 60} {LEFT[1] - APEX[1] + 110}"

    @property
    def core_lines(self) -> list[Line]:
        return [line for line in self.lines if line.core]

    @property
    def description_parts(self) -> list[tuple[str, int, str]]:
        """(side label, number of causes, the causes listed) in reading order; the template marks the
        causes, which are content, as Japanese apart from the labels."""
        order = ["opportunity", "motivation", "rationalisation"]
        return [
            (side.label, len(side.causes), "、".join(side.causes) if side.causes else str(_("none recorded")))
            for side in sorted(self.sides, key=lambda s: order.index(s.element))
        ]

    @property
    def description(self) -> str:
        return " / ".join(f"{label}（{count}）: {listed}" for label, count, listed in self.description_parts)

    @classmethod
    def from_causes(cls, causes) -> "FraudTriangle":
        by_element = {value: [c.text for c in causes if c.element == value] for value in CauseElement.values}
        labels = dict(CauseElement.choices)
        sides = [
            Side("motivation", str(labels["motivation"]), COLOURS["motivation"], *APEX, *LEFT),
            Side("rationalisation", str(labels["rationalisation"]), COLOURS["rationalisation"], *APEX, *RIGHT),
            Side("opportunity", str(labels["opportunity"]), COLOURS["opportunity"], *LEFT, *RIGHT),
        ]
        for side in sides:
            side.causes = by_element[side.element]

        lines: list[Line] = [
            Line(480, 200, _("Fraud triangle"), "middle", "#4b5563", "bold", 13, core=True),
        ]
        # Side names inside the triangle next to their side, the count on a line of its own so a
        # long English name ("Rationalisation") still fits; opportunity under its side, the base.
        motivation, rationalisation, opportunity = sides
        lines.extend(_side_label(motivation, 410, 318, room_px=128))
        lines.extend(_side_label(rationalisation, 550, 318, room_px=128))
        lines.extend(_side_label(opportunity, 480, 408, room_px=360, one_line=True))

        left_end = _column(lines, motivation, x=24, y=92, anchor="start", width_px=252)
        right_end = _column(lines, rationalisation, x=688, y=92, anchor="start", width_px=252)
        bottom_top = max(440, left_end + 24, right_end + 24)
        bottom_end = _column(lines, opportunity, x=80, y=bottom_top, anchor="start", width_px=800)
        return cls(sides=sides, lines=lines, height=int(bottom_end + 16))


def _side_label(side: Side, x: float, y: float, *, room_px: float, one_line: bool = False) -> list[Line]:
    """The side's name and count centred at x, in the largest size up to 17 px that fits room_px."""
    count = str(len(side.causes))
    text = f"{side.label} {count}" if one_line else side.label
    # Bold Latin runs a little wider than char_width's estimate.
    width_em = sum(char_width(c) * (1.0 if char_width(c) == 1.0 else 1.15) for c in text)
    size = max(11, min(17, int(room_px / width_em)))
    lines = [Line(x, y, text, "middle", side.colour, "bold", size, core=True)]
    if not one_line:
        lines.append(Line(x, y + size + 4, count, "middle", side.colour, "bold", 17, core=True))
    return lines


def _column(lines: list[Line], side: Side, *, x: float, y: float, anchor: str, width_px: int) -> float:
    """Add the heading and the wrapped causes of one side; return the y below the last line."""
    lines.append(Line(x, y, side.label, anchor, side.colour, "bold", 16))
    y += LINE_HEIGHT + 4
    if not side.causes:
        lines.append(Line(x, y, _("(none recorded)"), anchor, "#6b7280"))
        return y + LINE_HEIGHT
    for text in side.causes:
        for i, piece in enumerate(wrap("・" + text, width_px / FONT_SIZE, MAX_LINES_PER_ITEM)):
            lines.append(Line(x, y, piece if i == 0 else "\u3000" + piece, anchor, content=True))
            y += LINE_HEIGHT
        y += ITEM_GAP
    return y


def char_width(ch: str) -> float:
    """Width in ems: full-width and wide characters take one, the rest a little over half."""
    return 1.0 if unicodedata.east_asian_width(ch) in ("F", "W", "A") else 0.56


_NO_LINE_START = set("、。，．）」』】！？ーぁぃぅぇぉっゃゅょァィゥェォッャュョ…・")
_TOKEN = re.compile(r"[A-Za-z0-9.,:;!?%()'\"/\-]+ ?|.", re.DOTALL)


def wrap(text: str, width_em: float, max_lines: int) -> list[str]:
    """Break text into lines no wider than width_em; the last kept line ends in … if cut."""
    text = " ".join(text.split())
    lines: list[str] = []
    current, used = "", 0.0
    for token in _TOKEN.findall(text):
        w = sum(char_width(c) for c in token)
        if token in _NO_LINE_START and current:
            # Japanese line breaking (禁則): closing punctuation never starts a line.
            current += token
            used += w
            continue
        if used + w > width_em and current:
            lines.append(current.rstrip())
            current, used = "", 0.0
            token = token.lstrip()
            w = sum(char_width(c) for c in token)
        if w > width_em:  # a single very long word: cut it by characters
            for c in token:
                if used + char_width(c) > width_em and current:
                    lines.append(current)
                    current, used = "", 0.0
                current += c
                used += char_width(c)
            continue
        current += token
        used += w
    if current.strip():
        lines.append(current.rstrip())
    if len(lines) > max_lines:
        kept = lines[:max_lines]
        last = kept[-1]
        while last and sum(char_width(c) for c in last) + 1 > width_em:
            last = last[:-1]
        kept[-1] = last + "…"
        return kept
    return lines
