import { realpathSync } from "node:fs";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { loadCatalogue } from "../../src/catalogue/load.js";
import { labelFilter } from "../../src/runtime/labels.js";
import { createRuntime } from "../../src/runtime/factory.js";
import { stepApplies } from "../../src/engine/render.js";
import { builtinProfile } from "../../src/model/profiles/index.js";
import { labIdOf } from "../../src/lab/identity.js";
import { BIN, cliEnv, tempLab } from "../helpers/cli.js";
import { hasDocker } from "../helpers/docker.js";
import { ensureStandinImages } from "../standin/image.js";

/**
 * The real binary, `verify 01 02 --jobs 2` against the stand-ins through a pipe (a CI log): every step line sits under
 * its own exercise's heading, and the exercise in the foreground streams while it runs.
 */

const runtime = createRuntime();

describe.skipIf(!hasDocker)("verify --jobs 2, plain output (real binary, stand-in images)", () => {
  it("keeps each exercise's lines under its heading and streams the foreground one", async () => {
    const profile = "1.11";
    const images = await ensureStandinImages({ profile });
    const dir = realpathSync(tempLab(`{ profile: "${profile}", images: ${JSON.stringify(images)}, ports: { master: 0, agent: 0, exhibitor: 0, zk: 0 } }`));
    const child = execa("node", [BIN, "verify", "01", "02", "--jobs", "2"], { cwd: dir, reject: false, env: cliEnv(), timeout: 300_000 });
    // when each line arrived
    const lines: Array<{ text: string; t: number }> = [];
    let partial = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      const parts = (partial + chunk.toString("utf8")).split("\n");
      partial = parts.pop()!;
      for (const text of parts) lines.push({ text, t: Date.now() });
    });
    const r = await child;
    expect(r.stderr, r.stderr).toBe("");

    const catalogue = await loadCatalogue();
    const stepsOf = (id: string) =>
      catalogue
        .find((e) => e.id === id)!
        .steps.filter((s) => stepApplies(s, builtinProfile(profile)!))
        .map((s) => s.id);
    const blocks: Array<{ id: string; lines: Array<{ text: string; t: number }> }> = [];
    for (const l of lines) {
      // an exercise's heading ("01 The default …"), not the summary ("11 passed, 0 failed")
      const heading = /^(\d{2}) (?!passed, )\S/.exec(l.text);
      if (heading) blocks.push({ id: heading[1]!, lines: [] });
      else if (blocks.length) blocks.at(-1)!.lines.push(l);
    }
    expect(blocks.map((b) => b.id)).toEqual(["01", "02"]);
    for (const b of blocks) {
      const steps = stepsOf(b.id);
      // each of its steps, in order, and nothing of the other exercise: a step line names one of its own steps
      const stepLines = b.lines.map((l) => /^ {2}step (\d+)\/(\d+) ([a-z0-9-]+):/.exec(l.text)).filter((m) => m !== null);
      expect(
        stepLines.map((m) => m![3]),
        `under ${b.id}`,
      ).toEqual(steps);
      expect(stepLines.every((m) => m![2] === String(steps.length))).toBe(true);
      expect(b.lines.filter((l) => /^ {4}(passed|FAILED) in /.test(l.text))).toHaveLength(steps.length);
    }
    // 01 starts first and is in the foreground: its lines came while it ran, not in one piece at its end
    const first = blocks[0]!.lines;
    expect(first.at(-1)!.t - first[0]!.t).toBeGreaterThan(500);
    expect(lines.at(-1)!.text).toMatch(/^\d+ passed, \d+ failed \(/);
    expect(await runtime.owned.list(labelFilter({ lab: labIdOf({ root: dir }) }))).toEqual([]);
  }, 320_000);
});
