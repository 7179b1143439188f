import { mkdirSync, realpathSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CITE } from "./cite.js";
import { tempLab } from "./cli.js";

/** A lab folder with its own exercises/ (raw exercise.ts bodies), so the real binary can run fixture exercises. */
export function labWithExercises(configBody: string, exercises: Record<string, string>): string {
  const dir = realpathSync(tempLab(configBody.replace(/^\{/, `{ exercisesDir: "exercises",`)));
  for (const [folder, body] of Object.entries(exercises)) {
    mkdirSync(path.join(dir, "exercises", folder), { recursive: true });
    writeFileSync(path.join(dir, "exercises", folder, "exercise.ts"), `export default ${body};\n`);
  }
  return dir;
}

// fixture exercise bodies cite with it
export { CITE };

/** One step that starts the cluster and then waits `waitMs` on a line that never comes. */
export function waitingExercise(id: string, waitMs: number): string {
  return `{ id: "${id}", slug: "wait", title: "waits", summary: "s", text: "t", steps: [
    { id: "wait", title: "wait", text: "t", hint: "h",
      expect: [
        { id: "elected", says: "elected", source: { log: "master" }, pattern: "Elected as the leading master", cite: ${CITE} },
        { id: "never", says: "never", source: { log: "master" }, pattern: "this never appears", timeoutMs: ${waitMs}, cite: ${CITE} },
      ] },
  ] }`;
}
