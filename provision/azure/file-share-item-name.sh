#!/usr/bin/env bash
# Prints the name under which Azure Backup knows a file share ("azurefileshare;<id>").
# The vault names protectable shares by an id of its own, not by the share's name, so the
# protected item cannot be named in advance (pulumi-azure-native#1420): this asks the vault,
# the way the portal and azurerm do. Runs where `pulumi up` runs, with the Azure CLI logged in.
#
#   SUBSCRIPTION_ID VAULT_RESOURCE_GROUP VAULT_NAME STORAGE_ACCOUNT SHARE_NAME   (environment)
#   AZ (default az), ATTEMPTS (30), WAIT_SECONDS (10)
set -euo pipefail
for v in SUBSCRIPTION_ID VAULT_RESOURCE_GROUP VAULT_NAME STORAGE_ACCOUNT SHARE_NAME; do
  [ -n "${!v:-}" ] || { echo "file-share-item-name: $v is not set" >&2; exit 2; }
done
AZ=${AZ:-az}
command -v "$AZ" >/dev/null || { echo "file-share-item-name: the Azure CLI ($AZ) is required where pulumi up runs (https://aka.ms/azcli), logged in with az login" >&2; exit 2; }

vault="https://management.azure.com/subscriptions/$SUBSCRIPTION_ID/resourceGroups/$VAULT_RESOURCE_GROUP/providers/Microsoft.RecoveryServices/vaults/$VAULT_NAME"
storage_filter="backupManagementType eq 'AzureStorage'"
match="[?properties.friendlyName=='$SHARE_NAME' && (properties.parentContainerFriendlyName=='$STORAGE_ACCOUNT' || contains(properties.containerName || '', ';$STORAGE_ACCOUNT'))].name | [0]"

lookup() { # url-suffix -> the matching item's name, or nothing
  "$AZ" rest --method get --url "$vault/$1" --query "$match" --output tsv 2>/dev/null || true
}

# Discovery is asynchronous: ask once, then poll.
"$AZ" rest --method post --url "$vault/backupFabrics/Azure/refreshContainers?api-version=2016-12-01&\$filter=$storage_filter" >/dev/null

for ((attempt = 1; attempt <= ${ATTEMPTS:-30}; attempt++)); do
  # Not yet protected: it is a protectable item.
  name=$(lookup "backupProtectableItems?api-version=2023-04-01&\$filter=$storage_filter and workloadType eq 'AzureFileShare'")
  # Protected already (a rerun): it is a protected item under the same name.
  [ -n "$name" ] || name=$(lookup "backupProtectedItems?api-version=2023-04-01&\$filter=$storage_filter")
  if [ -n "$name" ] && [ "$name" != None ]; then
    printf '%s\n' "$name"
    exit 0
  fi
  sleep "${WAIT_SECONDS:-10}"
done
echo "file-share-item-name: share $SHARE_NAME of $STORAGE_ACCOUNT is not among the protectable items of vault $VAULT_NAME after ${ATTEMPTS:-30} tries; is the storage container registered (ProtectionContainer) and the share created?" >&2
exit 1
