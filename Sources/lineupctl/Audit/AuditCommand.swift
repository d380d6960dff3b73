import ArgumentParser

/// `lineupctl audit`: the audit log of every change made through the Admin service.
struct AuditCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audit",
    abstract: "Read the audit log.",
    subcommands: [AuditTailCommand.self]
  )
}
