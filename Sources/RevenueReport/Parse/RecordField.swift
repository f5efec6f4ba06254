import Foundation

/// The eight member names the typer reads, matched on their bytes: what the page scanners
/// (`JSONRecordScanner`, `XMLRecordScanner`) take a record's members by.
enum RecordField: CaseIterable {
    case id, status, sourceFilename, dateUpload, totalRecords, successfulRecords, unsuccessfulRecords, logs

    var name: StaticString {
        switch self {
        case .id: "id"
        case .status: "status"
        case .sourceFilename: "source_filename"
        case .dateUpload: "date_upload"
        case .totalRecords: "total_records"
        case .successfulRecords: "successful_records"
        case .unsuccessfulRecords: "unsuccessful_records"
        case .logs: "logs"
        }
    }

    var bit: UInt8 {
        switch self {
        case .id: 1
        case .status: 2
        case .sourceFilename: 4
        case .dateUpload: 8
        case .totalRecords: 16
        case .successfulRecords: 32
        case .unsuccessfulRecords: 64
        case .logs: 128
        }
    }

    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        // Every name has a different length but two: compare the bytes of those that fit.
        for field in Self.allCases where field.name.utf8CodeUnitCount == bytes.count
            && memcmp(field.name.utf8Start, bytes.baseAddress!, bytes.count) == 0 {
            self = field
            return
        }
        return nil
    }
}

extension RecordMembers {
    subscript(field: RecordField) -> Value? {
        get {
            switch field {
            case .id: id
            case .status: status
            case .sourceFilename: sourceFilename
            case .dateUpload: dateUpload
            case .totalRecords: totalRecords
            case .successfulRecords: successfulRecords
            case .unsuccessfulRecords: unsuccessfulRecords
            case .logs: logs
            }
        }
        set {
            switch field {
            case .id: id = newValue
            case .status: status = newValue
            case .sourceFilename: sourceFilename = newValue
            case .dateUpload: dateUpload = newValue
            case .totalRecords: totalRecords = newValue
            case .successfulRecords: successfulRecords = newValue
            case .unsuccessfulRecords: unsuccessfulRecords = newValue
            case .logs: logs = newValue
            }
        }
    }
}
