#!/usr/bin/env bash
# Builds the jars a second time from scratch and checks that they are byte for byte the ones the
# build before it made (project.build.outputTimestamp fixes every entry's time). Run after a build
# that left its jars in */target; offline (-o), as everything is resolved by then.
set -euo pipefail
cd "$(dirname "$0")/.."
sums() { find . -path '*/target/*' -maxdepth 3 -name '*.jar' ! -name 'original-*' -print0 | sort -z | xargs -0 sha256sum; }
first=$(mktemp)
second=$(mktemp)
trap 'rm -f "$first" "$second"' EXIT
sums > "$first"
if [ ! -s "$first" ]; then
  echo "reproducibility: no jars in */target; run a build first" >&2
  exit 1
fi
mvn -o -B -q clean package -DskipTests
sums > "$second"
if diff "$first" "$second"; then
  echo "reproducibility: $(wc -l < "$first") jars identical across two builds"
else
  echo "reproducibility: the jars above differ between two builds of the same commit" >&2
  exit 1
fi
