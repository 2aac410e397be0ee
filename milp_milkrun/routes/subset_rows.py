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

Unlike the capacity cuts the row is not a sum over arcs: its dual sigma_S <= 0 charges a route -sigma_S
each time its count of visits to S reaches an even number, which the pricing carries as one more
resource per cut, the parity of the visits so far (:class:`SubsetRowPenalties`): a label at parity 1
that enters S again pays -sigma_S and returns to 0 (whatever the size of S).  Dominance must then pay for
the parities a label has and the other lacks (:mod:`milp_milkrun.routes.pricing`).

Cuts are separated on the LP's route values (:func:`separate_subset_rows`): every triple of DCs that
fractional routes visit, and when asked (``RouteSettings.five_dc_subset_rows``, off by default: of the four
instances measured with them, one proof is faster, one slower) five-DC sets grown greedily from each pair of
DCs a fractional route visits.

**Limited memory** (Pecin, Pessoa, Poggi and Uchoa 2017): a cut may remember a route's parity only while
the route stays within a set of nodes M containing S (its ``memory``); entering a node outside M resets
the count to 0.  The coefficient, counting visits to S in pairs with the count reset outside M, is at
most floor(v_r(S) / 2), so the row stays valid for every plan.  M is the nodes the LP's routes pass
between the two visits of each pair (:func:`with_memory`), so those routes keep their coefficients
and the cut stays as violated, and it grows when a later LP violates the cut with every node in memory
(:func:`grown_memories`: the augmentation of Pecin et al.); in the pricing, every label that leaves M forgets its parity, and labels
that differ only in forgotten parities dominate each other again (long routes: R204-25's root needed
2x fewer seconds of pricing).

The master keeps a pool of cuts (:meth:`~milp_milkrun.routes.master.RouteMaster.separate_subset_rows`): cuts
slack for some rounds leave it when new ones need room; of those it holds, the pricing carries the ones with
a negative dual, 63 to an int64 word of the parity (:data:`CUTS_PER_WORD`; a row of words past one).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
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
    """The subset-row cut of the DCs ``members`` (three or five): their routes make at most :attr:`rhs` pairs
    of visits to them."""

    members: frozenset[int]
    memory: frozenset[int] | None = None  # nodes across which a route keeps its count (with S); None: every node

    @property
    def rhs(self) -> int:
        """floor(|S| / 2): 1 for three DCs, 2 for five."""
        return len(self.members) // 2

    def coefficient(self, vehicle_class: int, stops: tuple[int, ...]) -> int:
        """The visits to S counted with multiplicity, in pairs, the count reset at a node outside the memory
        (floor(v_r(S) / 2) with every node in it; see the module doc)."""
        total = count = 0
        for s in stops:
            if s in self.members:
                count += 1
                if count == 2:
                    total, count = total + 1, 0
            elif self.memory is not None and s not in self.memory:
                count = 0
        return total


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
        visits = [p for p, s in enumerate(stops) if s in cut.members]
        for a, b in zip(visits[0::2], visits[1::2]):
            memory.update(stops[a + 1 : b])
    return SubsetRowCut(cut.members, frozenset(memory))


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
        full = SubsetRowCut(cut.members)
        if sum(v * full.coefficient(0, r) for r, v in zip(routes, values)) <= cut.rhs + SUBSET_ROW_VIOLATION:
            continue
        more = with_memory(full, routes).memory
        if more is not None and not more <= cut.memory:
            grown[c] = SubsetRowCut(cut.members, cut.memory | more)
    return grown


