#!/usr/bin/env bash
# The relay against the PeerJS server, side by side (docs/benchmarks.md). Builds the relay's jar,
# installs the harness's two npm packages (peer, ws), then runs compare.mjs; options pass through:
#   bench/peerjs/run.sh [--sessions 500,1000,2500,5000] [--rates 1000,2000] [--seconds 8] [--targets duet,peerjs]
# Loopback only. Takes about 20 minutes with the defaults; nothing else should run meanwhile.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -pl signaling-server -am -DskipTests package
jar=$(ls signaling-server/target/duet-signaling-server-*-all.jar)
cd bench/peerjs
npm ci --no-audit --no-fund --silent
exec node compare.mjs --jar "../../$jar" --java-opts "-Xmx512m" "$@"
