"""One module per rule family of spec section 3 (and the dynamics of section 4); each has
`add(build) -> list[Term]`."""
