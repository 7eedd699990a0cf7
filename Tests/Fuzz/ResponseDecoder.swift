// libFuzzer target: decoding service answers (LatticeClient.decodeOutput through each
// operation's generated output type, and error decoding in Protocol/ErrorDecoding.swift).
// The first byte picks the operation and the error status; the rest is the body. Properties:
// - decoding a 2xx body never crashes: it gives the output, or a LatticeDecodingError that
//   names the operation and says what is wrong;
// - an output encoded by LatticeKit decodes again to the same encoding (a fixed point);
// - any 4xx/5xx answer becomes an AWSServiceError with a code, the status and a message of
//   bounded length, and the modeled error for its code keeps the response it came from.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
@testable import LatticeKit
import SigV4

private let operations = OperationDescriptor.all
private let fixedNow = Date(timeIntervalSince1970: 1_795_262_400)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResponseDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let pick = Int(bytes[0])
    let operation = operations[pick % operations.count]
    let name = operation.spec.name
    let body = Array(bytes.dropFirst())

    do {
        let once = try operation.roundTripOutput(Data(body))
        let twice: Data
        do {
            twice = try operation.roundTripOutput(once)
        } catch {
            fatalError("\(name): LatticeKit's own encoding of an output does not decode: \(error)\n\(String(decoding: once, as: UTF8.self))")
        }
        guard once == twice else {
            fatalError("\(name): encode(decode(x)) is not a fixed point:\n\(String(decoding: once, as: UTF8.self))\n\(String(decoding: twice, as: UTF8.self))")
        }
    } catch let error as LatticeDecodingError {
        guard error.operation == name, !error.detail.isEmpty, error.description.hasPrefix("the \(name) answer (HTTP ") else {
            fatalError("\(name): a decoding error that does not say what went wrong: \(error)")
        }
    } catch {
        fatalError("\(name): decoding threw \(type(of: error)), not LatticeDecodingError: \(error)")
    }

    // The same body as an error answer; an odd first byte also sends the body's first line
    // as the x-amzn-ErrorType header.
    let status = 400 + pick % 200
    var headers = HTTPHeaders()
    if pick & 1 == 1 {
        let line = body.prefix { $0 != 0x0A && $0 != 0x0D }
        headers.add(name: "x-amzn-ErrorType", value: String(decoding: line, as: UTF8.self))
    }
    let response = HTTPResponse(status: status, headers: headers, body: body)
    let error = AWSServiceError(response: response, now: fixedNow)
    guard !error.code.isEmpty, error.httpStatus == status, !error.description.isEmpty else {
        fatalError("error decoding: no code or description for HTTP \(status): \(error)")
    }
    if ErrorBodyFields.decode(body) == nil, let message = error.message, message.count > AWSServiceError.maxPlainMessageLength + 1 {
        fatalError("error decoding: a non-JSON body gave a message of \(message.count) characters")
    }
    let modeled = LatticeErrors.modeled(error)
    guard !"\(modeled)".isEmpty else { fatalError("error decoding: a modeled error without a description") }
    if let typed = modeled as? any LatticeModeledError {
        guard type(of: typed).code == error.code, typed.serviceError?.httpStatus == status else {
            fatalError("error decoding: \(type(of: typed)) for code \(error.code) lost its response")
        }
    }
    return 0
}
