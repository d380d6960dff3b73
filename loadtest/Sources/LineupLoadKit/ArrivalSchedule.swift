import Foundation
/// When an open-loop run means to send each request: a constant arrival rate, or ramp stages
/// that move the rate linearly from one value to another. Times are offsets from the run's
/// start; the driver measures every latency from these intended times (as wrk2 does), so a
/// server that stalls shows up as latency instead of as fewer requests (no coordinated
/// omission).
package struct ArrivalSchedule: Sendable, Equatable {
  /// One stage: `duration` long, the rate moving linearly from `fromRate` to `toRate`
  /// requests per second.
  package struct Stage: Sendable, Equatable {
    package var duration: Duration
    package var fromRate: Double
    package var toRate: Double

    package init(duration: Duration, fromRate: Double, toRate: Double) {
      self.duration = duration
      self.fromRate = fromRate
      self.toRate = toRate
    }
  }

  package var stages: [Stage]

  package init(stages: [Stage]) {
    self.stages = stages
  }

  /// A constant `rate` for `duration`.
  package static func constant(rate: Double, duration: Duration) -> ArrivalSchedule {
    ArrivalSchedule(stages: [Stage(duration: duration, fromRate: rate, toRate: rate)])
  }

  /// Parses ramp stages such as `10s:500,30s:2000,10s:2000`: each `duration:rate` ramps
  /// linearly from the previous stage's rate (the first from `startRate`) to `rate`.
  package static func ramp(_ text: String, startRate: Double = 0) throws(LoadTestError) -> ArrivalSchedule {
    var stages: [Stage] = []
    var previous = startRate
    for part in text.split(separator: ",") {
      let fields = part.split(separator: ":")
      guard fields.count == 2, let duration = LoadTestDuration.parse(String(fields[0])), let rate = Double(fields[1]), rate >= 0 else {
        throw LoadTestError("ramp stage \"\(part)\" is not duration:rate, e.g. 10s:500")
      }
      stages.append(Stage(duration: duration, fromRate: previous, toRate: rate))
      previous = rate
    }
    guard !stages.isEmpty else { throw LoadTestError("--ramp needs at least one duration:rate stage") }
    return ArrivalSchedule(stages: stages)
  }

  /// The whole schedule's length.
  package var duration: Duration { stages.reduce(.zero) { $0 + $1.duration } }

  /// Every intended send offset, in order. Within a stage the expected number of sends by
  /// time t is N(t) = r₀t + (r₁ − r₀)t²/2T; the i-th send goes out where N(t) = i, computed
  /// in closed form so long runs do not accumulate rounding.
  package func offsets() -> [Duration] {
    var offsets: [Duration] = []
    var stageStart = 0.0
    for stage in stages {
      let length = stage.duration.seconds
      let (r0, r1) = (stage.fromRate, stage.toRate)
      let total = (r0 + r1) * length / 2
      let a = length > 0 ? (r1 - r0) / (2 * length) : 0
      var index = 0.0
      while index < total {
        let t: Double
        if abs(a) < 1e-12 {
          t = index / r0
        } else {
          t = (-r0 + (r0 * r0 + 4 * a * index).squareRoot()) / (2 * a)
        }
        guard t < length else { break }
        offsets.append(.seconds(stageStart + t))
        index += 1
      }
      stageStart += length
    }
    return offsets
  }
}

extension Duration {
  /// Seconds as a Double.
  package var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
  /// Whole microseconds (negative durations clamp to 0).
  package var wholeMicroseconds: UInt64 {
    let micros = components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000
    return micros > 0 ? UInt64(micros) : 0
  }
}

/// Durations as the harness's options write them: `500ms`, `20s`, `2m`.
package enum LoadTestDuration {
  package static func parse(_ text: String) -> Duration? {
    let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60)]
    for (suffix, scale) in units where text.hasSuffix(suffix) {
      if let value = Double(text.dropLast(suffix.count)), value >= 0, value.isFinite { return .seconds(value * scale) }
    }
    return nil
  }
}

/// A harness error with a message saying what to fix.
package struct LoadTestError: Error, CustomStringConvertible {
  package var description: String
  package init(_ description: String) { self.description = description }
}
