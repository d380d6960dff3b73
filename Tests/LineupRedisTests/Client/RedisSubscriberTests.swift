import Foundation
import LineupTesting
import Logging
import Synchronization
import Testing

@testable import LineupRedis

@Suite("Redis pub/sub subscriber")
struct RedisSubscriberTests {
  /// Everything a subscriber reported, in order.
  final class Recorder: Sendable {
    private let events = Mutex<[RedisSubscriber.Event]>([])
    func record(_ event: RedisSubscriber.Event) { events.withLock { $0.append(event) } }
    var subscriptions: Int { events.withLock { $0.filter { $0 == .subscribed }.count } }
    var messages: [String] {
      events.withLock {
        $0.compactMap { event in
          guard case .message(let channel, let payload) = event else { return nil }
          return "\(channel)=\(String(decoding: payload, as: UTF8.self))"
        }
      }
    }
  }

  private static func publish(_ channel: String, _ message: String, on connection: RedisConnection) async throws -> Int64? {
    try await connection.send(RedisCommand("PUBLISH", channel, message), deadline: .now + .seconds(2)).integer
  }

  @Test("it receives every message on its channels in order and none from others, and subscribes again by itself after redis-server restarts")
  func receivesAndResubscribes() async throws {
    let redis = try await RedisServerProcess.start()
    var subscriber = RedisSubscriber(urls: [redis.url], channels: ["news", "weather"], logger: Logger(label: "test"))
    subscriber.maximumBackoff = .milliseconds(200)
    let recorder = Recorder()
    let running = Task { [subscriber] in await subscriber.run { recorder.record($0) } }
    defer { running.cancel() }
    #expect(try await eventually { recorder.subscriptions == 1 })

    let publisher = try await RedisConnection.connect(to: redis.url, deadline: .now + .seconds(2))
    // PUBLISH answers with how many subscribers got the message: ours, on its two channels only.
    #expect(try await Self.publish("sports", "ignored", on: publisher) == 0)
    #expect(try await Self.publish("news", "1", on: publisher) == 1)
    #expect(try await Self.publish("weather", "2", on: publisher) == 1)
    #expect(try await Self.publish("news", "3", on: publisher) == 1)
    #expect(try await eventually { recorder.messages.count == 3 })
    #expect(recorder.messages == ["news=1", "weather=2", "news=3"])

    redis.kill()
    try await redis.restart()
    #expect(try await eventually(timeout: .seconds(10)) { recorder.subscriptions == 2 })
    let again = try await RedisConnection.connect(to: redis.url, deadline: .now + .seconds(2))
    #expect(try await Self.publish("weather", "4", on: again) == 1)
    #expect(try await eventually { recorder.messages.last == "weather=4" })
  }

  @Test("a server that stops answering (SIGSTOP) is noticed by the PINGs: once it answers again the subscriber subscribes again and hears new messages")
  func silentServer() async throws {
    let redis = try await RedisServerProcess.start()
    var subscriber = RedisSubscriber(urls: [redis.url], channels: ["news"], logger: Logger(label: "test"))
    subscriber.pingInterval = .milliseconds(200)
    subscriber.connectTimeout = .milliseconds(300)
    subscriber.maximumBackoff = .milliseconds(200)
    let recorder = Recorder()
    let running = Task { [subscriber] in await subscriber.run { recorder.record($0) } }
    defer { running.cancel() }
    #expect(try await eventually { recorder.subscriptions == 1 })
    let pid = try #require(redis.pid)
    _ = kill(pid, SIGSTOP)
    // Long enough for a PING to go unanswered; the connection stays open all along.
    try await Task.sleep(for: .milliseconds(1_200))
    _ = kill(pid, SIGCONT)
    #expect(try await eventually(timeout: .seconds(10)) { recorder.subscriptions >= 2 })
    let publisher = try await RedisConnection.connect(to: redis.url, deadline: .now + .seconds(2))
    #expect(try await eventually { try await Self.publish("news", "after", on: publisher) == 1 })
    #expect(try await eventually { recorder.messages.last == "news=after" })
  }

  @Test("cancelling run() ends the subscription: the server sees no subscriber left")
  func cancellationUnsubscribes() async throws {
    let redis = try await RedisServerProcess.start()
    let subscriber = RedisSubscriber(urls: [redis.url], channels: ["news"], logger: Logger(label: "test"))
    let recorder = Recorder()
    let running = Task { await subscriber.run { recorder.record($0) } }
    #expect(try await eventually { recorder.subscriptions == 1 })
    running.cancel()
    await running.value
    let publisher = try await RedisConnection.connect(to: redis.url, deadline: .now + .seconds(2))
    #expect(try await eventually { try await Self.publish("news", "late", on: publisher) == 0 })
  }

  @Test("on a subscriber connection a message that arrives ahead of a reply goes to onPush, and the reply still reaches its caller")
  func pushAheadOfReply() async throws {
    // What Redis sends a subscribed client that PINGs just as a message is published.
    let message = "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n"
    let pong = "*2\r\n$4\r\npong\r\n$0\r\n\r\n"
    let server = try ScriptedRESPServer(.afterFirstRead(Array((message + pong).utf8)))
    let pushes = Mutex<[RESPValue]>([])
    let connection = try await RedisConnection.connect(
      to: RedisURL(endpoint: .tcp(host: "127.0.0.1", port: server.port)), deadline: .now + .seconds(2),
      onPush: { push in pushes.withLock { $0.append(push) } })
    let reply = try await connection.send(RedisCommand("PING"), deadline: .now + .seconds(2))
    #expect(reply == .array([.bulk(Array("pong".utf8)), .bulk([])]))
    #expect(pushes.withLock { $0 } == [.array([.bulk(Array("message".utf8)), .bulk(Array("news".utf8)), .bulk(Array("hi".utf8))])])
    #expect(RedisSubscriber.event(from: pushes.withLock { $0[0] }) == .message(channel: "news", payload: Array("hi".utf8)))
  }
}
