/**
 * `npm run report`: the server inventory and handover report, in Markdown.
 *
 *   npm run report -- (--plan plan.json | --outputs stack-outputs.json) [--stack NAME] [--out report.md]
 *
 *   npm run plan -- --stack prod --out /tmp/prod-plan.json && npm run report -- --plan /tmp/prod-plan.json
 *   pulumi stack output --json --stack prod > outputs.json && npm run report -- --outputs outputs.json --stack prod --out report.md
 *
 * From a plan it reports the offline model (placeholders for what Azure assigns) with the policy
 * status; from `pulumi stack output --json` it reports the real deployment (policy status: not
 * available). Secrets are named by key and place, never printed.
 * Exit codes (tools/plan/exitCodes.ts): 0 ok; 2 missing or unreadable input (the message names the file).
 */
import * as fs from "fs";
import { parseReportArgs, REPORT_USAGE, UsageError } from "./plan/args";
import { EXIT_ERROR, EXIT_OK } from "./plan/exitCodes";
import { PlanFileError, readPlanFile } from "./plan/planFile";
import { renderReport, ReportSource } from "./plan/reportMarkdown";
import { redactText } from "./plan/values";
import type { Io } from "./plan";

const processIo: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

export async function main(argv: string[], io: Io = processIo): Promise<number> {
    const fail = (message: string) => {
        io.err(redactText(`error: ${message}\n`));
        return EXIT_ERROR;
    };
    let args;
    try {
        args = parseReportArgs(argv);
    } catch (e) {
        if (e instanceof UsageError) return fail(`${e.message}\n\n${REPORT_USAGE}`);
        throw e;
    }
    if (args.help) {
        io.out(REPORT_USAGE + "\n");
        return EXIT_OK;
    }
    let source: ReportSource;
    try {
        source = args.plan ? fromPlan(args.plan, args.stack) : fromOutputs(args.outputs!, args.stack);
    } catch (e) {
        if (e instanceof PlanFileError || e instanceof InputError) return fail(e.message);
        throw e;
    }
    const markdown = renderReport(source);
    if (args.out) {
        try {
            fs.writeFileSync(args.out, markdown);
        } catch (e) {
            return fail(`--out ${args.out}: ${(e as Error).message}`);
        }
        io.out(`Report written to ${args.out}\n`);
    } else {
        io.out(markdown);
    }
    return EXIT_OK;
}

class InputError extends Error {}

function fromPlan(file: string, stack?: string): ReportSource {
    const plan = readPlanFile(file);
    if (stack && stack !== plan.stack) throw new InputError(`--stack ${stack}: ${file} is the plan of stack "${plan.stack}"`);
    return { kind: "plan", file, stack: plan.stack, outputs: plan.outputs, plan };
}

function fromOutputs(file: string, stack?: string): ReportSource {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new InputError(`${file}: cannot be read (${(e as Error).message})`);
    }
    let outputs: unknown;
    try {
        outputs = JSON.parse(text);
    } catch (e) {
        throw new InputError(`${file}: is not JSON (${(e as Error).message}); write it with pulumi stack output --json > ${file}`);
    }
    if (!outputs || typeof outputs !== "object" || Array.isArray(outputs)) throw new InputError(`${file}: expected the object that pulumi stack output --json prints`);
    if ((outputs as { format?: unknown }).format !== undefined) throw new InputError(`${file}: this is a saved plan; use --plan ${file}`);
    const known = ["siteUrl", "webNodes", "dbHost", "resourceGroupName"].filter((k) => k in (outputs as object));
    if (known.length === 0) throw new InputError(`${file}: none of this stack's outputs (siteUrl, webNodes, dbHost, resourceGroupName) are in it; is it the output of this project's stack?`);
    return { kind: "outputs", file, stack: stack ?? "unknown", outputs: outputs as Record<string, unknown> };
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.stdout.write("", () => process.exit(code)),
        (e) => process.stderr.write(redactText(`error: ${(e as Error)?.stack ?? String(e)}\n`), () => process.exit(EXIT_ERROR)),
    );
}
