#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LatticeKit
import SigV4

/// Checks the model cannot express, shared by the handlers.
extension Scope {
    /// Tags: keys beginning with `aws:` are reserved for AWS.
    func checkTags(_ tags: [String: String]?, field: String = "tags") throws(ServiceFault) {
        for key in (tags ?? [:]).keys.sorted() where key.lowercased().hasPrefix("aws:") {
            throw .invalid("\(field)[\(key)]", "tag keys beginning with 'aws:' are reserved for AWS")
        }
    }

    /// An open enum's value must be one the model knows: the service refuses the others.
    func checkEnum<E: LatticeEnum>(_ value: E?, _ field: String) throws(ServiceFault) {
        guard let value, !value.isKnown else { return }
        let allowed = E.knownValues.map(\.rawValue).joined(separator: ", ")
        throw .validation("1 validation error detected: Value '\(value.rawValue)' at '\(field)' failed to satisfy constraint: Member must satisfy enum value set: [\(allowed)]",
                          fields: [(field, "Member must satisfy enum value set: [\(allowed)]")])
    }

    /// A JSON document (auth and resource policies must be JSON objects).
    func checkPolicy(_ policy: String, field: String = "policy") throws(ServiceFault) {
        let trimmed = policy.trimmedWhitespace
        guard trimmed.hasPrefix("{"), trimmed.hasSuffix("}"), isJSONObject(String(trimmed)) else {
            throw .invalid(field, "the policy must be a JSON policy document")
        }
    }

    private func isJSONObject(_ text: String) -> Bool {
        guard let value = try? LatticeJSON.decoder().decode(JSONValue.self, from: Data(text.utf8)) else { return false }
        if case .object = value { return true }
        return false
    }
}
