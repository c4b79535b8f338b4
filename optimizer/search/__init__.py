"""Search beyond one monolithic CP-SAT solve: large-neighbourhood search and honest bounds."""
