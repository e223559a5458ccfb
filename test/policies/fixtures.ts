/**
 * A hand-built mini stack shaped like what the program registers (azure-native 3.28 input
 * paths), compliant for prod; `dev` differs where dev saves money. Unit specs mutate single
 * resources from it; the gRPC spec sends all of it through the analyzer.
 */
import { RecordedResource } from "../../tools/recording";
import { StackCase, UNKNOWN } from "../support/policyHarness";

export type Stack = "dev" | "prod";

const RG = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-redmine";
const LB_ID = `${RG}/providers/Microsoft.Network/loadBalancers/redmine-lb`;

export const vmProps = (i: number) => ({
    resourceGroupName: "rg-redmine",
    zones: [String((i % 3) + 1)],
    hardwareProfile: { vmSize: "Standard_B2s" },
    storageProfile: {
        imageReference: { publisher: "OpenLogic", offer: "CentOS", sku: "7_9-gen2", version: "latest" },
        osDisk: { createOption: "FromImage", managedDisk: { storageAccountType: "Premium_ZRS" } },
    },
    osProfile: {
        computerName: `redmine-web-${i + 1}`,
        adminUsername: "redmine",
        linuxConfiguration: {
            disablePasswordAuthentication: true,
            ssh: { publicKeys: [{ path: "/home/redmine/.ssh/authorized_keys", keyData: "ssh-ed25519 AAAAC3Nza test" }] },
        },
    },
    networkProfile: { networkInterfaces: [{ id: UNKNOWN, primary: true }] },
    tags: { "redmine:role": "web", "redmine:stateless": "true" },
});

export const nicProps = (i: number) => ({
    resourceGroupName: "rg-redmine",
    ipConfigurations: [
        {
            name: "primary",
            subnet: { id: UNKNOWN },
            privateIPAllocationMethod: "Dynamic",
            loadBalancerBackendAddressPools: [{ id: `${LB_ID}/backendAddressPools/web` }],
            loadBalancerInboundNatRules: [{ id: `${LB_ID}/inboundNatRules/ssh-node-${i + 1}` }],
        },
    ],
});

export const lbProps = () => ({
    resourceGroupName: "rg-redmine",
    sku: { name: "Standard" },
    frontendIPConfigurations: [{ name: "frontend", publicIPAddress: { id: UNKNOWN } }],
    backendAddressPools: [{ name: "web" }],
    probes: [{ name: "healthz", protocol: "Http", port: 80, requestPath: "/healthz", intervalInSeconds: 5, probeThreshold: 2 }],
    loadBalancingRules: ["http", "https"].map((name, i) => ({
        name,
        protocol: "Tcp",
        frontendPort: [80, 443][i],
        backendPort: [80, 443][i],
        probe: { id: `${LB_ID}/probes/healthz` },
        frontendIPConfiguration: { id: `${LB_ID}/frontendIPConfigurations/frontend` },
        backendAddressPool: { id: `${LB_ID}/backendAddressPools/web` },
        disableOutboundSnat: true,
    })),
    inboundNatRules: [{ name: "ssh-node-1", protocol: "Tcp", frontendPort: 50001, backendPort: 22, frontendIPConfiguration: { id: `${LB_ID}/frontendIPConfigurations/frontend` } }],
});

export const lbIpProps = () => ({ sku: { name: "Standard", tier: "Regional" }, publicIPAllocationMethod: "Static", zones: ["1", "2", "3"] });
export const natIpProps = () => ({ sku: { name: "Standard" }, publicIPAllocationMethod: "Static" });

