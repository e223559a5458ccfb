/**
 * Shared plumbing for every rule module: type filters, schema defaults, visible exemptions,
 * unknown-safe reads and graph walks over stack resources. Rules match on `args.type` strings
 * so the pack never loads @pulumi/azure-native (it costs seconds of type-checking per run).
 */
import {
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import * as policySdk from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

/**
 * 1.21 exports these at runtime, but its proxy.d.ts is stripped to `export {}`, so they are
 * typed here. Re-exported so test harnesses wrap props with the very proxy the rules see.
 */
const proxyRuntime = policySdk as unknown as {
    unknownCheckingProxy: <O extends object>(props: O) => O;
    UnknownValueError: new (sentinel: string, props: string[]) => Error & { props: string[] };
};
export const unknownCheckingProxy = proxyRuntime.unknownCheckingProxy;
export const UnknownValueError = proxyRuntime.UnknownValueError;
export type { PolicyResource, PolicyResourceOptions, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

export type Schema = Record<string, PolicyConfigJSONSchema>;

/** Every rule gets this key: regexes on resource names that the rule skips, written in the config file. */
export const excludeForSchema: PolicyConfigJSONSchema = {
    type: "array",
    items: { type: "string" },
    default: [],
    description: "Regular expressions on resource names this rule skips; exemptions live in the config file so review sees them.",
};

export interface BaseConfig {
    excludeFor: string[];
}

/**
 * The CLI fills schema defaults before Configure; the SDK does not. Applying them here as
 * well keeps the rules right when the pack is driven without the CLI (unit tests, tools).
 */
export function readConfig<C>(schema: Schema, given: Record<string, unknown>): C & BaseConfig {
    const out: Record<string, unknown> = {};
    for (const [k, s] of Object.entries({ ...schema, excludeFor: excludeForSchema })) {
        if (given[k] !== undefined) {
            out[k] = given[k];
        } else if (s.default !== undefined) {
            out[k] = s.default;
        }
    }
    return out as C & BaseConfig;
}

/** The first `excludeFor` pattern that matches the resource name, if any. */
export function exemption(name: string, cfg: BaseConfig): string | undefined {
    return (cfg.excludeFor ?? []).find((re) => new RegExp(re).test(name));
}

export interface ResourceRuleDef<C> {
    name: string;
    description: string;
    types: string[];
    schema?: Schema;
    severity?: "low" | "medium" | "high" | "critical";
    validate: (props: Record<string, any>, args: ResourceValidationArgs, cfg: C & BaseConfig, report: ReportViolation) => void | Promise<void>;
}

/** What every rule of this pack declares: mandatory by default (config/dev.json lowers the cost-driven ones), `excludeFor` in its schema. */
function ruleMetadata(def: { name: string; description: string; severity?: "low" | "medium" | "high" | "critical"; schema?: Schema }) {
    return {
        name: def.name,
        description: def.description,
        enforcementLevel: "mandatory" as const,
        severity: def.severity ?? "high",
        configSchema: { properties: { ...(def.schema ?? {}), excludeFor: excludeForSchema } },
    };
}

/** A resource rule over the types it names. */
export function resourceRule<C = object>(def: ResourceRuleDef<C>): ResourceValidationPolicy {
    const schema = def.schema ?? {};
    return {
        ...ruleMetadata(def),
        validateResource: (args, report) => {
            if (!def.types.includes(args.type)) {
                args.notApplicable(`applies to ${def.types.join(", ")}`);
            }
            const cfg = readConfig<C>(schema, args.getConfig<Record<string, unknown>>());
            const ex = exemption(args.name, cfg);
            if (ex !== undefined) {
                args.notApplicable(`${args.name} exempted by excludeFor ${JSON.stringify(ex)}`);
            }
            return def.validate(args.props, args, cfg, report);
        },
    };
}

export interface StackContext<C> {
    cfg: C & BaseConfig;
    /** Resources of the given types that no `excludeFor` pattern exempts. */
    ofType: (...types: string[]) => PolicyResource[];
    /** True when an `excludeFor` pattern matches the resource's name (for resources reached through links). */
    exempt: (r: PolicyResource) => boolean;
    /** Report a violation on one resource (its URN goes into the diagnostic). */
    report: (r: PolicyResource, message: string) => void;
    all: PolicyResource[];
}

export interface StackRuleDef<C> {
    name: string;
    description: string;
    /** The rule is not applicable unless the stack has at least one resource of these types. */
    appliesTo: string[];
    schema?: Schema;
    severity?: "low" | "medium" | "high" | "critical";
    validate: (ctx: StackContext<C>, args: StackValidationArgs) => void | Promise<void>;
}

export function stackRule<C = object>(def: StackRuleDef<C>): StackValidationPolicy {
    const schema = def.schema ?? {};
    return {
        ...ruleMetadata(def),
        validateStack: (args, reportViolation) => {
            if (!args.resources.some((r) => def.appliesTo.includes(r.type))) {
                args.notApplicable(`the stack has no ${def.appliesTo.join(" or ")}`);
            }
            const cfg = readConfig<C>(schema, args.getConfig<Record<string, unknown>>());
            const ctx: StackContext<C> = {
                cfg,
                all: args.resources,
                ofType: (...types) => args.resources.filter((r) => types.includes(r.type) && exemption(r.name, cfg) === undefined),
                exempt: (r) => exemption(r.name, cfg) !== undefined,
                report: (r, message) => reportViolation(`${r.name}: ${message}`, r.urn),
            };
            return def.validate(ctx, args);
        },
    };
}

/** Case-insensitive enum comparison (Azure enums differ in case between APIs: AlwaysON/AlwaysOn). */
export function same(value: unknown, expected: string): boolean {
    return typeof value === "string" && value.toLowerCase() === expected.toLowerCase();
}

export function oneOf(value: unknown, allowed: readonly string[]): boolean {
    return allowed.some((a) => same(value, a));
}

export type Read<T> = { known: true; value: T } | { known: false; reason: string };

/**
 * Reads through the unknown-checking proxy without letting the engine turn the whole rule
 * advisory. Only for values that are legitimately unknown at preview (ids, interpolated
 * command text); values that must be known are read directly on purpose.
 */
export function tryRead<T>(fn: () => T): Read<T> {
    try {
        return { known: true, value: fn() };
    } catch (e) {
        if (e instanceof UnknownValueError) {
            return { known: false, reason: e.message };
        }
        throw e;
    }
}

/** `key in obj` is safe on the proxy (it has no `has` trap): presence without reading the value. */
export function has(obj: unknown, key: string): boolean {
    return typeof obj === "object" && obj !== null && key in obj;
}

export function asArray<T = any>(v: unknown): T[] {
    return Array.isArray(v) ? (v as T[]) : [];
}

/** Everything a resource depends on: explicit dependencies and every input's property dependencies. */
export function linked(r: PolicyResource): PolicyResource[] {
    const seen = new Set<PolicyResource>(r.dependencies);
    for (const deps of Object.values(r.propertyDependencies)) {
        deps.forEach((d) => seen.add(d));
    }
    return [...seen];
}

/** Resources in `from` that depend on `target` (directly, through any input). */
export function dependents(target: PolicyResource, from: PolicyResource[]): PolicyResource[] {
    return from.filter((r) => linked(r).includes(target));
}

export function ancestors(r: PolicyResource): PolicyResource[] {
    const out: PolicyResource[] = [];
    for (let p = r.parent; p; p = p.parent) {
        out.push(p);
    }
    return out;
}

export function tag(props: Record<string, any>, key: string): unknown {
    return has(props, "tags") && has(props.tags, key) ? props.tags[key] : undefined;
}

export const T = {
    vm: "azure-native:compute:VirtualMachine",
    availabilitySet: "azure-native:compute:AvailabilitySet",
    nic: "azure-native:network:NetworkInterface",
    lb: "azure-native:network:LoadBalancer",
    pip: "azure-native:network:PublicIPAddress",
    nsg: "azure-native:network:NetworkSecurityGroup",
    securityRule: "azure-native:network:SecurityRule",
    subnet: "azure-native:network:Subnet",
    privateZone: "azure-native:privatedns:PrivateZone",
    mysql: "azure-native:dbformysql:Server",
    mysqlConfig: "azure-native:dbformysql:Configuration",
    mysqlFirewall: "azure-native:dbformysql:FirewallRule",
    storageAccount: "azure-native:storage:StorageAccount",
    fileService: "azure-native:storage:FileServiceProperties",
    fileShare: "azure-native:storage:FileShare",
    blobContainer: "azure-native:storage:BlobContainer",
    vault: "azure-native:recoveryservices:Vault",
    protectionPolicy: "azure-native:recoveryservices:ProtectionPolicy",
    protectedItem: "azure-native:recoveryservices:ProtectedItem",
    remoteCommand: "command:remote:Command",
    localCommand: "command:local:Command",
    copyToRemote: "command:remote:CopyToRemote",
    ebsSnapshot: "aws:ebs/snapshot:Snapshot",
    route53Record: "aws:route53/record:Record",
    dnsCutover: "redmine:cutover:DnsCutover",
} as const;
