"""``python -m milp_milkrun``: the ``milkrun`` command where the environment's scripts folder is not on PATH."""

from milp_milkrun.cli import main

main()
