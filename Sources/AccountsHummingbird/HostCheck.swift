public import Hummingbird

extension AccountRoutes {
    /// A middleware that holds the routes of the router added after it, the app's own among them, to
    /// ``Configuration/allowedHosts``, as the routes hold their own: a request whose `Host` names another host gets
    /// 421 Misdirected Request and nothing else (one without a valid `Host`, 400). With `allowedHosts` `nil` it lets
    /// every request through. Add it before any route: Hummingbird applies a router's middleware only to the routes
    /// added after it.
    ///
    /// The routes check their own requests whether or not it is added; without it, the app's routes answer a page of
    /// another site whose name its owner points at the app's address (DNS rebinding) as their own origin:
    ///
    /// ```swift
    /// router.add(middleware: routes.hostCheck())   // the app's routes answer only under allowedHosts too
    /// ```
    public func hostCheck<Context: RequestContext>() -> HostCheck<Context> {
        HostCheck(routes: self)
    }
}

/// The middleware of ``AccountRoutes/hostCheck()``: 421 Misdirected Request for a `Host` that is not among the
/// routes' ``AccountRoutes/Configuration/allowedHosts``.
public struct HostCheck<Context: RequestContext>: RouterMiddleware {
    let routes: AccountRoutes

    /// Answers 421 (or 400) when `request`'s `Host` is not allowed; otherwise passes it on.
    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard routes.configuration.allowedHosts != nil else { return try await next(request, context) }
        do {
            _ = try routes.origin(of: request)
        } catch let refusal as Refusal {
            return refusal.response
        }
        return try await next(request, context)
    }
}
