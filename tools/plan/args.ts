/**
 * Command lines of `npm run plan`, `npm run report` and `npm run bench:plan`: parsed strictly,
 * so a typo is an error that names the flag, never a silently different plan.
 */
import { EXIT_ERROR, EXIT_OK, EXIT_POLICY_VIOLATION } from "./exitCodes";

export class UsageError extends Error {}

export const PLAN_USAGE = `Usage: npm run plan -- [--stack dev|prod] [--set key=value ...] [--out plan.json] [--diff old.json] [--graph out.mmd] [--json] [--no-policy] [--timings]

Runs the program offline under Pulumi's mock engine with the stack's configuration (Pulumi.yaml
defaults, Pulumi.<stack>.yaml, then --set overrides; secrets are placeholders shown as [secret]),
runs the policy pack through the engine's analyzer protocol with policies/config/<stack>.json, and
prints the resource tree by component, counts by type and the policy report.

  --stack NAME        stack to plan (default dev)
  --set key=value     override one config key, as \`pulumi config set --path\`: web.count=3, cutover=switch
                      (repeatable; values are YAML; secrets cannot be set)
  --out FILE          save the plan (JSON, format redmine-offline-plan v1) for --diff and npm run report
  --diff FILE         show the changes against a saved plan like \`pulumi preview --diff\`:
                      + create, - delete, ~ update, +- replace, = import; the saved plan's outputs stand in
                      for the stack's last update (so the cutover phase rules apply as in a real preview)
  --graph FILE        write the dependency graph as a Mermaid flowchart (components are subgraphs)
  --json              print the plan (and the diff) as JSON instead of text
  --no-policy         skip the policy pack (faster; the report then says it did not run)
  --timings           print how long each phase took (stderr)

Exit codes: ${EXIT_OK} ok; ${EXIT_POLICY_VIOLATION} mandatory policy violation or a secret in plain text; ${EXIT_ERROR} program, config, command-line or file error (the message names the key or file).
Values computed by Azure/AWS are placeholders; the real \`pulumi preview --diff\` is the final word.`;

export interface PlanArgs {
    stack: string;
    set: string[];
    out?: string;
    diff?: string;
    graph?: string;
    json: boolean;
    policy: boolean;
    timings: boolean;
    help: boolean;
}

export const REPORT_USAGE = `Usage: npm run report -- (--plan plan.json | --outputs stack-outputs.json) [--stack NAME] [--out report.md]

Writes the server inventory and handover report in Markdown: machines, addresses, sizes, zones, OS
and software versions, database, file share, backups and retention, DNS and the cutover phase, who
may SSH, where the secrets live (key names only) and the policy status.

  --plan FILE      a plan saved by npm run plan -- --out FILE (offline model: addresses are placeholders)
  --outputs FILE   the real deployment: pulumi stack output --json --stack NAME > FILE
  --stack NAME     names the stack in the report when --outputs is used (default: from the plan, else "unknown")
  --out FILE       write the report there (default: print it)

Exit codes: ${EXIT_OK} ok; ${EXIT_ERROR} missing or unreadable input (the message names the file).`;

export interface ReportArgs {
    plan?: string;
    outputs?: string;
    stack?: string;
    out?: string;
    help: boolean;
}

export const BENCH_USAGE = `Usage: npm run bench:plan -- [--runs N] [--stack NAME] [--check]

Times \`npm run plan -- --stack prod\` (program + policy pack) end to end in child processes, N runs
(default 5), against a floor (a bare program that only loads @pulumi/pulumi under mocks), and prints
wall median/min, peak RSS and the ratio. Target: < 6 s wall and < 500 MB peak.

  --runs N     runs of each (default 5)
  --stack NAME stack to plan (default prod)
  --check      exit 1 when the plan misses the target`;

export interface BenchArgs { runs: number; stack: string; check: boolean; help: boolean }

type Spec = Record<string, "flag" | "value" | "list">;

function parse(argv: string[], spec: Spec, usageName: string): Record<string, string | string[] | boolean> {
    const out: Record<string, string | string[] | boolean> = {};
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "-h" || arg === "--help") { out.help = true; continue; }
        const eq = arg.indexOf("=");
        const name = arg.startsWith("--") ? (eq > 0 ? arg.slice(2, eq) : arg.slice(2)) : undefined;
        const kind = name !== undefined ? spec[name] : undefined;
        if (name === undefined || kind === undefined) throw new UsageError(`${usageName}: unknown argument ${JSON.stringify(arg)} (see --help)`);
        if (kind === "flag") {
            if (eq > 0) throw new UsageError(`${usageName}: --${name} takes no value`);
            out[name] = true;
            continue;
        }
        const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
        if (value === undefined || (eq < 0 && value.startsWith("--"))) throw new UsageError(`${usageName}: --${name} needs a value`);
        if (kind === "list") out[name] = [...((out[name] as string[]) ?? []), value];
        else {
            if (out[name] !== undefined) throw new UsageError(`${usageName}: --${name} given twice`);
            out[name] = value;
        }
    }
    return out;
}

export function parsePlanArgs(argv: string[]): PlanArgs {
    const o = parse(argv, { stack: "value", set: "list", out: "value", diff: "value", graph: "value", json: "flag", "no-policy": "flag", timings: "flag" }, "plan");
    const stack = (o.stack as string | undefined) ?? "dev";
    if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new UsageError(`plan: --stack ${JSON.stringify(stack)} is not a stack name`);
    return {
        stack, set: (o.set as string[]) ?? [], out: o.out as string | undefined, diff: o.diff as string | undefined,
        graph: o.graph as string | undefined, json: !!o.json, policy: !o["no-policy"], timings: !!o.timings, help: !!o.help,
    };
}

export function parseReportArgs(argv: string[]): ReportArgs {
    const o = parse(argv, { plan: "value", outputs: "value", stack: "value", out: "value" }, "report");
    const args: ReportArgs = { plan: o.plan as string | undefined, outputs: o.outputs as string | undefined, stack: o.stack as string | undefined, out: o.out as string | undefined, help: !!o.help };
    if (!args.help && !args.plan === !args.outputs) throw new UsageError("report: give exactly one of --plan FILE or --outputs FILE");
    return args;
}

export function parseBenchArgs(argv: string[]): BenchArgs {
    const o = parse(argv, { runs: "value", stack: "value", check: "flag" }, "bench:plan");
    const runs = o.runs === undefined ? 5 : Number(o.runs);
    if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new UsageError(`bench:plan: --runs ${JSON.stringify(o.runs)} must be a whole number from 1 to 50`);
    return { runs, stack: (o.stack as string | undefined) ?? "prod", check: !!o.check, help: !!o.help };
}
