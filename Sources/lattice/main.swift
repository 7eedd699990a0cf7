// The lattice CLI (issue 7) is being written.
print("lattice: not built yet")
