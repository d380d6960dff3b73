import ArgumentParser
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Histogram
import LineupWire

/// `lineup-loadtest grpc` (the default subcommand, so `lineup-loadtest --rpc recs …` works as
/// before): a closed-loop gRPC load driver with HdrHistogram percentiles.
///
/// This first slice drives a fixed number of requests at a fixed concurrency against one
/// RPC and, with `--baseline`, the grpc.health.v1 Check RPC on the same server in the same
/// run, so Lineup's own cost reads as a ratio rather than as a noisy absolute. The
/// open-loop scheduler, scenarios, budgets and fault injection come with the load-test issue.
struct GRPCLoadCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "grpc",
    abstract: "Drive a Lineup server and report latency percentiles (the default)."
  )

  @Option(help: "Server address host:port.")
  var target = "127.0.0.1:50051"

  @Option(help: "Requests to send (after warm-up).")
  var requests = 10_000

  @Option(help: "Requests in flight at once (closed loop).")
  var concurrency = 32

  @Option(help: "Warm-up requests, not recorded.")
  var warmup = 1_000

  @Option(help: "RPC to drive: recs, trending or health.")
  var rpc: DrivenRPC = .recs

  @Flag(help: "Also drive health Check with the same settings and print the ratio.")
  var baseline = false

  func run() async throws {
    let parts = target.split(separator: ":")
    guard parts.count == 2, let port = Int(parts[1]) else {
      throw ValidationError("--target must be host:port, got \(target)")
    }
    try await withGRPCClient(
      transport: .http2NIOPosix(
        target: .ipv4(address: String(parts[0]), port: port),
        transportSecurity: .plaintext
      )
    ) { client in
      let driver = ClosedLoopDriver(client: client, concurrency: concurrency)
      var reports: [RunReport] = []
      if baseline {
        _ = try await driver.run(.health, requests: warmup)
        reports.append(try await driver.run(.health, requests: requests))
      }
      _ = try await driver.run(rpc, requests: warmup)
      reports.append(try await driver.run(rpc, requests: requests))
      print(RunReport.table(reports))
      if baseline, let base = reports.first, let lineup = reports.last {
        print(String(
          format: "%@ / health: throughput %.2fx, p50 %.2fx, p99 %.2fx",
          rpc.rawValue, lineup.throughput / base.throughput,
          lineup.p50 / base.p50, lineup.p99 / base.p99
        ))
      }
      if reports.contains(where: { $0.errors > 0 }) { throw ExitCode(1) }
    }
  }
}

/// The RPCs the driver knows how to send.
enum DrivenRPC: String, ExpressibleByArgument, CaseIterable, Sendable {
  case recs, trending, health
}