@dataclass(frozen=True)
class SubsetRowPenalties:
    """The subset-row cuts as the pricing sees them: per node, the cuts containing it (a bitmask, bit c
    for cut c), and per cut the penalty -sigma_c >= 0 a route pays each time its parity returns to 0.

    Only cuts with a non-zero dual need to be here (the others charge nothing).  Up to CUTS_PER_WORD cuts
    the bitmask of a node is one int64 (and a label's parity one int64); with more, a row of int64 words
    per node (cut c: bit c % CUTS_PER_WORD of word c // CUTS_PER_WORD), and every parity such a row:
    :meth:`enter` and :meth:`paid` take either, the words on the last axis.
    """

    cuts_of: np.ndarray  # int64 per node, or (node, word) past one word (node 0, the hub, is in no cut)
    penalty: np.ndarray  # float per cut, >= 0
    kept_at: np.ndarray | None = None  # as cuts_of: the cuts whose memory holds the node; None: every cut, every node

    @property
    def count(self) -> int:
        return len(self.penalty)

    def nodes_of(self, cut: int) -> np.ndarray:
        """The nodes of cut number ``cut`` (its members)."""
        word = self.cuts_of if self.cuts_of.ndim == 1 else self.cuts_of[:, cut // CUTS_PER_WORD]
        return np.flatnonzero((word >> (cut % CUTS_PER_WORD)) & 1)

    def enter(self, parity: np.ndarray, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Labels at ``parity`` entering ``nodes`` (broadcast): their parities after, and what they pay: the
        penalties of the cuts through the node whose parity was odd (their count of visits turns even).  The
        cuts whose memory the node is outside forget the parity first."""
        if self.kept_at is not None:
            parity = parity & self.kept_at[nodes]
        cuts = self.cuts_of[nodes]
        return parity ^ cuts, self.paid(parity & cuts)

    def paid(self, bits: np.ndarray) -> np.ndarray:
        """sum of the penalties of the cuts whose bits are set, per parity of ``bits`` (int64, or rows of
        int64 words past one word).

        One lookup per byte of each non-zero word in a table of the sums of the cut penalties of that byte (a
        compiled loop: most words of a route's parity are zero).
        """
        values = np.asarray(bits, dtype=np.int64)
        shape = values.shape if self.cuts_of.ndim == 1 else values.shape[:-1]
        words = np.ascontiguousarray(values).reshape(-1, len(self.byte_tables))
        return _paid_rows(words, self.byte_tables).reshape(shape)

    @cached_property
    def byte_tables(self) -> np.ndarray:
        """(word, byte, byte value): the sum of the penalties of the cuts of that byte of that word whose bits the
        value sets (zeros past the last cut)."""
        words = -(-self.count // CUTS_PER_WORD)
        by_bit = np.zeros((words, 64))  # cut c at bit c % 63 of word c // 63; the sign bit is never set
        cuts = np.arange(self.count)
        by_bit[cuts // CUTS_PER_WORD, cuts % CUTS_PER_WORD] = self.penalty
        bits = (np.arange(256)[:, None] >> np.arange(8)[None, :]) & 1  # (byte value, bit)
        return np.einsum("vb,wnb->wnv", bits, by_bit.reshape(words, 8, 8))


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
        CUTS_PER_WORD cuts) and penalties.
    """
    active = [(cut, -float(s)) for cut, s in zip(cuts, sigma) if s < 0.0]
    if not active:
        return None
    words = -(-len(active) // CUTS_PER_WORD)
    cuts_of = np.zeros((n_nodes, words), dtype=np.int64)
    kept_at = np.zeros((n_nodes, words), dtype=np.int64)
    for c, (cut, _) in enumerate(active):
        word, bit = c // CUTS_PER_WORD, np.int64(1) << np.int64(c % CUTS_PER_WORD)
        cuts_of[sorted(cut.members), word] |= bit
        kept_at[list(range(n_nodes)) if cut.memory is None else sorted(cut.memory | cut.members), word] |= bit
    if words == 1:  # one int64 per node and per parity: the common case, as fast as it gets
        cuts_of, kept_at = cuts_of[:, 0], kept_at[:, 0]
    return SubsetRowPenalties(cuts_of, np.array([p for _, p in active]), kept_at)


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
    visits: np.ndarray, values: np.ndarray, known: set[frozenset[int]], *, max_cuts: int, five: bool = False
) -> list[SubsetRowCut]:
    """Subset-row cuts of three DCs (and of five) violated by the LP's route values, most violated first.

    Every triple of DCs visited by a fractional route is tried (a set only integral routes visit has a
    row of at most its right-hand side); with ``five``, five-DC sets are grown from each pair of DCs that
    a fractional route visits, adding the DC that raises the row most, three times (:func:`_grown_fives`).
    A round takes at most MAX_CUTS_PER_DC cuts through any one DC: the triples first, then the fives, each
    the largest violation (row - rhs) first.

    Parameters
    ----------
    visits : np.ndarray
        visits[r, i]: how often route r visits node i (column 0, the hub, is ignored).
    values : np.ndarray
        lambda_r of every route.
    known : set[frozenset[int]]
        Member sets of the cuts already in the master (not separated again).
    max_cuts : int
        At most this many cuts.
    five : bool
        Separate five-DC cuts too (``RouteSettings.five_dc_subset_rows``).

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
        violated += _most_violated_first(_grown_fives(visits, values, fractional, candidates))
    found: list[SubsetRowCut] = []
    per_dc: dict[int, int] = {}
    for _, members in violated:
        if len(found) >= max_cuts:
            break
        if members in known or any(per_dc.get(v, 0) >= MAX_CUTS_PER_DC for v in members):
            continue
        found.append(SubsetRowCut(members))
        for v in members:
            per_dc[v] = per_dc.get(v, 0) + 1
    return found


def _most_violated_first(violated: list[tuple[float, frozenset[int]]]) -> list[tuple[float, frozenset[int]]]:
    """(violation, members) pairs by violation, the largest first; ties by their sorted members."""
    return sorted(violated, key=lambda pair: (-pair[0], sorted(pair[1])))


def _violated_triples(
    visits: np.ndarray, values: np.ndarray, candidates: np.ndarray
) -> list[tuple[float, frozenset[int]]]:
    """Every triple of ``candidates`` whose row exceeds 1 by more than SUBSET_ROW_VIOLATION, with its violation."""
    triples = np.array(list(itertools.combinations(candidates.tolist(), 3)), dtype=np.int64)
    rows = np.zeros(len(triples))
    for lo in range(0, len(triples), TRIPLE_BLOCK):
        block = triples[lo : lo + TRIPLE_BLOCK]
        count = visits[:, block[:, 0]] + visits[:, block[:, 1]] + visits[:, block[:, 2]]  # (routes, triples)
        rows[lo : lo + TRIPLE_BLOCK] = values @ (count // 2)
    return [
        (float(rows[t] - 1.0), frozenset(int(v) for v in triples[t]))
        for t in np.flatnonzero(rows > 1.0 + SUBSET_ROW_VIOLATION)
    ]


def _grown_fives(
    visits: np.ndarray, values: np.ndarray, fractional: np.ndarray, candidates: np.ndarray
) -> list[tuple[float, frozenset[int]]]:
    """Five-DC sets whose row exceeds 2 by more than SUBSET_ROW_VIOLATION, with their violations: from each pair
    of ``candidates`` that a fractional route visits together, the DC raising the row most is added until five
    (a greedy search: B-n68-k9's root, 0.13 s, found the most violated of the 544 an enumeration of every set
    finds, and 60 in all)."""
    together = (visits[fractional][:, candidates] > 0).astype(float)
    weights = (together * values[fractional][:, None]).T @ together
    fives: dict[frozenset[int], float] = {}
    for a, b in zip(*np.nonzero(np.triu(weights, 1) > FRACTIONAL)):
        members = [int(candidates[a]), int(candidates[b])]
        count = visits[:, members].sum(axis=1)
        while len(members) < 5:
            rows = values @ ((count[:, None] + visits[:, candidates]) // 2)
            rows[np.isin(candidates, members)] = -np.inf
            best = int(candidates[int(np.argmax(rows))])
            members.append(best)
            count = count + visits[:, best]
        row = float(values @ (count // 2))
        if row > 2.0 + SUBSET_ROW_VIOLATION:
            fives[frozenset(members)] = row - 2.0
    return [(violation, members) for members, violation in fives.items()]


TRIPLE_BLOCK = 4096  # triples evaluated at once (bounds the memory of the routes x triples counts)
