// LatticeKitTesting: recorded fixtures (cassettes) and the in-process local Lattice.
import LatticeKit
