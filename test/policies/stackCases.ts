/** Edits on the mini stack: each test changes one thing a careless PR could change. */
import { StackCase, withValue } from "../support/policyHarness";

export function edit(cases: StackCase[], name: string, path: string, value: unknown): StackCase[] {
    let found = false;
    const out = cases.map((c) => {
        if (c.name !== name) return c;
        found = true;
        return { ...c, props: withValue(c.props ?? {}, path, value) };
    });
    if (!found) throw new Error(`no resource ${name} in the stack cases`);
    return out;
}

/** Removes resources and every link to them. */
export function without(cases: StackCase[], ...names: string[]): StackCase[] {
    const drop = (ns?: string[]) => ns?.filter((n) => !names.includes(n));
    return cases
        .filter((c) => !names.includes(c.name))
        .map((c) => ({
            ...c,
            parent: c.parent && names.includes(c.parent) ? undefined : c.parent,
            dependencies: drop(c.dependencies),
            propertyDependencies: c.propertyDependencies && Object.fromEntries(Object.entries(c.propertyDependencies).map(([k, v]) => [k, drop(v)!])),
        }));
}

export function relink(cases: StackCase[], name: string, change: Partial<Pick<StackCase, "dependencies" | "propertyDependencies" | "parent" | "opts">>): StackCase[] {
    return cases.map((c) => (c.name === name ? { ...c, ...change } : c));
}
