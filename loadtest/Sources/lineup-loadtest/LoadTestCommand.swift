import ArgumentParser

/// `lineup-loadtest`: the load-test harness. `run` (the default) drives scenarios against a
/// Lineup server with budgets, a same-run baseline and fault injection; `redis` compares the
/// LineupRedis client with `redis-benchmark`; `bench` runs the standard set and writes
/// docs/benchmarks.md; `pipeline` times the ranking pipeline alone.
@main
struct LoadTestCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lineup-loadtest",
    abstract: "Load-test a Lineup server (run, the default), the Redis client (redis), or the standard set (bench).",
    subcommands: [RunCommand.self, RedisBenchCommand.self, BenchCommand.self, PipelineBenchCommand.self],
    defaultSubcommand: RunCommand.self
  )
}
