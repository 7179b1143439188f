import type { LabConfigInput } from "./schema.js";

/**
 * What lab.config.ts calls: its own object, typed. Alone in its module (no zod), so that a config importing only this
 * imports it natively in a few milliseconds (src/config/native-config.ts).
 */
export function defineConfig(config: LabConfigInput): LabConfigInput {
  return config;
}
