/**
 * The saved plan (`npm run plan -- --out plan.json`): what the offline run recorded, in display
 * form (secrets already "[secret]"), so it can be diffed later, reported on, or attached to a pull
 * request. Versioned: a reader refuses a format it does not know instead of guessing.
 */
import * as fs from "fs";
import type { Diagnostic } from "../policyAnalyzer";
import type { RecordedResource } from "../recording";
import type { StackConfig } from "../stackConfig";
import { redactText, SECRET_TEXT, SecretLeak, toDisplay } from "./values";

export const PLAN_FORMAT = "redmine-offline-plan";
export const PLAN_VERSION = 1;

/** A recorded resource as the plan file keeps it: inputs and outputs in display form (secrets "[secret]"). */
export type PlanResource = Omit<RecordedResource, "propertyDependencies">;

export interface PolicyDiagnostic {
    policyName: string;
    enforcementLevel: string;
    /** What the rule reported (the pack's description is kept apart). */
    message: string;
    description: string;
    urn: string;
    severity: string;
}

export interface PolicySection {
    /** "ran": the pack analyzed this plan; "skipped": `--no-policy` was given. */
    status: "ran" | "skipped";
    pack?: { name: string; version: string; configFile: string };
    mandatory: number;
    advisory: number;
    diagnostics: PolicyDiagnostic[];
}

export interface PlanFile {
    format: typeof PLAN_FORMAT;
    version: typeof PLAN_VERSION;
    stack: string;
    generatedAt: string;
    /** Always true: values the cloud computes are placeholders. */
    offline: true;
    /** Fully-qualified config keys to values; secret values are "[secret]". */
    config: Record<string, string>;
    secretKeys: string[];
    resources: PlanResource[];
    /** Stack outputs, display form. */
    outputs: Record<string, unknown>;
    policy: PolicySection;
    /** Secrets the program put in plain text (key and place only). Empty when all is well. */
    secretLeaks: SecretLeak[];
}

/** Builds the plan file from a recorded run; collects plain-text secret leaks on the way. */
export function toPlanFile(args: {
    stack: string;
    config: StackConfig;
    resources: RecordedResource[];
    outputs: Record<string, unknown>;
    policy: PolicySection;
    now?: Date;
}): PlanFile {
    const leaks: SecretLeak[] = [];
    const resources = args.resources.map((r): PlanResource => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        custom: r.custom,
        parent: r.parent,
        inputs: toDisplay(r.inputs, r.urn, leaks) as Record<string, unknown>,
        outputs: r.outputs === undefined ? undefined : (toDisplay(r.outputs, r.urn, leaks) as Record<string, unknown>),
        dependencies: [...new Set(r.dependencies)],
        options: r.options,
    }));
    const config: Record<string, string> = {};
    for (const [k, v] of Object.entries(args.config.values).sort(([a], [b]) => a.localeCompare(b))) {
        config[k] = args.config.secretKeys.includes(k) ? SECRET_TEXT : redactText(v);
    }
    return {
        format: PLAN_FORMAT,
        version: PLAN_VERSION,
        stack: args.stack,
        generatedAt: (args.now ?? new Date()).toISOString(),
        offline: true,
        config,
        secretKeys: [...args.config.secretKeys].sort(),
        resources,
        outputs: toDisplay(args.outputs, "stack outputs", leaks) as Record<string, unknown>,
        policy: args.policy,
        secretLeaks: leaks,
    };
}

/** Diagnostics in plan form: the rule's own text split from the pack's description. */
export function toPolicyDiagnostics(diags: Diagnostic[]): PolicyDiagnostic[] {
    return diags.map((d) => {
        const message = d.description && d.message.startsWith(`${d.description}\n`) ? d.message.slice(d.description.length + 1) : d.message;
        return {
            policyName: d.policyName, enforcementLevel: d.enforcementLevel, message: redactText(message),
            description: redactText(d.description), urn: d.urn, severity: d.severity,
        };
    });
}

export class PlanFileError extends Error {}

/** Reads a saved plan; says plainly what is wrong with a file that is not one. */
export function readPlanFile(file: string): PlanFile {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new PlanFileError(`${file}: cannot be read (${(e as Error).message})`);
    }
    let data: Partial<PlanFile>;
    try {
        data = JSON.parse(text);
    } catch (e) {
        throw new PlanFileError(`${file}: is not JSON (${(e as Error).message})`);
    }
    if (data?.format !== PLAN_FORMAT) throw new PlanFileError(`${file}: not a plan file written by npm run plan -- --out (format is ${JSON.stringify(data?.format)}, expected "${PLAN_FORMAT}")`);
    if (data.version !== PLAN_VERSION) throw new PlanFileError(`${file}: plan format version ${data.version} is not supported (this tool reads version ${PLAN_VERSION}); write it again with npm run plan -- --out`);
    if (!Array.isArray(data.resources) || typeof data.stack !== "string") throw new PlanFileError(`${file}: plan file is incomplete (resources or stack missing)`);
    return data as PlanFile;
}
