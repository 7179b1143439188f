import { realpathSync } from "node:fs";
import { afterAll, expect, it } from "vitest";
import type { LabConfig } from "../../src/config/schema.js";
import type { LabEvent } from "../../src/engine/events.js";
import { labIdOf } from "../../src/lab/identity.js";
import { LabRun } from "../../src/lab/run-service.js";
import { resetLab } from "../../src/lab/sweep.js";
import { LABEL, labelFilter } from "../../src/runtime/labels.js";
import { createRuntime } from "../../src/runtime/factory.js";
import { tuiController } from "../../src/tui/controller.js";
import { cli, tempLab } from "../helpers/cli.js";
import { engineClient } from "../helpers/docker.js";
import { run } from "../helpers/lab.js";
import { pollUntil } from "../helpers/wait.js";
import { attackWithItsControl } from "./blocked-too-early.js";

const runtime = createRuntime();

/**
 * The attack steps' own tests, on the stand-in (npm test) and on real Mesos 1.11 (npm run test:real): an attack
 * blocked too early fails its step; an attendee's own run of an attack, from this machine, is noticed; the attacker's
 * host has no route past the lab's network; nothing of the attacker stays.
 */
export function attackTests(o: { config: () => Promise<LabConfig>; images: () => Promise<Record<string, string>> }): void {
  it("an attack step whose control is already applied fails, and reports the exploit blocked", async () => {
    const { results } = await run(await attackWithItsControl(), await o.config());
    const r = results[0]!;
    expect(r.status).toBe("failed");
    expect(r.attack, JSON.stringify(r.expectations.map((e) => [e.id, e.status, e.matched ?? e.reason]))).toEqual({
      id: "anonymous-http",
      expect: "works",
      outcome: "blocked",
    });
    expect(r.expectations.filter((e) => e.status === "failed").map((e) => e.id)).toEqual(expect.arrayContaining(["secret-read", "teardown-200"]));
  }, 300_000);

  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await resetLab(runtime, { labId: labIdOf({ root: dir }), all: false });
  });

  it("the TUI marks an attendee's own run of the attack, sent from outside the lab, as theirs; the attacker's host reaches nothing past the lab network", async () => {
    dir = realpathSync(tempLab(`{ profile: "1.11", images: ${JSON.stringify(await o.images())}, ports: { master: 0, agent: 0, exhibitor: 0, zk: 0 } }`));
    const lab = await LabRun.open({ configFile: `${dir}/lab.config.ts`, signalLog: () => undefined });
    const screen: LabEvent[] = [];
    try {
      const tui = tuiController(lab);
      tui.bus.on((ev) => screen.push(ev));
      await tui.runStep("06", "anonymous");
      const end = screen.find((e): e is Extract<LabEvent, { type: "step:end" }> => e.type === "step:end")!;
      expect(end.result.attack, JSON.stringify(end.result.expectations.filter((e) => e.status !== "passed"))).toEqual({
        id: "anonymous-http",
        expect: "works",
        outcome: "works",
      });
      const published = screen.find((e): e is Extract<LabEvent, { type: "published" }> => e.type === "published")!;
      expect(published.addresses.agent).toMatch(/^[\d.]+:\d+$/);
      expect(
        screen.some((e) => e.type === "exploit"),
        "nothing is marked before the attendee acts",
      ).toBe(false);

      // the attendee's own request, from this machine to the published agent port: the attack's second command
      const agent = `http://${published.addresses.agent}`;
      const debug = await (await fetch(`${agent}/files/debug`)).text();
      const sandbox = /\/frameworks\/[^"]*\/executors\/payroll\/runs\/latest/.exec(debug)?.[0];
      expect(sandbox, debug).toBeDefined();
      expect(await (await fetch(`${agent}/files/read?path=${sandbox}/stdout&offset=0`)).text()).toContain("DB_PASSWORD=");
      const mine = await pollUntil(
        () => screen.find((e): e is Extract<LabEvent, { type: "exploit" }> => e.type === "exploit"),
        (e) => e !== undefined,
        { timeoutMs: 15_000, everyMs: 100, failure: () => "the TUI never marked the attendee's exploit" },
      );
      expect(mine).toMatchObject({ exercise: "06", step: "anonymous", attack: "anonymous-http" });
      expect(mine!.line).toMatch(/HTTP GET for \/files\/read/);

      // the attacker's host: no default route, so nothing outside the lab's subnet is reachable from it
      const [attacker] = await runtime.owned.list(labelFilter({ lab: labIdOf({ root: dir }) }));
      const host = (await runtime.owned.list(labelFilter({ lab: labIdOf({ root: dir }) }))).find((i) => i.labels[LABEL.role] === "attacker");
      expect(host, `attacker container among ${attacker?.name}`).toBeDefined();
      const exec = await engineClient()
        .getContainer(host!.id)
        .exec({ Cmd: ["sh", "-c", "ip route; echo --; nc -w 2 -z 1.1.1.1 443; echo rc=$?"], AttachStdout: true, AttachStderr: true });
      const out = await new Promise<string>((resolve, reject) =>
        exec.start({}, (err, stream) => {
          if (err || !stream) return reject(err);
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("end", () => resolve(Buffer.concat(chunks).toString("latin1")));
        }),
      );
      expect(out).not.toMatch(/^.{0,8}default /m);
      expect(out).toMatch(/rc=[1-9]/);
      await tui.quit({ stopCluster: true, interrupted: false });
    } finally {
      lab.dispose();
    }
    expect(await runtime.owned.list(labelFilter({ lab: labIdOf({ root: dir }) })), "nothing of the lab or its attacker is left").toEqual([]);
  }, 300_000);

  let attackDir: string | undefined;
  afterAll(async () => {
    if (attackDir) await resetLab(runtime, { labId: labIdOf({ root: attackDir }), all: false });
  });

  it("`mesos-lab attack` sends the attack again at the cluster `up` kept: it works on the open cluster and is blocked after the control", async () => {
    attackDir = realpathSync(tempLab(`{ profile: "1.11", images: ${JSON.stringify(await o.images())}, ports: { master: 0, agent: 0, exhibitor: 0, zk: 0 } }`));
    const cwd = attackDir;
    const attack = async (target: string) => {
      const r = await cli(["attack", target, "--json"], { cwd, timeout: 120_000 });
      return {
        ...r,
        json:
          r.exitCode === 0
            ? (JSON.parse(r.stdout) as { step: string; expected: string; outcome: string; evidence: Record<string, Array<{ id: string; status: string }>> })
            : undefined,
      };
    };
    const none = await attack("06");
    expect(none.exitCode, none.stderr).toBe(2);
    expect(none.stderr).toContain("no cluster of this lab is up");

    const open = await cli(["up", "06:anonymous"], { cwd, timeout: 240_000 });
    expect(open.exitCode, open.stdout + open.stderr).toBe(0);
    const worked = await attack("06");
    expect(worked.exitCode, worked.stdout + worked.stderr).toBe(0);
    expect(worked.json).toMatchObject({ step: "anonymous", expected: "works", outcome: "works" });
    expect(
      worked.json!.evidence.works!.every((e) => e.status === "passed"),
      JSON.stringify(worked.json!.evidence),
    ).toBe(true);
    const other = await attack("05");
    expect(other.exitCode).toBe(2);
    expect(other.stderr).toContain("exercise 06's, not 05's");

    const closed = await cli(["up", "06"], { cwd, timeout: 240_000 });
    expect(closed.exitCode, closed.stdout + closed.stderr).toBe(0);
    const blocked = await attack("06");
    expect(blocked.exitCode, blocked.stdout + blocked.stderr).toBe(0);
    expect(blocked.json).toMatchObject({ step: "anonymous-replay", expected: "blocked", outcome: "blocked" });
    // the open cluster's step is not where the cluster is: attack never reconfigures it
    const elsewhere = await attack("06:anonymous");
    expect(elsewhere.exitCode).toBe(2);
    expect(elsewhere.stderr).toContain("not at step 06:anonymous's configuration");

    expect((await cli(["down"], { cwd })).exitCode).toBe(0);
    expect(await runtime.owned.list(labelFilter({ lab: labIdOf({ root: cwd }) })), "nothing of the cluster or its attacker is left").toEqual([]);
  }, 600_000);
}
