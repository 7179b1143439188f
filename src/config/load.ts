import { finishConfig } from "./read.js";
import { type LabConfig, parseConfig } from "./schema.js";

export { CONFIG_FILE, findConfigFile, loadConfig } from "./read.js";

/** Validates a raw config object; `file` is only used in messages. */
export function resolveConfig(raw: unknown, file: string | undefined, root: string): LabConfig {
  return finishConfig(parseConfig(raw, file), file, root);
}
