import LineupLoadKit
import ArgumentParser
import Foundation
import LineupRedis

/// Runs Debian's `redis-benchmark` (the reference client, from the same package as
/// redis-server) for GET only and reads its `--csv` line: requests per second and latency
/// percentiles in milliseconds (three decimals, so microsecond resolution).
struct RedisBenchmarkTool: Sendable {
  let executable: String
  let url: RedisURL
  let valueSize: Int

  /// `redis-benchmark -t get -c <connections> -n <requests> -P <pipeline> -d <size> --csv`
  /// against `url`; returns its own figures plus the CPU time and context switches it used
  /// (from the kernel's accounting of reaped children).
  func run(connections: Int, requests: Int, pipeline: Int) async throws -> ClientSample {
    var arguments: [String]
    switch url.endpoint {
    case .tcp(let host, let port): arguments = ["-h", host, "-p", String(port)]
    case .unix(let path): arguments = ["-s", path]
    }
    if let password = url.password { arguments += ["-a", password] }
    if let user = url.user { arguments += ["--user", user] }
    if url.database != 0 { arguments += ["--dbnum", String(url.database)] }
    arguments += [
      "-t", "get", "-c", String(connections), "-n", String(requests), "-P", String(pipeline),
      "-d", String(valueSize), "--csv",
    ]

    let directory = FileManager.default.temporaryDirectory
    let stdoutURL = directory.appendingPathComponent("lineup-redis-benchmark-\(UUID().uuidString).csv")
    let stderrURL = directory.appendingPathComponent("lineup-redis-benchmark-\(UUID().uuidString).err")
    defer {
      try? FileManager.default.removeItem(at: stdoutURL)
      try? FileManager.default.removeItem(at: stderrURL)
    }
    _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
    let child = Process()
    child.executableURL = URL(fileURLWithPath: executable)
    child.arguments = arguments
    // Files, not pipes: nothing has to drain them while the benchmark runs.
    child.standardOutput = try FileHandle(forWritingTo: stdoutURL)
    child.standardError = try FileHandle(forWritingTo: stderrURL)

    let usageBefore = ProcessUsage.children()
    let started = ContinuousClock.now
    do {
      try child.run()
    } catch {
      throw ValidationError("cannot run \(executable) (Debian: apt-get install redis-tools): \(error)")
    }
    // Polled (as RedisServerProcess does) rather than waitUntilExit(), which spins a run loop
    // on Linux; this process does nothing else meanwhile, so it does not compete for the CPU.
    while child.isRunning { try await Task.sleep(for: .milliseconds(5)) }
    let elapsed = (ContinuousClock.now - started).seconds
    let usage = ProcessUsage.children() - usageBefore

    let output = (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? ""
    guard child.terminationStatus == 0, let sample = Self.parse(csv: output) else {
      let errors = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
      throw ValidationError(
        "redis-benchmark \(arguments.joined(separator: " ")) failed (status \(child.terminationStatus)): \(output.suffix(300)) \(errors.suffix(300))"
      )
    }
    var result = sample
    result.requests = requests
    result.elapsedSeconds = elapsed
    result.client = usage
    return result
  }

  /// The GET row of redis-benchmark's CSV:
  /// `"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"`.
  static func parse(csv: String) -> ClientSample? {
    for line in csv.split(whereSeparator: \.isNewline) where line.hasPrefix("\"GET\"") {
      let fields = line.split(separator: ",").map {
        Double($0.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")))
      }
      guard fields.count >= 8, let rps = fields[1], let mean = fields[2], let p50 = fields[4], let p95 = fields[5],
        let p99 = fields[6], let max = fields[7]
      else { return nil }
      return ClientSample(
        requests: 0, errors: 0, elapsedSeconds: 0, rps: rps,
        // redis-benchmark's CSV has no p90; its p95 stands in (so this column favours it).
        meanMicros: mean * 1000, p50Micros: p50 * 1000, p90Micros: p95 * 1000, p99Micros: p99 * 1000,
        maxMicros: max * 1000,
        client: ProcessUsage(cpuSeconds: 0, contextSwitches: 0))
    }
    return nil
  }
}

/// What a process used, from `getrusage`: CPU time and context switches (each one a thread
/// going to sleep or being preempted, which is what handing work between threads costs).
struct ProcessUsage: Sendable {
  /// User + system CPU, seconds.
  var cpuSeconds: Double
  /// Voluntary + involuntary context switches.
  var contextSwitches: Int

  /// This process, all threads.
  static func current() -> ProcessUsage { usage(RUSAGE_SELF.rawValue) }
  /// Children that have exited and been reaped (Foundation's Process reaps them).
  static func children() -> ProcessUsage { usage(RUSAGE_CHILDREN.rawValue) }

  static func - (after: ProcessUsage, before: ProcessUsage) -> ProcessUsage {
    ProcessUsage(
      cpuSeconds: after.cpuSeconds - before.cpuSeconds, contextSwitches: after.contextSwitches - before.contextSwitches)
  }

  private static func usage(_ who: Int32) -> ProcessUsage {
    var usage = rusage()
    guard getrusage(who, &usage) == 0 else { return ProcessUsage(cpuSeconds: 0, contextSwitches: 0) }
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return ProcessUsage(
      cpuSeconds: seconds(usage.ru_utime) + seconds(usage.ru_stime), contextSwitches: usage.ru_nvcsw + usage.ru_nivcsw)
  }
}