export const webNsgProps = () => ({
    resourceGroupName: "rg-redmine",
    securityRules: [
        { name: "http", priority: 100, direction: "Inbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "Internet", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRanges: ["80", "443"] },
        { name: "probe", priority: 110, direction: "Inbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "AzureLoadBalancer", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "80" },
        { name: "ssh", priority: 120, direction: "Inbound", access: "Allow", protocol: "Tcp", sourceAddressPrefixes: ["203.0.113.0/24"], sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "22" },
    ],
});

export const dbNsgProps = () => ({
    resourceGroupName: "rg-redmine",
    securityRules: [
        { name: "mysql", priority: 100, direction: "Inbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "10.20.1.0/24", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "3306" },
    ],
});

export const dbSubnetProps = () => ({
    addressPrefix: "10.20.2.0/24",
    delegations: [{ name: "mysql", serviceName: "Microsoft.DBforMySQL/flexibleServers" }],
    networkSecurityGroup: { id: UNKNOWN },
});

export const mysqlProps = (stack: Stack = "prod") => ({
    resourceGroupName: "rg-redmine",
    version: "5.7",
    sku: { name: "Standard_D2ds_v4", tier: "GeneralPurpose" },
    storage: { storageSizeGB: 64, autoGrow: "Enabled" },
    availabilityZone: "1",
    highAvailability: stack === "prod" ? { mode: "ZoneRedundant", standbyAvailabilityZone: "2" } : { mode: "SameZone" },
    backup: { backupRetentionDays: stack === "prod" ? 14 : 7, geoRedundantBackup: stack === "prod" ? "Enabled" : "Disabled" },
    network: { delegatedSubnetResourceId: UNKNOWN, privateDnsZoneResourceId: UNKNOWN, publicNetworkAccess: "Disabled" },
    administratorLogin: "redmineadmin",
    administratorLoginPassword: "correct-horse-battery",
});

export const storageProps = (stack: Stack = "prod") => ({
    resourceGroupName: "rg-redmine",
    accountName: `redmine${stack}files`,
    kind: "StorageV2",
    sku: { name: stack === "prod" ? "Standard_ZRS" : "Standard_LRS" },
    enableHttpsTrafficOnly: true,
    minimumTlsVersion: "TLS1_2",
    allowBlobPublicAccess: false,
    networkRuleSet: { defaultAction: "Deny", bypass: "AzureServices", virtualNetworkRules: [{ id: UNKNOWN }] },
});

export const vaultProps = (stack: Stack = "prod") => ({
    resourceGroupName: "rg-redmine",
    sku: { name: "RS0", tier: "Standard" },
    properties: {
        redundancySettings: { standardTierStorageRedundancy: stack === "prod" ? "GeoRedundant" : "LocallyRedundant", crossRegionRestore: stack === "prod" ? "Enabled" : "Disabled" },
        securitySettings: { softDeleteSettings: { softDeleteState: "Enabled", softDeleteRetentionPeriodInDays: 14 } },
        publicNetworkAccess: "Enabled",
    },
});

export const shareBackupPolicyProps = (days = 30) => ({
    policyName: "daily-files",
    vaultName: UNKNOWN,
    properties: {
        backupManagementType: "AzureStorage",
        workLoadType: "AzureFileShare",
        schedulePolicy: { schedulePolicyType: "SimpleSchedulePolicy", scheduleRunFrequency: "Daily", scheduleRunTimes: ["2024-01-01T01:00:00Z"] },
        retentionPolicy: { retentionPolicyType: "LongTermRetentionPolicy", dailySchedule: { retentionDuration: { count: days, durationType: "Days" }, retentionTimes: ["2024-01-01T01:00:00Z"] } },
        timeZone: "UTC",
    },
});

export const protectedItemProps = () => ({
    containerName: "StorageContainer;Storage;rg-redmine;redmineprodfiles",
    fabricName: "Azure",
    protectedItemName: "AzureFileShare;files",
    vaultName: UNKNOWN,
    properties: { protectedItemType: "AzureFileShareProtectedItem", sourceResourceId: UNKNOWN, policyId: UNKNOWN },
});

export const remoteCommandProps = () => ({
    connection: { host: "198.51.100.10", port: 50001, user: "redmine", privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----" },
    create: "set -euo pipefail\nsudo install -m 600 /dev/stdin /etc/redmine/database.yml",
    stdin: "production:\n  password: s3cr3t-value\n",
    logging: "none",
    triggers: ["3f2a"],
    addPreviousOutputInEnv: false,
});

/** Resources with their links, as the recording mock monitor would give them (parents omitted where not needed). */
export function miniStack(stack: Stack, webNodes = 2): StackCase[] {
    const cases: StackCase[] = [
        { type: "redmine:network:WebLoadBalancer", name: "lb" },
        { type: "azure-native:network:PublicIPAddress", name: "lb-ip", props: lbIpProps(), parent: "lb" },
        { type: "azure-native:network:PublicIPAddress", name: "nat-ip", props: natIpProps() },
        { type: "azure-native:network:LoadBalancer", name: "lb-lb", props: lbProps(), parent: "lb", propertyDependencies: { frontendIPConfigurations: ["lb-ip"] }, dependencies: ["lb-ip"] },
        { type: "azure-native:network:NetworkSecurityGroup", name: "web-nsg", props: webNsgProps() },
        { type: "azure-native:network:NetworkSecurityGroup", name: "db-nsg", props: dbNsgProps() },
        { type: "azure-native:network:Subnet", name: "db-subnet", props: dbSubnetProps(), propertyDependencies: { networkSecurityGroup: ["db-nsg"] }, dependencies: ["db-nsg"] },
        { type: "azure-native:privatedns:PrivateZone", name: "db-zone", props: { privateZoneName: "redmine.private.mysql.database.azure.com", location: "global" } },
        {
            type: "azure-native:dbformysql:Server",
            name: "db",
            props: mysqlProps(stack),
            propertyDependencies: { network: ["db-subnet", "db-zone"] },
            dependencies: ["db-subnet", "db-zone"],
        },
        { type: "azure-native:dbformysql:Configuration", name: "db-tls", props: { configurationName: "require_secure_transport", value: "ON", source: "user-override" }, dependencies: ["db"] },
        { type: "azure-native:dbformysql:Configuration", name: "db-tls-version", props: { configurationName: "tls_version", value: "TLSv1.2", source: "user-override" }, dependencies: ["db"] },
        { type: "azure-native:storage:StorageAccount", name: "files", props: storageProps(stack) },
        {
            type: "azure-native:storage:FileServiceProperties",
            name: "files-service",
            props: { accountName: storageProps(stack).accountName, shareDeleteRetentionPolicy: { enabled: true, days: 14 } },
            propertyDependencies: { accountName: ["files"] },
            dependencies: ["files"],
        },
        { type: "azure-native:storage:FileShare", name: "files-share", props: { accountName: storageProps(stack).accountName, shareName: "files", enabledProtocols: "SMB", shareQuota: 100 }, propertyDependencies: { accountName: ["files"] }, dependencies: ["files"] },
        { type: "azure-native:storage:BlobContainer", name: "dumps", props: { accountName: storageProps(stack).accountName, containerName: "dumps", publicAccess: "None" }, dependencies: ["files"] },
        { type: "azure-native:recoveryservices:Vault", name: "vault", props: vaultProps(stack) },
        { type: "azure-native:recoveryservices:ProtectionPolicy", name: "files-policy", props: shareBackupPolicyProps(stack === "prod" ? 30 : 7), propertyDependencies: { vaultName: ["vault"] }, dependencies: ["vault"] },
        {
            type: "azure-native:recoveryservices:ProtectedItem",
            name: "files-item",
            props: protectedItemProps(),
            propertyDependencies: { properties: ["files", "files-policy"], vaultName: ["vault"] },
            dependencies: ["files", "files-policy", "vault", "files-share"],
        },
        { type: "aws:ebs/snapshot:Snapshot", name: "legacy-root", props: { volumeId: "vol-0abc", tags: { "redmine:role": "legacy-rollback" } }, opts: { protect: true } },
        { type: "redmine:cutover:DnsCutover", name: "cutover", props: { phase: "prepare", ttl: 60, target: UNKNOWN } },
        { type: "aws:route53/record:Record", name: "cutover-record", parent: "cutover", props: { zoneId: "Z123", name: "redmine.example.com", type: "A", ttl: 60, records: ["192.0.2.10"] } },
    ];
    for (let i = 0; i < webNodes; i++) {
        cases.push(
            { type: "azure-native:network:NetworkInterface", name: `web-${i + 1}-nic`, props: nicProps(i) },
            { type: "azure-native:compute:VirtualMachine", name: `web-${i + 1}-vm`, props: vmProps(i), propertyDependencies: { networkProfile: [`web-${i + 1}-nic`] }, dependencies: [`web-${i + 1}-nic`] },
            {
                type: "command:remote:Command",
                name: `web-${i + 1}-config`,
                props: remoteCommandProps(),
                dependencies: [`web-${i + 1}-vm`],
                opts: { additionalSecretOutputs: ["stdout", "stderr"] },
            },
        );
    }
    return cases;
}

const COMPONENT = /^redmine:/;

/** The same cases as the recording mock monitor's RecordedResource list (wire form, URNs). */
export function toRecorded(cases: StackCase[], stack: Stack): RecordedResource[] {
    const urn = (c: StackCase): string => {
        const parent = c.parent ? cases.find((p) => p.name === c.parent) : undefined;
        const qualified = parent ? `${parent.type}$${c.type}` : c.type;
        return `urn:pulumi:${stack}::redmine::${qualified}::${c.name}`;
    };
    const byName = new Map(cases.map((c) => [c.name, urn(c)]));
    const root = `urn:pulumi:${stack}::redmine::pulumi:pulumi:Stack::redmine-${stack}`;
    const resources: RecordedResource[] = cases.map((c) => {
        const custom = !COMPONENT.test(c.type);
        return {
            urn: urn(c),
            type: c.type,
            name: c.name,
            custom,
            parent: c.parent ? byName.get(c.parent) : root,
            inputs: custom ? (c.props ?? {}) : {},
            outputs: custom ? undefined : (c.props ?? {}),
            dependencies: (c.dependencies ?? []).map((n) => byName.get(n)!),
            propertyDependencies: Object.fromEntries(Object.entries(c.propertyDependencies ?? {}).map(([k, v]) => [k, v.map((n) => byName.get(n)!)])),
            options: {
                protect: c.opts?.protect ?? false,
                retainOnDelete: c.opts?.protect ?? false,
                deleteBeforeReplace: false,
                ignoreChanges: [],
                replaceOnChanges: [],
                additionalSecretOutputs: c.opts?.additionalSecretOutputs ?? [],
            },
        };
    });
    return [{ urn: root, type: "pulumi:pulumi:Stack", name: `redmine-${stack}`, custom: false, inputs: {}, outputs: {}, dependencies: [], propertyDependencies: {}, options: resources[0].options }, ...resources];
}
