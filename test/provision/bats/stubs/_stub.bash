# Shared by the command stubs: every call is logged as one line "name args..." in $STUB_LOG;
# state that later calls read (installed packages, enabled units...) lives in $STUB_STATE.
: "${STUB_LOG:?}" "${STUB_STATE:?}"
stub_name=$(basename "$0")
printf '%s\n' "$stub_name${*:+ $*}" >>"$STUB_LOG"
mkdir -p "$STUB_STATE"
