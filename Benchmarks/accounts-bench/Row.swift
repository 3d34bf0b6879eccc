/// One line of the results: our figure, the raw limit measured in the same run, and the peer's figure.
struct Row: Sendable, Equatable {
    /// Which way is better for a metric, so readers know how to read the ratios.
    enum Better: String, Sendable, Encodable {
        /// Throughput: more is better, a ratio ours/limit of 1 means no overhead.
        case higher
        /// Latency, time or memory: less is better.
        case lower
        /// A ratio whose goal is 1.
        case closerToOne = "closer-to-one"
    }

    /// The metric with its unit, e.g. `seal 50 B (ops/s)`.
    var metric: String
    /// Which way is better.
    var better: Better
    /// Our figure (AccountCrypto, AccountStore).
    var ours: Double?
    /// The raw limit: bare OpenSSL or SQLite C API doing the same work, in the same process and run.
    var limit: Double?
    /// The peer's figure (what a user would pick instead), measured by the peer scripts in the same run.
    var peer: Double?
    /// Where the peer figure comes from, e.g. `allauth (Django 5.2.19, SQLite 3.40.1)`.
    var peerSource: String?
    /// What the reader needs to know to read the row.
    var note: String?

    init(
        _ metric: String, better: Better, ours: Double?, limit: Double? = nil, peer: Double? = nil,
        peerSource: String? = nil, note: String? = nil
    ) {
        self.metric = metric
        self.better = better
        self.ours = ours
        self.limit = limit
        self.peer = peer
        self.peerSource = peerSource
        self.note = note
    }

    /// ours / limit, when both are known.
    var oursOverLimit: Double? { Row.ratio(ours, limit) }

    /// ours / peer, when both are known.
    var oursOverPeer: Double? { Row.ratio(ours, peer) }

    private static func ratio(_ numerator: Double?, _ denominator: Double?) -> Double? {
        guard let numerator, let denominator, denominator != 0, numerator.isFinite, denominator.isFinite else {
            return nil
        }
        return numerator / denominator
    }

    /// This row with the blanks filled from `other` (same metric): how a side measured in a child process joins the
    /// other side.
    func merging(_ other: Row) -> Row {
        var merged = self
        merged.ours = ours ?? other.ours
        merged.limit = limit ?? other.limit
        merged.peer = peer ?? other.peer
        merged.peerSource = peerSource ?? other.peerSource
        merged.note = note ?? other.note
        return merged
    }
}

extension Row: Codable {
    private enum CodingKeys: String, CodingKey {
        case metric, better, ours, limit, peer, note
        case peerSource = "peer_source"
        case oursOverLimit = "ratio_ours_limit"
        case oursOverPeer = "ratio_ours_peer"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metric = try container.decode(String.self, forKey: .metric)
        better = try container.decode(Better.self, forKey: .better)
        ours = try container.decodeIfPresent(Double.self, forKey: .ours)
        limit = try container.decodeIfPresent(Double.self, forKey: .limit)
        peer = try container.decodeIfPresent(Double.self, forKey: .peer)
        peerSource = try container.decodeIfPresent(String.self, forKey: .peerSource)
        note = try container.decodeIfPresent(String.self, forKey: .note)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(metric, forKey: .metric)
        try container.encode(better, forKey: .better)
        // Explicit nulls, so every row has the same keys.
        try container.encode(ours.finite, forKey: .ours)
        try container.encode(limit.finite, forKey: .limit)
        try container.encode(oursOverLimit.finite, forKey: .oursOverLimit)
        try container.encode(peer.finite, forKey: .peer)
        try container.encode(oursOverPeer.finite, forKey: .oursOverPeer)
        try container.encode(peer.finite == nil ? nil : peerSource, forKey: .peerSource)
        try container.encode(note, forKey: .note)
    }
}

extension Row.Better: Decodable {}

extension Optional<Double> {
    /// The value when finite, nil otherwise (JSON has no NaN or infinity).
    var finite: Double? {
        guard let value = self, value.isFinite else { return nil }
        return value
    }
}
