"""Subset-row cuts (Jepsen, Petersen, Spoorendonk and Pisinger 2008) for the route-based master.

For a set S of three or five DCs, the routes of a plan share out S, so they make at most |S| / 2 pairs
of visits to it, and every plan satisfies

    sp04_subset_row   sum_r floor(v_r(S) / 2) lambda_r <= floor(|S| / 2)

where v_r(S) counts the visits of route r to the DCs of S (with multiplicity on the ng-routes of the
relaxation, which revisit DCs: any coefficient is valid on a column that is never part of a plan, and
the pricing computes this same one).  With three DCs: no two routes each visit two of them.  Five DCs
(the rank-1 cut of multipliers 1/2 on five rows, Pecin et al. 2017) cut off what three cannot: five
routes at 1/2 serving the pairs of a cycle 1-2-3-4-5-1 fill every triple's row to 1 at most, and the
five's to 2.5 (B-n68-k9's root, with 150 three-DC cuts: 544 five-DC sets violated, by up to 0.24).

**Cuts of thirds** (the other rank-1 cuts of Pecin et al. 2017 that pay on up to five rows): each DC of S
weighs w_v, 1 or 2, and

    sp04_subset_row   sum_r floor(w_r(S) / 3) lambda_r <= floor(sum_v w_v / 3)

with w_r(S) the weights of route r's visits to S; four DCs of weights 2, 1, 1, 1 and five of weight 1 both have
right-hand side 1 (Chvatal-Gomory rounding of the set-partitioning rows of S with multipliers w_v / 3).  The
cut of halves is the same with every weight 1 and 2 in place of 3.

Unlike the capacity cuts the row is not a sum over arcs: its dual sigma_S <= 0 charges a route -sigma_S
each time its count reaches the denominator, which the pricing carries as one more resource per cut, the count
so far modulo the denominator (:class:`SubsetRowPenalties`): a label at parity 1 that enters S again pays
-sigma_S and returns to 0 (whatever the size of S); with thirds, a label at count 2 entering a DC of weight 1,
or at 1 or 2 entering one of weight 2, pays.  Dominance must then pay for the cuts where a label's count is
ahead of the other's (:mod:`milp_milkrun.routes.dominance`).

Cuts are separated on the LP's route values (:func:`separate_subset_rows`): every triple of DCs that
fractional routes visit, and when asked (``RouteSettings.five_dc_subset_rows``, off by default: of the four
instances measured with them, one proof is faster, one slower) five-DC sets grown greedily from each pair of
DCs a fractional route visits; the cuts of thirds so too, on request (``RouteSettings.subset_rows_of_thirds``).

**Limited memory** (Pecin, Pessoa, Poggi and Uchoa 2017): a cut may remember a route's parity only while
the route stays within a set of nodes M containing S (its ``memory``); entering a node outside M resets
the count to 0.  The coefficient, counting visits to S in pairs (in groups of weight 3) with the count reset
outside M, is at most the full memory's, so the row stays valid for every plan.  M is the nodes the LP's routes
pass between the first and the last visit of each group (:func:`with_memory`), so those routes keep their
coefficients
and the cut stays as violated, and it grows when a later LP violates the cut with every node in memory
(:func:`grown_memories`: the augmentation of Pecin et al.); in the pricing, every label that leaves M forgets its parity, and labels
that differ only in forgotten parities dominate each other again (long routes: R204-25's root needed
2x fewer seconds of pricing).

The master keeps a pool of cuts (:meth:`~milp_milkrun.routes.master.RouteMaster.separate_subset_rows`): cuts
slack for some rounds leave it when new ones need room; of those it holds, the pricing carries the ones with
a negative dual, 63 bits to an int64 word of the state, one bit a cut of halves, two a cut of thirds
(:data:`CUTS_PER_WORD`; a row of words past one).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
from numba import njit

from milp_milkrun.limits import SOLVER_TOLERANCE

SUBSET_ROW_VIOLATION = 0.05  # a cut enters the master when its row exceeds 1 by more than this
CUTS_PER_WORD = 63  # the pricing's parity resource holds this many cuts per int64 word (sign bit unused)
MAX_CUTS_PER_DC = 3  # a round adds at most this many cuts through one DC (spreads the cuts over the LP)
FRACTIONAL = SOLVER_TOLERANCE  # a route value above this and below 1 - this is fractional


@dataclass(frozen=True)
class SubsetRowCut:
    """The rank-1 cut of the DCs ``members`` with multipliers weight(v) / ``denominator``: their routes make at most
    :attr:`rhs` groups of visits that reach the denominator.  Denominator 2 (three or five DCs, every weight 1):
    the subset-row cuts; denominator 3: weight 2 for the DCs of ``doubled``, 1 for the others (four DCs of
    multipliers 2/3, 1/3, 1/3, 1/3, or five of 1/3)."""

    members: frozenset[int]
    memory: frozenset[int] | None = None  # nodes across which a route keeps its count (with S); None: every node
    denominator: int = 2
    doubled: frozenset[int] = frozenset()  # members of weight 2 (denominator 3 only)

    @property
    def rhs(self) -> int:
        """floor(sum of the weights / denominator): 1 for three DCs, 2 for five; 1 for the cuts of thirds."""
        return (len(self.members) + len(self.doubled)) // self.denominator

    @property
    def key(self) -> tuple[frozenset[int], int, frozenset[int]]:
        """What tells two cuts apart whatever their memories: members, denominator, the doubled."""
        return self.members, self.denominator, self.doubled

    def weight(self, node: int) -> int:
        """What a visit to ``node`` adds to the count: 0 outside S, 2 for the doubled, else 1."""
        return 0 if node not in self.members else 2 if node in self.doubled else 1

    def without_memory(self) -> SubsetRowCut:
        """The same cut remembering across every node."""
        return SubsetRowCut(self.members, None, self.denominator, self.doubled)

    def coefficient(self, vehicle_class: int, stops: tuple[int, ...]) -> int:
        """The weights of the visits to S with multiplicity, counted in groups of the denominator, the count reset at a
        node outside the memory (floor(sum of the weights / denominator) with every node in it; see the module doc)."""
        if self.members.isdisjoint(stops):
            return 0  # most routes: a set test in C, not a Python loop over their stops (R207's cut rounds: 3.6M calls)
        total = count = 0
        for s in stops:
            if s in self.members:
                count += self.weight(s)
                if count >= self.denominator:
                    total, count = total + 1, count - self.denominator
            elif self.memory is not None and s not in self.memory:
                count = 0
        return total


def counted_rows(cut: SubsetRowCut, visits: np.ndarray) -> np.ndarray:
    """The rows of ``visits`` (routes x nodes, visit counts) whose visits to S weigh at least the cut's denominator:
    the only routes of a coefficient above 0 (R207's cut rounds: 3.5 million coefficients in Python, most of them 0)."""
    members = sorted(cut.members)
    weights = np.array([cut.weight(v) for v in members], dtype=np.int64)
    return np.flatnonzero(visits[:, members] @ weights >= cut.denominator)


def with_memory(cut: SubsetRowCut, routes: list[tuple[int, ...]]) -> SubsetRowCut:
    """``cut`` with the least memory that keeps the coefficient of each of ``routes`` (the LP's): the nodes each
    route passes between the two visits to S of a pair its count makes.

    Parameters
    ----------
    cut : SubsetRowCut
        A cut (its memory is ignored).
    routes : list[tuple[int, ...]]
        The stops of the routes whose coefficients must stay floor(v_r(S) / 2).

    Returns
    -------
    SubsetRowCut
        The cut with that memory (S included).
    """
    memory = set(cut.members)
    for stops in routes:
        count, first = 0, 0
        for p, s in enumerate(stops):
            if s not in cut.members:
                continue
            if count == 0:
                first = p
            count += cut.weight(s)
            if count >= cut.denominator:  # a group paid: the nodes since its first visit must keep the count
                memory.update(stops[first + 1 : p])
                count -= cut.denominator
                first = p
    return replace(cut, memory=frozenset(memory))


def grown_memories(
    cuts: list[SubsetRowCut], routes: list[tuple[int, ...]], values: np.ndarray
) -> dict[int, SubsetRowCut]:
    """The cuts (by position) whose limited memory is all that keeps the LP's ``routes`` at ``values`` from
    violating them, each with the memory those routes need added (:func:`with_memory`): a later LP routes
    around a memory, and its cut, whose members are known, is not separated again.

    Parameters
    ----------
    cuts : list[SubsetRowCut]
        The master's subset-row cuts.
    routes : list[tuple[int, ...]]
        The stops of the LP's routes with a positive value.
    values : np.ndarray
        Their values.

    Returns
    -------
    dict[int, SubsetRowCut]
        Position in ``cuts`` -> the cut with its memory grown (its row is then violated again).
    """
    grown = {}
    for c, cut in enumerate(cuts):
        if cut.memory is None:
            continue
        full = cut.without_memory()
        if sum(v * full.coefficient(0, r) for r, v in zip(routes, values)) <= cut.rhs + SUBSET_ROW_VIOLATION:
            continue
        more = with_memory(full, routes).memory
        if more is not None and not more <= cut.memory:
            grown[c] = replace(cut, memory=cut.memory | more)
    return grown


@dataclass(frozen=True)
class SubsetRowPenalties:
    """The subset-row cuts as the pricing sees them: per node, the cuts containing it (a bitmask), and per cut the
    penalty -sigma_c >= 0 a route pays each time its count reaches the cut's denominator.

    A cut of denominator 2 holds one bit of a label's state (the parity of its count); a cut of thirds two
    adjacent bits, its *first* (count 1) and its *second* (count 2).  A node's mask sets a cut's first bit where
    the node's weight is 1, its second where it is 2.  Only cuts with a non-zero dual need to be here (the others
    charge nothing).  Up to CUTS_PER_WORD bits the mask of a node is one int64 (and a label's state one int64);
    with more, a row of int64 words per node (bit b: bit b % CUTS_PER_WORD of word b // CUTS_PER_WORD), and
    every state such a row: :meth:`enter` and :meth:`paid` take either, the words on the last axis.  Whatever a
    cut pays or owes is written on its first bit, where :meth:`paid` reads its penalty.
    """

    cuts_of: np.ndarray  # int64 per node, or (node, word) past one word (node 0, the hub, is in no cut)
    penalty: np.ndarray  # float per cut, >= 0
    kept_at: np.ndarray | None = None  # as cuts_of: the cuts whose memory holds the node; None: every cut, every node
    position: np.ndarray | None = None  # per cut: its first bit, word * CUTS_PER_WORD + bit; None: cut c at bit c
    denominator: np.ndarray | None = None  # per cut: 2 or 3; None: 2 for every cut

    @property
    def count(self) -> int:
        return len(self.penalty)

    @cached_property
    def first_bits(self) -> np.ndarray:
        """Per cut: its first bit, word * CUTS_PER_WORD + bit."""
        return np.arange(self.count) if self.position is None else self.position

    @cached_property
    def thirds(self) -> np.ndarray:
        """Per cut: whether its denominator is 3."""
        return np.zeros(self.count, dtype=bool) if self.denominator is None else self.denominator == 3

    @cached_property
    def any_thirds(self) -> bool:
        """Whether some cut has denominator 3 (else every rule is the parity's)."""
        return bool(self.thirds.any())

    @cached_property
    def second(self) -> np.ndarray:
        """The second bits of the cuts of thirds: an int64, or one per word past one word (0: no such cut)."""
        words = np.zeros(max(1, self.cuts_of.shape[1] if self.cuts_of.ndim == 2 else 1), dtype=np.int64)
        for bit in self.first_bits[self.thirds] + 1:
            words[bit // CUTS_PER_WORD] |= np.int64(1) << np.int64(bit % CUTS_PER_WORD)
        return words[0] if self.cuts_of.ndim == 1 else words

    def nodes_of(self, cut: int) -> np.ndarray:
        """The nodes of cut number ``cut`` (its members)."""
        bit = int(self.first_bits[cut])
        word = self.cuts_of if self.cuts_of.ndim == 1 else self.cuts_of[:, bit // CUTS_PER_WORD]
        return np.flatnonzero((word >> (bit % CUTS_PER_WORD)) & (3 if self.thirds[cut] else 1))

    def halves_of(self, nodes: np.ndarray | int) -> np.ndarray:
        """The masks of ``nodes`` restricted to the cuts of denominator 2."""
        return self.cuts_of[nodes] & ~(self.second | (self.second >> 1))

    def enter(self, state: np.ndarray, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Labels at ``state`` entering ``nodes`` (broadcast): their states after, and what they pay: the penalties of
        the cuts through the node whose count reaches the denominator.  The cuts whose memory the node is outside
        forget the count first."""
        if self.kept_at is not None:
            state = state & self.kept_at[nodes]
        cuts = self.cuts_of[nodes]
        if not self.any_thirds:  # parities only: the flip and what was odd
            return state ^ cuts, self.paid(state & cuts)
        second = self.second
        first = second >> 1
        low, high = _planes(state, second)
        one, two = _planes(cuts, second)  # the cuts the node adds 1 to, and 2 to (on their first bits)
        empty = ~low & ~high
        top = high | (low & ~first)  # one short of the denominator
        rest = ~one & ~two
        after_low = (one & empty) | (two & high) | (rest & low)
        after_high = (one & low & first) | (two & empty) | (rest & high)
        return after_low | (after_high << 1), self.paid((one & top) | (two & ~empty))

    def paid_entering(self, nodes: np.ndarray | int, state: np.ndarray) -> np.ndarray:
        """What labels at ``state`` just after entering ``nodes`` paid there: a cut pays on entering exactly when
        its count after is below the node's weight."""
        low, high = _planes(state, self.second)
        one, two = _planes(self.cuts_of[nodes], self.second)
        return self.paid((one & ~low & ~high) | (two & ~high))

    def crossing(self, forward: np.ndarray, backward: np.ndarray) -> np.ndarray:
        """Where the counts of two stretches joined into one reach the denominator once more than they did apart
        (the bidirectional join): both odd, or two counts of thirds that add up to 3 or more (on first bits)."""
        second = self.second
        f_low, f_high = _planes(forward, second)
        b_low, b_high = _planes(backward, second)
        f_top, b_top = f_high | (f_low & ~(second >> 1)), b_high | (b_low & ~(second >> 1))
        return (f_top & b_top) | (f_high & b_low) | (f_low & b_high)

    def paid(self, bits: np.ndarray) -> np.ndarray:
        """sum of the penalties of the cuts whose first bits are set, per row of ``bits`` (int64, or rows of
        int64 words past one word).

        One lookup per byte of each non-zero word in a table of the sums of the cut penalties of that byte (a
        compiled loop: most words of a route's state are zero).
        """
        values = np.asarray(bits, dtype=np.int64)
        shape = values.shape if self.cuts_of.ndim == 1 else values.shape[:-1]
        words = np.ascontiguousarray(values).reshape(-1, len(self.byte_tables))
        return _paid_rows(words, self.byte_tables).reshape(shape)

    @cached_property
    def byte_tables(self) -> np.ndarray:
        """(word, byte, byte value): the sum of the penalties of the cuts of that byte of that word whose first bits
        the value sets (zeros elsewhere)."""
        words = max(1, self.cuts_of.shape[1] if self.cuts_of.ndim == 2 else 1, -(-self.count // CUTS_PER_WORD))
        by_bit = np.zeros((words, 64))  # the sign bit is never set
        bits = self.first_bits
        by_bit[bits // CUTS_PER_WORD, bits % CUTS_PER_WORD] = self.penalty
        values = (np.arange(256)[:, None] >> np.arange(8)[None, :]) & 1  # (byte value, bit)
        return np.einsum("vb,wnb->wnv", values, by_bit.reshape(words, 8, 8))


def _planes(state: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A state's cuts at count 1 (every first bit set outside the second bits) and, on the first bits, its cuts of
    thirds at count 2."""
    return state & ~second, (state & second) >> 1


@njit(cache=True, nogil=True)
def _paid_rows(words: np.ndarray, tables: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    """Per row of int64 words: the sum over its words and their bytes of the byte tables' penalties."""
    out = np.zeros(len(words))
    for row in range(len(words)):
        for w in range(words.shape[1]):
            word = words[row, w]
            for byte in range(8 if word else 0):
                out[row] += tables[w, byte, (word >> (8 * byte)) & 0xFF]
    return out


def subset_row_penalties(cuts: list[SubsetRowCut], sigma: np.ndarray, n_nodes: int) -> SubsetRowPenalties | None:
    """The pricing's view of ``cuts`` under their duals ``sigma`` (<= 0); None when none charges anything.

    Parameters
    ----------
    cuts : list[SubsetRowCut]
        The master's subset-row cuts.
    sigma : np.ndarray
        Their duals, one per cut, each <= 0.
    n_nodes : int
        Nodes of the network, the hub included.

    Returns
    -------
    SubsetRowPenalties or None
        The cuts with a negative dual, as bitmasks per node (one int64, or a row of int64 words past
        CUTS_PER_WORD bits) and penalties; a cut of thirds takes two bits of one word.
    """
    active = [(cut, -float(s)) for cut, s in zip(cuts, sigma) if s < 0.0]
    if not active:
        return None
    position, bit = [], 0
    for cut, _ in active:
        width = cut.denominator - 1
        if bit % CUTS_PER_WORD + width > CUTS_PER_WORD:  # both bits of a cut of thirds in one word
            bit += CUTS_PER_WORD - bit % CUTS_PER_WORD
        position.append(bit)
        bit += width
    words = -(-bit // CUTS_PER_WORD)
    cuts_of = np.zeros((n_nodes, words), dtype=np.int64)
    kept_at = np.zeros((n_nodes, words), dtype=np.int64)
    for (cut, _), first in zip(active, position):
        word, shift = first // CUTS_PER_WORD, first % CUTS_PER_WORD
        for v in cut.members:
            cuts_of[v, word] |= np.int64(1) << np.int64(shift + cut.weight(v) - 1)
        both = np.int64((1 << (cut.denominator - 1)) - 1) << np.int64(shift)  # the cut's bits: one, or two for thirds
        kept_at[list(range(n_nodes)) if cut.memory is None else sorted(cut.memory | cut.members), word] |= both
    if words == 1:  # one int64 per node and per state: the common case, as fast as it gets
        cuts_of, kept_at = cuts_of[:, 0], kept_at[:, 0]
    return SubsetRowPenalties(
        cuts_of,
        np.array([p for _, p in active]),
        kept_at,
        np.array(position),
        np.array([cut.denominator for cut, _ in active]),
    )


def route_penalty(stops: tuple[int, ...], rows: SubsetRowPenalties | None) -> float:
    """What a route pays the subset-row cuts: sum_c penalty_c times its coefficient (0 without cuts).

    Parameters
    ----------
    stops : tuple[int, ...]
        The route's nodes in driving order.
    rows : SubsetRowPenalties or None
        The cuts.

    Returns
    -------
    float
        The penalty, as the pricing's parity resource charges it.
    """
    if rows is None:
        return 0.0
    parity, paid = np.zeros((1, *rows.cuts_of.shape[1:]), dtype=np.int64), 0.0
    for v in stops:
        parity, pays = rows.enter(parity, np.array([v]))
        paid += float(pays[0])
    return paid


def separate_subset_rows(
    visits: np.ndarray,
    values: np.ndarray,
    known: set[tuple],
    *,
    max_cuts: int,
    five: bool = False,
    thirds: bool = False,
) -> list[SubsetRowCut]:
    """Subset-row cuts of three DCs (and of five, and cuts of thirds) violated by the LP's route values, most violated
    first.

    Every triple of DCs visited by a fractional route is tried (a set only integral routes visit has a
    row of at most its right-hand side); with ``five``, five-DC sets are grown from each pair of DCs that
    a fractional route visits, adding the DC that raises the row most, three times (:func:`_grown_sets`); with
    ``thirds``, so are the cuts of thirds: five DCs of 1/3, and four DCs of 2/3 (the pair's first), 1/3, 1/3, 1/3.
    A round takes at most MAX_CUTS_PER_DC cuts through any one DC: the triples first, then the fives, each the
    largest violation (row - rhs) first; with ``thirds``, every kind together, the largest violation first.

    Parameters
    ----------
    visits : np.ndarray
        visits[r, i]: how often route r visits node i (column 0, the hub, is ignored).
    values : np.ndarray
        lambda_r of every route.
    known : set[tuple]
        :attr:`SubsetRowCut.key` of the cuts already in the master (not separated again).
    max_cuts : int
        At most this many cuts.
    five : bool
        Separate five-DC cuts too (``RouteSettings.five_dc_subset_rows``).
    thirds : bool
        Separate the cuts of thirds too (``RouteSettings.subset_rows_of_thirds``).

    Returns
    -------
    list[SubsetRowCut]
        The violated cuts.
    """
    if max_cuts <= 0:
        return []
    used = values > FRACTIONAL
    visits, values = visits[used], values[used]
    fractional = values < 1.0 - FRACTIONAL
    candidates = np.flatnonzero(visits[fractional].sum(axis=0) > 0)
    candidates = candidates[candidates > 0]
    if len(candidates) < 3:
        return []
    violated = _most_violated_first(_violated_triples(visits, values, candidates))
    if five and len(candidates) >= 5:  # after the triples: first come, E-n76-k7 took twice as long (102.8 s, 201.7)
        violated += _most_violated_first(_grown_sets(visits, values, fractional, candidates, FIVE_HALVES))
    if thirds and len(candidates) >= 5:  # every kind by its violation: after the others, they hardly got room
        # (B-n68-k9's root: 7 of 224 cuts, LP 1,267.98 at 143 s; ranked with them 74 of 199, 1,268.34 at 128 s)
        for shape in (FIVE_THIRDS, FOUR_THIRDS):
            violated += _grown_sets(visits, values, fractional, candidates, shape)
        violated = _most_violated_first(violated)
    found: list[SubsetRowCut] = []
    per_dc: dict[int, int] = {}
    for _, cut in violated:
        if len(found) >= max_cuts:
            break
        if cut.key in known or any(per_dc.get(v, 0) >= MAX_CUTS_PER_DC for v in cut.members):
            continue
        found.append(cut)
        for v in cut.members:
            per_dc[v] = per_dc.get(v, 0) + 1
    return found


def _most_violated_first(violated: list[tuple[float, SubsetRowCut]]) -> list[tuple[float, SubsetRowCut]]:
    """(violation, cut) pairs by violation, the largest first; ties by their sorted members, then doubled."""
    return sorted(violated, key=lambda pair: (-pair[0], sorted(pair[1].members), sorted(pair[1].doubled)))


def _violated_triples(
    visits: np.ndarray, values: np.ndarray, candidates: np.ndarray
) -> list[tuple[float, SubsetRowCut]]:
    """Every triple of ``candidates`` whose row exceeds 1 by more than SUBSET_ROW_VIOLATION, with its violation."""
    triples = np.array(list(itertools.combinations(candidates.tolist(), 3)), dtype=np.int64)
    rows = np.zeros(len(triples))
    for lo in range(0, len(triples), TRIPLE_BLOCK):
        block = triples[lo : lo + TRIPLE_BLOCK]
        count = visits[:, block[:, 0]] + visits[:, block[:, 1]] + visits[:, block[:, 2]]  # (routes, triples)
        rows[lo : lo + TRIPLE_BLOCK] = values @ (count // 2)
    return [
        (float(rows[t] - 1.0), SubsetRowCut(frozenset(int(v) for v in triples[t])))
        for t in np.flatnonzero(rows > 1.0 + SUBSET_ROW_VIOLATION)
    ]


@dataclass(frozen=True)
class GrownShape:
    """What :func:`_grown_sets` grows: sets of ``size`` DCs counted in groups of ``denominator``, the first DC of
    each pair of weight 2 when ``doubled_first``, every other of weight 1."""

    size: int
    denominator: int
    doubled_first: bool = False


FIVE_HALVES = GrownShape(5, 2)
FIVE_THIRDS = GrownShape(5, 3)
FOUR_THIRDS = GrownShape(4, 3, doubled_first=True)


def _grown_sets(
    visits: np.ndarray, values: np.ndarray, fractional: np.ndarray, candidates: np.ndarray, shape: GrownShape
) -> list[tuple[float, SubsetRowCut]]:
    """Cuts of ``shape`` whose row exceeds its right-hand side by more than SUBSET_ROW_VIOLATION, with their
    violations: from each pair of ``candidates`` that a fractional route visits together (both orders when the
    first is doubled), the DC raising the row most is added until the set has its size (a greedy search: on
    B-n68-k9's root, five DCs of 1/2 in 0.13 s, it found the most violated of the 544 an enumeration of every set
    finds, and 60 in all)."""
    together = (visits[fractional][:, candidates] > 0).astype(float)
    weights = (together * values[fractional][:, None]).T @ together
    pairs = np.nonzero((weights if shape.doubled_first else np.triu(weights, 1)) > FRACTIONAL)
    grown: dict[tuple, tuple[float, SubsetRowCut]] = {}
    for a, b in zip(*pairs):
        if a == b:
            continue
        members = [int(candidates[a]), int(candidates[b])]
        count = visits[:, members].sum(axis=1) + (visits[:, members[0]] if shape.doubled_first else 0)
        while len(members) < shape.size:
            rows = values @ ((count[:, None] + visits[:, candidates]) // shape.denominator)
            rows[np.isin(candidates, members)] = -np.inf
            best = int(candidates[int(np.argmax(rows))])
            members.append(best)
            count = count + visits[:, best]
        doubled = frozenset(members[:1]) if shape.doubled_first else frozenset()
        cut = SubsetRowCut(frozenset(members), denominator=shape.denominator, doubled=doubled)
        violation = float(values @ (count // shape.denominator)) - cut.rhs
        if violation > SUBSET_ROW_VIOLATION:
            grown[cut.key] = (violation, cut)
    return list(grown.values())


TRIPLE_BLOCK = 4096  # triples evaluated at once (bounds the memory of the routes x triples counts)
