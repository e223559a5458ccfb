/**
 * Runs the program offline under Pulumi's mock monitor and records what the engine would see:
 * every resource with its inputs (secrets still marked), parent, dependencies and options. Values
 * Azure or AWS would compute (ids, addresses, FQDNs) are placeholders, so the result is a model
 * of `pulumi preview`, not a substitute for it.
 */
import * as pulumi from "@pulumi/pulumi";
import type { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { runInPulumiStack } from "@pulumi/pulumi/runtime/stack";
import { PROJECT } from "../config";
import type { RecordedResource } from "./recording";
import type { StackConfig } from "./stackConfig";

/** waitForRPCs is exported by the SDK's settings module but stripped from its typings. */
const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };

export const SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000";

export interface MockRunOptions {
    config: StackConfig;
    /** Run as a preview (isDryRun true). */
    preview?: boolean;
    /** Outputs the stack had after its last update, as a self StackReference sees them. */
    previousOutputs?: Record<string, unknown>;
}

export interface MockRun {
    resources: RecordedResource[];
    /** Stack outputs in wire form (secret values keep their marker). */
    outputs: Record<string, unknown>;
}

/**
 * Builds the stack with `program` under a fresh mock set-up. The runtime is global per process:
 * callers run one program at a time (each call resets the runtime).
 */
export async function runUnderMocks(program: () => Record<string, unknown>, options: MockRunOptions): Promise<MockRun> {
    const { config } = options;
    pulumi.runtime.setAllConfig(config.values, config.secretKeys);
    // "organization" is what a self-managed (diy) backend reports as the organization.
    await pulumi.runtime.setMocks(mocks(options), PROJECT, config.stack, options.preview ?? false, "organization");
    const recorder = new Recorder(pulumi.runtime.getMonitor() as unknown as MockMonitor);

    // A failed apply surfaces as an unhandled rejection, which fails a real `pulumi up`; fail here too.
    // The SDK captures a stack trace per promise and per resource (source positions); under ts-node
    // every capture is source-mapped, which costs seconds per run. Short plain V8 traces do here.
    const { prepareStackTrace, stackTraceLimit } = Error;
    (Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined;
    Error.stackTraceLimit = 2;
    let failure: unknown;
    const onUnhandled = (e: unknown) => { failure ??= e; };
    process.on("unhandledRejection", onUnhandled);
    try {
        await runInPulumiStack(async () => program()).catch((e) => { failure ??= e; });
        await settings.waitForRPCs().catch((e) => { failure ??= e; });
        await new Promise((resolve) => setImmediate(resolve));
    } finally {
        process.off("unhandledRejection", onUnhandled);
        Error.prepareStackTrace = prepareStackTrace;
        Error.stackTraceLimit = stackTraceLimit;
    }
    if (failure) throw new MockRunError(failure, recorder.resources());
    return { resources: recorder.resources(), outputs: recorder.stackOutputs() };
}

/** The program failed; says what it had registered by then (for "nothing was registered" checks). */
export class MockRunError extends Error {
    constructor(readonly cause: unknown, readonly resources: RecordedResource[]) {
        super(cause instanceof Error ? cause.message : String(cause));
        this.name = "MockRunError";
    }
}

function mocks(options: MockRunOptions): pulumi.runtime.Mocks {
    return {
        newResource(args) {
            if (args.type === "pulumi:pulumi:StackReference") {
                return { id: args.name, state: { name: args.name, outputs: options.previousOutputs ?? {}, secretOutputNames: [] } };
            }
            const id = args.id || `${args.name}-id`;
            return { id, state: { ...args.inputs, ...placeholderOutputs(args.type, args.name, args.inputs) } };
        },
        call(args) {
            return invokeResult(args.token, args.inputs);
        },
    };
}

/** Stand-ins for what the cloud computes; obviously fake (documentation ranges, zero ids). */
function placeholderOutputs(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
    const armId = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${inputs.resourceGroupName ?? "rg"}/providers/${type.split(":").slice(1).join("/")}/${name}`;
    switch (type) {
        case "azure-native:resources:ResourceGroup":
            return { name: inputs.resourceGroupName ?? name, id: `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${inputs.resourceGroupName ?? name}` };
        case "azure-native:network:PublicIPAddress": {
            const label = inputs.dnsSettings?.domainNameLabel;
            return {
                name, id: armId, ipAddress: `192.0.2.${10 + (hash(name) % 200)}`,
                dnsSettings: label ? { ...inputs.dnsSettings, fqdn: `${label}.${inputs.location ?? "region"}.cloudapp.azure.com` } : undefined,
            };
        }
        case "azure-native:network:NetworkInterface":
            return { name, id: armId, ipConfigurations: (inputs.ipConfigurations ?? []).map((c: object, i: number) => ({ ...c, privateIPAddress: `10.20.1.${4 + (hash(name) % 200) + i}` })) };
        case "azure-native:dbformysql:Server":
            return { name: inputs.serverName ?? name, id: armId, fullyQualifiedDomainName: `${inputs.serverName ?? name}.mysql.database.azure.com` };
        case "azure-native:storage:StorageAccount":
            return { name: inputs.accountName ?? name, id: armId, primaryEndpoints: { file: `https://${inputs.accountName}.file.core.windows.net/`, blob: `https://${inputs.accountName}.blob.core.windows.net/` } };
        case "azure-native:privatedns:PrivateZone":
            return { name: inputs.privateZoneName ?? name, id: armId };
        case "azure-native:recoveryservices:Vault":
            return { name: inputs.vaultName ?? name, id: armId };
        case "aws:ebs/snapshot:Snapshot":
            return { id: `snap-${hex(name, 17)}`, arn: `arn:aws:ec2:region::snapshot/snap-${hex(name, 17)}` };
        case "aws:route53/record:Record":
            return { fqdn: inputs.name };
        case "command:local:Command":
            // What a command prints is only known once it ran; this is the one it prints.
            return { stdout: /file-share-item-name\.sh/.test(String(inputs.create)) ? "azurefileshare;placeholder-item-id" : "", stderr: "" };
        default:
            return type.startsWith("azure-native:") ? { name: inputNameOf(inputs) ?? name, id: armId } : {};
    }
}

