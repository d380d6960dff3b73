// swift-tools-version:6.1
//
// Lineup — recommendation and personalization serving over gRPC.
//
// Module lines follow dependency lines (see DESIGN.md "Code layout"):
//   LineupWire    generated protobuf + grpc-swift-2 code only
//   LineupCore    the domain; imports no NIO, gRPC or hiredis
//   LineupServer  composition root: gRPC services, configuration, ServiceGroup
//   lineup-server thin @main
//   LineupTesting helpers shared by test targets and the load-test harness
//   CHiredis      the system hiredis (module map + shim.h)
//   LineupRedis   RESP client: hiredis parses, SwiftNIO does the sockets; knows nothing of Lineup
//   LineupEval    offline evaluation (synthetic data, metrics, replay over the public RPCs)
//   lineupctl     the ops CLI (admin and public RPCs only)

import PackageDescription

/// Settings applied once, to every target, in the loop at the bottom.
let swiftSettings: [SwiftSetting] = [
  .swiftLanguageMode(.v6),
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("InternalImportsByDefault"),
  .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
  name: "lineup",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "lineup-server", targets: ["lineup-server"]),
    .executable(name: "lineup-loadtest", targets: ["lineup-loadtest"]),
    .executable(name: "lineup-eval", targets: ["lineup-eval"]),
    .executable(name: "lineupctl", targets: ["lineupctl"]),
  ],
  dependencies: [
    // grpc-swift-2, grpc-swift-protobuf and swift-protobuf are exact: the code generated into
    // Sources/LineupWire must match the plugins CI rebuilds from them byte for byte.
    .package(url: "https://github.com/grpc/grpc-swift-2", exact: "2.4.3"),
    .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
    .package(url: "https://github.com/grpc/grpc-swift-protobuf", exact: "2.4.1"),
    .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
  ],
  targets: [
    // Generated code from protos/ (scripts/generate-protos.sh); never edited by hand.
    .target(
      name: "LineupWire",
      dependencies: [
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ]
    ),
    // The system hiredis, for the RESP protocol only (Debian: libhiredis-dev).
    .systemLibrary(
      name: "CHiredis",
      pkgConfig: "hiredis",
      providers: [.apt(["libhiredis-dev"])]
    ),
    // A Redis client: hiredis formats and parses RESP, SwiftNIO owns the sockets. Knows
    // nothing of Lineup.
    .target(
      name: "LineupRedis",
      dependencies: [
        "CHiredis",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ]
    ),
    // The domain: no NIO, no gRPC, no hiredis. Tested in microseconds.
    .target(
      name: "LineupCore",
      dependencies: [
        .product(name: "Logging", package: "swift-log")
      ]
    ),
    // Composition root: gRPC services (proto <-> domain mapping), configuration, lifecycle.
    .target(
      name: "LineupServer",
      dependencies: [
        "LineupCore",
        "LineupRedis",
        "LineupWire",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
        .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "CoreMetrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
      ]
    ),
    .executableTarget(
      name: "lineup-server",
      dependencies: [
        "LineupServer",
        .product(name: "CoreMetrics", package: "swift-metrics"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    // Helpers shared by tests and the load-test harness (in-process server, fixtures).
    .target(
      name: "LineupTesting",
      dependencies: [
        "LineupCore",
        "LineupRedis",
        "LineupServer",
        "LineupWire",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ]
    ),
    // The load harness's logic (schedules, drivers, recording, reports, budgets, scenarios),
    // a library so it is unit-tested; sources under loadtest/.
    .target(
      name: "LineupLoadKit",
      dependencies: [
        .product(name: "Histogram", package: "hdrhistogram-swift")
      ],
      path: "loadtest/Sources/LineupLoadKit"
    ),
    // The load-test harness; its sources live under loadtest/.
    .executableTarget(
      name: "lineup-loadtest",
      dependencies: [
        "LineupCore",
        "LineupLoadKit",
        "LineupRedis",
        "LineupServer",
        "LineupTesting",
        "LineupWire",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Histogram", package: "hdrhistogram-swift"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
      ],
      path: "loadtest/Sources/lineup-loadtest"
    ),
    // The operators' CLI: one file per subcommand, talking to the public and admin RPCs only.
    .executableTarget(
      name: "lineupctl",
      dependencies: [
        "LineupWire",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
        .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // Offline evaluation: synthetic datasets with planted structure, a time split, top-k
    // metrics, and a runner that loads and replays through the public RPCs.
    .target(
      name: "LineupEval",
      dependencies: [
        "LineupLoadKit",
        "LineupWire",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ]
    ),
    // The evaluation tool: an in-process server, the dataset, the report.
    .executableTarget(
      name: "lineup-eval",
      dependencies: [
        "LineupCore",
        "LineupEval",
        "LineupServer",
        "LineupTesting",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    .testTarget(
      name: "LineupCoreTests",
      dependencies: [
        "LineupCore",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ]
    ),
    .testTarget(
      name: "LineupLoadKitTests",
      dependencies: [
        "LineupLoadKit",
        .product(name: "Histogram", package: "hdrhistogram-swift"),
      ]
    ),
    .testTarget(
      name: "LineupEvalTests",
      dependencies: [
        "LineupEval",
        "LineupServer",
        "LineupTesting",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
      ]
    ),
    .testTarget(
      name: "LineupRedisTests",
      dependencies: [
        "LineupRedis",
        "LineupTesting",
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    .testTarget(
      name: "LineupServerTests",
      dependencies: [
        "LineupCore",
        "LineupLoadKit",
        "LineupRedis",
        "LineupServer",
        "LineupTesting",
        "LineupWire",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
        .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ]
    ),
  ]
)

for target in package.targets where target.type != .system {
  target.swiftSettings = (target.swiftSettings ?? []) + swiftSettings
}
