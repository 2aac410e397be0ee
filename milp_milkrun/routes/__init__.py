"""The route engine: branch-and-price-and-cut over the route-based (set-partitioning) formulation.

One job per module (docs/architecture.md has the table). This package imports nothing on its own, so
that :mod:`milp_milkrun.options` may import the engine's settings without loading the engine.
"""
