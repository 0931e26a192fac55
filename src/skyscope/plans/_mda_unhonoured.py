"""What a useq sequence asks for that skyscope's MDA does not do, listed for the start document.

Things skyscope cannot do at all (custom actions, properties, ROIs) are refused before the run.
The ones listed here are settings it runs without: the run goes on, and its start document says
(``mda_unhonoured``) what was asked, where, and why it was not done, rather than dropping it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from useq import MDASequence

_SOFTWARE_AF = "skyscope runs its own software autofocus (a focus sweep), not a device's"
_DEFAULT_GROUP = "Channel"


def unhonoured(sequence: MDASequence, scope: Any) -> list[dict[str, Any]]:
    """Return ``{"field", "value", "why"}`` for each setting of ``sequence`` the MDA ignores."""
    found = list(_in_sequence(sequence, "", scope))
    if sequence.keep_shutter_open_across and getattr(scope, "shutter", None) is None:
        found.append(
            _entry(
                "keep_shutter_open_across",
                list(sequence.keep_shutter_open_across),
                "the microscope has no shutter for the MDA to keep open",
            )
        )
    if sequence.setup is not None:
        found.append(
            _entry("setup", sequence.setup.model_dump(mode="json"), "setup events are not run")
        )
    for number, position in enumerate(sequence.stage_positions):
        if position.sequence is not None:
            found.extend(_in_sequence(position.sequence, f"stage_positions[{number}].", scope))
    return found


def _in_sequence(sequence: MDASequence, where: str, scope: Any) -> Iterator[dict[str, Any]]:
    """Autofocus device and offset, channel groups and cameras of one (sub-)sequence."""
    plan = sequence.autofocus_plan
    if plan is not None:
        for name in ("autofocus_device_name", "autofocus_motor_offset"):
            value = getattr(plan, name, None)
            if value is not None:
                yield _entry(f"{where}autofocus_plan.{name}", value, _SOFTWARE_AF)
    group = getattr(scope.filter_wheel, "group", _DEFAULT_GROUP)
    for number, channel in enumerate(sequence.channels):
        if channel.group not in (group, _DEFAULT_GROUP):
            why = f"channels are selected by name on the filter wheel ({group!r})"
            yield _entry(f"{where}channels[{number}].group", channel.group, why)
        if channel.camera is not None:
            why = "the MDA takes every frame with the microscope's one camera"
            yield _entry(f"{where}channels[{number}].camera", channel.camera, why)


def _entry(field: str, value: Any, why: str) -> dict[str, Any]:
    return {"field": field, "value": value, "why": why}
