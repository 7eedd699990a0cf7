public import LatticeKit

// LatticeKitTesting's errors are LatticeErrors too, so a test or tool catches them with the
// client's: `catch let error as LatticeError`.

extension CassetteError: LatticeError {
    /// `CassetteError.` and the kind, such as `CassetteError.noMatch`.
    public var errorCode: String { "CassetteError.\(kind.rawValue)" }
    /// ``message``.
    public var errorMessage: String { message }
}

extension LocalLattice.Failure: LatticeError {
    /// `LocalLattice.Failure`.
    public var errorCode: String { "LocalLattice.Failure" }
}

extension IdentityPolicy.Failure: LatticeError {
    /// `IdentityPolicy.Failure`.
    public var errorCode: String { "IdentityPolicy.Failure" }
}

extension AuthPolicy.ParseError: LatticeError {
    /// `AuthPolicy.ParseError`.
    public var errorCode: String { "AuthPolicy.ParseError" }
}
