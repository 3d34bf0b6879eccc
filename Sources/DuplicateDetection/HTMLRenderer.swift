import AccountModel
import Foundation

/// One self-contained page (inline CSS and SVG, no scripts, nothing fetched): a summary, counts by reason, a score
/// histogram, and each cluster's accounts side by side with the matching fields highlighted. Every value is
/// HTML-escaped.
enum HTMLRenderer {
    static func render(_ report: DuplicateReport) -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Duplicate accounts</title>
            <style>
            body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #222; }
            h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; } h3 { font-size: 1rem; margin: 0; }
            table { border-collapse: collapse; margin: .5rem 0; }
            th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
            th { background: #f3f3f3; }
            td.hit { background: #ffe58a; font-weight: 600; }
            td.none { color: #999; }
            section.cluster { border: 1px solid #ddd; border-radius: 6px; padding: .75rem; margin: 1rem 0; }
            .score { font-variant-numeric: tabular-nums; }
            .notes li { color: #8a4b00; }
            .key { display: inline-block; background: #ffe58a; padding: 0 .3rem; }
            code { font-size: 12px; }
            </style>
            </head>
            <body>
            <h1>Duplicate accounts</h1>

            """
        let clusterWord = report.clusters.count == 1 ? "cluster" : "clusters"
        let accountsInClusters = report.clusters.reduce(0) { $0 + $1.members.count }
        html += "<p>Generated \(escape(ReportRenderer.timestamp(report.generatedAt))). "
        html += "\(report.accountsScanned) accounts scanned; \(report.clusters.count) \(clusterWord) "
        html += "holding \(accountsInClusters) accounts at minimum score "
        html += "\(escape(ReportRenderer.minimumText(report.minimumScore))). "
        html += "<span class=\"key\">Highlighted</span> fields matched another account of the cluster.</p>\n"
        let notes = report.statistics.notes
        if !notes.isEmpty {
            // As on stderr and in the table: a direction override in a block's description (an address, a name) would
            // turn the rest of the line around, the block's size and the next blocks. (A cell keeps its value as it
            // is: it is a paragraph of its own, which an override cannot reach out of.)
            html +=
                "<ul class=\"notes\">\n"
                + notes.map { "<li>\(escape(ReportRenderer.terminalText($0)))</li>\n" }.joined() + "</ul>\n"
        }

        html += "<h2>Clusters by reason</h2>\n"
        html += reasonTable(report)
        html += "<h2>Cluster scores</h2>\n"
        html += histogram(report)
        html += "<h2>Clusters</h2>\n"
        for cluster in report.clusters { html += section(cluster) }
        html += "</body>\n</html>\n"
        return html
    }

    private static func reasonTable(_ report: DuplicateReport) -> String {
        var counts: [String: Int] = [:]
        for cluster in report.clusters {
            for reason in Set(cluster.reasons) { counts[reason, default: 0] += 1 }
        }
        guard !counts.isEmpty else { return "<p>No clusters.</p>\n" }
        var html = "<table>\n<tr><th>Reason</th><th>Clusters</th></tr>\n"
        for (reason, count) in counts.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
            html += "<tr><td>\(escape(reason))</td><td class=\"score\">\(count)</td></tr>\n"
        }
        return html + "</table>\n"
    }

    /// Bars of width 0.05 from the minimum score (rounded down) to 1.
    private static func histogram(_ report: DuplicateReport) -> String {
        let binWidth = 0.05
        // As the clusters' bins below: 0.7 / 0.05 is 13.999…, and 0.7 belongs to the bar that starts at 0.70.
        // (a hand-made report's scores may lie outside [0, 1] or be no number: they go to the nearest bar)
        let bar = { (score: Double) in Int((min(max(score.isNaN ? 0 : score, 0), 1) / binWidth + 1e-9).rounded(.down)) }
        let firstBin = bar(report.minimumScore)
        let binCount = max(1, 20 - firstBin + 1)
        var bins = Array(repeating: 0, count: binCount)
        for cluster in report.clusters {
            let bin = min(binCount - 1, max(0, bar(cluster.score) - firstBin))
            bins[bin] += 1
        }
        let highest = max(1, bins.max() ?? 1)
        let barWidth = 28
        let gap = 6
        let plotHeight = 140
        let width = binCount * (barWidth + gap) + gap
        let height = plotHeight + 50
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" role=\"img\" "
            + "aria-label=\"Histogram of cluster scores\">\n"
        svg += "<line x1=\"0\" y1=\"\(plotHeight + 20)\" x2=\"\(width)\" y2=\"\(plotHeight + 20)\" stroke=\"#999\"/>\n"
        for (index, count) in bins.enumerated() {
            let x = gap + index * (barWidth + gap)
            let barHeight = count == 0 ? 0 : max(2, count * plotHeight / highest)
            let y = plotHeight + 20 - barHeight
            let low = Double(firstBin + index) * binWidth
            let label = index == binCount - 1 && firstBin + index >= 20 ? "1.0" : String(format: "%.2f", low)
            svg += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(barWidth)\" height=\"\(barHeight)\" fill=\"#4a7bd0\">"
            svg += "<title>\(escape(label)): \(count)</title></rect>\n"
            if count > 0 {
                svg += "<text x=\"\(x + barWidth / 2)\" y=\"\(y - 4)\" font-size=\"10\" text-anchor=\"middle\">"
                svg += "\(count)</text>\n"
            }
            svg += "<text x=\"\(x + barWidth / 2)\" y=\"\(plotHeight + 34)\" font-size=\"9\" text-anchor=\"middle\">"
            svg += "\(escape(label))</text>\n"
        }
        svg += "</svg>\n"
        return svg
    }

    private static func section(_ cluster: DuplicateCluster) -> String {
        var html = "<section class=\"cluster\" id=\"\(escape(cluster.id))\">\n"
        html += "<h3><code>\(escape(cluster.id))</code> &middot; score "
        html += "<span class=\"score\">\(escape(ReportRenderer.scoreText(cluster.score)))</span> &middot; "
        html += "\(cluster.members.count) accounts</h3>\n<ul>\n"
        html += cluster.reasons.map { "<li>\(escape($0))</li>\n" }.joined()
        html += "</ul>\n<table>\n<tr><th></th>"
        html += cluster.members.map { "<th>\(escape($0.account.username))</th>" }.joined()
        html += "</tr>\n"
        for field in ReportField.allCases {
            html += "<tr><th>\(escape(field.rawValue))</th>"
            for member in cluster.members {
                if let value = ReportRenderer.value(field, of: member) {
                    let hit = member.matchedFields.contains(field) ? " class=\"hit\"" : ""
                    html += "<td\(hit)>\(escape(value))</td>"
                } else {
                    html += "<td class=\"none\">&mdash;</td>"
                }
            }
            html += "</tr>\n"
            if field == .twitterScreenName {
                // Beside the screen name, the id of the Twitter account that had it when the report was made: a
                // screen name given up by one Twitter account is taken by another. (Never highlighted: not compared.)
                html += "<tr><th>twitter_id</th>"
                html += cluster.members.map { member in
                    member.account.twitterUserID.map { "<td><code>\($0)</code></td>" }
                        ?? "<td class=\"none\">&mdash;</td>"
                }.joined()
                html += "</tr>\n"
            }
        }
        html += "<tr><th>id</th>"
        html += cluster.members.map { "<td><code>\(escape($0.account.id.rawValue))</code></td>" }.joined()
        html += "</tr>\n</table>\n</section>\n"
        return html
    }

    /// `text` safe in HTML element content and quoted attribute values.
    static func escape(_ text: String) -> String {
        HTMLText.escape(text)
    }
}
