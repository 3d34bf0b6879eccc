import Foundation
import Synchronization
import TwitterOAuth

/// A transport that records requests and answers from a closure, for client tests without a network.
final class StubTransport: HTTPTransport {
    struct Sent: Sendable {
        let method: String
        let url: URL
        let headers: [HTTPHeader]

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    private let answer: @Sendable (Sent) throws(TwitterError) -> HTTPTransportResponse
    private let sent = Mutex<[Sent]>([])

    init(answer: @escaping @Sendable (Sent) throws(TwitterError) -> HTTPTransportResponse) {
        self.answer = answer
    }

    /// Always answers `status` with `body` and `headers`.
    convenience init(status: Int, body: String, headers: [HTTPHeader] = []) {
        self.init { _ throws(TwitterError) in
            HTTPTransportResponse(status: status, headers: headers, body: Array(body.utf8))
        }
    }

    var requests: [Sent] { sent.withLock { $0 } }

    func send(
        method: String,
        url: URL,
        headers: [HTTPHeader],
        body: [UInt8],
        timeout: Duration,
        maximumResponseBodySize: Int
    ) async throws(TwitterError) -> HTTPTransportResponse {
        let request = Sent(method: method, url: url, headers: headers)
        sent.withLock { $0.append(request) }
        return try answer(request)
    }
}
