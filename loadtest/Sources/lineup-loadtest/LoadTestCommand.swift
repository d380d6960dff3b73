import ArgumentParser

/// `lineup-loadtest`: the load-test harness. The gRPC driver is the default subcommand, so
/// `lineup-loadtest --rpc recs …` keeps working unchanged; `lineup-loadtest redis` compares
/// LineupRedis with `redis-benchmark` against one redis-server.
@main
struct LoadTestCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lineup-loadtest",
    abstract: "Load-test a Lineup server (grpc, the default) or the LineupRedis client (redis).",
    subcommands: [GRPCLoadCommand.self, RedisBenchCommand.self],
    defaultSubcommand: GRPCLoadCommand.self
  )
}
