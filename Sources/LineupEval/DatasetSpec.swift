/// The shape of a synthetic dataset: how many users, items, creators and countries, and the
/// structure planted in it (category preferences, Zipf popularity, local hits, new
/// creators). Every figure in docs/evaluation.md names the spec it was measured on.
package struct DatasetSpec: Sendable, Equatable, Codable {
  package var users = 3_000
  package var items = 1_200
  package var categories = 12
  /// Creators, spread evenly over the categories (each creator publishes in one).
  package var creators = 240
  /// Share of creators first seen within the new-creator window (a few days ago).
  package var newCreatorShare = 0.1
  /// Countries users live in, round robin by user.
  package var countries = ["US", "BR", "IN", "DE", "ID"]
  /// Events per user, uniform in this range.
  package var minEventsPerUser = 20
  package var maxEventsPerUser = 60
  /// Categories each user prefers (drawn at random, distinct).
  package var preferredCategories = 2
  /// Share of a user's events inside their preferred categories; the rest is uniform over
  /// all categories.
  package var preferenceStrength = 0.8
  /// Chance that an event stays in the category of the user's previous event (a session
  /// of several streams of one kind, as real viewing goes); otherwise the category is
  /// drawn from the preferences.
  package var sessionStickiness = 0.5
  /// Popularity of items inside a category: Zipf with this exponent over a random order.
  package var zipfExponent = 1.0
  /// How strongly a country's taste departs from the global popularity: each (country, item)
  /// weight is multiplied by e^(this × a standard normal draw).
  package var countryTasteSpread = 0.8
  /// Events happen over this many seconds, ending a minute before the dataset's `now`.
  package var spanSeconds = 2.0 * 86_400
  /// The newest share of all events (by time) held out for evaluation.
  package var holdoutShare = 0.2
  package var seed: UInt64 = 42

  package init() {}

  /// Why this spec cannot generate a dataset, or nil.
  package var problem: String? {
    if users < 1 || items < categories || categories < 1 { return "need users >= 1 and items >= categories >= 1" }
    if creators < categories { return "need creators >= categories (every category has a creator)" }
    if !(0...1).contains(newCreatorShare) || !(0...1).contains(preferenceStrength)
      || !(0...1).contains(sessionStickiness)
    { return "shares must be in 0…1" }
    if countries.isEmpty { return "countries must not be empty" }
    if minEventsPerUser < 1 || maxEventsPerUser < minEventsPerUser { return "need 1 <= minEventsPerUser <= maxEventsPerUser" }
    if maxEventsPerUser > items { return "maxEventsPerUser must not exceed items (users never repeat an item)" }
    if !(1...categories).contains(preferredCategories) { return "preferredCategories must be 1…categories" }
    if !(0.01...0.9).contains(holdoutShare) { return "holdoutShare must be 0.01…0.9" }
    if spanSeconds < 60 { return "spanSeconds must be >= 60" }
    return nil
  }
}
