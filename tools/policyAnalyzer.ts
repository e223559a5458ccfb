/**
 * Runs the policy pack the way `pulumi preview --policy-pack DIR --policy-pack-config FILE`
 * does, without the CLI: start `@pulumi/pulumi/cmd/run-policy-pack` from the pack's own
 * node_modules (ts-node with type-checking, like the engine's shim), read the port it prints,
 * then drive the Analyzer gRPC service: ConfigureStack, GetAnalyzerInfo, Configure (config
 * reconciled like the CLI: schema defaults, initialConfig, "all", per-policy entries, then
 * validated), Analyze per custom resource and AnalyzeStack over everything.
 *
 * One-liner: `await analyze(resources, { packDir: "policies", configFile: "policies/config/prod.json" })`.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import { RecordedResource } from "./recording";

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

export interface Diagnostic {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    enforcementLevel: EnforcementLevel;
    /** The pack's description, a newline, then what the rule reported. */
    message: string;
    /** Resource the violation is about (for resource rules, the analyzed resource). */
    urn: string;
    description: string;
    severity: string;
    /** Which RPC produced it: per-resource Analyze or the final AnalyzeStack. */
    phase: "analyze" | "analyzeStack";
}

export interface NotApplicable {
    urn: string;
    policyName: string;
    reason: string;
}

export interface PolicyInfo {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    type: "resource" | "stack";
    configSchema?: { properties: Record<string, Record<string, unknown>>; required: string[] };
}

export interface AnalyzerInfo {
    name: string;
    version: string;
    policies: PolicyInfo[];
    initialConfig: PolicyConfigMap;
}

export interface PolicyConfig {
    enforcementLevel?: EnforcementLevel;
    properties?: Record<string, unknown>;
}
export type PolicyConfigMap = Record<string, PolicyConfig>;
/** The `--policy-pack-config` file format: `{ "all": "mandatory", "rule": "advisory" | { enforcementLevel?, ...props } }`. */
export type PolicyConfigFile = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

export interface StartOptions {
    /** The pack directory (holds PulumiPolicy.yaml and node_modules). */
    packDir: string;
    /** How long to wait for the pack to print its port. */
    startTimeoutMs?: number;
}

export interface AnalyzeOptions extends StartOptions {
    /** Path of a `--policy-pack-config` JSON file. */
    configFile?: string;
    /** Or the config itself (wins over configFile). */
    config?: PolicyConfigFile;
    stack?: string;
    project?: string;
    organization?: string;
    stackTags?: Record<string, string>;
    /** True (the default) mirrors `pulumi preview`. */
    dryRun?: boolean;
}

export interface AnalysisResult {
    diagnostics: Diagnostic[];
    notApplicable: NotApplicable[];
    timings: { configureMs: number; analyzeMs: number; analyzeStackMs: number };
}

/** Mandatory diagnostics: the ones that make `pulumi preview` exit non-zero. */
export function mandatory(diags: Diagnostic[]): Diagnostic[] {
    return diags.filter((d) => d.enforcementLevel === "mandatory" || d.enforcementLevel === "remediate");
}

const levelOf = (l: pb.EnforcementLevel): EnforcementLevel =>
    ({ [pb.EnforcementLevel.ADVISORY]: "advisory", [pb.EnforcementLevel.MANDATORY]: "mandatory", [pb.EnforcementLevel.REMEDIATE]: "remediate", [pb.EnforcementLevel.DISABLED]: "disabled" })[l] as EnforcementLevel;
const levelToPb = (l: EnforcementLevel): pb.EnforcementLevel =>
    ({ advisory: pb.EnforcementLevel.ADVISORY, mandatory: pb.EnforcementLevel.MANDATORY, remediate: pb.EnforcementLevel.REMEDIATE, disabled: pb.EnforcementLevel.DISABLED })[l];
const SEVERITY = ["unspecified", "low", "medium", "high", "critical"];

/** Struct.fromJavaScript rejects `undefined`; the engine never sends it, so drop it (null in arrays). */
function jsonOnly(v: unknown): unknown {
    if (Array.isArray(v)) {
        return v.map((e) => (e === undefined ? null : jsonOnly(e)));
    }
    if (v !== null && typeof v === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, e] of Object.entries(v)) {
            if (e !== undefined) {
                out[k] = jsonOnly(e);
            }
        }
        return out;
    }
    return v;
}

/** The engine marshals with SkipInternalKeys: top-level `__` keys never reach the analyzer. */
function toStruct(props: Record<string, unknown> | undefined): Struct {
    const visible: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(props ?? {})) {
        if (!k.startsWith("__")) {
            visible[k] = v;
        }
    }
    return Struct.fromJavaScript(jsonOnly(visible) as Record<string, never>);
}

