/**
 * One benchmark run, meant to be the only thing its process does (tools/deployModel/runner.ts
 * forks one per web.count): build the prod program under the recording mocks, then model
 * its deploy time. The Pulumi runtime is global per process and peak memory is a process
 * high-water mark, so neither would mean anything if runs shared a process.
 */
import { performance } from "perf_hooks";
import type { RecordedResource } from "../recording";
import { criticalPath } from "./criticalPath";
import { minutesFor } from "./durations";
import { buildGraph } from "./graph";

export interface RunResult {
    webCount: number;
    resources: number;
    evalMs: number;
    peakMb: number;
    criticalPathMin: number;
    totalWorkMin: number;
    path: string[];
}

/** What the text report shows besides the JSON fields. */
export interface RunDetail extends RunResult {
    /** Loading the program's modules (ts-node, SDKs) before evaluation starts. */
    loadMs: number;
    /** CPU time (user + system) of the evaluation: unlike evalMs, not inflated by a busy machine. */
    evalCpuMs: number;
    /** Minutes at which each resource on the path finishes, and its own minutes. */
    pathSteps: { urn: string; minutes: number; finishAt: number }[];
    /** Custom resources the duration table has no row for (counted as 0). */
    unpriced: string[];
}

export interface ModelResult {
    criticalPathMin: number;
    totalWorkMin: number;
    path: string[];
    pathSteps: RunDetail["pathSteps"];
    unpriced: string[];
}

/** The deploy-time model of one recorded program. */
export function modelDeploy(resources: RecordedResource[]): ModelResult {
    const graph = buildGraph(resources);
    const unpriced: string[] = [];
    const minutes = new Map<string, number>();
    for (const [urn, node] of graph.nodes) {
        const m = minutesFor(node.resource);
        if (m === undefined) unpriced.push(urn);
        minutes.set(urn, m ?? 0);
    }
    const cp = criticalPath(graph, (urn) => minutes.get(urn)!);
    return {
        criticalPathMin: round(cp.minutes),
        totalWorkMin: round(cp.totalWorkMinutes),
        path: cp.path,
        pathSteps: cp.path.map((urn) => ({ urn, minutes: minutes.get(urn)!, finishAt: round(cp.finishAt.get(urn)!) })),
        unpriced,
    };
}

export async function measure(webCount: number, stack = "prod"): Promise<RunDetail> {
    const t0 = performance.now();
    // Loaded here, not at the top, so loading the SDKs is timed apart from evaluation.
    const { recordStack } = require("../recordStack") as typeof import("../recordStack");
    const t1 = performance.now();
    const cpu0 = process.cpuUsage();
    const run = await recordStack(stack, { set: [`web.count=${webCount}`] });
    const t2 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const model = modelDeploy(run.resources);
    return {
        webCount,
        resources: run.resources.length,
        evalMs: Math.round(t2 - t1),
        loadMs: Math.round(t1 - t0),
        evalCpuMs: Math.round((cpu.user + cpu.system) / 1000),
        // maxRSS is in kilobytes on Linux: the process's resident high-water mark.
        peakMb: Math.round(process.resourceUsage().maxRSS / 1024),
        ...model,
    };
}

function round(n: number): number {
    return Math.round(n * 100) / 100;
}

// Forked by runner.ts: argv[2] is web.count, argv[3] the stack; the result goes back over IPC.
if (require.main === module) {
    const webCount = Number(process.argv[2]);
    measure(webCount, process.argv[3] ?? "prod").then(
        (r) => process.send!({ ok: true, result: r }, undefined, {}, () => process.exit(0)),
        (e) => process.send!({ ok: false, error: e instanceof Error ? e.stack ?? e.message : String(e) }, undefined, {}, () => process.exit(1)),
    );
}
