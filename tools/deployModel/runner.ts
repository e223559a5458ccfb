/** Runs one benchmark measurement per web.count, each in a fresh Node process. */
import { fork } from "child_process";
import * as path from "path";
import type { RunDetail } from "./measure";

export async function runOne(webCount: number, stack = "prod"): Promise<RunDetail> {
    if (!Number.isInteger(webCount) || webCount < 1) throw new Error(`bench: web count must be a positive integer, got ${webCount}`);
    return new Promise((resolve, reject) => {
        const child = fork(path.join(__dirname, "measure.ts"), [String(webCount), stack], {
            execArgv: ["-r", "ts-node/register/transpile-only"],
            // The program's own log lines must not mix into --json output.
            stdio: ["ignore", "ignore", "pipe", "ipc"],
        });
        let stderr = "";
        let answer: { ok: boolean; result?: RunDetail; error?: string } | undefined;
        child.stderr!.on("data", (d) => { stderr += d; });
        child.on("message", (m) => { answer = m as typeof answer; });
        child.on("error", reject);
        child.on("exit", (code) => {
            if (answer?.ok && answer.result) resolve(answer.result);
            else reject(new Error(`bench: run with web.count=${webCount} failed (exit ${code}): ${answer?.error ?? stderr.trim()}`));
        });
    });
}

/** Sequential on purpose: parallel runs would compete for CPU and distort evalMs. */
export async function runAll(counts: number[], stack = "prod"): Promise<RunDetail[]> {
    const out: RunDetail[] = [];
    for (const n of counts) out.push(await runOne(n, stack));
    return out;
}
