// The seed topology example (issue 6) is being written.
print("seed-topology: not built yet")
