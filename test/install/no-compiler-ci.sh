#!/usr/bin/env bash
# Proves that installing never compiles: `npm ci` with no C/C++ compiler, make or python on PATH and
# an npm config without `nodedir`, then better-sqlite3 must load from its prebuild (no build/) and
# the engine must open its database. Usage: test/install/no-compiler-ci.sh [npm ci flags]
set -euo pipefail
cd "$(dirname "$0")/../.."

# A PATH holding every command of /usr/bin and /bin except the build toolchain.
bare=$(mktemp -d)
trap 'rm -rf "$bare"' EXIT
for dir in /usr/local/bin /usr/bin /bin; do
  for f in "$dir"/*; do
    name=$(basename "$f")
    case "$name" in
      cc | c++ | gcc* | g++* | cpp* | clang* | *-gcc* | *-g++* | make | gmake | python* | node-gyp) continue ;;
    esac
    [ -e "$bare/$name" ] || ln -s "$f" "$bare/$name"
  done
done
empty_config="$bare/npmrc"
: >"$empty_config"
for tool in cc gcc g++ make python3 python; do
  if PATH="$bare" command -v "$tool" >/dev/null 2>&1; then
    echo "the bare PATH still has $tool"
    exit 1
  fi
done

env -u npm_config_nodedir -u NPM_CONFIG_NODEDIR PATH="$bare" NPM_CONFIG_USERCONFIG="$empty_config" \
  npm ci --no-audit --no-fund "$@"

if [ -e node_modules/better-sqlite3/build ]; then
  echo "better-sqlite3 was compiled (node_modules/better-sqlite3/build exists)"
  exit 1
fi
PATH="$bare" node_modules/.bin/node test/install/open-database.ts
