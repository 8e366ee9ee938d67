"""k-anonymity for the dashboards: no figure about a group of fewer than K people, not even by subtraction.

The rule, applied to every breakdown of people into groups (departments, "no department"):
1. a group with fewer than K people (but at least one) is hidden: all its cells read "fewer than K";
2. the shown total minus the shown groups would reveal the hidden ones, so while anything is hidden,
   more groups are hidden (smallest first) until at least two are hidden AND the hidden groups
   together hold at least K people; when no group is left to hide, the breakdown is hidden entirely.
The department filter uses the same rule: a department can be picked only if its row is shown in
its parent's breakdown, so picking a parent and then a child never reveals a small remainder.
Anonymous feedback is never broken down by department at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

K_ANONYMITY = 5


@dataclass(frozen=True)
class Suppressed:
    """A hidden cell. Shown and exported as "fewer than 5"."""

    def __str__(self) -> str:
        return str(_("fewer than %(k)d") % {"k": K_ANONYMITY})


SUPPRESSED = Suppressed()


def hidden_groups(sizes: dict, *, k: int = K_ANONYMITY) -> tuple[set, bool]:
    """Which groups to hide, and whether the whole breakdown must be hidden. `sizes` maps group key -> people."""
    present = {key: size for key, size in sizes.items() if size > 0}
    hidden = {key for key, size in present.items() if size < k}
    while hidden and (len(hidden) < 2 or sum(present[key] for key in hidden) < k):
        candidates = sorted((size, str(key), key) for key, size in present.items() if key not in hidden)
        if not candidates:
            return set(present), True
        hidden.add(candidates[0][2])
    return hidden, False
