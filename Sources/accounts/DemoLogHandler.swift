import Logging
import Registration
import TwitterOAuth

/// The demo's log handler: hands every event to `base`, with a Twitter error in its metadata told in the demo's terms
/// (``TwitterError/commandLineDescription(from:)``: the `--twitter-api-base` URL, the seconds the demo allows) rather
/// than as the library's advice to an app's developer (`TwitterClient`'s `baseURL:` and `timeout:`), which the person
/// running `accounts demo` has no way to follow.
struct DemoLogHandler: LogHandler {
    /// The handler that writes the events (standard error).
    var base: any LogHandler
    /// The client whose errors these are.
    let twitter: TwitterClient

    var logLevel: Logger.Level {
        get { base.logLevel }
        set { base.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { base.metadata }
        set { base.metadata = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { base.metadataProvider }
        set { base.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { base[metadataKey: key] }
        set { base[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        event.metadata = event.metadata?.mapValues(said)
        base.log(event: event)
    }

    /// `value`, or the demo's sentence when it is a Twitter error (logged as itself, `.stringConvertible`).
    private func said(_ value: Logger.MetadataValue) -> Logger.MetadataValue {
        guard case .stringConvertible(let logged) = value else { return value }
        switch logged {
        case let error as TwitterError:
            return .string(error.commandLineDescription(from: twitter))
        case RegistrationError.twitter(let error) as RegistrationError:
            return .string("Twitter: " + error.commandLineDescription(from: twitter))
        default:
            return value
        }
    }
}
