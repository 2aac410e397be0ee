"""Which widths of the heuristic pricing a vehicle class tries: those expected to take less than its exact pricing.

Where no route of negative reduced cost is left (the end of every cut round and of every node) the heuristic tries
each width in vain before the exact pricing proves it: at E-n76-k7's root duals after 320 s (``bench_pricing.py
--state``) its three widths took 3.7 s, the bidirectional exact pricing 1.6 s.  The exact pricing returns the
cheapest routes and a bound besides, so a width whose last try took longer than the class's last exact pricing is
skipped.  Early in a root the exact pricing is the slow one (its labels explode) and every width is tried.  The
search's path then follows the clock, never its answers (every bound comes from an exact pricing): on ecom74 it
took one path or another run to run (proven in 16 s or 26-35 s), so the rule is a setting, off by default
(``RouteSettings.skip_slow_widths``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

Width = tuple[int, int]  # (successors, labels per DC and stop count) of the heuristic pricing


@dataclass
class PricingTimes:
    """The seconds of one class's last exact pricing (infinite before the first) and of each width's last try."""

    exact: float = math.inf
    widths: dict[Width, float] = field(default_factory=dict)

    def worth_trying(self, widths: Sequence[Width]) -> list[Width]:
        """The widths, in their order, whose last try took less than the exact pricing (never tried: all)."""
        return [width for width in widths if self.widths.get(width, 0.0) < self.exact]

    @contextmanager
    def timing(self, width: Width | None) -> Iterator[None]:
        """Record how long the block took, a try of ``width`` or (None) the exact pricing, when it ends without an
        exception (a try the deadline interrupted says nothing of its length)."""
        began = time.perf_counter()
        yield
        seconds = time.perf_counter() - began
        if width is None:
            self.exact = seconds
        else:
            self.widths[width] = seconds