function unary<Req, Res>(call: (req: Req, md: grpc.Metadata, opts: Partial<grpc.CallOptions>, cb: (e: grpc.ServiceError | null, r?: Res) => void) => unknown, req: Req): Promise<Res> {
    return new Promise((resolve, reject) =>
        call(req, new grpc.Metadata(), { deadline: Date.now() + 60_000 }, (err, res) => (err ? reject(err) : resolve(res as Res))),
    );
}

// ---------------------------------------------------------------------------------------
// Config: the CLI's ReconcilePolicyPackConfig (pkg/resource/analyzer/config.go), in TS.
// ---------------------------------------------------------------------------------------

/** Parses a config file's JSON the way the CLI does (levels validated, empty entries dropped). */
export function parsePolicyConfigFile(raw: PolicyConfigFile): PolicyConfigMap {
    const out: PolicyConfigMap = {};
    for (const [k, v] of Object.entries(raw)) {
        let level: EnforcementLevel | undefined;
        let properties: Record<string, unknown> | undefined;
        if (typeof v === "string") {
            if (!LEVELS.includes(v)) {
                throw new Error(`parsing enforcement level for "${k}": "${v}" is not a valid enforcement level`);
            }
            level = v;
        } else if (v !== null && typeof v === "object" && !Array.isArray(v)) {
            const { enforcementLevel, ...rest } = v;
            if (enforcementLevel !== undefined) {
                if (typeof enforcementLevel !== "string" || !LEVELS.includes(enforcementLevel)) {
                    throw new Error(`parsing enforcement level for "${k}": ${JSON.stringify(enforcementLevel)} is not a valid enforcement level`);
                }
                level = enforcementLevel;
            }
            properties = Object.keys(rest).length > 0 ? rest : undefined;
        } else {
            throw new Error(`parsing "${k}": ${JSON.stringify(v)} is not a valid value; must be a string or object`);
        }
        if (level !== undefined || properties !== undefined) {
            out[k] = { enforcementLevel: level, properties };
        }
    }
    return out;
}

function applyConfig(result: PolicyConfigMap, given: PolicyConfigMap): PolicyConfigMap {
    const all = given["all"]?.enforcementLevel;
    if (all !== undefined) {
        for (const k of Object.keys(result)) {
            result[k] = { enforcementLevel: all, properties: result[k].properties };
        }
    }
    for (const [policy, cfg] of Object.entries(given)) {
        const prev = result[policy] ?? {};
        const properties = cfg.properties ? { ...(prev.properties ?? {}), ...cfg.properties } : prev.properties;
        result[policy] = { enforcementLevel: cfg.enforcementLevel ?? prev.enforcementLevel, properties };
    }
    return result;
}

type JsonSchema = Record<string, any>;

function typeName(v: unknown): string {
    if (v === null) return "null";
    if (Array.isArray(v)) return "array";
    if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
    return typeof v;
}

/** The subset of JSON Schema the pack's configSchema uses, with gojsonschema-like messages. */
function validateValue(field: string, v: unknown, s: JsonSchema): string[] {
    const errs: string[] = [];
    if (s.type !== undefined) {
        const want: string[] = Array.isArray(s.type) ? s.type : [s.type];
        const got = typeName(v);
        if (!want.includes(got) && !(got === "integer" && want.includes("number"))) {
            return [`${field}: Invalid type. Expected: ${want.join(", ")}, given: ${got}`];
        }
    }
    if (s.enum !== undefined && !s.enum.some((e: unknown) => JSON.stringify(e) === JSON.stringify(v))) {
        errs.push(`${field}: ${field} must be one of the following: ${s.enum.map((e: unknown) => JSON.stringify(e)).join(", ")}`);
    }
    if (typeof v === "number") {
        if (s.minimum !== undefined && v < s.minimum) errs.push(`${field}: Must be greater than or equal to ${s.minimum}`);
        if (s.maximum !== undefined && v > s.maximum) errs.push(`${field}: Must be less than or equal to ${s.maximum}`);
    }
    if (typeof v === "string") {
        if (s.pattern !== undefined && !new RegExp(s.pattern).test(v)) errs.push(`${field}: Does not match pattern '${s.pattern}'`);
        if (s.minLength !== undefined && v.length < s.minLength) errs.push(`${field}: String length must be greater than or equal to ${s.minLength}`);
        if (s.maxLength !== undefined && v.length > s.maxLength) errs.push(`${field}: String length must be less than or equal to ${s.maxLength}`);
    }
    if (Array.isArray(v)) {
        if (s.minItems !== undefined && v.length < s.minItems) errs.push(`${field}: Array must have at least ${s.minItems} items`);
        if (s.maxItems !== undefined && v.length > s.maxItems) errs.push(`${field}: Array must have at most ${s.maxItems} items`);
        if (s.items && typeof s.items === "object" && !Array.isArray(s.items)) {
            v.forEach((e, i) => errs.push(...validateValue(`${field}.${i}`, e, s.items)));
        }
    }
    return errs;
}

