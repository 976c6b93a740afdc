#!/usr/bin/env bash
# API documentation of the SentenceTransformers library as a DocC archive, built offline with the toolchain's own
# docc (no swift-docc-plugin):
#
#   bash scripts/docs.sh            # → .build/docs/SentenceTransformers.doccarchive
#   bash scripts/docs.sh --serve    # the same, then `docc preview` of the catalog on http://localhost:8080
#
# 1. Symbol graphs: a debug build of the SentenceTransformers target alone (and the targets it depends on) with
#    -emit-symbol-graph, in its own scratch path (.build/docs-build), so the normal build's flags are left alone.
# 2. Only SentenceTransformers' own graphs (SentenceTransformers.symbols.json and its extension graphs
#    SentenceTransformers@Swift…) go to docc; STModels' and the other dependencies' are left out.
# 3. docc convert of Sources/SentenceTransformers/SentenceTransformers.docc, for static hosting.
#
# Exits non-zero when the build fails or when docc reports a warning located in the catalog (an unresolved symbol
# link, a missing article); warnings from the sources' own doc comments are counted and printed, not fatal.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

module=SentenceTransformers
catalog="Sources/$module/$module.docc"
scratch=.build/docs-build
graphs="$scratch/symbol-graphs"
module_graphs="$scratch/symbol-graphs-$module"
archive=".build/docs/$module.doccarchive"
diagnostics="$scratch/docc-diagnostics.json"
docc="${DOCC:-}"
if [ -z "$docc" ]; then
    if [ -x /opt/swift/usr/bin/docc ]; then docc=/opt/swift/usr/bin/docc
    elif command -v docc >/dev/null; then docc="$(command -v docc)"
    elif command -v xcrun >/dev/null; then docc="$(xcrun --find docc)"
    else echo "docc not found: set DOCC=/path/to/docc (it ships with the Swift toolchain)" >&2; exit 1
    fi
fi

# The dependencies the normal build already checked out, rather than a second clone.
if [ ! -d "$scratch/checkouts" ] && [ -d .build/checkouts ]; then
    mkdir -p "$scratch"
    cp -R .build/checkouts .build/repositories "$scratch/"
    [ -f .build/workspace-state.json ] && cp .build/workspace-state.json "$scratch/"
fi

# The compiler writes a module's symbol graph when it emits the module, so an up-to-date build writes none: $graphs
# is kept between runs, and when SentenceTransformers' graph is missing there its module is emitted again.
flags=(-c debug --scratch-path "$scratch" --target "$module"
       -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc "$root/$graphs")
build() {
    if ! swift build "${flags[@]}" >"$scratch/build.log" 2>&1; then
        grep -v -e "unhandled; explicitly declare" -e "CMakeLists.txt$" "$scratch/build.log"
        echo "docs: the build of $module failed"
        exit 1
    fi
    tail -1 "$scratch/build.log"
}

start=$(date +%s)
rm -rf "$module_graphs"
mkdir -p "$graphs" "$module_graphs" "$(dirname "$archive")"
echo "== symbol graphs: swift build --target $module (debug, $scratch)"
build
if [ ! -f "$graphs/$module.symbols.json" ]; then
    bin="$(swift build "${flags[@]}" --show-bin-path)"
    rm -f "$bin/Modules/$module.swiftmodule" "$bin/$module.swiftmodule"      # the job that emits it writes the graph
    build
fi
cp "$graphs/$module.symbols.json" "$module_graphs/"
for extension in "$graphs/$module@"*.symbols.json; do
    [ -e "$extension" ] && cp "$extension" "$module_graphs/"
done
echo "   $(ls "$module_graphs" | wc -l) symbol graph(s) of $module kept, of $(ls "$graphs" | wc -l) in $graphs"

echo "== docc convert $catalog"
rm -rf "$archive" "$diagnostics"
set +e
"$docc" convert "$catalog" \
    --additional-symbol-graph-dir "$module_graphs" \
    --output-path "$archive" \
    --fallback-display-name "$module" \
    --fallback-bundle-identifier org.swift-sentence-transformers.SentenceTransformers \
    --fallback-default-module-kind "Swift Package Library" \
    --transform-for-static-hosting \
    --diagnostics-file "$diagnostics" >"$scratch/docc.log" 2>&1
status=$?
set -e
if [ $status -ne 0 ]; then
    cat "$scratch/docc.log"
    echo "docs: docc convert failed (exit $status)"
    exit 1
fi

# Warnings by where they are: the catalog's articles (fatal) or the sources' doc comments (reported).
python3 - "$diagnostics" "$root/$catalog" <<'EOF'
import json, sys
from urllib.parse import urlparse, unquote
path, catalog = sys.argv[1], sys.argv[2]
with open(path) as f:
    diagnostics = json.load(f).get("diagnostics", [])
def where(d):
    source = d.get("source") or ""
    return unquote(urlparse(source).path) if source.startswith("file:") else source
def line(d):
    start = (d.get("range") or {}).get("start") or {}
    return f'{where(d)}:{start.get("line", "?")}: {d.get("severity")}: {d.get("summary")}'
warnings = [d for d in diagnostics if d.get("severity") in ("warning", "error")]
ours = [d for d in warnings if where(d).startswith(catalog)]
others = [d for d in warnings if not where(d).startswith(catalog)]
for d in ours:
    print(line(d))
if others:
    print(f"   {len(others)} warning(s) in the sources' doc comments (not fatal), e.g.:")
    for d in others[:5]:
        print("   " + line(d))
with open(path + ".summary", "w") as f:
    f.write(f"{len(ours)} {len(others)}\n")
EOF
read -r catalog_warnings source_warnings <"$diagnostics.summary"
echo "== docs: $(( $(date +%s) - start )) s; $catalog_warnings catalog warning(s), $source_warnings in doc comments"
if [ "$catalog_warnings" -ne 0 ]; then
    echo "docs: fix the catalog's warnings above (unresolved symbol links, missing articles)"
    exit 1
fi
echo "archive: $root/$archive"
echo "open it with: $docc preview $catalog --additional-symbol-graph-dir $module_graphs"
echo "or serve the archive statically: python3 -m http.server -d $archive 8000"
echo "  → http://localhost:8000/documentation/sentencetransformers/"
if [ "${1:-}" = "--serve" ]; then
    exec "$docc" preview "$catalog" --additional-symbol-graph-dir "$module_graphs" \
        --fallback-display-name "$module" --fallback-bundle-identifier org.swift-sentence-transformers.SentenceTransformers
fi
