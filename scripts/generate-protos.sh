#!/usr/bin/env bash
# Regenerates Sources/LineupWire/Generated from protos/.
#
# The protoc plugins are built from the packages Package.swift pins (swift-protobuf's
# protoc-gen-swift, grpc-swift-protobuf's protoc-gen-grpc-swift-2) into their own scratch
# folder, so the generated code always matches the runtime it is compiled against.
# protoc itself is Debian's protobuf-compiler (scripts/install-deps.sh installs it).
#
#   scripts/generate-protos.sh           regenerate in place
#   scripts/generate-protos.sh --check   regenerate into a temporary folder and fail when
#                                        it differs from what is committed (CI)
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-write}"
scratch="${LINEUP_PLUGIN_BUILD_DIR:-.build-protoc}"
out="Sources/LineupWire/Generated"

command -v protoc >/dev/null || { echo "protoc not found: run scripts/install-deps.sh" >&2; exit 1; }

echo "building protoc plugins into $scratch ..." >&2
swift build --scratch-path "$scratch" --product protoc-gen-swift >&2
swift build --scratch-path "$scratch" --product protoc-gen-grpc-swift-2 >&2
bin="$(swift build --scratch-path "$scratch" --show-bin-path)"

staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT

# Every .proto under protos/, in a stable order so output never depends on the file system.
mapfile -t protos < <(cd protos && find . -name '*.proto' | sed 's|^\./||' | LC_ALL=C sort)

protoc \
  --proto_path=protos \
  --plugin=protoc-gen-swift="$bin/protoc-gen-swift" \
  --plugin=protoc-gen-grpc-swift="$bin/protoc-gen-grpc-swift-2" \
  --swift_out="$staging" \
  --swift_opt=Visibility=Package,UseAccessLevelOnImports=true \
  --grpc-swift_out="$staging" \
  --grpc-swift_opt=Visibility=Package,Server=true,Client=true,UseAccessLevelOnImports=true \
  "${protos[@]}"

case "$mode" in
  write)
    rm -rf "$out"
    mkdir -p "$out"
    cp -R "$staging"/. "$out"/
    echo "regenerated $out from ${#protos[@]} protos" >&2
    ;;
  --check)
    if ! diff -r "$staging" "$out" >/dev/null; then
      diff -ru "$out" "$staging" | head -50 >&2 || true
      echo "FAIL: $out is stale; run scripts/generate-protos.sh (or make generate) and commit" >&2
      exit 1
    fi
    echo "generated code is fresh (${#protos[@]} protos)" >&2
    ;;
  *)
    echo "usage: $0 [--check]" >&2
    exit 2
    ;;
esac
