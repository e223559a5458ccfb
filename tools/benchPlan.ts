/**
 * `npm run bench:plan`: how long the offline plan takes, against what any Pulumi program costs.
 *
 *   npm run bench:plan -- [--runs N] [--stack NAME] [--check]
 *
 * Runs the `plan` script of package.json (`ts-node --transpile-only tools/plan.ts --stack prod`:
 * program + policy pack, end to end, output discarded) N times (default 5) in child processes, and
 * the floor (tools/plan/benchFloor.ts: @pulumi/pulumi under mocks, nothing else) as often, the same
 * way. Prints wall median/min, CPU, peak RSS and the ratio plan/floor, then one `--timings` run for
 * the phases. Peak RSS: from `/usr/bin/time -v` (Debian package `time`) when present, the largest
 * single process; and always the sampled sum over the whole process tree (the plan and its pack).
 * Target (issue 6): < 6 s wall and < 500 MB peak on a 2-core machine. `--check` exits 1 when missed.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BENCH_USAGE, parseBenchArgs, UsageError } from "./plan/args";
import { EXIT_ERROR, EXIT_OK } from "./plan/exitCodes";

/** `--check`: the plan missed the target. */
export const EXIT_MISSED_TARGET = 1;

const ROOT = path.resolve(__dirname, "..");
const TIME = "/usr/bin/time";
export const TARGET = { wallMs: 6000, peakMb: 500 };

export interface Sample { wallMs: number; cpuMs?: number; maxRssMb?: number; treeRssMb: number; code: number; stderr: string }

/** Sum of VmRSS over `pid` and its descendants, from /proc. */
function treeRssKb(root: number): number {
    const parents = new Map<number, number>();
    const rss = new Map<number, number>();
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const status = fs.readFileSync(`/proc/${entry}/status`, "utf8");
            parents.set(Number(entry), Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0));
            rss.set(Number(entry), Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0));
        } catch {
            // the process ended while we looked
        }
    }
    const inTree = (pid: number): boolean => {
        for (let p = pid, hops = 0; p > 1 && hops < 64; p = parents.get(p) ?? 0, hops++) if (p === root) return true;
        return false;
    };
    let total = 0;
    for (const [pid, kb] of rss) if (inTree(pid)) total += kb;
    return total;
}