/**
 * Defaults from each policy's schema, then the pack's initialConfig, then the file (with "all"
 * first), then validation. Throws the CLI's "validating policy config" error on a bad file.
 */
export function reconcilePolicyConfig(info: AnalyzerInfo, file: PolicyConfigMap | undefined): PolicyConfigMap {
    let result: PolicyConfigMap = {};
    for (const p of info.policies) {
        let props: Record<string, unknown> | undefined;
        for (const [k, s] of Object.entries(p.configSchema?.properties ?? {})) {
            if (s.default !== undefined) {
                props = { ...(props ?? {}), [k]: s.default };
            }
        }
        result[p.name] = { enforcementLevel: p.enforcementLevel, properties: props };
    }
    result = applyConfig(result, info.initialConfig);
    if (file) {
        result = applyConfig(result, file);
    }
    const errors: string[] = [];
    for (const p of info.policies) {
        const props = result[p.name]?.properties ?? {};
        for (const req of p.configSchema?.required ?? []) {
            if (props[req] === undefined) errors.push(`${p.name}: ${req} is required`);
        }
        for (const [k, v] of Object.entries(props)) {
            const s = p.configSchema?.properties[k];
            if (s) errors.push(...validateValue(k, v, s).map((e) => `${p.name}: ${e}`));
        }
    }
    if (errors.length > 0) {
        throw new Error(`validating policy config: ${info.name} ${info.version}  ${errors.join("\n")}`);
    }
    return result;
}

// ---------------------------------------------------------------------------------------
// The running pack.
// ---------------------------------------------------------------------------------------

export class PolicyAnalyzer {
    /** Milliseconds from spawn to the printed port (ts-node type-checks the pack in that time). */
    readonly startMs: number;
    private closed = false;

    private constructor(
        private readonly child: ChildProcess,
        private readonly client: AnalyzerClient,
        startMs: number,
        private readonly stderr: () => string,
    ) {
        this.startMs = startMs;
    }

