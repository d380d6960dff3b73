import ArgumentParser
import LineupWire
import SwiftProtobuf

/// `lineupctl price USER PRODUCT`: the personalized quote GetPrice gives the user, with its
/// base and floor prices, the discount and the reasons.
///
/// GetPriceRequest has no currency of its own: the market comes from the country. A currency
/// only makes sense with a list price (`list_price`, the caller's own price, quoted back when
/// Lineup has no usable policy), so --currency goes with --list-price.
struct PriceCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "price",
    abstract: "Show the price Lineup quotes a user for a product.",
    discussion: """
      Amounts are integer minor units on the wire; lineupctl prints them as decimals assuming \
      0 decimals for JPY, KRW, VND, CLP and ISK and 2 for every other currency, with the raw \
      minor units beside them.
      """
  )

  @Argument(help: "The user id.")
  var user: String

  @Argument(help: "The product id.")
  var product: String

  @Option(help: "The user's country, which selects the market (ISO 3166-1 alpha-2).")
  var country: String?

  @Option(help: ArgumentHelp("Your own list price, a decimal in --currency (e.g. 19.99); quoted back when Lineup has no usable pricing policy.", valueName: "amount"))
  var listPrice: String?

  @Option(help: ArgumentHelp("ISO 4217 currency of --list-price, e.g. USD.", valueName: "XXX"))
  var currency: String?

  @OptionGroup(title: "Connection and output")
  var global: GlobalOptions

  func validate() throws {
    if let country { _ = try countryCode(country, option: "--country") }
    _ = try listPriceMoney()
  }

  /// --list-price and --currency as Money: both or neither.
  private func listPriceMoney() throws -> Lineup_V1_Money? {
    switch (listPrice, currency) {
    case (nil, nil):
      return nil
    case (_, nil):
      throw ValidationError("--list-price needs --currency (e.g. --currency USD)")
    case (nil, _):
      throw ValidationError("--currency goes with --list-price: GetPrice takes the market from --country, and a currency only for your own list price")
    case (let amount?, let code?):
      let code = code.uppercased()
      guard code.count == 3, code.allSatisfy({ $0.isASCII && $0.isLetter }) else {
        throw ValidationError("--currency must be an ISO 4217 code such as USD, got \"\(code)\"")
      }
      let decimals = Lineup_V1_Money.decimals(of: code)
      guard let minorUnits = FixedPoint.parse(amount, decimals: decimals) else {
        throw ValidationError("--list-price must be a non-negative amount with at most \(decimals) decimal(s) in \(code), got \"\(amount)\"")
      }
      return .with {
        $0.currencyCode = code
        $0.minorUnits = minorUnits
      }
    }
  }

  func run() async throws {
    let listPrice = try listPriceMoney()
    let request = try Lineup_V1_GetPriceRequest.with {
      $0.userID = user
      $0.productID = product
      $0.context.country = try country.map { try countryCode($0, option: "--country") } ?? ""
      if let listPrice { $0.listPrice = listPrice }
    }
    try await LineupConnection.with(global) { lineup in
      let response = try await lineup.call {
        try await lineup.recommender.getPrice(request, options: $0, onResponse: LineupConnection.outcome)
      }
      try emit(response, json: lineup.settings.json) { Self.printQuote(response) }
    }
  }

  private static func printQuote(_ response: Lineup_V1_GetPriceResponse) {
    func money(_ value: Lineup_V1_Money, present: Bool, absent: String = "-") -> String {
      present ? "\(value.formatted)  (\(value.minorUnits) minor units)" : absent
    }
    var quote = TextTable(["", ""], showsHeader: false)
    quote.append(["product", response.productID])
    quote.append(["price", money(response.price, present: response.hasPrice)])
    quote.append(["base price", money(response.basePrice, present: response.hasBasePrice)])
    quote.append(["floor price", money(response.floorPrice, present: response.hasFloorPrice, absent: "unset (the list price was quoted back)")])
    quote.append(["discount", "\(percent(basisPoints: response.discountBps)) (\(response.discountBps) bps)"])
    quote.append(["valid until", timestamp(response.validUntil, present: response.hasValidUntil)])
    print(quote.rendered)
    print("")
    print(response.reasons.isEmpty ? "reasons: none" : reasonsTable(response.reasons).rendered)
    print("")
    for line in response.provenance.summaryLines { print(line) }
  }
}
