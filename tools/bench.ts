/**
 * Deploy-time model and scale benchmark of the prod program.
 *   npm run bench -- [--json] [--counts 2,4,8,16]
 * For each web.count (each in its own process): resources registered, evaluation time, peak
 * memory, and from the resource graph the critical path of `pulumi up` in minutes with the
 * resources on it, and the total work in minutes. docs/performance.md explains the model.
 */
import type { RunDetail, RunResult } from "./deployModel/measure";
import { runAll } from "./deployModel/runner";

interface Args { json: boolean; counts: number[] }

function parseArgs(argv: string[]): Args {
    const args: Args = { json: false, counts: [2, 4, 8, 16] };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--json") args.json = true;
        else if (a === "--counts" || a.startsWith("--counts=")) {
            const v = a === "--counts" ? argv[++i] : a.slice("--counts=".length);
            if (!v) throw new Error("--counts needs a list, e.g. --counts 2,4,8,16");
            args.counts = v.split(",").map((s) => {
                const n = Number(s);
                if (!Number.isInteger(n) || n < 2) throw new Error(`--counts: "${s}" is not a web.count (an integer, 2 or more)`);
                return n;
            });
        } else throw new Error(`unknown argument ${a}; usage: npm run bench -- [--json] [--counts 2,4,8,16]`);
    }
    return args;
}

/** The JSON shape the issue fixes: exactly these fields. */
export function toJson(runs: RunDetail[]): { runs: RunResult[] } {
    return {
        runs: runs.map((r) => ({
            webCount: r.webCount, resources: r.resources, evalMs: r.evalMs, peakMb: r.peakMb,
            criticalPathMin: r.criticalPathMin, totalWorkMin: r.totalWorkMin, path: r.path,
        })),
    };
}

/** Checks of the targets that the given runs allow (smallest count against largest). */
export function targetChecks(runs: RunDetail[]): { name: string; ok: boolean; detail: string }[] {
    if (runs.length < 2) return [];
    const sorted = [...runs].sort((a, b) => a.webCount - b.webCount);
    const lo = sorted[0];
    const hi = sorted[sorted.length - 1];
    const drift = Math.abs(hi.criticalPathMin - lo.criticalPathMin) / lo.criticalPathMin;
    return [
        { name: `criticalPathMin flat (${hi.webCount} vs ${lo.webCount} nodes, within 5%)`, ok: drift <= 0.05,
            detail: `${hi.criticalPathMin} vs ${lo.criticalPathMin} min (${(drift * 100).toFixed(1)}%)` },
        { name: `evalMs at ${hi.webCount} <= 3 x evalMs at ${lo.webCount}`, ok: hi.evalMs <= 3 * lo.evalMs,
            detail: `${hi.evalMs} ms vs ${lo.evalMs} ms (x${(hi.evalMs / lo.evalMs).toFixed(2)})` },
        { name: `peakMb at ${hi.webCount} <= 600`, ok: hi.peakMb <= 600, detail: `${hi.peakMb} MB` },
    ];
}

function shortName(urn: string): string {
    const parts = urn.split("::");
    return `${parts[parts.length - 1]} (${parts[parts.length - 2].split("$").pop()})`;
}

function report(runs: RunDetail[]): string {
    const lines: string[] = [];
    lines.push("webCount  resources  evalMs  evalCpuMs  loadMs  peakMb  criticalPathMin  totalWorkMin");
    for (const r of runs) {
        lines.push([
            String(r.webCount).padStart(8), String(r.resources).padStart(10), String(r.evalMs).padStart(7), String(r.evalCpuMs).padStart(10),
            String(r.loadMs).padStart(7), String(r.peakMb).padStart(7), String(r.criticalPathMin).padStart(16),
            String(r.totalWorkMin).padStart(13),
        ].join(" "));
    }
    for (const r of runs) {
        lines.push("", `critical path at web.count=${r.webCount}: ${r.criticalPathMin} min`);
        for (const s of r.pathSteps) lines.push(`  ${String(s.finishAt).padStart(6)} min  +${String(s.minutes).padEnd(5)} ${shortName(s.urn)}`);
        if (r.unpriced.length > 0) lines.push(`  not in the duration table (counted as 0): ${r.unpriced.map(shortName).join(", ")}`);
    }
    const checks = targetChecks(runs);
    if (checks.length > 0) {
        lines.push("", "targets:");
        for (const c of checks) lines.push(`  ${c.ok ? "PASS" : "FAIL"}  ${c.name}: ${c.detail}`);
    }
    return lines.join("\n");
}

async function main(): Promise<void> {
    const args = parseArgs(process.argv.slice(2));
    const runs = await runAll(args.counts);
    process.stdout.write(args.json ? `${JSON.stringify(toJson(runs))}\n` : `${report(runs)}\n`);
}

if (require.main === module) {
    main().catch((e) => {
        process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(1);
    });
}
