"""Which widths of the heuristic pricing a vehicle class tries: past the narrowest, those whose last try created fewer
labels than the class's last exact pricing.

Where no route of negative reduced cost is left (the end of every cut round and of every node) the heuristic tries
each width in vain before the exact pricing proves it, and late in a root or in the tree its wide widths are the dearer
search: the exact pricing's completion bounds and full dominance prune far more (A-n80-k10's tree: the widths (50,
1,000) and (100, 1,000) created 350,000-400,000 labels a try and took 0.6-0.7 s, its exact pricing 8,800 and 0.19 s).
The exact pricing returns the cheapest routes and a bound besides, so a wider width whose last try created more labels
than the class's last exact pricing is skipped.  The narrowest always runs: its labels are the cheapest of all (each is
compared with a few dozen kept ones, an exact label with every kept one: 16,000 labels took 0.07 s there).  Early in a
root the exact pricing is the dear one (its labels explode, or it has not run) and every width is tried.

The work is counted in labels, not seconds, so that the search's path follows its seed and never the machine's load.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

Width = tuple[int, int]  # (successors, labels per DC and stop count) of the heuristic pricing

# heuristic pricing extends each label to its few cheapest successors and keeps few labels per DC and
# stop count: (successors, labels), the narrowest first; a wider search runs only when a narrower one
# found no route, for any class (ColumnGeneration.price_heuristically; cheaper than exact pricing on duals still
# far from the optimum); the widest, every successor where DCs are up to 100, only where a DC has more than 50
# and without time (heuristic_widths): at golden_19's root duals where (50, 1,000) found nothing for any class, their exact pricing
# took minutes and (100, 1,000) found routes in 2-6 s
HEURISTIC_WIDTHS = ((10, 30), (25, 200), (50, 1000), (100, 1000))


@dataclass
class PricingWork:
    """The labels created by one class's last exact pricing (infinite before the first) and by each width's last try."""

    exact: float = math.inf
    widths: dict[Width, int] = field(default_factory=dict)

    def worth_trying(self, widths: Sequence[Width]) -> list[Width]:
        """The widths, in their order: the narrowest of :data:`HEURISTIC_WIDTHS`, and each other whose last try created
        fewer labels than the exact pricing (never tried: all)."""
        return [w for w in widths if w == HEURISTIC_WIDTHS[0] or self.widths.get(w, 0) < self.exact]