/** One run of a shell command line with node_modules/.bin on PATH, as `npm run` would. */
export function measure(commandLine: string): Promise<Sample> {
    const useTime = fs.existsSync(TIME);
    const argv = useTime ? [TIME, "-v", "sh", "-c", commandLine] : ["sh", "-c", commandLine];
    const env = { ...process.env, PATH: `${path.join(ROOT, "node_modules", ".bin")}${path.delimiter}${process.env.PATH}` };
    return new Promise((resolve, reject) => {
        const began = process.hrtime.bigint();
        const child = spawn(argv[0], argv.slice(1), { cwd: ROOT, env, stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        let peakKb = 0;
        const timer = setInterval(() => { peakKb = Math.max(peakKb, treeRssKb(child.pid!)); }, 100);
        child.on("error", reject);
        child.on("exit", (code) => {
            clearInterval(timer);
            const wallMs = Number(process.hrtime.bigint() - began) / 1e6;
            const num = (re: RegExp) => { const m = re.exec(stderr); return m ? Number(m[1]) : undefined; };
            const user = num(/User time \(seconds\): ([\d.]+)/);
            const sys = num(/System time \(seconds\): ([\d.]+)/);
            const maxRssKb = num(/Maximum resident set size \(kbytes\): (\d+)/);
            resolve({
                wallMs, code: code ?? -1, stderr,
                cpuMs: user !== undefined && sys !== undefined ? (user + sys) * 1000 : undefined,
                maxRssMb: maxRssKb !== undefined ? maxRssKb / 1024 : undefined,
                treeRssMb: peakKb / 1024,
            });
        });
    });
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const max = (xs: (number | undefined)[]) => Math.max(...xs.map((x) => x ?? 0));
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mb = (x: number) => `${x.toFixed(0)} MB`;

export interface Summary { medianMs: number; minMs: number; cpuMs?: number; maxRssMb?: number; treeRssMb: number }

export function summarize(samples: Sample[]): Summary {
    const cpu = samples.map((s) => s.cpuMs).filter((x): x is number => x !== undefined);
    const rss = samples.map((s) => s.maxRssMb).filter((x): x is number => x !== undefined);
    return {
        medianMs: median(samples.map((s) => s.wallMs)), minMs: Math.min(...samples.map((s) => s.wallMs)),
        cpuMs: cpu.length ? median(cpu) : undefined, maxRssMb: rss.length ? max(rss) : undefined, treeRssMb: max(samples.map((s) => s.treeRssMb)),
    };
}

function line(name: string, s: Summary): string {
    return `  ${name.padEnd(6)} wall median ${secs(s.medianMs)}, min ${secs(s.minMs)}` +
        (s.cpuMs !== undefined ? `, CPU (user+sys) median ${secs(s.cpuMs)}` : "") +
        (s.maxRssMb !== undefined ? `, peak RSS ${mb(s.maxRssMb)} (largest process)` : "") +
        `, ${mb(s.treeRssMb)} (whole process tree, sampled)`;
}

export async function main(argv: string[]): Promise<number> {
    let args;
    try {
        args = parseBenchArgs(argv);
    } catch (e) {
        if (e instanceof UsageError) { console.error(`error: ${e.message}\n\n${BENCH_USAGE}`); return EXIT_ERROR; }
        throw e;
    }
    if (args.help) { console.log(BENCH_USAGE); return EXIT_OK; }
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts as Record<string, string>;
    const plan = `${scripts.plan} --stack ${args.stack}`;
    const floor = "ts-node --transpile-only tools/plan/benchFloor.ts";
    if (!fs.existsSync(TIME)) console.log(`note: ${TIME} is missing (Debian package \`time\`); CPU time and largest-process RSS are not reported`);
    const [load1] = os.loadavg();
    console.log(`bench:plan on ${os.cpus().length} cores (load average ${load1.toFixed(2)} at start), ${args.runs} runs each`);
    console.log(`  plan:  ${plan}`);
    console.log(`  floor: ${floor}`);

    const planSamples: Sample[] = [];
    const floorSamples: Sample[] = [];
    await measure(plan); // warm the file cache and the transpiled policy pack (tools/plan/policyPack.ts)
    for (let i = 0; i < args.runs; i++) {
        const f = await measure(floor);
        if (f.code !== 0) { console.error(`error: the floor program failed (exit ${f.code}):\n${f.stderr}`); return EXIT_ERROR; }
        floorSamples.push(f);
        const p = await measure(plan);
        if (p.code !== EXIT_OK) { console.error(`error: the plan exited ${p.code} (expected 0):\n${p.stderr}`); return EXIT_ERROR; }
        planSamples.push(p);
    }
    const P = summarize(planSamples);
    const F = summarize(floorSamples);
    console.log(line("plan", P));
    console.log(line("floor", F));
    console.log(`  ratio plan/floor: wall ${(P.medianMs / F.medianMs).toFixed(1)}x` + (P.cpuMs && F.cpuMs ? `, CPU ${(P.cpuMs / F.cpuMs).toFixed(1)}x` : ""));
    const phases = await measure(`${plan} --timings`);
    const timings = /timings \(ms\): (.*)/.exec(phases.stderr)?.[1];
    if (timings) console.log(`  phases of one run (ms): ${timings}`);
    const peak = P.treeRssMb;
    const ok = P.medianMs < TARGET.wallMs && peak < TARGET.peakMb;
    console.log(`  target < ${secs(TARGET.wallMs)} wall and < ${TARGET.peakMb} MB peak (process tree): ${ok ? "met" : "MISSED"}`);
    if (load1 > os.cpus().length) console.log(`  warning: the machine was busy (load ${load1.toFixed(2)} > ${os.cpus().length} cores); wall times are inflated, CPU times are the steadier measure`);
    return args.check && !ok ? EXIT_MISSED_TARGET : EXIT_OK;
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code), (e) => { console.error(e); process.exit(EXIT_ERROR); });
}