    /** Spawns the pack like the engine's nodejs analyzer shim: cwd = pack dir, args `<engine> .`. */
    static async start(opts: StartOptions): Promise<PolicyAnalyzer> {
        const packDir = path.resolve(opts.packDir);
        const runner = path.join(packDir, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack");
        if (!fs.existsSync(path.join(packDir, "PulumiPolicy.yaml"))) {
            throw new Error(`${packDir} is not a policy pack (no PulumiPolicy.yaml)`);
        }
        if (!fs.existsSync(runner)) {
            throw new Error(`the policy pack's dependencies are missing: run \`npm ci --prefix ${opts.packDir}\``);
        }
        const began = Date.now();
        // No engine here: the address is required by run-policy-pack's argv but the pack never dials it.
        const child = spawn(process.execPath, [runner, "127.0.0.1:0", "."], { cwd: packDir, stdio: ["ignore", "pipe", "pipe"] });
        let err = "";
        child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
        const port = await new Promise<number>((resolve, reject) => {
            let out = "";
            const timer = setTimeout(() => {
                child.kill();
                reject(new Error(`policy pack did not print its port within ${opts.startTimeoutMs ?? 120_000} ms\n${err}`));
            }, opts.startTimeoutMs ?? 120_000);
            child.stdout!.on("data", (d: Buffer) => {
                out += d.toString();
                const m = /^(\d+)\s*$/m.exec(out);
                if (m) {
                    clearTimeout(timer);
                    resolve(Number(m[1]));
                }
            });
            child.once("exit", (code) => {
                clearTimeout(timer);
                reject(new Error(`policy pack exited (${code}) before serving:\n${out}${err}`));
            });
        });
        const killOnExit = () => child.kill();
        process.once("exit", killOnExit);
        child.once("exit", () => process.removeListener("exit", killOnExit));
        const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
            "grpc.max_receive_message_length": 400 * 1024 * 1024,
            "grpc.max_send_message_length": 400 * 1024 * 1024,
        });
        return new PolicyAnalyzer(child, client, Date.now() - began, () => err);
    }

    async configureStack(opts: Pick<AnalyzeOptions, "stack" | "project" | "organization" | "stackTags" | "dryRun">): Promise<void> {
        const req = new pb.AnalyzerStackConfigureRequest();
        req.setStack(opts.stack ?? "");
        req.setProject(opts.project ?? "");
        req.setOrganization(opts.organization ?? "");
        req.setDryRun(opts.dryRun ?? true);
        for (const [k, v] of Object.entries(opts.stackTags ?? {})) {
            req.getTagsMap().set(k, v);
        }
        await unary(this.client.configureStack.bind(this.client), req);
    }

    async info(): Promise<AnalyzerInfo> {
        const res = await unary<Empty, pb.AnalyzerInfo>(this.client.getAnalyzerInfo.bind(this.client), new Empty());
        const policies = res.getPoliciesList().map((p): PolicyInfo => {
            const schema = p.getConfigschema();
            return {
                name: p.getName(),
                description: p.getDescription(),
                enforcementLevel: levelOf(p.getEnforcementlevel()),
                type: p.getPolicyType() === pb.PolicyType.POLICY_TYPE_STACK ? "stack" : "resource",
                configSchema: schema
                    ? { properties: (schema.getProperties()?.toJavaScript() ?? {}) as Record<string, Record<string, unknown>>, required: schema.getRequiredList() }
                    : undefined,
            };
        });
        const initialConfig: PolicyConfigMap = {};
        res.getInitialconfigMap().forEach((v, k) => {
            initialConfig[k] = { enforcementLevel: levelOf(v.getEnforcementlevel()), properties: v.getProperties()?.toJavaScript() };
        });
        return { name: res.getName(), version: res.getVersion(), policies, initialConfig };
    }

    /** Reconciles the file like the CLI and sends the result; returns what was sent. */
    async configure(file?: PolicyConfigFile): Promise<PolicyConfigMap> {
        const config = reconcilePolicyConfig(await this.info(), file ? parsePolicyConfigFile(file) : undefined);
        const req = new pb.ConfigureAnalyzerRequest();
        for (const [name, c] of Object.entries(config)) {
            const pc = new pb.PolicyConfig();
            pc.setEnforcementlevel(levelToPb(c.enforcementLevel ?? "advisory"));
            pc.setProperties(toStruct(c.properties));
            req.getPolicyconfigMap().set(name, pc);
        }
        await unary(this.client.configure.bind(this.client), req);
        return config;
    }

    /** Analyze for every custom resource (inputs), then AnalyzeStack for all of them. */
    async analyze(resources: RecordedResource[]): Promise<AnalysisResult> {
        const byUrn = new Map(resources.map((r) => [r.urn, r]));
        const diagnostics: Diagnostic[] = [];
        const notApplicable: NotApplicable[] = [];
        const collect = (res: pb.AnalyzeResponse, urn: string, phase: Diagnostic["phase"]) => {
            for (const d of res.getDiagnosticsList()) {
                diagnostics.push({
                    policyName: d.getPolicyname(),
                    policyPackName: d.getPolicypackname(),
                    policyPackVersion: d.getPolicypackversion(),
                    enforcementLevel: levelOf(d.getEnforcementlevel()),
                    message: d.getMessage(),
                    urn: d.getUrn() || urn,
                    description: d.getDescription(),
                    severity: SEVERITY[d.getSeverity()] ?? "unspecified",
                    phase,
                });
            }
            for (const n of res.getNotApplicableList()) {
                notApplicable.push({ urn, policyName: n.getPolicyName(), reason: n.getReason() });
            }
        };
        const t0 = Date.now();
        const perResource = await Promise.all(
            resources
                .filter((r) => r.custom)
                .map(async (r) => {
                    const req = new pb.AnalyzeRequest();
                    req.setType(r.type);
                    req.setUrn(r.urn);
                    req.setName(r.name);
                    req.setProperties(toStruct(r.inputs));
                    req.setOptions(options(r));
                    const provider = providerOf(r, byUrn);
                    if (provider) req.setProvider(provider);
                    return { r, res: await unary<pb.AnalyzeRequest, pb.AnalyzeResponse>(this.client.analyze.bind(this.client), req) };
                }),
        );
        perResource.forEach(({ r, res }) => collect(res, r.urn, "analyze"));
        const t1 = Date.now();
        const stackReq = new pb.AnalyzeStackRequest();
        stackReq.setResourcesList(
            resources.map((r) => {
                const ar = new pb.AnalyzerResource();
                ar.setType(r.type);
                ar.setUrn(r.urn);
                ar.setName(r.name);
                // During preview the engine propagates inputs to outputs; components carry their registered outputs.
                ar.setProperties(toStruct(r.custom ? r.inputs : r.outputs));
                ar.setOptions(options(r));
                const provider = providerOf(r, byUrn);
                if (provider) ar.setProvider(provider);
                if (r.parent) ar.setParent(r.parent);
                ar.setDependenciesList(r.dependencies);
                for (const [k, urns] of Object.entries(r.propertyDependencies)) {
                    if (urns.length > 0) {
                        const deps = new pb.AnalyzerPropertyDependencies();
                        deps.setUrnsList(urns);
                        ar.getPropertydependenciesMap().set(k, deps);
                    }
                }
                return ar;
            }),
        );
        collect(await unary<pb.AnalyzeStackRequest, pb.AnalyzeResponse>(this.client.analyzeStack.bind(this.client), stackReq), "", "analyzeStack");
        const t2 = Date.now();
        return { diagnostics, notApplicable, timings: { configureMs: 0, analyzeMs: t1 - t0, analyzeStackMs: t2 - t1 } };
    }

    /** Process id of the pack (for callers that want to check it is gone after close). */
    get pid(): number | undefined {
        return this.child.pid;
    }

    /** Text the pack wrote on stderr (type errors, crashes). */
    get log(): string {
        return this.stderr();
    }

    /** Closes the channel and stops the pack process; safe to call twice. */
    async close(): Promise<void> {
        if (this.closed) return;
        this.closed = true;
        this.client.close();
        if (this.child.exitCode === null && this.child.signalCode === null) {
            const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
            this.child.kill();
            await exited;
        }
    }
}

