/**
 * Prints the user notice of docs/cutover.md filled from a stack's config.
 * Usage: npm run notice -- [--stack prod]
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { loadConfig, PROJECT, RedmineConfig } from "../config";
import { loadStackConfig, REPO_ROOT } from "./stackConfig";

const TEMPLATE_FILE = path.join(REPO_ROOT, "docs", "cutover.md");

export function renderNotice(cfg: Pick<RedmineConfig, "hostname" | "notice" | "tlsCertificate">, template = readTemplate()): string {
    const { freezeStart, freezeMinutes, contact } = cfg.notice;
    if (!freezeStart) throw new Error("notice.freezeStart: is required to print the notice (ISO 8601 with zone, e.g. 2027-01-16T22:00+09:00)");
    const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(?::\d\d)?(Z|[+-]\d\d:\d\d)$/.exec(freezeStart)!;
    const offset = m[3] === "Z" ? "+00:00" : m[3];
    const offsetMinutes = (offset.startsWith("-") ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
    // Wall-clock end in the same zone as the start.
    const end = new Date(Date.parse(freezeStart) + (freezeMinutes + offsetMinutes) * 60_000);
    const endText = `${end.toISOString().slice(0, 10) === m[1] ? "" : `${end.toISOString().slice(0, 10)} `}${end.toISOString().slice(11, 16)}`;
    const values: Record<string, string> = {
        date: m[1], start: m[2], end: endText, minutes: String(freezeMinutes), offset,
        url: `${cfg.tlsCertificate ? "https" : "http"}://${cfg.hostname}/`,
        contact: contact ?? "your Redmine administrators",
    };
    return template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
        if (!(key in values)) throw new Error(`${TEMPLATE_FILE}: unknown placeholder {{${key}}}`);
        return values[key];
    });
}

function readTemplate(): string {
    const text = fs.readFileSync(TEMPLATE_FILE, "utf8");
    const m = /<!-- notice-template:start -->\n([\s\S]*?)<!-- notice-template:end -->/.exec(text);
    if (!m) throw new Error(`${TEMPLATE_FILE}: the notice-template markers are missing`);
    return m[1];
}

function main(argv: string[]): void {
    const i = argv.indexOf("--stack");
    const stack = i >= 0 ? argv[i + 1] : "prod";
    const { values } = loadStackConfig(stack);
    const cfg = loadConfig({
        get: (k) => values[`${PROJECT}:${k}`],
        getSecret: (k) => (values[`${PROJECT}:${k}`] === undefined ? undefined : pulumi.secret(values[`${PROJECT}:${k}`])),
        getProvider: (k) => values[k],
    }, stack);
    process.stdout.write(renderNotice(cfg));
}

if (require.main === module) {
    try {
        main(process.argv.slice(2));
    } catch (e) {
        console.error(`notice: ${(e as Error).message}`);
        process.exit(2);
    }
}
