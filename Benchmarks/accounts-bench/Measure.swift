import CBaselines

/// Timing helpers shared by the benchmarks; every figure comes from CLOCK_MONOTONIC, the clock the C limits use.
enum Measure {
    /// Now, in nanoseconds.
    static func now() -> UInt64 {
        c_baseline_monotonic_ns()
    }

    /// Seconds since `start`.
    static func seconds(since start: UInt64) -> Double {
        Double(now() - start) / 1e9
    }

    /// The median of `values` (the mean of the middle two for an even count).
    static func median(_ values: [Double]) -> Double {
        precondition(!values.isEmpty, "median of nothing")
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The value at fraction `p` of sorted `values`: sorted[round(p·(n−1))], as the peer scripts compute it.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        precondition(!sorted.isEmpty, "percentile of nothing")
        return sorted[Int((p * Double(sorted.count - 1)).rounded())]
    }

    /// One contender of a throughput comparison: runs an operation `iterations` times and returns the nanoseconds the
    /// loop took (a C limit times its own loop; Swift bodies time theirs with `now()`).
    struct Contender {
        var name: String
        var run: (Int) throws -> UInt64
    }

    /// Operations per second of each contender: calibrated so a round lasts about `roundSeconds`, then `rounds`
    /// rounds run interleaved (contender A, B, … then again), so that drift and the other core's load hit all alike;
    /// each result is the median round.
    static func interleavedRates(
        _ contenders: [Contender], rounds: Int = 5, roundSeconds: Double = 0.15
    ) throws -> [Double] {
        var iterations: [Int] = []
        for contender in contenders {
            var count = 64
            while true {
                let elapsed = Double(try contender.run(count)) / 1e9
                if elapsed >= 0.02 || count >= 1 << 30 {
                    iterations.append(max(Int(Double(count) * roundSeconds / max(elapsed, 1e-9)), 1))
                    break
                }
                count *= 4
            }
        }
        var rates = Array(repeating: [Double](), count: contenders.count)
        for _ in 0..<rounds {
            for (index, contender) in contenders.enumerated() {
                let elapsed = Double(try contender.run(iterations[index])) / 1e9
                rates[index].append(Double(iterations[index]) / elapsed)
            }
        }
        return rates.map(median)
    }

    /// Medians, in milliseconds, of `rounds` interleaved timings of each body (after one untimed warm-up each).
    static func interleavedMilliseconds(rounds: Int, _ bodies: [() throws -> Void]) throws -> [Double] {
        for body in bodies { try body() }
        var times = Array(repeating: [Double](), count: bodies.count)
        for _ in 0..<rounds {
            for (index, body) in bodies.enumerated() {
                let start = now()
                try body()
                times[index].append(Double(now() - start) / 1e6)
            }
        }
        return times.map(median)
    }
}

/// Keeps a value alive so the optimizer cannot drop the work that produced it.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}
