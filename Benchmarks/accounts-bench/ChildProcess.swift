#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Runs this executable again with other arguments and reports how it ended and its peak resident set size.
enum ChildProcess {
    struct Outcome: Sendable {
        /// The exit status, or nil when a signal ended it.
        var exitStatus: Int32?
        /// ru_maxrss of the child from wait4, in MiB.
        var peakRSSMiB: Double
    }

    /// Spawns `executable` with `arguments` (standard output to /dev/null, standard error shared) and waits.
    static func run(_ executable: String, arguments: [String]) throws -> Outcome {
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw BenchError.childFailed("cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else {
                throw BenchError.childFailed("wait4: \(String(cString: strerror(errno)))")
            }
        }
        // WIFEXITED / WEXITSTATUS, which Swift does not import as functions.
        let exited = status & 0x7f == 0
        return Outcome(exitStatus: exited ? (status >> 8) & 0xff : nil, peakRSSMiB: Double(usage.ru_maxrss) / 1024)
    }
}
