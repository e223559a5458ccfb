/**
 * `npm run plan`: the offline plan, with policy report and diff.
 *
 *   npm run plan -- [--stack dev|prod] [--set key=value ...] [--out plan.json] [--diff old.json] [--graph out.mmd] [--json] [--no-policy] [--timings]
 *
 *   npm run plan                                                 # dev: tree, counts, policy report
 *   npm run plan -- --stack prod --out /tmp/prepare.json         # save the plan of the current phase
 *   npm run plan -- --stack prod --set cutover=switch --diff /tmp/prepare.json   # preview the cutover
 *   npm run plan -- --stack prod --set web.count=3 --diff /tmp/prepare.json      # what a third node adds
 *   npm run plan -- --stack prod --graph /tmp/prod.mmd           # dependency graph as Mermaid
 *
 * Exit codes (tools/plan/exitCodes.ts): 0 ok; 1 mandatory policy violation or a secret in plain
 * text; 2 program, config, command-line or file error (the message names the key or file).
 *
 * The program runs under Pulumi's mock engine: values Azure/AWS compute are placeholders, secrets are
 * placeholders shown as [secret], no network or credentials are used; `pulumi preview --diff` is the
 * final word.
 *
 * Speed (issue 6: prod < 6 s, < 500 MB; measure with `npm run bench:plan`): the policy pack starts in
 * its own process while the program runs here, from a transpiled copy (tools/plan/policyPack.ts),
 * and ts-node's transpile output is cached on disk (tools/plan/compileCache.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { installCompileCache } from "./plan/compileCache";
// On the command line every module after this one (the tool's and the program's) loads through the
// transpile cache. Not when a test imports this file, so a test process keeps its source-mapped traces.
if (require.main === module) installCompileCache();
import { PLAN_USAGE, parsePlanArgs, UsageError } from "./plan/args";
import { diffPlans } from "./plan/diff";
import { EXIT_ERROR, EXIT_OK, EXIT_POLICY_VIOLATION } from "./plan/exitCodes";
import { renderMermaid } from "./plan/mermaid";
import { PlanFile, PlanFileError, PolicySection, readPlanFile, toPlanFile, toPolicyDiagnostics } from "./plan/planFile";
import { preparedPackDir } from "./plan/policyPack";
import { renderCounts, renderDiff, renderHeader, renderPolicy, renderTree, safe } from "./plan/render";
import { redactText } from "./plan/values";
import type { PolicyAnalyzer } from "./policyAnalyzer";

export const REPO_ROOT = path.resolve(__dirname, "..");
export const POLICY_PACK_DIR = path.join(REPO_ROOT, "policies");

export interface Io {
    out(text: string): void;
    err(text: string): void;
}

export const processIo: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** Runs one plan; returns the exit code. Never throws: every failure is a message and code 2. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
    const out = (t: string) => io.out(safe(t));
    const fail = (message: string) => {
        io.err(safe(`error: ${message}\n`));
        return EXIT_ERROR;
    };
    let args;
    try {
        args = parsePlanArgs(argv);
    } catch (e) {
        if (e instanceof UsageError) return fail(`${e.message}\n\n${PLAN_USAGE}`);
        throw e;
    }
    if (args.help) {
        out(PLAN_USAGE + "\n");
        return EXIT_OK;
    }

    const timings: Record<string, number> = {};
    const t0 = Date.now();
    let previous: PlanFile | undefined;
    if (args.diff) {
        try {
            previous = readPlanFile(args.diff);
        } catch (e) {
            if (e instanceof PlanFileError) return fail(e.message);
            throw e;
        }
        if (previous.stack !== args.stack) return fail(`--diff ${args.diff}: that plan is for stack "${previous.stack}", this one is "${args.stack}"`);
    }
    const policyConfigFile = path.join(POLICY_PACK_DIR, "config", `${args.stack}.json`);

    // The pack's process starts first so it loads on the other core while the program runs here.
    let analyzerStart: Promise<PolicyAnalyzer> | undefined;
    let analyzerModule: typeof import("./policyAnalyzer") | undefined;
    if (args.policy) {
        try {
            analyzerModule = require("./policyAnalyzer") as typeof import("./policyAnalyzer");
            const packDir = preparedPackDir(POLICY_PACK_DIR);
            analyzerStart = analyzerModule.PolicyAnalyzer.start({ packDir });
            analyzerStart.catch(() => undefined); // awaited below; no unhandled rejection meanwhile
        } catch (e) {
            return fail(`policy pack: ${(e as Error).message}`);
        }
    }
    const closeAnalyzer = async () => {
        if (!analyzerStart) return;
        await analyzerStart.then((a) => a.close(), () => undefined);
    };

    let run;
    try {
        const t = Date.now();
        const { recordStack } = require("./recordStack") as typeof import("./recordStack");
        timings["load program"] = Date.now() - t;
        const t1 = Date.now();
        run = await recordStack(args.stack, { set: args.set, preview: true, previousOutputs: previous?.outputs });
        timings["run program"] = Date.now() - t1;
    } catch (e) {
        await closeAnalyzer();
        return fail(programErrorMessage(e));
    }

    let policy: PolicySection = { status: "skipped", mandatory: 0, advisory: 0, diagnostics: [] };
    if (analyzerStart && analyzerModule) {
        const t = Date.now();
        let analyzer: PolicyAnalyzer | undefined;
        try {
            analyzer = await analyzerStart;
            timings["policy pack start (parallel)"] = analyzer.startMs;
            timings["wait for policy pack"] = Date.now() - t;
            const t2 = Date.now();
            await analyzer.configureStack({ stack: args.stack, project: "redmine", organization: "organization", dryRun: true });
            const info = await analyzer.info();
            const configFile = fs.existsSync(policyConfigFile) ? analyzerModule.readPolicyConfigFile(policyConfigFile) : undefined;
            await analyzer.configure(configFile);
            const result = await analyzer.analyze(run.resources);
            timings["analyze"] = Date.now() - t2;
            const diagnostics = toPolicyDiagnostics(result.diagnostics);
            const mandatory = analyzerModule.mandatory(result.diagnostics).length;
            policy = {
                status: "ran",
                pack: { name: info.name, version: info.version, configFile: fs.existsSync(policyConfigFile) ? path.relative(REPO_ROOT, policyConfigFile) : "(none: pack defaults)" },
                mandatory, advisory: result.diagnostics.filter((d) => d.enforcementLevel === "advisory").length, diagnostics,
            };
        } catch (e) {
            return fail(`policy pack: ${(e as Error).message}${analyzer?.log ? `\n${analyzer.log}` : ""}`);
        } finally {
            await analyzer?.close();
        }
    }

    const t3 = Date.now();
    const plan = toPlanFile({ stack: args.stack, config: run.config, resources: run.resources, outputs: run.outputs, policy });
    const diff = previous ? diffPlans(previous.resources, plan.resources, previous.outputs, plan.outputs) : undefined;
    try {
        if (args.out) fs.writeFileSync(args.out, safe(JSON.stringify(plan, null, 2) + "\n"));
        if (args.graph) fs.writeFileSync(args.graph, safe(renderMermaid(plan.resources)));
    } catch (e) {
        return fail((e as Error).message);
    }
    if (args.json) {
        out(JSON.stringify(diff ? { plan, diff } : { plan }, null, 2) + "\n");
    } else {
        const notes = [
            ...(args.set.length ? [`Overrides: ${args.set.map((s) => `--set ${s}`).join(" ")}`] : []),
            ...(args.out ? [`Plan saved to ${args.out}`] : []),
            ...(args.graph ? [`Dependency graph (Mermaid) written to ${args.graph}`] : []),
        ];
        out(renderHeader(plan, notes) + "\n");
        out(renderTree(plan.resources) + "\n");
        out(renderCounts(plan.resources) + "\n");
        out(renderPolicy(plan));
        if (diff && previous) out("\n" + renderDiff(diff, { file: args.diff!, stack: previous.stack, generatedAt: previous.generatedAt }, plan.resources, previous.resources));
    }
    timings["render"] = Date.now() - t3;
    timings["total"] = Date.now() - t0;
    if (args.timings) io.err(`timings (ms): ${Object.entries(timings).map(([k, v]) => `${k} ${v}`).join(", ")}\n`);
    return policy.mandatory > 0 || plan.secretLeaks.length > 0 ? EXIT_POLICY_VIOLATION : EXIT_OK;
}

/** The program's own message (it names the key); config errors list every problem. */
function programErrorMessage(e: unknown): string {
    const err = e as Error & { resources?: unknown[]; cause?: unknown };
    const message = redactText(err?.message ?? String(e));
    if (err?.name === "MockRunError") return `the program failed (as \`pulumi preview\` would): ${message}`;
    return message;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.stdout.write("", () => process.exit(code)),
        (e) => {
            process.stderr.write(safe(`error: ${(e as Error)?.stack ?? String(e)}\n`), () => process.exit(EXIT_ERROR));
        },
    );
}
