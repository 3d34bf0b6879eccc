import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The hand-written GET the Host header tests send ends at its limit when the server never answers.
struct RawGETDeadlineTests {
    /// A server that takes the connection and never answers nor closes it leaves `rawGET` waiting only up to its
    /// limit; then it returns a text naming the port and the limit (no test takes it for an answer).
    @Test func aServerThatNeverAnswersEndsTheRawGETAtItsLimit() async throws {
        // Given a listening socket nobody accepts on (the kernel completes the connection; nothing answers)
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(listener >= 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 4) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        try #require(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))

        // When a raw GET is sent to it with a limit of a second
        let (response, took) = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                // (timed here: the wait for a pool thread to resume the test is not counted)
                let started = ContinuousClock.now
                let response = rawGET(port: port, path: "/", host: "x", limit: .seconds(1))
                continuation.resume(returning: (response, ContinuousClock.now - started))
            }
        }

        // Then it ends soon after the limit, saying what it waited for
        #expect(took < .seconds(20))
        #expect(response.hasPrefix("no end of the answer within 1.0 seconds from 127.0.0.1:\(port)"), "\(response)")
    }
}
