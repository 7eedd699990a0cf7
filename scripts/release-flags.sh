#!/bin/sh
# Prints the `swift build` flags of a release build as the project ships it, for the Makefile
# and the benchmark scripts (one place, so they all build the same binary into .build/release).
#
# - --static-swift-stdlib: the Swift runtime and Foundation are linked in, so `lattice` needs
#   only libc, libcurl and libcrypto at run time, and a cold start maps far fewer libraries:
#   about 3 MiB less peak memory and 3 ms less start-up than linking them dynamically.
# - lld with -z pack-relative-relocs (DT_RELR): the executable stays position independent, but
#   its ~80,000 relative relocations take 8 KiB instead of 1 MiB that the loader reads at every
#   start. glibc applies DT_RELR from 2.36 on, so older systems link without it.
set -eu
flags="-c release --static-swift-stdlib"
swift_bin=$(dirname "$(readlink -f "$(command -v "${SWIFT:-swift}")")")
glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')
major=${glibc%%.*}
minor=${glibc#*.}
minor=${minor%%.*}
if [ -x "$swift_bin/ld.lld" ] && [ -n "$glibc" ] && { [ "$major" -gt 2 ] || { [ "$major" -eq 2 ] && [ "$minor" -ge 36 ]; }; }; then
  flags="$flags -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs"
fi
echo "$flags"
