"""``python -m milp_milkrun.cli``: the ``milkrun`` command (as ``python -m milp_milkrun``)."""

from milp_milkrun.cli import main

main()
