import Foundation

// lattice-codegen MODEL_DIR OUTPUT_DIR [CLI_OUTPUT_DIR] [--check]
// Writes (or with --check, compares) the files of Sources/LatticeKit/Generated and, when a
// second directory is given, the CLI's Sources/lattice/Generated.
let args = CommandLine.arguments.dropFirst()
guard args.count >= 2 else {
    FileHandle.standardError.write(Data("usage: lattice-codegen MODEL_DIR OUTPUT_DIR [--check]\n".utf8))
    exit(2)
}
let modelDir = URL(fileURLWithPath: args[args.startIndex])
let outDir = URL(fileURLWithPath: args[args.startIndex + 1])
let check = args.contains("--check")
let positional = args.filter { !$0.hasPrefix("--") }
let cliDir = positional.count > 2 ? URL(fileURLWithPath: positional[positional.startIndex + 2]) : nil

do {
    let generator = Generator(model: try Model(directory: modelDir))
    try generator.checkPatterns()
    try generator.checkDocumentation()
    let files: [String: String] = [
        "Enums.swift": generator.enums(),
        "Structures.swift": generator.structures(),
        "Unions.swift": generator.unions(),
        "Errors.swift": generator.errors(),
        "OperationSpecs.swift": generator.operationSpecs(),
        "Operations.swift": generator.clientOperations(),
        "OperationDescriptors.swift": generator.operationDescriptors(),
        "Paginators.swift": generator.paginators(),
        "Waiters.swift": try generator.waiters(),
    ]
    var stale: [String] = []
    let existing = Set((try? FileManager.default.contentsOfDirectory(atPath: outDir.path)) ?? [])
    var targets: [(URL, String)] = files.sorted(by: { $0.key < $1.key }).map { (outDir.appendingPathComponent($0.key), $0.value) }
    if let cliDir {
        targets.append((cliDir.appendingPathComponent("OutputShapes.swift"), generator.cliOutputShapes()))
        targets.append((cliDir.appendingPathComponent("CommandHelp.swift"), generator.cliCommandHelp()))
    }
    for (url, text) in targets {
        let name = url.lastPathComponent
        if (try? String(contentsOf: url, encoding: .utf8)) != text {
            stale.append(name)
            if !check {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try text.write(to: url, atomically: true, encoding: .utf8)
            }
        }
    }
    let extra = existing.subtracting(files.keys).filter { $0.hasSuffix(".swift") }
    if check {
        if !stale.isEmpty || !extra.isEmpty {
            print("Sources/LatticeKit/Generated or Sources/lattice/Generated differs from what Codegen makes: \((stale + extra.sorted()).joined(separator: ", ")); run `make generate` and commit the result")
            exit(1)
        }
    } else {
        for name in extra { try FileManager.default.removeItem(at: outDir.appendingPathComponent(name)) }
        print("wrote \(files.count) files to \(outDir.path) (\(stale.count) changed)")
    }
} catch {
    FileHandle.standardError.write(Data("lattice-codegen: \(error)\n".utf8))
    exit(1)
}
