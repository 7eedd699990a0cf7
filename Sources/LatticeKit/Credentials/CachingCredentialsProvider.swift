#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Keeps the credentials of another provider until shortly before they expire.
///
/// Cached credentials are returned until `refreshBefore` seconds (5 minutes by default)
/// before their expiration; then the next call fetches new ones. One fetch runs at a time:
/// callers arriving meanwhile wait for it. A failed fetch throws to everyone waiting on it and
/// is not remembered: the next call tries again. Credentials without an expiration are
/// fetched once.
public actor CachingCredentialsProvider: CredentialsProvider {
    /// The provider whose credentials are cached.
    public nonisolated let base: any CredentialsProvider
    /// Seconds before expiration at which credentials are refreshed.
    public nonisolated let refreshBefore: Double
    private let now: @Sendable () -> Date
    private var cached: AWSCredentials?
    private var inFlight: (id: UInt64, task: Task<AWSCredentials, any Error>)?
    private var fetches: UInt64 = 0

    /// Caches `base`'s credentials until `refreshBefore` seconds before they expire.
    public init(_ base: any CredentialsProvider, environment: RuntimeEnvironment = .live, refreshBefore: Double = 300) {
        self.base = base
        self.refreshBefore = refreshBefore
        self.now = environment.now
    }

    public func credentials() async throws -> AWSCredentials {
        if let cached, isFresh(cached) { return cached }
        if let inFlight { return try await wait(for: inFlight) }
        fetches += 1
        let base = self.base
        let entry = (id: fetches, task: Task<AWSCredentials, any Error> { try await base.credentials() })
        inFlight = entry
        return try await wait(for: entry)
    }

    /// Drops the cached credentials (for example after the service rejected them), so the
    /// next call fetches new ones.
    public func invalidate() {
        cached = nil
    }

    /// False when the cached credentials have no expiration (static keys, which a new fetch
    /// would return again); true otherwise, nothing cached included. The request pipeline
    /// asks before `invalidate()` when the service rejects credentials as expired.
    package var holdsTemporaryCredentials: Bool {
        guard let cached else { return true }
        return cached.expiration != nil
    }

    /// How many fetches have been started (for diagnostics and tests).
    public var fetchCount: UInt64 { fetches }

    private func isFresh(_ credentials: AWSCredentials) -> Bool {
        guard let expiration = credentials.expiration else { return true }
        return now() < expiration.addingTimeInterval(-refreshBefore)
    }

    private func wait(for entry: (id: UInt64, task: Task<AWSCredentials, any Error>)) async throws -> AWSCredentials {
        do {
            let value = try await entry.task.value
            if inFlight?.id == entry.id {
                inFlight = nil
                cached = value
            }
            return value
        } catch {
            if inFlight?.id == entry.id { inFlight = nil }
            throw error
        }
    }
}
