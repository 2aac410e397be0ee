"""The route enumeration's bounds on a route's rest, over ng-routes: the least reduced cost of every rest
j -> ... -> hub within the enumeration's threshold, by the load it carries, from one backward labelling of the
class (Baldacci, Mingozzi and Roberti 2011 bound their enumeration by the ng-route relaxation so).

The enumeration (:mod:`~milp_milkrun.routes.enumeration`) has no cost dominance: it keeps every path whose
cost plus a bound on its rest stays within the threshold.  Its other bounds are over walks without 2-cycles
(:mod:`~milp_milkrun.routes.completions`), far below what an elementary rest costs once the duals are large:
A-n64-k9's nodes gave up after 20 million labels within a gap of 1.2; with these bounds 30,000 labels list its
313 routes.

**The labelling.**  The exact pricing's level loop (:func:`~milp_milkrun.routes.pricing.label_levels`) runs on
the reversed network (:func:`~milp_milkrun.routes.bidirectional.reversed_network`: arcs transposed, time
mirrored, the same ng-neighbourhoods and cuts), its start cost lowered by the threshold, so that it keeps every
label that can still complete within it rather than below 0.  A backward label at j is a rest
j -> v_m -> ... -> hub; its cost less that start is what the rest's arcs cost, plus the subset-row penalties of
its visits, j's included.

**What a rest pays alone.**  The penalties paid on entering j (the cuts through j whose parity turned even
there) are taken off: the forward label at j has paid for its visit to j already.  Then a route's reduced
cost is at least its prefix's (penalties included) plus the rest's after j alone: per cut, the visits of a
stretch inside its memory count in pairs, and floor((a + b) / 2) >= floor(a / 2) + floor(b / 2) when the
stretch runs through j (a stretch carried odd into the rest pays at its odd visits, a fresh one at its even
ones: never more).

**The minimum over the kept labels is the minimum over every rest.**  Dominance drops a label b for a kept a
with no more of any resource and cost_a + (the penalties of the cuts where a is odd and b even) <= cost_b;
then cost_a less its penalties at j is at most b's (a cut through j where a is even and b odd takes a's
penalty off and leaves b's cost; one where both are even takes the same off both).  A rest never created,
because a prefix of it was dominated, is dominated by the extension of the dominating label.  The
labelling also drops a label whose cost plus the least cost of any path from the hub to its DC passes the
threshold: a forward label at j that could complete within the threshold through such a rest would be such a
path, so a DC's bound is over the rests that matter and +inf where there are none.

The bound is by the load a rest carries after j (in levels of ``grain`` units, the least over every lighter
rest), and holds whatever the stops, the distance and the clock: it is the least over more rests than fit.
"""

from __future__ import annotations

import math

import numpy as np

from milp_milkrun.routes.bidirectional import reversed_network
from milp_milkrun.routes.completions import coarse_loads
from milp_milkrun.routes.label_bounds import LabelBounds, SuffixBounds, reversed_label_bounds
from milp_milkrun.routes.networks import ClassNetwork
from milp_milkrun.routes.pricing import NEGATIVE, label_levels
from milp_milkrun.routes.subset_rows import SubsetRowPenalties

SUFFIX_LEVELS = 1024  # load levels of the bounds at most (coarser units beyond): a table of levels x DCs


def suffix_bounds(
    net: ClassNetwork,
    arc_cost: np.ndarray,
    start_cost: float,
    threshold: float,
    forward: LabelBounds,
    *,
    subset_rows: SubsetRowPenalties | None = None,
    max_labels: float = math.inf,
    deadline: float = math.inf,
) -> SuffixBounds:
    """The least reduced cost of a rest after each DC, by its load, for routes within ``threshold`` (module doc).

    Parameters
    ----------
    net : ClassNetwork
        The class's network; its costs must reverse (:func:`~milp_milkrun.routes.bidirectional.reverses`).
    arc_cost : np.ndarray
        Reduced arc costs.
    start_cost : float
        What a route pays before its first arc.
    threshold : float
        The largest reduced cost of a route the enumeration lists.
    forward : LabelBounds
        :func:`~milp_milkrun.routes.label_bounds.label_bounds` of ``net``, ``arc_cost`` and ``subset_rows``.
    subset_rows : SubsetRowPenalties, optional
        The subset-row cuts charged.
    max_labels : float
        Past this many labels, :class:`~milp_milkrun.routes.pricing.TooManyLabels` is raised.
    deadline : float
        A ``time.perf_counter()`` value; past it :class:`~milp_milkrun.routes.pricing.PricingTimeout` is raised.

    Returns
    -------
    SuffixBounds
        The bounds, [load level, DC].
    """
    back = reversed_network(net)
    lowered = start_cost - (threshold - 2 * NEGATIVE)  # the labelling keeps a label below NEGATIVE: within threshold
    labelling = label_levels(
        back,
        np.ascontiguousarray(arc_cost.T),
        lowered,
        reversed_label_bounds(net, back, arc_cost, forward, subset_rows),
        None,
        deadline,
        subset_rows,
        max_created=max_labels,
    )
    levels, grain = coarse_loads(net, SUFFIX_LEVELS)
    best = np.full((levels.capacity + 1, len(arc_cost)), np.inf)
    for j in range(len(arc_cost)):
        labels = labelling.kept.at(j)
        if labels is None:
            continue
        alone = labels.cost - lowered
        if subset_rows is not None:
            alone = alone - subset_rows.paid_entering(j, labels.parity)
        np.minimum.at(best[:, j], (labels.load - net.load[j]) // grain, alone)
    return SuffixBounds(np.minimum.accumulate(best, axis=0), grain)
