import LineupLoadKit
import Foundation
import Histogram
import LineupRedis

/// One client's figures for one measured phase. Latencies are per GET, in microseconds.
struct ClientSample: Sendable {
  var requests: Int
  /// Failed calls or replies that were not the seeded value (LineupRedis only; redis-benchmark
  /// does not check replies, which is why the server's hit counter is shown beside it).
  var errors: Int
  var elapsedSeconds: Double
  var rps: Double
  var meanMicros: Double
  var p50Micros: Double
  var p90Micros: Double
  var p99Micros: Double
  var maxMicros: Double
  /// CPU and context switches of the client process in the phase (all threads).
  var client: ProcessUsage
  /// What the server counted meanwhile; nil until `ServerStats.measure` fills it in.
  var server: ServerDelta? = nil

  init(
    requests: Int, errors: Int, elapsedSeconds: Double, rps: Double, meanMicros: Double, p50Micros: Double,
    p90Micros: Double, p99Micros: Double, maxMicros: Double, client: ProcessUsage
  ) {
    self.requests = requests
    self.errors = errors
    self.elapsedSeconds = elapsedSeconds
    self.rps = rps
    self.meanMicros = meanMicros
    self.p50Micros = p50Micros
    self.p90Micros = p90Micros
    self.p99Micros = p99Micros
    self.maxMicros = maxMicros
    self.client = client
  }

  /// From an HdrHistogram of per-GET latencies in nanoseconds.
  init(histogram: Histogram<UInt64>, errors: Int, elapsedSeconds: Double, client: ProcessUsage) {
    let count = Int(histogram.totalCount)
    self.init(
      requests: count, errors: errors, elapsedSeconds: elapsedSeconds, rps: Double(count) / elapsedSeconds,
      meanMicros: histogram.mean / 1000, p50Micros: Double(histogram.valueAtPercentile(50)) / 1000,
      p90Micros: Double(histogram.valueAtPercentile(90)) / 1000,
      p99Micros: Double(histogram.valueAtPercentile(99)) / 1000, maxMicros: Double(histogram.max) / 1000,
      client: client)
  }

  var clientCPUMicrosPerGET: Double { client.cpuSeconds * 1e6 / Double(max(requests, 1)) }
  var contextSwitchesPerGET: Double { Double(client.contextSwitches) / Double(max(requests, 1)) }
}

/// The server's own counters over one phase (from INFO): proof that both clients made it do
/// the same work (every GET a hit on the seeded key) and what that work cost it.
struct ServerDelta: Sendable {
  var hits: Int
  var misses: Int
  var cpuSeconds: Double
}

/// Reads INFO on a control connection around a phase.
struct ServerStats: Sendable {
  let connection: RedisConnection

  func measure(_ phase: () async throws -> ClientSample) async throws -> ClientSample {
    let before = try await snapshot()
    var sample = try await phase()
    let after = try await snapshot()
    sample.server = ServerDelta(
      hits: after.hits - before.hits, misses: after.misses - before.misses,
      cpuSeconds: after.cpuSeconds - before.cpuSeconds)
    return sample
  }

  private func snapshot() async throws -> ServerDelta {
    let info = try await connection.send(RedisCommand("INFO"), deadline: .now + .seconds(5)).string ?? ""
    var fields: [Substring: Substring] = [:]
    for line in info.split(whereSeparator: \.isNewline) {
      guard let colon = line.firstIndex(of: ":") else { continue }
      fields[line[..<colon]] = line[line.index(after: colon)...]
    }
    func number(_ name: Substring) -> Double { fields[name].flatMap { Double($0) } ?? 0 }
    return ServerDelta(
      hits: Int(number("keyspace_hits")), misses: Int(number("keyspace_misses")),
      cpuSeconds: number("used_cpu_user") + number("used_cpu_sys"))
  }
}

/// Both clients' figures for one round.
struct RedisBenchRound: Sendable {
  var throughput: (reference: ClientSample, lineup: ClientSample)
  var latency: (reference: ClientSample, lineup: ClientSample)

  /// LineupRedis GET/s ÷ redis-benchmark GET/s (higher is better; target ≥ 0.70).
  var throughputRatio: Double { throughput.lineup.rps / throughput.reference.rps }
  /// LineupRedis p50 ÷ redis-benchmark p50, one connection (lower is better; target ≤ 1.3).
  var latencyRatio: Double { latency.lineup.p50Micros / latency.reference.p50Micros }

