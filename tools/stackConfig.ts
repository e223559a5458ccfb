/**
 * Loads a stack's configuration the way the Pulumi engine does, without the CLI: project defaults
 * from Pulumi.yaml, then Pulumi.<stack>.yaml, then `--set key=value` overrides. Secrets are never
 * read from anywhere: every secret key gets a recognisable placeholder, shown as [secret].
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { PROJECT } from "../config";

export const REPO_ROOT = path.resolve(__dirname, "..");

/** Secret keys the program may read; the placeholders make leaks easy to find in tests. */
export const SECRET_KEYS = [
    "sshPrivateKey", "dbAdminPassword", "secretToken", "tlsPrivateKey", "smtpPassword",
    "legacySshPrivateKey", "legacyDbPassword", "dnsExternalId", "databaseCipherKey",
] as const;

export function secretPlaceholder(key: string): string {
    return `PLACEHOLDER-SECRET-${key}-do-not-leak`;
}

export interface StackConfig {
    stack: string;
    /** Fully-qualified keys (`redmine:web`, `azure-native:location`) to engine-style string values. */
    values: Record<string, string>;
    /** Fully-qualified keys whose values are secret. */
    secretKeys: string[];
}

export interface LoadOptions {
    /** `key=value` pairs; a key without namespace is the project's. Values are YAML (so `3`, `true`, `[..]`, `{..}` work). */
    set?: string[];
    root?: string;
}

/** Loads Pulumi.yaml + Pulumi.<stack>.yaml + overrides. Throws naming the file on unreadable input. */
export function loadStackConfig(stack: string, options: LoadOptions = {}): StackConfig {
    const root = options.root ?? REPO_ROOT;
    const projectFile = path.join(root, "Pulumi.yaml");
    const stackFile = path.join(root, `Pulumi.${stack}.yaml`);
    const project = readYaml(projectFile) as { name?: string; config?: Record<string, { default?: unknown; value?: unknown; secret?: boolean }> };
    if (project.name !== PROJECT) throw new Error(`${projectFile}: project name must be "${PROJECT}", found "${project.name}"`);
    if (!fs.existsSync(stackFile)) throw new Error(`${stackFile}: no such stack file; known stacks: ${knownStacks(root).join(", ")}`);
    const stackYaml = (readYaml(stackFile) as { config?: Record<string, unknown> } | null)?.config ?? {};

    const values: Record<string, unknown> = {};
    const secretKeys = new Set<string>();
    for (const [key, decl] of Object.entries(project.config ?? {})) {
        const full = qualify(key);
        if (decl && typeof decl === "object") {
            if ("default" in decl) values[full] = decl.default;
            if ("value" in decl) values[full] = decl.value;
            if (decl.secret) secretKeys.add(full);
        } else {
            values[full] = decl;
        }
    }
    for (const [key, value] of Object.entries(stackYaml)) {
        const full = qualify(key);
        if (value && typeof value === "object" && "secure" in (value as object)) {
            secretKeys.add(full); // an encrypted value: we never decrypt, the placeholder stands in
            continue;
        }
        values[full] = value;
    }
    for (const pair of options.set ?? []) {
        const eq = pair.indexOf("=");
        if (eq <= 0) throw new Error(`--set ${pair}: expected key=value, e.g. --set cutover=switch or --set web.count=3`);
        const [key, ...fields] = pair.slice(0, eq).split(".");
        const value = parse(pair.slice(eq + 1));
        const full = qualify(key);
        if ((SECRET_KEYS as readonly string[]).includes(key)) throw new Error(`--set ${key}: secrets are placeholders in the offline plan and cannot be set`);
        values[full] = setPath(values[full], fields, value);
    }

    const hasTls = values[qualify("tlsCertificate")] !== undefined && values[qualify("tlsCertificate")] !== "";
    for (const key of SECRET_KEYS) {
        if (key === "tlsPrivateKey" && !hasTls) continue; // the pair decides whether TLS is on
        const full = qualify(key);
        values[full] = secretPlaceholder(key);
        secretKeys.add(full);
    }

    const engineValues: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) {
        if (v === undefined || v === null) continue;
        engineValues[k] = typeof v === "string" ? v : JSON.stringify(v);
    }
    return { stack, values: engineValues, secretKeys: [...secretKeys] };
}

export function knownStacks(root = REPO_ROOT): string[] {
    return fs.readdirSync(root).map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter((s): s is string => !!s).sort();
}

function qualify(key: string): string {
    return key.includes(":") ? key : `${PROJECT}:${key}`;
}

/** Like `pulumi config set --path web.image.version 7.9.1`: replaces one field, keeps its siblings. */
function setPath(current: unknown, fields: string[], value: unknown): unknown {
    if (fields.length === 0) return value;
    const base = current && typeof current === "object" && !Array.isArray(current) ? (current as Record<string, unknown>) : {};
    return { ...base, [fields[0]]: setPath(base[fields[0]], fields.slice(1), value) };
}

function readYaml(file: string): unknown {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new Error(`${file}: cannot be read (${(e as Error).message})`);
    }
    try {
        return parse(text);
    } catch (e) {
        throw new Error(`${file}: is not valid YAML (${(e as Error).message})`);
    }
}
