#!/usr/bin/env bash
# man.sh PROGRAM NAME SECTION VERSION DATE — prints a man page (roff) made from the command's own --help:
# NAME and DESCRIPTION from the root help, OPTIONS (the global ones), then one COMMANDS subsection per verb
# with its usage, arguments and own options. No dependency beyond bash and awk.
set -euo pipefail
prog=$1 name=$2 section=$3 version=$4 date=$5

# roff-escape stdin: backslashes, hyphens, and a leading dot or quote
esc() { sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }

# help_section HELP TITLE: the indented lines under "TITLE:" up to the next blank line
help_section() { awk -v t="$2:" '$0 == t {on=1; next} on && /^$/ {exit} on {sub(/^  /, ""); print}' <<<"$1"; }

# items: "term  description" lines (2+ spaces apart) as .TP paragraphs; stops at the global options (-?, -h)
items() {
  awk -v stop="${1:-}" 'stop != "" && index($0, stop) == 1 { exit } { print }' | esc |
    awk '{ i = match($0, /  +/); if (i == 0) { print $0; next }
           print ".TP"; print "\\fB" substr($0, 1, i - 1) "\\fR"; print substr($0, i + RLENGTH) }'
}

root=$(COLUMNS=500 "$prog" --help)
summary=$(help_section "$root" Description | head -1)
upper=$(tr '[:lower:]-' '[:upper:]_' <<<"$name")
echo ".TH $upper $section \"$date\" \"$name $version\" \"System Administration\""
echo ".SH NAME"
echo "$name \\- $(sed 's/^[^:]*: //' <<<"$summary" | esc)"
echo ".SH SYNOPSIS"
echo ".B $name"
help_section "$root" Usage | sed "s/^[^ ]* //" | esc
echo ".SH DESCRIPTION"
help_section "$root" Description | esc
echo ".SH OPTIONS"
echo "These options apply to every command."
help_section "$root" Options | items
echo ".SH COMMANDS"
help_section "$root" Commands | while IFS= read -r line; do
  verb=$(awk '{print $1}' <<<"$line"); verb=${verb%,}
  sub=$(COLUMNS=500 "$prog" "$verb" --help)
  echo ".SS \"$(awk -F '  +' '{print $1}' <<<"$line" | esc)\""
  help_section "$sub" Description | esc
  echo ".PP"
  echo "Usage: \\fB$(help_section "$sub" Usage | esc)\\fR"
  if grep -q '^Arguments:$' <<<"$sub"; then help_section "$sub" Arguments | items; fi
  help_section "$sub" Options | items "-?, -h, --help"
done
echo ".SH SEE ALSO"
echo ".BR wg (8)"
