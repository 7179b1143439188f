import { describe, expect, it } from "vitest";
import { labelFilter } from "../../src/runtime/labels.js";
import { createRuntime } from "../../src/runtime/factory.js";
import { labIdOf } from "../../src/lab/identity.js";
import { cli } from "../helpers/cli.js";
import { CITE, labWithExercises } from "../helpers/fixture-lab.js";
import { realAvailable, realImages } from "./real-mesos.js";

/**
 * A mesos-execute that real Mesos refuses explains itself: `--task` JSON without the required `agent_id` makes it exit
 * 1 at once with `Failed to load flag 'task': … Missing required fields: agent_id` and its usage text
 * (observed-1.11.md, "Observed 2026-11-29"), and the failure report shows that line, not just the exit code.
 */

const TASK = JSON.stringify({
  name: "foo",
  task_id: { value: "foo" },
  resources: [{ name: "cpus", type: "SCALAR", scalar: { value: 0.1 } }],
  command: { value: "true" },
});
const exercise = `{ id: "01", slug: "no-agent-id", title: "a task without agent_id", summary: "s", text: "t", steps: [
  { id: "bad-task", title: "bad task", text: "t", hint: "h",
    actions: [{ do: "execute", id: "bad-task", args: [${JSON.stringify(`--task=${TASK}`)}] }],
    expect: [{ id: "finished", says: "the task finishes", source: { execute: "stdout" }, pattern: "TASK_FINISHED", cite: ${CITE} }] },
] }`;

describe.runIf(await realAvailable())("a failing mesos-execute on real Mesos", () => {
  it("shows what mesos-execute printed on stderr in the plain and JUnit reports", async () => {
    const i = await realImages();
    const dir = labWithExercises(`{ profile: "1.11", images: ${JSON.stringify({ zk: i.zk, master: i.master, agent: i.agent, execute: i.execute })} }`, {
      "01-no-agent-id": exercise,
    });
    const plain = await cli(["verify", "01"], { cwd: dir, timeout: 300_000 });
    expect(plain.exitCode, plain.all.slice(-3000)).toBe(1);
    expect(plain.stdout).toContain("mesos-execute (action bad-task) exited with code 1");
    expect(plain.stdout).toMatch(/\| Failed to load flag 'task': Failed to load value '.*': Missing required fields: agent_id/);
    const junit = await cli(["verify", "01", "--reporter", "junit"], { cwd: dir, timeout: 300_000 });
    expect(junit.exitCode).toBe(1);
    expect(junit.stdout).toMatch(/<failure message="[^"]*mesos-execute \(action bad-task\) exited with code 1/);
    expect(junit.stdout).toContain("Missing required fields: agent_id");
    expect(await createRuntime().owned.list(labelFilter({ lab: labIdOf({ root: dir }) }))).toEqual([]);
  }, 600_000);
});
