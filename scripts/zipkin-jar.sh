#!/usr/bin/env bash
# Provides the Zipkin server (one executable jar, from Maven Central) and prints its
# path. Downloaded once into .cache/zipkin-<version>/, checked against Maven
# Central's SHA-1; `npm start` runs it with Java (when there is one), and the compose
# stand-in image (scripts/docker-standin-images.sh) copies it.
# Progress goes to stderr, the path to stdout:  ZIPKIN_JAR=$(scripts/zipkin-jar.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=3.6.1
url="https://repo1.maven.org/maven2/io/zipkin/zipkin-server/$version/zipkin-server-$version-exec.jar"
jar="$root/.cache/zipkin-$version/zipkin-server-$version-exec.jar"

if [ -s "$jar" ]; then echo "$jar"; exit 0; fi

command -v curl >/dev/null || { echo "curl is needed to download Zipkin $version" >&2; exit 1; }
echo "Downloading the Zipkin server $version (about 90 MB, first time only)..." >&2
mkdir -p "$(dirname "$jar")"
curl -fsSL --retry 3 -o "$jar.part" "$url"
expected=$(curl -fsSL --retry 3 "$url.sha1" | cut -c1-40)
actual=$(sha1sum "$jar.part" | cut -d' ' -f1)
if [ "$expected" != "$actual" ]; then
  rm -f "$jar.part"
  echo "the Zipkin jar's SHA-1 is $actual, Maven Central says $expected: not using it" >&2
  exit 1
fi
mv "$jar.part" "$jar"
echo "$jar"
