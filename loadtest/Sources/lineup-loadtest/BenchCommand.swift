import ArgumentParser
import Foundation
import LineupLoadKit

/// `lineup-loadtest bench` (`make bench`): the standard set against a release build with a
/// local redis-server the harness starts and seeds for each run — fallback-only, cache-hit
/// (with the health baseline), cache-miss full pipeline, ingest, redis-kill, and many
/// concurrent streams — checked against the load-test issue's targets, written to
/// docs/benchmarks.md with the machine and the exact commands.
struct BenchCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Run the standard benchmark set and write docs/benchmarks.md."
  )

  @Option(help: "Markdown file to write.")
  var output = "docs/benchmarks.md"

  @Option(help: "Seconds each measured run lasts (the redis-kill run lasts 3× this).")
  var seconds = 15

  @Flag(help: "Skip the 10,000-stream run (it needs a few GB of memory for the client side).")
  var skipStreams = false

  @Option(name: .customLong("server-args"), help: "Extra lineup-server arguments for every run, e.g. \"--executor nio\".")
  var serverArguments = ""

  @Option(help: "Only the runs with these names (comma-separated), e.g. cache-hit,ingest.")
  var only: String?

  /// One run of the set: its arguments and the target it is judged by.
  struct Entry {
    var name: String
    var arguments: [String]
    var target: String
    var judge: (RunCommand.Outcome) -> (pass: Bool, figure: String)
  }

  func run() async throws {
    let d = "\(seconds)s"
    var entries: [Entry] = [
      Entry(
        name: "fallback-only", arguments: ["--scenario", "loadtest/scenarios/fallback-only.json", "--rate", "1000", "--duration", d, "--no-cache-budget"],
        target: "within the playbook budgets, no errors",
        judge: { outcome in
          let recs = outcome.report.summaries.first { $0.rpc == "recs" }
          return (outcome.report.violations.isEmpty, recs.map { "p99 \(LoadReport.ms($0.p99)) ms at \(LoadReport.number($0.throughput)) rps, FALLBACK \(LoadReport.percent($0.sourceShares["FALLBACK"] ?? 0))" } ?? "-")
        }),
      Entry(
        name: "cache-hit", arguments: ["--scenario", "loadtest/scenarios/cache-hit.json", "--mode", "closed", "--concurrency", "32", "--connections", "1", "--requests", "\(seconds * 2_000)", "--baseline"],
        target: "throughput ≥ 85% of health, p99 ≤ 1.5× health, cache hit ≥ 85%",
        judge: { outcome in
          guard let recs = outcome.report.summaries.first(where: { $0.rpc == "recs" }), let base = outcome.report.baseline else { return (false, "-") }
          let throughput = recs.throughput / base.throughput
          let p99 = recs.p99 / base.p99
          let figure = String(format: "%.0f vs %.0f rps (%.2f×), p99 %.3f vs %.3f ms (%.2f×), cache hit %@", recs.throughput, base.throughput, throughput, recs.p99, base.p99, p99, LoadReport.percent(recs.cacheHitRate ?? 0))
          return (throughput >= 0.85 && p99 <= 1.5 && (recs.cacheHitRate ?? 0) >= 0.85, figure)
        }),
      Entry(
        name: "cache-miss", arguments: ["--scenario", "loadtest/scenarios/cache-miss.json", "--rate", "2000", "--duration", d, "--no-cache-budget"],
        target: "p99 ≤ 2 ms at 2,000 rps open loop, ≥ 90% MODEL (the pipeline really ran)",
        judge: { outcome in
          guard let recs = outcome.report.summaries.first(where: { $0.rpc == "recs" }) else { return (false, "-") }
          return (recs.p99 <= 2 && recs.errors == 0 && (recs.sourceShares["MODEL"] ?? 0) >= 0.9, "p50 \(LoadReport.ms(recs.p50)) / p99 \(LoadReport.ms(recs.p99)) ms at \(LoadReport.number(recs.throughput)) rps, MODEL \(LoadReport.percent(recs.sourceShares["MODEL"] ?? 0))")
        }),
      Entry(
        name: "ingest", arguments: ["--scenario", "loadtest/scenarios/ingest.json", "--mode", "closed", "--concurrency", "16", "--requests", "\(seconds * 200)"],
        target: "≥ 50,000 events/s",
        judge: { outcome in
          guard let ingest = outcome.report.summaries.first(where: { $0.rpc == "ingest" }) else { return (false, "-") }
          return (ingest.unitsPerSecond >= 50_000 && ingest.errors == 0, "\(LoadReport.number(ingest.unitsPerSecond)) events/s (batches of 200, p99 \(LoadReport.ms(ingest.p99)) ms)")
        }),
      Entry(
        name: "redis-kill", arguments: ["--scenario", "loadtest/scenarios/redis-kill.json", "--rate", "500", "--duration", "\(seconds * 3)s", "--no-cache-budget", "--chaos", "redis-kill-at=\(seconds)s,redis-restart-at=\(seconds * 2)s"],
        target: "zero failed RPCs, fallback the majority within 1 s of the kill, MODEL/CACHE within 5 s of the restart",
        judge: { outcome in
          guard let chaos = outcome.chaos else { return (false, "-") }
          let pass = chaos.failedRequests == 0 && (chaos.secondsToFallback ?? 99) < 1 && (chaos.secondsToRecover ?? 99) < 5
          return (pass, "\(chaos.failedRequests) failed; fallback in second \(chaos.secondsToFallback.map(String.init) ?? "never") after the kill; recovered in second \(chaos.secondsToRecover.map(String.init) ?? "never") after the restart")
        }),
    ]
    if !skipStreams {
      entries.append(Entry(
        name: "10k-streams", arguments: ["--scenario", "loadtest/scenarios/cache-hit.json", "--mode", "closed", "--concurrency", "10000", "--connections", "100", "--requests", "100000", "--timeout-ms", "30000", "--no-cache-budget"],
        // 10,000 in flight on two cores queue for seconds by design: a 30 s deadline, so the
        // errors counted are failures, not the queue.
        target: "10,000 concurrent streams over 100 connections: < 0.1% errors, server peak RSS ≤ 300 MB",
        judge: { outcome in
          guard let recs = outcome.report.summaries.first(where: { $0.rpc == "recs" }) else { return (false, "-") }
          let rss = outcome.serverPeakRSSMegabytes ?? .infinity
          return (recs.errorRate < 0.001 && rss <= 300, String(format: "errors %@, peak RSS %.0f MB, p99 %.1f ms, %.0f rps", LoadReport.percent(recs.errorRate), rss, recs.p99, recs.throughput))
        }))
    }

    if let only {
      let wanted = Set(only.split(separator: ",").map(String.init))
      entries = entries.filter { wanted.contains($0.name) }
    }
    var rows: [(Entry, Bool, String)] = []
    for entry in entries {
      FileHandle.standardError.write(Data("bench: \(entry.name)\n".utf8))
      // One token (`--server-args=…`), so arguments that start with "--" stay its value; none
      // at all when empty (an empty value does not parse).
      let server = serverArguments.isEmpty ? [] : ["--server-args=\(serverArguments)"]
      var command = try RunCommand.parse(["--spawn"] + server + entry.arguments)
      command.json = nil
      let outcome = try await command.execute()
      print("== \(entry.name)\n\(outcome.report.table)")
      let (pass, figure) = entry.judge(outcome)
      rows.append((entry, pass, figure))
    }
    try Self.replaceSection(in: output, with: markdown(rows))
    print("wrote the standard-set section of \(output)")
    if rows.contains(where: { !$0.1 }) { throw ExitCode(1) }
  }

  static let sectionStart = "<!-- lineup-loadtest bench: start (generated; edit outside these markers) -->"
  static let sectionEnd = "<!-- lineup-loadtest bench: end -->"

  /// Replaces the generated section of `path` (between the markers), or appends it, keeping
  /// everything written by hand around it.
  static func replaceSection(in path: String, with section: String) throws {
    let existing = (try? String(contentsOfFile: path, encoding: .utf8)) ?? "# Benchmarks\n"
    let block = "\(sectionStart)\n\(section)\(sectionEnd)\n"
    let updated: String
    if let start = existing.range(of: sectionStart), let end = existing.range(of: sectionEnd), start.lowerBound < end.lowerBound {
      var tail = existing[end.upperBound...]
      if tail.hasPrefix("\n") { tail = tail.dropFirst() }
      updated = existing[..<start.lowerBound] + block + tail
    } else {
      updated = existing + (existing.hasSuffix("\n\n") ? "" : "\n") + block
    }
    try updated.write(toFile: path, atomically: true, encoding: .utf8)
  }

  private func markdown(_ rows: [(Entry, Bool, String)]) -> String {
    let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
      .split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
    let memory = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8))?
      .split(separator: "\n").first { $0.hasPrefix("MemTotal") }.flatMap { Double($0.split(separator: " ")[1]) }.map { String(format: "%.0f GiB", $0 / 1_048_576) } ?? "?"
    var lines = [
      "## Standard set (`make bench`)", "",
      "Generated by `lineup-loadtest bench` on \(ISO8601DateFormatter().string(from: Date())): \(ProcessInfo.processInfo.activeProcessorCount) cores (\(cpu)), \(memory), release build; the harness, lineup-server and redis-server share the machine. Each run starts its own redis-server and lineup-server (`--spawn`) and seeds the scenario's model candidates.", "",
      "| run | target | result | figures |", "| --- | --- | --- | --- |",
    ]
    for (entry, pass, figure) in rows {
      lines.append("| \(entry.name) | \(entry.target) | \(pass ? "PASS" : "MISS") | \(figure) |")
    }
    lines += ["", "Commands (each preceded by `swift build -c release`):", "", "```sh"]
    for (entry, _, _) in rows {
      let server = serverArguments.isEmpty ? "" : "--server-args \"\(serverArguments)\" "
      lines.append(".build/release/lineup-loadtest run --spawn \(server)" + entry.arguments.joined(separator: " "))
    }
    lines += ["```", ""]
    return lines.joined(separator: "\n")
  }
}
