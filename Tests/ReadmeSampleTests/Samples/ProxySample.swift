import AccountsHummingbird

/// README "Mounting the routes": behind a proxy.
func proxySample() throws -> AccountRoutes.Configuration {
    var web = AccountRoutes.Configuration()
    web.clientAddressHeader = "X-Forwarded-For"
    // or = AccountRoutes.AddressRange.loopbackAndPrivate
    web.trustedProxies = [try AccountRoutes.AddressRange("10.1.0.0/16")]
    return web
}
