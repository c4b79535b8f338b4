"""The CP-SAT encoding of the spec: `build_model(scenario)` returns the model and its parts."""

from optimizer.model.builder import Built, build_model

__all__ = ["Built", "build_model"]
