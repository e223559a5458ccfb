/**
 * How long creating each kind of resource takes, in minutes: by type token, and for remote
 * commands by provisioning step. docs/performance.md carries the same table with the source
 * of every number; test/tools/deployModel.spec.ts fails when the two disagree.
 */
import type { RecordedResource } from "../recording";

export interface DurationEntry {
    /** A type token (`azure-native:compute:VirtualMachine`) or `command:<step>`. */
    key: string;
    minutes: number;
}

/** Remote (on a node) and local (on the deployer's machine, e.g. the data migration) commands. */
export const COMMAND_TYPES: readonly string[] = ["command:remote:Command", "command:local:Command"];

/** Keep in the order of the table in docs/performance.md. */
export const DURATIONS: readonly DurationEntry[] = [
    { key: "azure-native:resources:ResourceGroup", minutes: 0.1 },
    { key: "azure-native:network:NetworkSecurityGroup", minutes: 0.2 },
    { key: "azure-native:network:PublicIPAddress", minutes: 0.1 },
    { key: "azure-native:network:NatGateway", minutes: 0.5 },
    { key: "azure-native:network:VirtualNetwork", minutes: 0.2 },
    { key: "azure-native:network:Subnet", minutes: 0.3 },
    { key: "azure-native:network:LoadBalancer", minutes: 0.5 },
    { key: "azure-native:network:NetworkInterface", minutes: 0.1 },
    { key: "azure-native:compute:VirtualMachine", minutes: 2 },
    { key: "azure-native:privatedns:PrivateZone", minutes: 1 },
    { key: "azure-native:privatedns:VirtualNetworkLink", minutes: 1 },
    { key: "azure-native:dbformysql:Server", minutes: 16 },
    { key: "azure-native:dbformysql:Configuration", minutes: 0.5 },
    { key: "azure-native:dbformysql:Database", minutes: 0.3 },
    { key: "azure-native:storage:StorageAccount", minutes: 0.4 },
    { key: "azure-native:storage:FileServiceProperties", minutes: 0.1 },
    { key: "azure-native:storage:FileShare", minutes: 0.05 },
    { key: "azure-native:storage:BlobServiceProperties", minutes: 0.1 },
    { key: "azure-native:storage:BlobContainer", minutes: 0.05 },
    { key: "azure-native:storage:ManagementPolicy", minutes: 0.1 },
    { key: "azure-native:recoveryservices:Vault", minutes: 0.15 },
    { key: "azure-native:recoveryservices:ProtectionPolicy", minutes: 0.25 },
    { key: "azure-native:recoveryservices:ProtectionContainer", minutes: 1 },
    { key: "azure-native:recoveryservices:ProtectedItem", minutes: 1 },
    { key: "aws:ebs/snapshot:Snapshot", minutes: 15 },
    { key: "aws:route53/record:Record", minutes: 1 },
    { key: "pulumi:providers:aws", minutes: 0 },
    { key: "pulumi:providers:azure-native", minutes: 0 },
    { key: "pulumi:providers:command", minutes: 0 },
    { key: "pulumi:pulumi:StackReference", minutes: 0 },
    { key: "command:wait-ssh", minutes: 1 },
    { key: "command:base", minutes: 4 },
    { key: "command:nginx", minutes: 0.3 },
    { key: "command:ruby", minutes: 10 },
    { key: "command:redmine", minutes: 8 },
    { key: "command:config", minutes: 0.2 },
    { key: "command:mount", minutes: 0.3 },
    { key: "command:services", minutes: 0.2 },
    { key: "command:migrate", minutes: 2 },
    { key: "command:start", minutes: 1.5 },
    { key: "command:install", minutes: 0.5 },
    { key: "command:files-item-name", minutes: 1 },
    { key: "command:prepare", minutes: 0 },
    { key: "command:freeze", minutes: 0 },
];

const BY_KEY = new Map(DURATIONS.map((d) => [d.key, d.minutes]));
/** Longest first, so `wait-ssh` wins over a step that might be called `ssh`. */
const STEPS = DURATIONS.filter((d) => d.key.startsWith("command:")).map((d) => d.key.slice("command:".length))
    .sort((a, b) => b.length - a.length);

/**
 * The table key for one resource: its type, or for a command `command:<step>`, where
 * the step is the end of its name (`<node>-<step>`, or `<rollout>-start-<n>` for per-node
 * rollout steps). Undefined when the table has no row for it.
 */
export function durationKey(r: Pick<RecordedResource, "type" | "name">): string | undefined {
    if (COMMAND_TYPES.includes(r.type)) {
        const step = STEPS.find((s) => new RegExp(`-${escape(s)}(-\\d+)?$`).test(r.name));
        return step === undefined ? undefined : `command:${step}`;
    }
    return BY_KEY.has(r.type) ? r.type : undefined;
}

/** Minutes for a resource; components count 0; unknown custom resources are undefined. */
export function minutesFor(r: Pick<RecordedResource, "type" | "name" | "custom">): number | undefined {
    if (!r.custom) return 0;
    const key = durationKey(r);
    return key === undefined ? undefined : BY_KEY.get(key);
}

function escape(s: string): string {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
