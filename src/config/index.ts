export { defineConfig } from "./define.js";
export { DEFAULT_IMAGES, type LabConfig, type LabConfigInput } from "./schema.js";
export { loadConfig, resolveConfig, findConfigFile, CONFIG_FILE } from "./load.js";