function options(r: RecordedResource): pb.AnalyzerResourceOptions {
    const o = new pb.AnalyzerResourceOptions();
    o.setProtect(r.options.protect);
    o.setIgnorechangesList(r.options.ignoreChanges);
    o.setDeletebeforereplace(r.options.deleteBeforeReplace);
    o.setDeletebeforereplacedefined(r.options.deleteBeforeReplace);
    o.setAdditionalsecretoutputsList(r.options.additionalSecretOutputs);
    const t = new pb.AnalyzerResourceOptions.CustomTimeouts();
    const secs = (d?: string) => durationSeconds(d);
    t.setCreate(secs(r.options.customTimeouts?.create));
    t.setUpdate(secs(r.options.customTimeouts?.update));
    t.setDelete(secs(r.options.customTimeouts?.delete));
    o.setCustomtimeouts(t);
    if (r.parent) o.setParent(r.parent);
    return o;
}

/** Go duration strings ("10m", "1h30m", "45s") to seconds, as the engine stores custom timeouts. */
function durationSeconds(d?: string): number {
    if (!d) return 0;
    const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
    let total = 0;
    for (const [, n, u] of d.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
        total += Number(n) * unit[u];
    }
    return total;
}

function providerOf(r: RecordedResource, byUrn: Map<string, RecordedResource>): pb.AnalyzerProviderResource | undefined {
    const p = r.options.provider ? byUrn.get(r.options.provider) : undefined;
    if (!p) return undefined;
    const ap = new pb.AnalyzerProviderResource();
    ap.setType(p.type);
    ap.setUrn(p.urn);
    ap.setName(p.name);
    ap.setProperties(toStruct(p.inputs));
    return ap;
}

/** Reads a `--policy-pack-config` file. */
export function readPolicyConfigFile(file: string): PolicyConfigFile {
    const text = fs.readFileSync(file, "utf8");
    return text.trim() === "" ? {} : (JSON.parse(text) as PolicyConfigFile);
}

/** Start the pack, configure it like `pulumi preview`, analyze the resources, close it. */
export async function analyze(resources: RecordedResource[], opts: AnalyzeOptions): Promise<Diagnostic[]> {
    return (await analyzeWithDetails(resources, opts)).diagnostics;
}

export async function analyzeWithDetails(resources: RecordedResource[], opts: AnalyzeOptions): Promise<AnalysisResult & { startMs: number }> {
    const analyzer = await PolicyAnalyzer.start(opts);
    try {
        const c0 = Date.now();
        await analyzer.configureStack(opts);
        await analyzer.configure(opts.config ?? (opts.configFile ? readPolicyConfigFile(opts.configFile) : undefined));
        const configureMs = Date.now() - c0;
        const result = await analyzer.analyze(resources);
        return { ...result, timings: { ...result.timings, configureMs }, startMs: analyzer.startMs };
    } finally {
        await analyzer.close();
    }
}
