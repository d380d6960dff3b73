import ArgumentParser
import Foundation

/// `lineupctl`: the operators' CLI for Lineup. Steers flags and circuit breakers, reads the
/// audit log, reloads fallback data and erases users through the Admin service, and asks the
/// public Recommender and health services what a user would be served.
///
/// Exit codes: 0 success; 1 a call failed, the server rejected input, or `health` is not
/// SERVING; 2 the command line is wrong (ArgumentParser's own 64 is mapped to 2 in `main`).
@main
struct Lineupctl: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lineupctl",
    abstract: "Operate a Lineup server: flags, breakers, audit log, fallback data, user erasure, and what a user is served.",
    discussion: """
      Every subcommand takes --target host:port (env LINEUP_TARGET, default \(GlobalOptions.defaultTarget)), \
      --token / --token-file (env LINEUP_ADMIN_TOKEN / LINEUP_ADMIN_TOKEN_FILE; sent as \
      "authorization: Bearer <token>" on Admin calls only), --timeout-ms (default 5000) and --json \
      (print the response message as proto3 JSON). Commands that change something require --reason.

      Exit codes: 0 success; 1 a call failed, input was rejected, or health is not SERVING; \
      2 bad usage.
      """,
    subcommands: [
      FlagsCommand.self,
      BreakersCommand.self,
      AuditCommand.self,
      HealthCommand.self,
      RecsCommand.self,
      ExplainCommand.self,
      PriceCommand.self,
      ImportCommand.self,
      FallbackCommand.self,
      ForgetCommand.self,
    ]
  )

  /// ArgumentParser's own `main`, with lineupctl's exit codes: usage errors exit 2 (not 64),
  /// a `LineupctlError` prints one `lineupctl: …` line and exits 1.
  static func main() async {
    var command: any ParsableCommand
    do {
      command = try parseAsRoot()
    } catch {
      if exitCode(for: error) == .validationFailure {
        printError(fullMessage(for: error))
        Foundation.exit(2)
      }
      exit(withError: error)  // --help and friends: printed to stdout, exit 0
    }
    do {
      if var asyncCommand = command as? any AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch let error as LineupctlError {
      printError("lineupctl: \(error.message)")
      Foundation.exit(error.exitCode)
    } catch let error as ValidationError {
      // Raised in run() once the environment or a file has been read (e.g. --token-file).
      printError("lineupctl: \(error.message)")
      Foundation.exit(2)
    } catch {
      if exitCode(for: error) == .validationFailure {
        printError(fullMessage(for: error))
        Foundation.exit(2)
      }
      exit(withError: error)  // ExitCode(n) exits n quietly; anything else prints and exits 1
    }
  }
}
