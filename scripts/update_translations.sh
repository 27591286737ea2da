#!/bin/sh
# Extract our own strings (Indonesian in the source) and refresh the English
# catalogue.  Usage:
#   scripts/update_translations.sh              -> messages.pot + en/messages.po
#   scripts/update_translations.sh --pot FILE   -> only extract, into FILE
# Then translate the empty msgstr entries of en/messages.po; `make translations`
# compiles them.  Fuzzy matching is off because the Makefile compiles with
# --use-fuzzy, and a guessed translation must never reach the screen.
set -eu
cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
POT=sop_admin/translations/messages.pot
ONLY_POT=0
if [ "${1:-}" = "--pot" ]; then
    POT="$2"
    ONLY_POT=1
fi

"$PYBABEL" -q extract -F babel.cfg -o "$POT" \
    -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 \
    --add-location=file --sort-output --no-wrap \
    --project=sop-admin --copyright-holder=sop-admin \
    .

if [ "$ONLY_POT" = 1 ]; then
    exit 0
fi

"$PYBABEL" -q update -i "$POT" -d sop_admin/translations -D messages -l en \
    --init-missing --no-fuzzy-matching --ignore-obsolete --no-wrap
grep -c '^msgid' sop_admin/translations/en/LC_MESSAGES/messages.po \
    | xargs printf 'en/messages.po: %s msgids\n'
