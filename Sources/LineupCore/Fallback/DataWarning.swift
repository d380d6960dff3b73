/// A problem found while loading data files, located as `file:line` so an operator can fix
/// the row. Loading skips the row and goes on; it never fails the whole load for one row.
package struct DataWarning: Sendable, Equatable, CustomStringConvertible {
  package var file: String
  /// 1-based; 0 when the problem is with the whole file.
  package var line: Int
  package var message: String

  package init(file: String, line: Int, message: String) {
    self.file = file
    self.line = line
    self.message = message
  }

  package var description: String {
    line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)"
  }
}
