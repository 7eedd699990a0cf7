import Synchronization

extension RuleEngine {
    /// The AWS partitions (aws, aws-cn, aws-us-gov, ...) and how a region maps to one.
    struct PartitionTable: Sendable {
        struct Partition: Sendable {
            var id: String
            var regions: Set<String>
            /// What `aws.partition` returns: the partition's outputs plus `name`.
            var outputs: Value
        }

        var partitions: [Partition]
        /// The partition used for regions no partition claims: `aws`.
        var fallback: Partition
        /// The compiled regionRegex of each partition, in the same order.
        private let patterns: RegionPatterns

        init(json: JSON) throws(EndpointError) {
            guard case .object(let root) = json, case .array(let list)? = root["partitions"] else {
                throw .ruleSet("the partitions document has no \"partitions\" array")
            }
            var partitions: [Partition] = []
            var regexes: [Regex<AnyRegexOutput>] = []
            for (i, item) in list.enumerated() {
                guard case .object(let entry) = item, case .string(let id)? = entry["id"] else {
                    throw .ruleSet("partitions[\(i)] has no id")
                }
                guard case .string(let pattern)? = entry["regionRegex"] else {
                    throw .ruleSet("partition \(id) has no regionRegex")
                }
                let regex: Regex<AnyRegexOutput>
                do {
                    regex = try Regex(pattern)
                } catch {
                    throw .ruleSet("partition \(id) has a regionRegex Swift cannot compile: \(pattern) (\(error))")
                }
                guard case .object(let regions)? = entry["regions"] else {
                    throw .ruleSet("partition \(id) has no regions object")
                }
                guard case .object(let rawOutputs)? = entry["outputs"],
                      case .object(var outputs)? = Value(json: .object(rawOutputs)) else {
                    throw .ruleSet("partition \(id) has no usable outputs object")
                }
                outputs["name"] = .string(id)
                regexes.append(regex)
                partitions.append(Partition(
                    id: id,
                    regions: Set(regions.keys),
                    outputs: .object(outputs)
                ))
            }
            guard let first = partitions.first else { throw .ruleSet("the partitions document lists no partition") }
            self.partitions = partitions
            self.fallback = partitions.first { $0.id == "aws" } ?? first
            self.patterns = RegionPatterns(regexes)
        }

        /// The partition of `region`: one that lists it explicitly, else the first whose
        /// regionRegex matches, else `aws` (so a brand-new region still gets an endpoint).
        func partition(for region: String) -> Partition {
            if let listed = partitions.first(where: { $0.regions.contains(region) }) {
                return listed
            }
            if let index = patterns.firstMatch(region) { return partitions[index] }
            return fallback
        }
    }

    /// Compiled region patterns. `Regex<AnyRegexOutput>` is not Sendable, so the regexes live
    /// behind a lock; resolution results are cached above this, so the lock is rarely taken.
    final class RegionPatterns: Sendable {
        private let regexes: Mutex<[Regex<AnyRegexOutput>]>

        init(_ regexes: sending [Regex<AnyRegexOutput>]) {
            self.regexes = Mutex(regexes)
        }

        /// The index of the first pattern matching `region` from its start, as botocore's
        /// `re.match` does (the patterns end with `$`).
        func firstMatch(_ region: String) -> Int? {
            regexes.withLock { regexes in
                regexes.firstIndex { (try? $0.prefixMatch(in: region)) != nil }
            }
        }
    }
}
