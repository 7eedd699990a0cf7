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
            var regexes: [String] = []
            for (i, item) in list.enumerated() {
                guard case .object(let entry) = item, case .string(let id)? = entry["id"] else {
                    throw .ruleSet("partitions[\(i)] has no id")
                }
                guard case .string(let pattern)? = entry["regionRegex"] else {
                    throw .ruleSet("partition \(id) has no regionRegex")
                }
                guard case .object(let regions)? = entry["regions"] else {
                    throw .ruleSet("partition \(id) has no regions object")
                }
                guard case .object(let rawOutputs)? = entry["outputs"],
                      case .object(var outputs)? = Value(json: .object(rawOutputs)) else {
                    throw .ruleSet("partition \(id) has no usable outputs object")
                }
                outputs["name"] = .string(id)
                regexes.append(pattern)
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

    /// Region patterns, compiled on first use: most resolutions find the region in a
    /// partition's list and never need them. `Regex<AnyRegexOutput>` is not Sendable, so they
    /// live behind a lock; resolution results are cached above this, so the lock is rarely taken.
    final class RegionPatterns: Sendable {
        private let patterns: [String]
        private let compiled = Mutex<[Regex<AnyRegexOutput>?]?>(nil)

        init(_ patterns: [String]) {
            self.patterns = patterns
        }

        /// The index of the first pattern matching `region` from its start, as botocore's
        /// `re.match` does (the patterns end with `$`). A pattern Swift cannot compile matches
        /// nothing (the endpoint tests compile and exercise every partition's pattern).
        func firstMatch(_ region: String) -> Int? {
            compiled.withLock { cache in
                if cache == nil { cache = patterns.map { try? Regex($0) } }
                return cache?.firstIndex { regex in regex.map { (try? $0.prefixMatch(in: region)) != nil } ?? false }
            }
        }
    }
}
