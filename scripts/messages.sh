#!/usr/bin/env bash
# Extract translatable strings into each app's own catalogue (src/opencity/<app>/locale) and the
# project's (src/opencity/locale, for templates/ and top-level modules). Needs GNU gettext (developers only);
# `make compilemessages` then builds the .mo files with polib.
set -euo pipefail
cd "$(dirname "$0")/../src/opencity"

export DJANGO_SETTINGS_MODULE=opencity.settings
export OPENCITY_DATA_DIR="${OPENCITY_DATA_DIR:-/tmp/opencity-messages}"
DJ="$(cd ../.. && pwd)/.venv/bin/django-admin"
apps=(core accounts hosting community ledger transparency payments contributions expenses events banking stories movement)
only="${1:-}"
for app in "${apps[@]}"; do
  [ -n "$only" ] && [ "$only" != "$app" ] && continue
  [ -d "$app" ] || continue
  (cd "$app" && mkdir -p locale && "$DJ" makemessages -l fr -l nl -l ar --no-obsolete --no-location >/dev/null)
done
if [ -z "$only" ] || [ "$only" = "project" ]; then
  ignores=(); for app in "${apps[@]}"; do ignores+=(--ignore "$app/*"); done
  mkdir -p locale && "$DJ" makemessages -l fr -l nl -l ar --no-obsolete --no-location "${ignores[@]}" >/dev/null
fi
echo "catalogues updated; translate the new entries, then: make compilemessages"
