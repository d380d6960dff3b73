import ArgumentParser
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import LineupLoadKit
import LineupTesting
import LineupWire

/// `lineup-loadtest run` (the default): drives a scenario against a Lineup server — open loop
/// at a constant arrival rate (or ramp stages) by default, closed loop on request — records
/// HdrHistogram percentiles per RPC from the intended send times, and checks the budgets.
/// Exit code 1 when a budget is broken (each named) or, under `--chaos`, a request failed.
struct RunCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Drive a scenario against a Lineup server and check its budgets."
  )

  @Option(help: "Server address host:port (ignored with --spawn).")
  var target = "127.0.0.1:50051"

  @Flag(help: "Start redis-server and the release lineup-server beside this binary, seeded for the scenario, and stop them after.")
  var spawn = false

  @Option(help: "Scenario file (loadtest/scenarios/*.json).")
  var scenario = "loadtest/scenarios/mixed.json"

  @Option(help: "Send only this RPC instead of the scenario's mix: recs, trending, ingest or health.")
  var rpc: String?

  @Option(help: "open (constant arrival rate, latency from intended send times) or closed (fixed concurrency).")
  var mode: DriveMode = .open

  @Option(help: "Open loop: requests per second.")
  var rate: Double = 1_000

  @Option(help: "Open loop: how long to measure, e.g. 30s. (A closed loop sends --requests instead.)")
  var duration = "20s"

  @Option(help: "Open loop: ramp stages duration:rate,… instead of --rate/--duration, e.g. 10s:500,20s:2000.")
  var ramp: String?

  @Option(help: "Warm-up before measuring (same rate, not recorded), e.g. 5s.")
  var warmup = "3s"

  @Option(name: .customLong("max-in-flight"), help: "Open loop: most requests outstanding at once.")
  var maxInFlight = 2_000

  @Option(help: "HTTP/2 connections to spread requests over.")
  var connections = 4

  @Option(help: "Closed loop: requests in flight.")
  var concurrency = 32

  @Option(help: "Closed loop: requests to send after warm-up.")
  var requests = 20_000

  @Option(help: "Per-call deadline in ms (sent as grpc-timeout).")
  var timeoutMs = 1_000

  @Option(help: "Seed: the same seed sends the same requests.")
  var seed: UInt64 = 42

  @Option(help: "Budgets file; a broken budget exits 1.")
  var budgets = "loadtest/budgets.json"

  @Flag(name: .customLong("no-cache-budget"), help: "Do not check cache-hit budgets (runs that aim at misses or fallbacks).")
  var noCacheBudget = false

  @Flag(help: "First drive grpc.health.v1 Check with the same schedule on the same server; report Lineup ÷ baseline.")
  var baseline = false

  @Option(help: "With --spawn: faults, e.g. redis-kill-at=20s,redis-restart-at=40s (offsets into the measured run).")
  var chaos: String?

  @Option(name: .customLong("redis-delay-ms"), help: "With --spawn: put a proxy adding this one-way delay between lineup-server and Redis.")
  var redisDelayMs: Int?

  @Option(name: .customLong("server-args"), help: "With --spawn: extra lineup-server arguments, space-separated, e.g. \"--executor nio\".")
  var serverArguments = ""

  @Option(help: "Write the JSON report here.")
  var json: String?

  enum DriveMode: String, ExpressibleByArgument, Sendable {
    case open, closed
  }

  /// What one run produced, for `bench` to tabulate.
  struct Outcome: Sendable {
    var report: LoadReport
    var chaos: ChaosAssessment?
    var serverPeakRSSMegabytes: Double?
  }

  func run() async throws {
    let outcome = try await execute()
    print(outcome.report.table)
    if let json { try outcome.report.json().write(to: URL(fileURLWithPath: json)) }
    if !outcome.report.violations.isEmpty { throw ExitCode(1) }
  }

  /// Runs the scenario (starting and stopping the stack with --spawn) and returns the report.
  func execute() async throws -> Outcome {
    let scenario = try Scenario.load(self.scenario)
    let schedules = try Schedules(self)
    let chaosPlan = try chaos.map { try ChaosPlan.parse($0) }
    if chaosPlan != nil && !spawn { throw ValidationError("--chaos needs --spawn: the harness only kills what it started") }
    if let rpc, !["recs", "trending", "ingest", "health"].contains(rpc) { throw ValidationError("--rpc must be recs, trending, ingest or health") }

    var stack: SpawnedStack?
    if spawn {
      let started = try await SpawnedStack.start(
        scenario: scenario, seed: seed, redisDelay: redisDelayMs.map { .milliseconds($0) },
        extraServerArguments: serverArguments.split(separator: " ").map(String.init), durableRedis: chaosPlan?.redisRestartAt != nil)
      stack = started
      FileHandle.standardError.write(Data("spawned redis-server pid \(started.redis.pid ?? 0), lineup-server pid \(started.server.processIdentifier) on port \(started.port)\n".utf8))
    }
    do {
      let outcome = try await drive(scenario: scenario, schedules: schedules, stack: stack, chaos: chaosPlan)
      await stack?.stop()
      return outcome
    } catch {
      await stack?.stop()
      throw error
    }
  }

  private func drive(scenario: Scenario, schedules: Schedules, stack: SpawnedStack?, chaos: ChaosPlan?) async throws -> Outcome {
    let (targetHost, targetPort) = try stack.map { ("127.0.0.1", $0.port) } ?? parseTarget()
    let clients = (0..<max(1, connections)).map { _ in
      GRPCClient(transport: try! HTTP2ClientTransport.Posix(target: .ipv4(address: targetHost, port: targetPort), transportSecurity: .plaintext))
    }
    return try await withThrowingDiscardingTaskGroup { group in
      for client in clients { group.addTask { try await client.runConnections() } }
      defer { for client in clients { client.beginGracefulShutdown() } }

      var baselineSummary: RPCSummary?
      if baseline {
        let traffic = LineupTraffic(scenario: scenario, seed: seed, clients: clients, timeout: .milliseconds(timeoutMs), onlyRPC: "health")
        _ = await measure(traffic, schedules: schedules, warmupOnly: true)
        baselineSummary = await measure(traffic, schedules: schedules, warmupOnly: false).summaries.first
      }
      let traffic = LineupTraffic(scenario: scenario, seed: seed, clients: clients, timeout: .milliseconds(timeoutMs), onlyRPC: rpc)
      _ = await measure(traffic, schedules: schedules, warmupOnly: true)
      let chaosTask = Task { if let chaos, let stack { await Self.inject(chaos, into: stack) } }
      let measured = await measure(traffic, schedules: schedules, warmupOnly: false)
      chaosTask.cancel()

      let budgets = try Budgets.load(self.budgets)
      var violations = budgets.violations(measured.summaries, checkCacheHit: !noCacheBudget)
      var timeline: [LoadRecorder.Second] = []
      let assessment = chaos?.assess(measured.timeline)
      if let assessment {
        timeline = measured.timeline
        print("chaos: \(assessment.failedRequests) failed request(s); fallback \(assessment.secondsToFallback.map { "within \($0 + 1) s" } ?? "never") of the kill; MODEL/CACHE again \(assessment.secondsToRecover.map { "within \($0 + 1) s" } ?? "not seen") of the restart")
        print("second  requests  errors  fallback  model  cache  fallback share")
        for second in measured.timeline {
          let share = second.requests == 0 ? 0 : 100 * Double(second.fallback) / Double(second.requests)
          print(String(format: "%6d  %8d  %6d  %8d  %5d  %5d  %13.1f%%", second.second, second.requests, second.errors, second.fallback, second.model, second.cache, share))
        }
        if assessment.failedRequests > 0 { violations.append("chaos: \(assessment.failedRequests) request(s) failed; the target is zero") }
      }
      let rss = stack?.serverPeakRSSMegabytes
      if let rss { print(String(format: "lineup-server peak RSS: %.0f MB", rss)) }
      let report = LoadReport(
        scenario: scenario.name, mode: mode.rawValue, summaries: measured.summaries, baseline: baselineSummary, timeline: timeline,
        violations: violations)
      return Outcome(report: report, chaos: assessment, serverPeakRSSMegabytes: rss)
    }
  }

  /// One warm-up or measured pass with the configured driver.
  private func measure(_ traffic: LineupTraffic, schedules: Schedules, warmupOnly: Bool) async -> (
    summaries: [RPCSummary], timeline: [LoadRecorder.Second]
  ) {
    let recorder = LoadRecorder(start: .now)
    let progress = Task {
      var last = 0
      while !Task.isCancelled {
        try? await Task.sleep(for: .seconds(1))
        let total = recorder.total
        let errors = recorder.series.values.reduce(0) { $0 + $1.statuses.filter { $0.key != "OK" }.values.reduce(0, +) }
        FileHandle.standardError.write(Data("\(warmupOnly ? "warm-up" : "measure") t=\(Int((ContinuousClock.now - recorder.start).seconds))s done=\(total) (+\(total - last)/s) errors=\(errors)\n".utf8))
        last = total
      }
    }
    let clock = ContinuousClock.now
    switch mode {
    case .open:
      let offsets = (warmupOnly ? schedules.warmup : schedules.measured).offsets()
      await OpenLoopDriver(maxInFlight: maxInFlight).run(
        offsets: offsets, start: recorder.start + .milliseconds(5), send: { await traffic.send($0) },
        record: { _, intended, completed, outcome in recorder.record(outcome, intended: intended, completed: completed) })
    case .closed:
      let count = warmupOnly ? max(requests / 10, concurrency) : requests
      await ClosedLoopDriver(concurrency: concurrency).run(
        requests: count, send: { await traffic.send($0) },
        record: { _, sent, completed, outcome in recorder.record(outcome, intended: sent, completed: completed) })
    }
    progress.cancel()
    // Throughput over the time the run really took, until its last answer: a server that falls
    // behind an open-loop schedule shows up as less than the offered rate, not as the rate.
    let seconds = (ContinuousClock.now - clock).seconds
    let summaries = recorder.series.sorted { $0.key < $1.key }.map { RPCSummary(rpc: $0.key, series: $0.value, seconds: seconds) }
    return (summaries, recorder.timeline)
  }

  private static func inject(_ chaos: ChaosPlan, into stack: SpawnedStack) async {
    let start = ContinuousClock.now
    if let kill = chaos.redisKillAt {
      try? await Task.sleep(until: start + kill, clock: .continuous)
      if Task.isCancelled { return }
      FileHandle.standardError.write(Data("chaos: SIGKILL redis-server pid \(stack.redis.pid ?? 0)\n".utf8))
      stack.redis.kill()
    }
    if let restart = chaos.redisRestartAt {
      try? await Task.sleep(until: start + restart, clock: .continuous)
      if Task.isCancelled { return }
      FileHandle.standardError.write(Data("chaos: restarting redis-server\n".utf8))
      try? await stack.redis.restart()
    }
  }

  /// The open-loop schedules, parsed once up front so a bad duration or ramp is an error
  /// before anything starts, never a silent default or an empty run that "passes".
  struct Schedules {
    var warmup: ArrivalSchedule
    var measured: ArrivalSchedule

    init(_ command: RunCommand) throws {
      guard let warmupLength = LoadTestDuration.parse(command.warmup) else {
        throw ValidationError("--warmup \"\(command.warmup)\" is not a duration, e.g. 3s or 500ms")
      }
      if let ramp = command.ramp {
        measured = try ArrivalSchedule.ramp(ramp)
        // Warm up at the first stage's target rate: the ramp itself starts from zero.
        let firstRate = measured.stages.first?.toRate ?? 0
        warmup = ArrivalSchedule.constant(rate: max(1, firstRate), duration: warmupLength)
      } else {
        guard let length = LoadTestDuration.parse(command.duration), length > .zero else {
          throw ValidationError("--duration \"\(command.duration)\" is not a positive duration, e.g. 20s")
        }
        guard command.rate > 0 else { throw ValidationError("--rate must be above 0, got \(command.rate)") }
        measured = ArrivalSchedule.constant(rate: command.rate, duration: length)
        warmup = ArrivalSchedule.constant(rate: command.rate, duration: warmupLength)
      }
    }
  }

  private func parseTarget() throws -> (String, Int) {
    let parts = target.split(separator: ":")
    guard parts.count == 2, let port = Int(parts[1]) else { throw ValidationError("--target must be host:port, got \(target)") }
    return (String(parts[0]), port)
  }
}
