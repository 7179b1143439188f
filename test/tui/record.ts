/**
 * Developer tool: records the LabEvents of real runs against the stand-in images into test/tui/fixtures/, so the
 * TUI tests replay what the engine really emits (no Docker needed to run them).
 *   node --import tsx test/tui/record.ts [01|90|93]
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { loadCatalogue } from "../../src/catalogue/load.js";
import { run, standinConfig } from "../helpers/lab.js";
import { removeTempDirs } from "../helpers/temp-dir.js";
import { executeFailsExercise, failingExercise } from "./fixtures/exercises.js";

const out = path.join(import.meta.dirname, "fixtures");
const config = await standinConfig({ timeouts: { expectation: 3_000, negativeWindow: 1_000, execute: 10_000, ready: 20_000, pull: 1_000 } });
// `record.ts 93` records only that fixture, so the others stay as they are
const only = process.argv[2];
if (!only || only === "01") {
  const [ex01] = await loadCatalogue();
  const pass = await run(ex01!, config);
  writeFileSync(path.join(out, "01-pass.json"), JSON.stringify(pass.events, null, 1));
}
if (!only || only === "90") {
  const fail = await run(failingExercise, config);
  writeFileSync(path.join(out, "90-fail.json"), JSON.stringify(fail.events, null, 1));
}
if (!only || only === "93") {
  const refused = await run(executeFailsExercise, config);
  writeFileSync(path.join(out, "93-execute-fails.json"), JSON.stringify(refused.events, null, 1));
}
console.log(`recorded ${only ?? "every fixture"}`);
removeTempDirs();
process.exit(0);
