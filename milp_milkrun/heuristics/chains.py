"""Consecutive pairs (set P, equation 10) merged into fixed chains.

A pair (a, b) says b must immediately follow a on the same route, so a -> b -> c chains are glued
into one indivisible unit before the search starts. Every operator then moves whole chains and
never reverses one, which keeps equation (10) satisfied by construction: no move can break a chain.
"""

from __future__ import annotations

from milp_milkrun.instance import Instance


def build_chains(instance: Instance) -> list[tuple[int, ...]]:
    """Node indices of every unit: the maximal consecutive chains, then each remaining DC alone.

    The instance already rejected cycles and DCs with two successors, so every chain is a simple path.
    Units come in DC order (of their first DC), which keeps the search deterministic.
    """
    index = instance.index
    successor = {index[a]: index[b] for a, b in instance.consecutive}
    has_predecessor = set(successor.values())
    chains: list[tuple[int, ...]] = []
    for node in range(1, instance.n_dcs + 1):
        if node in has_predecessor:
            continue  # part of a chain that starts earlier
        chain = [node]
        while chain[-1] in successor:
            chain.append(successor[chain[-1]])
        chains.append(tuple(chain))
    return chains
