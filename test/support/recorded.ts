/** Small readers over recorded resources, shared by the specs. */
import { isSecretValue, RecordedResource } from "../../tools/recording";
import { runUnderMocks } from "../../tools/mockEngine";

export function ofType(resources: RecordedResource[], type: string): RecordedResource[] {
    return resources.filter((r) => r.type === type);
}

export function one(resources: RecordedResource[], type: string, nameIncludes = ""): RecordedResource {
    const found = ofType(resources, type).filter((r) => r.name.includes(nameIncludes));
    if (found.length !== 1) throw new Error(`expected exactly one ${type}${nameIncludes ? ` named *${nameIncludes}*` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
    return found[0];
}

/** Inputs with secret markers removed (values kept), for asserting on plain values. */
export function plain<T = any>(v: unknown): T {
    if (isSecretValue(v)) return plain(v.value);
    if (Array.isArray(v)) return v.map(plain) as T;
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) as T;
    return v as T;
}

/** Every string anywhere in a value that is NOT under a secret marker. */
export function plainStrings(v: unknown, out: string[] = []): string[] {
    if (isSecretValue(v)) return out;
    if (typeof v === "string") out.push(v);
    else if (Array.isArray(v)) v.forEach((x) => plainStrings(x, out));
    else if (v && typeof v === "object") Object.values(v).forEach((x) => plainStrings(x, out));
    return out;
}

/** Records the resources one component registers, under a throw-away stack with no config. */
export async function recordComponent(build: () => void): Promise<RecordedResource[]> {
    const run = await runUnderMocks(() => { build(); return {}; }, { config: { stack: "test", values: {}, secretKeys: [] } });
    return run.resources;
}
