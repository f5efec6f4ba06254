import CLibXML2

/// Element names as Strings, by libxml2's pointer: the parser keeps each name once in its
/// dictionary, so the same name comes back at the same address and is made into a String once
/// (at most 1,024 of them, so a page of made-up names cannot grow it without bound).
struct XMLElementNames {
    private var names: [UnsafePointer<xmlChar>: String] = [:]

    mutating func string(_ pointer: UnsafePointer<xmlChar>) -> String {
        if let known = names[pointer] { return known }
        let name = String(cString: pointer)
        if names.count < 1_024 { names[pointer] = name }
        return name
    }
}
