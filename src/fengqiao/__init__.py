"""fengqiao (枫桥): grid-based community governance and dispute mediation."""

__version__ = "0.1.0"
