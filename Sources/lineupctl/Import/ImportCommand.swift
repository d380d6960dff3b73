import ArgumentParser

/// `lineupctl import`: bulk loads through the public ingestion RPCs.
struct ImportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Load data into Lineup.",
    subcommands: [ImportCatalogCommand.self]
  )
}
