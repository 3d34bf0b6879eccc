import AccountTransfer
import Dispatch
import Foundation
import Synchronization

/// The signal sources installed by ``removeUnfinishedOutputOnSignals()``, kept for the life of the process.
private let outputSignalSources = Mutex<[any DispatchSourceSignal]?>(nil)

/// Makes SIGINT, SIGTERM and SIGHUP remove the file an `--output` is being written to beside its final name before
/// they end the command (as they would have: by the same signal).
///
/// Without this, Ctrl-C during `accounts export --output FILE` left `.FILE.partial-…` behind, a hidden file holding
/// the accounts written so far (and their password hashes, with `--include-password-hashes`), one more on every
/// interrupted run. A signal the command was started ignoring (`nohup`, a background job's SIGINT) stays ignored.
/// Call it before the output file is opened; calling it again does nothing.
func removeUnfinishedOutputOnSignals() {
    outputSignalSources.withLock { installed in
        guard installed == nil else { return }
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM, SIGHUP] {
            // A signal source needs the signal ignored; it then runs the handler on a queue instead.
            let previous = signal(number, SIG_IGN)
            if unsafeBitCast(previous, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) { continue }
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                OutputFile.removeUnfinished()
                signal(number, SIG_DFL)
                // Dispatch may hold the signal blocked on every thread (Linux: it reads it through a signalfd), so a
                // kill() of the process would stay pending: unblock it on this thread and raise it here.
                var set = sigset_t()
                sigemptyset(&set)
                sigaddset(&set, number)
                pthread_sigmask(SIG_UNBLOCK, &set, nil)
                raise(number)
                // Should the signal still not end the process, end it as a shell reports a command a signal ended.
                usleep(500_000)
                _exit(128 + number)
            }
            source.resume()
            sources.append(source)
        }
        installed = sources
    }
}
