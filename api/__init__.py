"""The planning service (FastAPI): validates, stores, queues and serialises; the planning
itself stays in `optimizer`."""
