import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small line editor for the interactive shell: the terminal in raw mode while a line is typed,
/// left/right/home/end/backspace/delete editing, up/down through the history, which persists in a
/// file between sessions (the last 1,000 entries). Falls back to plain `readLine` when the terminal
/// cannot be put in raw mode.
final class LineEditor {
    static var defaultHistoryFile: String {
        (ProcessInfo.processInfo.environment["HOME"] ?? ".") + "/.basalt_history"
    }

    private let historyFile: String
    private var history: [String]
    private let limit = 1000

    init(historyFile: String) {
        self.historyFile = historyFile
        let text = (try? String(contentsOfFile: historyFile, encoding: .utf8)) ?? ""
        history = text.split(separator: "\n").map(String.init)
    }

    /// Adds an entry (not repeating the previous one).
    func remember(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, history.last != trimmed else { return }
        history.append(trimmed)
        if history.count > limit { history.removeFirst(history.count - limit) }
    }

    /// Writes the history file (best effort: a shell without history still works).
    func save() {
        try? history.joined(separator: "\n").write(toFile: historyFile, atomically: true, encoding: .utf8)
    }

    /// Reads one line, or nil at end of input (Ctrl-D on an empty line).
    func readLine(prompt: String) -> String? {
        var original = termios()
        guard tcgetattr(0, &original) == 0 else {
            print(prompt, terminator: "")
            Console.flush()
            return Swift.readLine()
        }
        var raw = original
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON)
        tcsetattr(0, TCSANOW, &raw)
        defer { tcsetattr(0, TCSANOW, &original) }

        var line: [Character] = []
        var cursor = 0
        var index = history.count
        var draft: [Character] = []
        func redraw() {
            var out = "\r\u{1B}[K" + prompt + String(line)
            let back = line.count - cursor
            if back > 0 { out += "\u{1B}[\(back)D" }
            FileHandle.standardOutput.write(out.data(using: .utf8)!)
        }
        func readByte() -> UInt8? {
            var byte: UInt8 = 0
            return read(0, &byte, 1) == 1 ? byte : nil
        }
        redraw()
        var pending: [UInt8] = []
        while let byte = readByte() {
            switch byte {
            case 10, 13:
                FileHandle.standardOutput.write("\n".data(using: .utf8)!)
                return String(line)
            case 4:
                if line.isEmpty {
                    FileHandle.standardOutput.write("\n".data(using: .utf8)!)
                    return nil
                }
            case 127, 8:
                if cursor > 0 {
                    line.remove(at: cursor - 1)
                    cursor -= 1
                }
            case 1: cursor = 0
            case 5: cursor = line.count
            case 3:
                line = []
                cursor = 0
            case 27:
                guard readByte() == 91, let code = readByte() else { break }
                switch code {
                case 65:   // up
                    if index > 0 {
                        if index == history.count { draft = line }
                        index -= 1
                        line = Array(history[index])
                        cursor = line.count
                    }
                case 66:   // down
                    if index < history.count {
                        index += 1
                        line = index == history.count ? draft : Array(history[index])
                        cursor = line.count
                    }
                case 67: cursor = min(line.count, cursor + 1)
                case 68: cursor = max(0, cursor - 1)
                case 72: cursor = 0
                case 70: cursor = line.count
                case 51:
                    if readByte() == 126, cursor < line.count { line.remove(at: cursor) }
                default: break
                }
            default:
                pending.append(byte)
                // Insert once the bytes form a whole UTF-8 character.
                if let text = String(bytes: pending, encoding: .utf8) {
                    for c in text {
                        line.insert(c, at: cursor)
                        cursor += 1
                    }
                    pending = []
                } else if pending.count > 4 {
                    pending = []
                }
            }
            redraw()
        }
        return line.isEmpty ? nil : String(line)
    }
}
