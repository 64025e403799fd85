#!/usr/bin/env bash
# Regenerates docs/cli.md from the built commands' own --help output (./build.sh build first).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=artifacts/build/bin
server=$BIN/Innernet.Server.Cli/release/innernet-server
client=$BIN/Innernet.Client.Cli/release/inn
[ -x "$server" ] && [ -x "$client" ] || { echo "build first: ./build.sh build" >&2; exit 1; }

verbs() { # the first word of each line of the Commands: section
  "$1" --help | awk '/^Commands:/{on=1; next} on && NF {print $1}' | sed 's/,$//'
}

section() { # program path, display name
  local prog=$1 name=$2 verb
  echo "## \`$name\`"
  echo
  echo '```text'
  COLUMNS=140 "$prog" --help
  echo '```'
  for verb in $(verbs "$prog"); do
    echo
    echo "### \`$name $verb\`"
    echo
    echo '```text'
    COLUMNS=140 "$prog" "$verb" --help | awk '/^  -c, --config-dir/{exit} {print}'
    echo '```'
  done
  echo
}

{
  echo "# CLI reference"
  echo
  echo "Generated from the commands' own \`--help\` by \`tests/harness/cli-docs.sh\`; the global options"
  echo "(\`-c\`, \`-d\`, \`--backend\`, \`--mtu\`, \`--no-routing\`) apply to every verb and are listed once per command."
  echo "Every prompt has a flag; without a terminal a missing value is an error naming the flag."
  echo "Exit codes: 0 success, 1 failure, 2 usage, 3 permission, 4 not found."
  echo
  cat <<'EOF'
## JSON output of the listings

`list-cidrs --json` and `list-associations --json` print the same bytes from `innernet-server` and from `inn` for the
same network: the API's own objects (as `GET /v1/admin/cidrs` and `GET /v1/admin/associations` answer them), as one
compact JSON array ordered by id, followed by a newline. `innernet-server` reads its database (or the running server);
`inn list-cidrs` reads the local peer cache, `inn list-associations` asks the server.

- `list-cidrs`: `[{"id":1,"name":"evilcorp","cidr":"10.42.0.0/16","parent":null},`
  `{"id":2,"name":"innernet-server","cidr":"10.42.0.1/32","parent":1}, …]` (`parent` is null only for the root CIDR).
- `list-associations`: `[{"id":1,"cidr_id_1":3,"cidr_id_2":4}, …]` (CIDR ids; the names are in `list-cidrs`).

`innernet-server list-peers --json` prints the API's peer objects the same way. The text forms of `list-cidrs` are one
`cidr name` line per CIDR in address order, or with `--tree` the tree with two spaces per level and the children of
each CIDR in address order; `show --json` (`inn`) has its own shape, printed by `inn` only.
EOF
  echo
  section "$server" innernet-server
  section "$client" "inn"
} > docs/cli.md
echo "wrote docs/cli.md ($(wc -l < docs/cli.md) lines)"
