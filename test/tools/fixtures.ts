/** Hand-made plan resources for the plan tool's specs. */
import type { RecordedOptions } from "../../tools/recording";
import type { PlanResource } from "../../tools/plan/planFile";

export const STACK_URN = "urn:pulumi:prod::redmine::pulumi:pulumi:Stack::redmine-prod";

export function options(o: Partial<RecordedOptions> = {}): RecordedOptions {
    return { protect: false, retainOnDelete: false, deleteBeforeReplace: false, ignoreChanges: [], replaceOnChanges: [], additionalSecretOutputs: [], ...o };
}

export function urn(type: string, name: string, parentType?: string): string {
    return `urn:pulumi:prod::redmine::${parentType ? `${parentType}$` : ""}${type}::${name}`;
}

export function res(type: string, name: string, inputs: Record<string, unknown> = {}, more: Partial<PlanResource> = {}): PlanResource {
    return { urn: urn(type, name), type, name, custom: !type.startsWith("redmine:") && type !== "pulumi:pulumi:Stack", parent: STACK_URN, inputs, dependencies: [], options: options(), ...more };
}

export const stack = (): PlanResource => ({ urn: STACK_URN, type: "pulumi:pulumi:Stack", name: "redmine-prod", custom: false, inputs: {}, dependencies: [], options: options() });
