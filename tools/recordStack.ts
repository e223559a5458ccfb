/**
 * One call that tests and tools share: load a stack's config (placeholders for secrets), build the
 * program under the recording mocks, and return what the engine would have been sent.
 */
import { loadConfig, pulumiConfigSource } from "../config";
import { buildStack } from "../stack";
import { MockRun, runUnderMocks } from "./mockEngine";
import { loadStackConfig, LoadOptions, StackConfig } from "./stackConfig";

export interface RecordStackOptions extends LoadOptions {
    preview?: boolean;
    previousOutputs?: Record<string, unknown>;
}

export interface RecordedStack extends MockRun {
    config: StackConfig;
}

export async function recordStack(stack: string, options: RecordStackOptions = {}): Promise<RecordedStack> {
    const config = loadStackConfig(stack, options);
    const run = await runUnderMocks(() => buildStack(loadConfig(pulumiConfigSource(), stack)), {
        config, preview: options.preview, previousOutputs: options.previousOutputs,
    });
    return { ...run, config };
}
