#!/usr/bin/env bash
# Optional, for developers merging branches: union-merge .po catalogues with GNU msgcat (ours wins on
# conflicting translations); .mo files keep ours and are rebuilt with `make compilemessages` afterwards.
set -euo pipefail
git config merge.pomerge.name "gettext catalogue union"
git config merge.pomerge.driver 'msgcat --use-first --no-location -o %A.merged %A %B && mv %A.merged %A'
git config merge.mokeep.name "keep ours; rebuild with make compilemessages"
git config merge.mokeep.driver true
