"""ledokol: plans a sales force month by month and proves how good the plan is."""

__version__ = "0.1.0"
