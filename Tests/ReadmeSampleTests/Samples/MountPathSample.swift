import AccountsHummingbird
import Hummingbird

extension MountPathSample {
    /// README "Mounting the routes": the routes under a path of the app.
    func run() {
        var web = AccountRoutes.Configuration()
        web.mountPath = "/accounts"  // /accounts/login, /accounts/account, /accounts/ for the home page
        let routes = AccountRoutes(store: store, registration: registration, local: local, configuration: web)
        routes.addRoutes(to: router)
        router.get("/.well-known/change-password") { _, _ in
            Response(status: .seeOther, headers: [.location: "/accounts/account"])
        }
    }
}
