import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import LineupLoadKit
import LineupWire
import SwiftProtobuf
import Synchronization

/// Turns a scenario into concrete requests and sends them: request `index` always picks the
/// same RPC, user, country and shape for a given seed (so runs are reproducible), and every
/// answer becomes a `RequestOutcome` with its status and provenance.
final class LineupTraffic: Sendable {
  let scenario: Scenario
  let seed: UInt64
  /// Clients to spread requests over, round robin (one HTTP/2 connection each).
  let clients: [GRPCClient<HTTP2ClientTransport.Posix>]
  /// Per-call deadline sent as grpc-timeout.
  let timeout: Duration
  /// Overrides the scenario's mix (the baseline run sends only health checks).
  let onlyRPC: String?
  private let users: ZipfSampler
  private let weights: [(rpc: String, cumulative: Double)]
  /// Makes event ids unique per run, so a second run is not all duplicates.
  private let runID = String(UInt64.random(in: 0...UInt64.max), radix: 36)
  private let eventCounter = Atomic<Int>(0)

  init(scenario: Scenario, seed: UInt64, clients: [GRPCClient<HTTP2ClientTransport.Posix>], timeout: Duration, onlyRPC: String? = nil) {
    self.scenario = scenario
    self.seed = seed
    self.clients = clients
    self.timeout = timeout
    self.onlyRPC = onlyRPC
    self.users = ZipfSampler(count: scenario.users.count, exponent: scenario.users.zipfExponent)
    var total = 0.0
    var weights: [(String, Double)] = []
    for (rpc, weight) in scenario.rpcs.sorted(by: { $0.key < $1.key }) where weight > 0 {
      total += weight
      weights.append((rpc, total))
    }
    self.weights = weights.map { ($0.0, $0.1 / total) }
  }

  /// Users with an index at or above this have no model candidates (cold).
  static func warmUsers(_ scenario: Scenario) -> Int {
    Int((Double(scenario.users.count) * (1 - scenario.users.coldShare)).rounded(.down))
  }

  static func userID(_ index: Int) -> String { "load-user-\(index)" }

  /// Sends request `index`.
  func send(_ index: Int) async -> RequestOutcome {
    var random = SeededRandom(seed: seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
    let picked = onlyRPC ?? pick(random.unit())
    let rpc = ["health", "trending", "ingest"].contains(picked) ? picked : "recs"
    let client = clients[index % clients.count]
    var options = CallOptions.defaults
    options.timeout = timeout
    let user = users.sample(random.unit())
    let country = scenario.countries[user % scenario.countries.count]
    do {
      switch rpc {
      case "health":
        _ = try await Grpc_Health_V1_Health.Client(wrapping: client).check(.with { $0.service = "" }, options: options)
        return RequestOutcome(rpc: rpc, status: "OK")
      case "trending":
        let response = try await Lineup_V1_Recommender.Client(wrapping: client).getTrending(
          .with { $0.context.country = country; $0.limit = Int32(scenario.limit) }, options: options)
        return outcome(rpc, response.provenance)
      case "ingest":
        let batch = (0..<scenario.ingestBatchSize).map { _ in event(&random) }
        let response = try await Lineup_V1_Recommender.Client(wrapping: client).recordInteractions(.with { $0.events = batch }, options: options)
        return RequestOutcome(rpc: rpc, status: "OK", units: Int(response.accepted + response.duplicates))
      default:
        let shape = Int(random.next() % UInt64(scenario.shapesPerUser))
        let response = try await Lineup_V1_Recommender.Client(wrapping: client).getRecommendations(
          .with {
            $0.userID = Self.userID(user)
            $0.context.country = country
            $0.context.platform = .android
            $0.limit = Int32(scenario.limit)
            // Each shape is its own response-cache entry (the excluded ids are in the key).
            if shape > 0 { $0.excludeItemIds = ["shape-\(shape)"] }
          }, options: options)
        return outcome(rpc, response.provenance)
      }
    } catch let error as RPCError {
      return RequestOutcome(rpc: rpc, status: "\(error.code)")
    } catch {
      return RequestOutcome(rpc: rpc, status: "client-error")
    }
  }

  private func pick(_ unit: Double) -> String {
    weights.first { unit < $0.cumulative }?.rpc ?? weights.last?.rpc ?? "recs"
  }

  private func outcome(_ rpc: String, _ provenance: Lineup_V1_Provenance) -> RequestOutcome {
    let source: String = switch provenance.source {
    case .model: "MODEL"
    case .cache: "CACHE"
    case .fallback: "FALLBACK"
    default: "UNSPECIFIED"
    }
    return RequestOutcome(rpc: rpc, status: "OK", source: source, cacheHit: provenance.cacheHit)
  }

  private func event(_ random: inout SeededRandom) -> Lineup_V1_InteractionEvent {
    let user = users.sample(random.unit())
    let number = eventCounter.wrappingAdd(1, ordering: .relaxed).newValue
    let types: [Lineup_V1_InteractionType] = [.view, .view, .view, .like, .gift, .joinLive, .follow, .purchase]
    return .with {
      $0.eventID = "\(runID)-\(number)"
      $0.userID = Self.userID(user)
      $0.itemID = String(format: "it-%05d", Int(random.next() % UInt64(scenario.catalogItems)))
      $0.type = types[Int(random.next() % UInt64(types.count))]
      $0.timestamp = Google_Protobuf_Timestamp(date: Date())
      $0.context.country = scenario.countries[user % scenario.countries.count]
      $0.watchSeconds = Double(random.next() % 120)
    }
  }
}
