/// RFC 4180 field splitting of one complete record (its line breaks inside quotes already joined).
enum CSVFields {
    /// Why a record does not parse.
    struct SyntaxError: Error {
        let message: String
    }

    /// The record's fields; a quoted field has its quotes removed and doubled quotes undone.
    static func split(_ bytes: UnsafeBufferPointer<UInt8>) throws(SyntaxError) -> [String] {
        var fields: [String] = []
        var index = 0
        let count = bytes.count
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ",")
        while true {
            if index < count && bytes[index] == quote {
                index += 1
                var value: [UInt8] = []
                while true {
                    guard index < count else {
                        throw SyntaxError(message: "a quoted field is not closed before the end of the file")
                    }
                    let byte = bytes[index]
                    if byte == quote {
                        if index + 1 < count && bytes[index + 1] == quote {
                            value.append(quote)
                            index += 2
                            continue
                        }
                        index += 1
                        break
                    }
                    value.append(byte)
                    index += 1
                }
                fields.append(String(decoding: value, as: UTF8.self))
                if index == count { return fields }
                guard bytes[index] == comma else {
                    throw SyntaxError(
                        message: "unexpected text after the closing quote of field \(fields.count) (a quote inside "
                            + "a quoted field must be doubled)")
                }
                index += 1
            } else {
                let begin = index
                while index < count && bytes[index] != comma {
                    if bytes[index] == quote {
                        throw SyntaxError(
                            message: "a double quote inside unquoted field \(fields.count + 1) (quote the whole "
                                + "field and double the quote)")
                    }
                    index += 1
                }
                fields.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[begin..<index]), as: UTF8.self))
                if index == count { return fields }
                index += 1
            }
        }
    }
}
