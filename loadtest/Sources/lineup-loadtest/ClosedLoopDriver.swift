import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Histogram
import LineupWire
import SwiftProtobuf

/// Sends `requests` RPCs keeping `concurrency` in flight, recording each latency in an
/// HdrHistogram (microseconds, 3 significant digits). Closed loop: a slow server lowers the
/// send rate, so this measures capacity, not latency under a fixed arrival rate.
struct ClosedLoopDriver: Sendable {
  let client: GRPCClient<HTTP2ClientTransport.Posix>
  let concurrency: Int

  static let countries = ["US", "BR", "MX", "IN", "ID", "JP", "KR", "DE", "FR", "GB"]

  func run(_ rpc: DrivenRPC, requests: Int) async throws -> RunReport {
    let recommender = Lineup_V1_Recommender.Client(wrapping: client)
    let health = Grpc_Health_V1_Health.Client(wrapping: client)
    let clock = ContinuousClock()
    let start = clock.now
    let perWorker = (0..<concurrency).map { requests / concurrency + ($0 < requests % concurrency ? 1 : 0) }

    let results = try await withThrowingTaskGroup(of: (Histogram<UInt64>, Int).self) { group in
      for (worker, count) in perWorker.enumerated() {
        group.addTask {
          var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
          var errors = 0
          for i in 0..<count {
            let sent = clock.now
            do {
              switch rpc {
              case .health:
                _ = try await health.check(.with { $0.service = "" })
              case .recs:
                _ = try await recommender.getRecommendations(.with {
                  $0.userID = "load-user-\(worker)-\(i % 500)"
                  $0.context.country = Self.countries[(worker + i) % Self.countries.count]
                  $0.limit = 20
                })
              case .trending:
                _ = try await recommender.getTrending(.with {
                  $0.context.country = Self.countries[(worker + i) % Self.countries.count]
                  $0.limit = 20
                })
              }
            } catch {
              errors += 1
            }
            histogram.record(UInt64((clock.now - sent).microseconds))
          }
          return (histogram, errors)
        }
      }
      var merged = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
      var errors = 0
      for try await (histogram, workerErrors) in group {
        merged.add(histogram)
        errors += workerErrors
      }
      return (merged, errors)
    }
    let elapsed = (clock.now - start).seconds
    return RunReport(rpc: rpc, histogram: results.0, errors: results.1, elapsedSeconds: elapsed, concurrency: concurrency)
  }
}

extension Duration {
  var microseconds: Int64 { components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000 }
  var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
