// The Pulumi program: read and validate the stack's configuration, then build the stack.
// Everything else lives in stack.ts and components/, so tests and tools can build any stack.
import { loadConfig } from "./config";
import { buildStack } from "./stack";

export = buildStack(loadConfig());
