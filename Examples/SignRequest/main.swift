// Signs a VPC Lattice ListServices request with SigV4 and prints what a client would send.
// This is the README's signing example; `make demo` runs it until the local Lattice demo lands.
import Foundation
import SigV4

let signer = SigV4Signer(
    credentials: SigV4Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
    region: "us-east-1",
    service: "vpc-lattice"
)
var request = SigV4Request(method: "GET", url: "https://vpc-lattice.us-east-1.amazonaws.com/services?maxResults=10")
let details = try signer.sign(&request, date: Date(timeIntervalSince1970: 1_795_262_400))  // 2026-11-21T12:00:00Z

print("Canonical request:\n\(details.canonicalRequest)\n")
print("String to sign:\n\(details.stringToSign)\n")
print("\(request.method) \(request.url)")
for field in request.headers { print("\(field.name): \(field.value)") }

let (url, _) = try signer.presign(request, expires: 900, date: Date(timeIntervalSince1970: 1_795_262_400))
print("\nPresigned for 15 minutes:\n\(url)")