  func table(round: Int, of rounds: Int, lineupFirst: Bool) -> String {
    let header = [
      pad("", -28), pad("GET/s", 10), pad("mean us", 9), pad("p50 us", 9), pad("p90 us", 9), pad("p99 us", 9),
      pad("max us", 9),
      pad("client CPU us/GET", 18), pad("client ctx sw/GET", 18), pad("server CPU us/GET", 18), pad("hits/misses", 16),
      pad("errors", 7),
    ].joined(separator: " ")
    var lines = ["round \(round)/\(rounds) (\(lineupFirst ? "LineupRedis" : "redis-benchmark") first)", header]
    func row(_ name: String, _ sample: ClientSample) -> String {
      let server = sample.server
      return [
        pad(name, -28), pad(String(format: "%.0f", sample.rps), 10), pad(String(format: "%.1f", sample.meanMicros), 9),
        pad(String(format: "%.1f", sample.p50Micros), 9), pad(String(format: "%.1f", sample.p90Micros), 9),
        pad(String(format: "%.1f", sample.p99Micros), 9),
        pad(String(format: "%.0f", sample.maxMicros), 9), pad(String(format: "%.2f", sample.clientCPUMicrosPerGET), 18),
        pad(String(format: "%.3f", sample.contextSwitchesPerGET), 18),
        pad(server.map { String(format: "%.2f", $0.cpuSeconds * 1e6 / Double(max(sample.requests, 1))) } ?? "-", 18),
        pad(server.map { "\($0.hits)/\($0.misses)" } ?? "-", 16), pad(String(sample.errors), 7),
      ].joined(separator: " ")
    }
    lines.append(row("throughput redis-benchmark", throughput.reference))
    lines.append(row("throughput LineupRedis", throughput.lineup))
    lines.append(row("latency redis-benchmark", latency.reference))
    lines.append(row("latency LineupRedis", latency.lineup))
    lines.append(
      String(
        format: "LineupRedis / redis-benchmark: throughput %.2fx; single connection p50 %.2fx (mean %.2fx, p99 %.2fx)",
        throughputRatio, latencyRatio, latency.lineup.meanMicros / latency.reference.meanMicros,
        latency.lineup.p99Micros / latency.reference.p99Micros))
    return lines.joined(separator: "\n")
  }
}

/// PASS when the median ratios over the rounds meet both targets and every reply was right.
struct RedisBenchVerdict: Sendable {
  let rounds: [RedisBenchRound]
  let minThroughputRatio: Double
  let maxLatencyRatio: Double
  let executor: CallerExecutor

  var throughputRatio: Double { median(rounds.map(\.throughputRatio)) }
  var latencyRatio: Double { median(rounds.map(\.latencyRatio)) }
  var errors: Int { rounds.reduce(0) { $0 + $1.throughput.lineup.errors + $1.latency.lineup.errors } }
  /// GETs the server did not answer from the seeded key: then the clients did not do the same work.
  var misses: Int {
    rounds.reduce(0) { total, round in
      total
        + [round.throughput.reference, round.throughput.lineup, round.latency.reference, round.latency.lineup]
        .reduce(0) { $0 + ($1.server?.misses ?? 0) }
    }
  }
  /// Phases in which the server counted fewer hits than the client sent GETs.
  var shortPhases: Int {
    rounds.reduce(0) { total, round in
      total
        + [round.throughput.reference, round.throughput.lineup, round.latency.reference, round.latency.lineup]
        .filter { sample in sample.server.map { $0.hits < sample.requests } ?? false }.count
    }
  }
  var throughputPassed: Bool { throughputRatio >= minThroughputRatio }
  var latencyPassed: Bool { latencyRatio <= maxLatencyRatio }
  var passed: Bool { throughputPassed && latencyPassed && errors == 0 && misses == 0 && shortPhases == 0 }

  var summary: String {
    var lines = ["summary (GET/s; single-connection p50 in us)"]
    for (index, round) in rounds.enumerated() {
      lines.append(
        String(
          format: "  round %d: throughput %.0f vs %.0f = %.2fx; p50 %.1f vs %.1f = %.2fx", index + 1,
          round.throughput.lineup.rps, round.throughput.reference.rps, round.throughputRatio,
          round.latency.lineup.p50Micros, round.latency.reference.p50Micros, round.latencyRatio))
    }
    lines += [
      String(
        format: "throughput: LineupRedis %.2fx redis-benchmark (target >= %.2fx) %@", throughputRatio,
        minThroughputRatio,
        throughputPassed ? "PASS" : "FAIL"),
      String(
        format: "latency:    LineupRedis p50 %.2fx redis-benchmark (target <= %.2fx) %@", latencyRatio, maxLatencyRatio,
        latencyPassed ? "PASS" : "FAIL"),
    ]
    if rounds.count > 1 {
      lines[lines.count - 2] += " (median of \(rounds.count) rounds)"
      lines[lines.count - 1] += " (median of \(rounds.count) rounds)"
    }
    let switches = (
      lineup: median(rounds.map(\.latency.lineup.contextSwitchesPerGET)),
      reference: median(rounds.map(\.latency.reference.contextSwitchesPerGET))
    )
    if executor == .global && switches.lineup > switches.reference + 1 {
      lines.append(
        String(
          format: """
            note: a LineupRedis round trip cost %.1f context switches, redis-benchmark's %.1f: a caller on Swift's \
            global executor hands each call to the connection's event loop and the reply back; \
            --executor nio measures the client without those hand-offs
            """, switches.lineup, switches.reference))
    }
    if errors > 0 { lines.append("FAIL: \(errors) LineupRedis GETs failed or returned a wrong value") }
    if shortPhases > 0 {
      lines.append("FAIL: in \(shortPhases) phase(s) the server counted fewer GETs than the client reported")
    }
    if misses > 0 { lines.append("FAIL: the server counted \(misses) misses; the clients did not read the same key") }
    lines.append(passed ? "PASS" : "FAIL")
    return lines.joined(separator: "\n")
  }
}

private func median(_ values: [Double]) -> Double {
  let sorted = values.sorted()
  guard !sorted.isEmpty else { return .nan }
  return sorted.count % 2 == 1
    ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// Pads to `width` columns: negative widths left-align (String(format:) does not pad %@ on Linux).
private func pad(_ text: String, _ width: Int) -> String {
  let padding = String(repeating: " ", count: max(0, abs(width) - text.count))
  return width < 0 ? text + padding : padding + text
}
