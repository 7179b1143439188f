/**
 * Developer tool: records the LabEvents of real runs against the stand-in images into test/tui/fixtures/, so the
 * TUI tests replay what the engine really emits (no Docker needed to run them).
 *   node --import tsx test/tui/record.ts
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { loadCatalogue } from "../../src/catalogue/load.js";
import { run, standinConfig } from "../helpers/lab.js";
import { failingExercise } from "./fixtures/exercises.js";

const out = path.join(import.meta.dirname, "fixtures");
const config = await standinConfig({ timeouts: { expectation: 3_000, negativeWindow: 1_000, execute: 10_000, ready: 20_000, pull: 1_000 } });
const [ex01] = await loadCatalogue();
const pass = await run(ex01!, config);
writeFileSync(path.join(out, "01-pass.json"), JSON.stringify(pass.events, null, 1));

const fail = await run(failingExercise, config);
writeFileSync(path.join(out, "90-fail.json"), JSON.stringify(fail.events, null, 1));
console.log(`recorded ${pass.events.length} + ${fail.events.length} events`);
process.exit(0);
