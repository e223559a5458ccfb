/**
 * Inputs that a provider cannot change in place, for the types this program uses: a change to one
 * of them shows as a replacement (+-) in the offline diff. The provider has the final word (its
 * schema and Diff call); this table models it so the offline plan warns before anyone previews.
 *
 * Sources: azure-native path parameters (the resource's ARM URL; a new name is a new resource),
 * ARM's "Changing property ... is not allowed" rules, the Terraform AWS provider's ForceNew fields
 * (which @pulumi/aws is bridged from), and @pulumi/command's replaceOnChanges on `triggers`.
 */
export interface CreateOnlyRule {
    /** Property paths as in `replaceOnChanges`: `a.b`, `list[*]`. */
    paths: string[];
    why: string;
}

const AZURE_COMMON = ["resourceGroupName", "location"];
const azure = (pathParams: string[], body: string[] = [], why = "ARM URL (name) or a property ARM does not change in place"): CreateOnlyRule =>
    ({ paths: [...AZURE_COMMON, ...pathParams, ...body], why });
const COMMAND: CreateOnlyRule = { paths: ["triggers[*]"], why: "@pulumi/command marks triggers replaceOnChanges" };

export const CREATE_ONLY: Record<string, CreateOnlyRule> = {
    "azure-native:resources:ResourceGroup": azure([]),
    "azure-native:network:NetworkSecurityGroup": azure(["networkSecurityGroupName"]),
    "azure-native:network:PublicIPAddress": azure(["publicIpAddressName"], ["sku", "zones", "publicIPAddressVersion"]),
    "azure-native:network:NatGateway": azure(["natGatewayName"], ["zones"]),
    "azure-native:network:VirtualNetwork": azure(["virtualNetworkName"]),
    "azure-native:network:Subnet": azure(["virtualNetworkName", "subnetName"]),
    "azure-native:network:LoadBalancer": azure(["loadBalancerName"], ["sku"]),
    "azure-native:network:NetworkInterface": azure(["networkInterfaceName"]),
    "azure-native:compute:VirtualMachine": azure(["vmName"], [
        "zones", "osProfile.computerName", "osProfile.adminUsername", "osProfile.linuxConfiguration.ssh.publicKeys",
        "storageProfile.imageReference", "storageProfile.osDisk.createOption",
    ]),
    "azure-native:privatedns:PrivateZone": azure(["privateZoneName"]),
    "azure-native:privatedns:VirtualNetworkLink": azure(["privateZoneName", "virtualNetworkLinkName"]),
    "azure-native:dbformysql:Server": azure(["serverName"], ["network", "version", "administratorLogin", "availabilityZone"],
        "ARM URL, private network, admin login and primary zone are fixed at creation; 5.7 -> 8.0 is an in-place `az mysql flexible-server upgrade`, not a provider update"),
    "azure-native:dbformysql:Configuration": azure(["serverName", "configurationName"]),
    "azure-native:dbformysql:Database": azure(["serverName", "databaseName"]),
    "azure-native:storage:StorageAccount": azure(["accountName"]),
    "azure-native:storage:FileServiceProperties": azure(["accountName", "fileServicesName"]),
    "azure-native:storage:FileShare": azure(["accountName", "shareName"]),
    "azure-native:storage:BlobServiceProperties": azure(["accountName", "blobServicesName"]),
    "azure-native:storage:BlobContainer": azure(["accountName", "containerName"]),
    "azure-native:storage:ManagementPolicy": azure(["accountName", "managementPolicyName"]),
    "azure-native:recoveryservices:Vault": azure(["vaultName"]),
    "azure-native:recoveryservices:ProtectionPolicy": azure(["vaultName", "policyName"]),
    "azure-native:recoveryservices:ProtectionContainer": azure(["vaultName", "fabricName", "containerName"]),
    "azure-native:recoveryservices:ProtectedItem": azure(["vaultName", "fabricName", "containerName", "protectedItemName"]),
    "aws:route53/record:Record": { paths: ["zoneId", "name", "type", "setIdentifier"], why: "ForceNew in the AWS provider" },
    "aws:ebs/snapshot:Snapshot": { paths: ["volumeId", "description"], why: "ForceNew in the AWS provider" },
    "command:remote:Command": COMMAND,
    "command:remote:CopyToRemote": COMMAND,
    "command:local:Command": COMMAND,
};

/**
 * The rule for a type. Unlisted azure-native types fall back to the resource group, location and
 * every top-level `...Name` input (their ARM path parameters by azure-native's naming).
 */
export function createOnlyPaths(type: string, inputs: Record<string, unknown>): string[] {
    const rule = CREATE_ONLY[type];
    if (rule) return rule.paths;
    if (type.startsWith("azure-native:")) {
        return [...AZURE_COMMON, ...Object.keys(inputs).filter((k) => k.endsWith("Name") && k !== "resourceGroupName")];
    }
    return [];
}
