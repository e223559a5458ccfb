/**
 * What the recording mock monitor keeps of each resource the program registers: enough to
 * rebuild the engine's view (inputs, parent, dependencies, options) for the policy analyzer,
 * the offline plan and the deploy-time benchmark.
 */
export interface RecordedOptions {
    protect: boolean;
    retainOnDelete: boolean;
    deleteBeforeReplace: boolean;
    ignoreChanges: string[];
    replaceOnChanges: string[];
    additionalSecretOutputs: string[];
    /** Set when the resource is adopted with `import` instead of created. */
    importId?: string;
    customTimeouts?: { create?: string; update?: string; delete?: string };
    /** URN of an explicit provider resource, when one was passed. */
    provider?: string;
}

export interface RecordedResource {
    urn: string;
    /** Type token, e.g. `azure-native:network:LoadBalancer` or `redmine:network:Network`. */
    type: string;
    name: string;
    /** false for ComponentResources. */
    custom: boolean;
    /** URN of the parent resource; the stack's root for top-level resources. */
    parent?: string;
    /**
     * Inputs as the engine receives them. Secret values keep their marker: an object
     * `{ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value }`
     * (see `isSecretValue`), so consumers can tell what is secret.
     */
    inputs: Record<string, unknown>;
    /** Outputs registered by a component (`registerOutputs`), for components only. */
    outputs?: Record<string, unknown>;
    /** URNs this resource depends on (explicit dependsOn and Output-carried). */
    dependencies: string[];
    /** Per input property: the URNs its value came from. */
    propertyDependencies: Record<string, string[]>;
    options: RecordedOptions;
}

/** Pulumi's wire marker for secret values (sdk/nodejs/runtime/rpc.ts specialSigKey / specialSecretSig). */
export const SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SPECIAL_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export function isSecretValue(v: unknown): v is { value: unknown } {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SPECIAL_SIG_KEY] === SPECIAL_SECRET_SIG;
}
