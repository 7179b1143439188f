import { afterAll } from "vitest";
import { removeTempDirs } from "../helpers/temp-dir.js";

// registered before the file's own hooks, so it runs after them (hooks unwind as a stack): clusters and CLI runs
// that still use a folder are gone by then
afterAll(removeTempDirs);
