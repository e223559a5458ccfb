/**
 * Runs one policy the way @pulumi/policy 1.21's server does, without gRPC: props wrapped in
 * `unknownCheckingProxy`, `stackTags` present, `notApplicable` throwing, and each outcome
 * classified as the server would report it: violations, not applicable, or an unknown read
 * (which the server turns into an advisory "can't run policy … during preview").
 */
import {
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationPolicy,
    StackValidationPolicy,
    unknownCheckingProxy,
    UnknownValueError,
} from "../../policies/common";

/** The engine's marker for a value unknown at preview (it sends every unknown as this string). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface Violation {
    message: string;
    urn?: string;
}

export interface Outcome {
    violations: Violation[];
    /** Set when the rule called `notApplicable(reason)`. */
    notApplicable?: string;
    /** Set when the rule read an unknown value; the engine then reports it advisory. */
    unknown?: string;
}

class NotApplicable extends Error {
    constructor(readonly reason: string) {
        super(reason);
    }
}

const throwNotApplicable = (reason?: string): never => {
    throw new NotApplicable(reason ?? "Policy does not apply");
};

export function options(o: Partial<PolicyResourceOptions> = {}): PolicyResourceOptions {
    return { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [], ...o };
}

const urnOf = (type: string, name: string) => `urn:pulumi:test::redmine::${type}::${name}`;

/** JSON round trip: what survives the wire (no undefined, no shared references between tests). */
const wire = <T>(v: T): T => JSON.parse(JSON.stringify(v ?? {}));

async function classify(run: () => Promise<void> | void, violations: Violation[]): Promise<Outcome> {
    try {
        await run();
        return { violations };
    } catch (e) {
        if (e instanceof NotApplicable) {
            return { violations, notApplicable: e.reason };
        }
        if (e instanceof UnknownValueError) {
            return { violations, unknown: e.message };
        }
        throw e;
    }
}

export interface ResourceCase {
    type: string;
    name?: string;
    props: Record<string, unknown>;
    opts?: Partial<PolicyResourceOptions>;
}

export async function runResource(policy: ResourceValidationPolicy, r: ResourceCase, config: Record<string, unknown> = {}): Promise<Outcome> {
    const violations: Violation[] = [];
    const name = r.name ?? "subject";
    const props = unknownCheckingProxy(wire(r.props));
    const args = {
        type: r.type,
        props,
        urn: urnOf(r.type, name),
        name,
        opts: options(r.opts),
        stackTags: new Map<string, string>(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => wire(config) as T,
        notApplicable: throwNotApplicable,
    };
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource!];
    return classify(async () => {
        for (const v of validations) {
            await v(args, (message) => violations.push({ message: message ?? "" }));
        }
    }, violations);
}

export interface StackCase {
    type: string;
    name: string;
    props?: Record<string, unknown>;
    /** Names of other resources in the same case. */
    parent?: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
    opts?: Partial<PolicyResourceOptions>;
}

export function stackResources(cases: StackCase[]): PolicyResource[] {
    const byName = new Map<string, PolicyResource>();
    const resources = cases.map((c) => {
        const r: PolicyResource = {
            type: c.type,
            name: c.name,
            urn: urnOf(c.type, c.name),
            props: unknownCheckingProxy(wire(c.props ?? {})),
            opts: options(c.opts),
            dependencies: [],
            propertyDependencies: {},
            isType: () => false,
            asType: () => undefined,
        };
        byName.set(c.name, r);
        return r;
    });
    const resolve = (names: string[]) => names.map((n) => {
        const r = byName.get(n);
        if (!r) throw new Error(`test case refers to unknown resource ${n}`);
        return r;
    });
    cases.forEach((c, i) => {
        const r = resources[i];
        if (c.parent) r.parent = resolve([c.parent])[0];
        r.dependencies = resolve(c.dependencies ?? []);
        for (const [k, names] of Object.entries(c.propertyDependencies ?? {})) {
            r.propertyDependencies[k] = resolve(names);
        }
    });
    return resources;
}

export async function runStack(policy: StackValidationPolicy, cases: StackCase[], config: Record<string, unknown> = {}): Promise<Outcome> {
    const violations: Violation[] = [];
    return classify(async () => {
        const args = {
            resources: stackResources(cases),
            stackTags: new Map<string, string>(),
            getConfig: <T extends object>() => wire(config) as T,
            notApplicable: throwNotApplicable,
        };
        await policy.validateStack(args, (message, urn) => violations.push({ message: message ?? "", urn }));
    }, violations);
}

export const messages = (o: Outcome): string[] => o.violations.map((v) => v.message);

/** Deep copy with `path` (dotted; numeric parts index arrays) set to `value`; `undefined` deletes it. */
export function withValue<T>(obj: T, path: string, value: unknown): T {
    const copy = JSON.parse(JSON.stringify(obj));
    const keys = path.split(".");
    let cur = copy;
    for (const k of keys.slice(0, -1)) {
        cur[k] = cur[k] ?? {};
        cur = cur[k];
    }
    const last = keys[keys.length - 1];
    if (value === undefined) {
        delete cur[last];
    } else {
        cur[last] = value;
    }
    return copy;
}
