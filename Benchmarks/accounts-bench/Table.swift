/// Prints rows as one aligned text table, with their notes numbered below it.
enum Table {
    static let headers = ["metric", "ours", "limit", "ours/limit", "peer", "ours/peer"]

    /// The table and its notes as text.
    static func render(_ rows: [Row]) -> String {
        var notes: [String] = []
        var lines: [[String]] = [headers]
        for row in rows {
            var metric = row.metric
            if let note = row.note {
                notes.append(note)
                metric += " [\(notes.count)]"
            }
            lines.append([
                metric, number(row.ours), number(row.limit), ratio(row.oursOverLimit), number(row.peer),
                ratio(row.oursOverPeer),
            ])
        }
        let widths = headers.indices.map { column in lines.map { $0[column].count }.max() ?? 0 }
        var text = ""
        for (index, line) in lines.enumerated() {
            let cells = line.enumerated().map { column, cell in
                column == 0 ? pad(cell, to: widths[column], left: true) : pad(cell, to: widths[column], left: false)
            }
            text += cells.joined(separator: "  ") + "\n"
            if index == 0 {
                text += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
            }
        }
        for (index, note) in notes.enumerated() {
            text += "[\(index + 1)] \(note)\n"
        }
        var sources: [String] = []
        for row in rows where row.peer != nil {
            if let source = row.peerSource, !sources.contains(source) { sources.append(source) }
        }
        text += sources.isEmpty ? "peers: not measured in this run\n" : "peers: \(sources.joined(separator: "; "))\n"
        return text
    }

    /// A figure with as many decimals as its size deserves: 2,563,000 / 224 / 3.7 / 0.53.
    static func number(_ value: Double?) -> String {
        guard let value = value.finite else { return "—" }
        let magnitude = abs(value)
        if magnitude >= 1000 { return grouped(Int(value.rounded())) }
        if magnitude >= 100 { return String(Int(value.rounded())) }
        if magnitude >= 10 { return fixed(value, decimals: 1) }
        return fixed(value, decimals: 2)
    }

    /// A ratio with two significant digits below 1 (0.53×, 0.0041×) and two decimals above (1.07×, 146×).
    static func ratio(_ value: Double?) -> String {
        guard let value = value.finite, value >= 0 else { return "—" }
        if value >= 100 { return fixed(value, decimals: 0) + "×" }
        var decimals = 2
        var threshold = 0.1
        while value > 0 && value < threshold && decimals < 6 {
            decimals += 1
            threshold /= 10
        }
        return fixed(value, decimals: decimals) + "×"
    }

    static func fixed(_ value: Double, decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int((abs(value) * scale).rounded())
        let whole = scaled / Int(scale)
        var text = (value < 0 && scaled != 0 ? "-" : "") + String(whole)
        if decimals > 0 {
            let fraction = String(scaled % Int(scale))
            text += "." + String(repeating: "0", count: decimals - fraction.count) + fraction
        }
        return text
    }

    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }

    private static func pad(_ text: String, to width: Int, left: Bool) -> String {
        let padding = String(repeating: " ", count: max(width - text.count, 0))
        return left ? text + padding : padding + text
    }
}
