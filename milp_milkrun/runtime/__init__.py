"""Solver runtimes that do not depend on any modelling layer (no Pyomo, no PuLP)."""