function inputNameOf(inputs: Record<string, unknown>): string | undefined {
    const key = Object.keys(inputs).find((k) => k.endsWith("Name") && k !== "resourceGroupName" && typeof inputs[k] === "string");
    return key ? (inputs[key] as string) : undefined;
}

function invokeResult(token: string, inputs: Record<string, any>): Record<string, unknown> {
    switch (token) {
        case "azure-native:authorization:getClientConfig":
            return { subscriptionId: SUBSCRIPTION_ID, tenantId: SUBSCRIPTION_ID, clientId: SUBSCRIPTION_ID, objectId: SUBSCRIPTION_ID };
        case "azure-native:storage:listStorageAccountKeys":
            return { keys: [{ keyName: "key1", value: "PLACEHOLDER-SECRET-storageAccountKey-do-not-leak", permissions: "FULL" }] };
        case "azure-native:storage:listStorageAccountServiceSAS":
        case "azure-native:storage:listStorageAccountSAS":
            return { serviceSasToken: "PLACEHOLDER-SECRET-dumpSas-do-not-leak", accountSasToken: "PLACEHOLDER-SECRET-dumpSas-do-not-leak" };
        case "aws:ec2/getInstance:getInstance":
            return {
                id: inputs.instanceId, instanceId: inputs.instanceId, publicIp: "198.51.100.20", privateIp: "172.31.0.20",
                rootBlockDevices: [{ volumeId: `vol-${hex(String(inputs.instanceId), 17)}`, deviceName: "/dev/sda1" }],
                ebsBlockDevices: [],
            };
        default:
            return inputs;
    }
}

/** Decorates the SDK's MockMonitor so that each registration is recorded as the engine receives it. */
class Recorder {
    private readonly byUrn = new Map<string, RecordedResource>();
    private stackUrn?: string;

    constructor(monitor: MockMonitor) {
        const register = monitor.registerResource.bind(monitor);
        const read = monitor.readResource.bind(monitor);
        const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
        monitor.registerResource = (req: any, callback: (err: any, res: any) => void) =>
            register(req, (err, res) => { if (!err) this.record(req, res.getUrn(), false); callback(err, res); });
        monitor.readResource = (req: any, callback: (err: any, res: any) => void) =>
            read(req, (err, res) => { if (!err) this.record(req, res.getUrn(), true); callback(err, res); });
        monitor.registerResourceOutputs = (req: any, callback: (err: any, res: any) => void) => {
            const rec = this.byUrn.get(req.getUrn());
            if (rec) rec.outputs = req.getOutputs()?.toJavaScript() ?? {};
            return registerOutputs(req, callback);
        };
    }

    private record(req: any, urn: string, isRead: boolean): void {
        const type: string = req.getType();
        if (type === "pulumi:pulumi:Stack") this.stackUrn = urn;
        const propertyDependencies: Record<string, string[]> = {};
        if (!isRead) {
            req.getPropertydependenciesMap().forEach((deps: any, key: string) => { propertyDependencies[key] = deps.getUrnsList(); });
        }
        const timeouts = isRead ? undefined : req.getCustomtimeouts();
        this.byUrn.set(urn, {
            urn, type, name: req.getName(),
            custom: isRead ? true : req.getCustom(),
            parent: req.getParent() || undefined,
            inputs: (isRead ? req.getProperties() : req.getObject())?.toJavaScript() ?? {},
            dependencies: isRead ? [] : req.getDependenciesList(),
            propertyDependencies,
            options: {
                protect: isRead ? false : !!req.getProtect(),
                retainOnDelete: isRead ? false : !!req.getRetainondelete(),
                deleteBeforeReplace: isRead ? false : !!req.getDeletebeforereplace(),
                ignoreChanges: isRead ? [] : req.getIgnorechangesList(),
                replaceOnChanges: isRead ? [] : req.getReplaceonchangesList(),
                additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                importId: isRead ? undefined : req.getImportid() || undefined,
                customTimeouts: timeouts && (timeouts.getCreate() || timeouts.getUpdate() || timeouts.getDelete())
                    ? { create: timeouts.getCreate() || undefined, update: timeouts.getUpdate() || undefined, delete: timeouts.getDelete() || undefined }
                    : undefined,
                provider: req.getProvider() ? String(req.getProvider()).split("::").slice(0, -1).join("::") || undefined : undefined,
            },
        });
    }

    resources(): RecordedResource[] {
        return [...this.byUrn.values()];
    }

    stackOutputs(): Record<string, unknown> {
        return (this.stackUrn && this.byUrn.get(this.stackUrn)?.outputs) || {};
    }
}

function hash(s: string): number {
    let h = 2166136261;
    for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
    return h;
}

function hex(s: string, length: number): string {
    let out = "";
    for (let i = 0; out.length < length; i++) out += hash(`${s}:${i}`).toString(16).padStart(8, "0");
    return out.slice(0, length);
}
