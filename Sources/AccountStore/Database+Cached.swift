import GRDB

extension Database {
    /// Executes one statement through the connection's statement cache: prepared the first time, reused after (the
    /// registration path runs the same six statements on every call).
    func run(sql: String, arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
