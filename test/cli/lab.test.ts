import { realpathSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadCatalogue } from "../../src/catalogue/load.js";
import { LABEL, labelFilter, runLabels } from "../../src/runtime/labels.js";
import { createRuntime } from "../../src/runtime/factory.js";
import { labIdOf } from "../../src/lab/identity.js";
import { ensureStandinImages } from "../standin/image.js";
import { cli, tempLab } from "../helpers/cli.js";
import { ensureBusybox, hasDocker } from "../helpers/docker.js";
import { freePort } from "../helpers/registry.js";

const runtime = createRuntime();

describe.skipIf(!hasDocker)("mesos-lab against stand-in images (real binary, real engine)", () => {
  it("verify 01 --reporter junit exits 0 with one testcase per step and no secret in the output", async () => {
    const images = await ensureStandinImages({ profile: "1.11" });
    const dir = realpathSync(tempLab(`{ images: ${JSON.stringify(images)}, ports: { master: 0, agent: 0, exhibitor: 0, zk: 0 } }`));
    const r = await cli(["verify", "01", "--reporter", "junit"], { cwd: dir });
    expect(r.exitCode, r.all).toBe(0);
    const steps = (await loadCatalogue()).find((e) => e.id === "01")!.steps.map((st) => st.id);
    expect(r.stdout.match(/<testcase /g)).toHaveLength(steps.length);
    expect(r.stdout).toContain('failures="0"');
    expect(r.stderr).toContain("✓ the agent registers with the master");
    expect(await runtime.owned.list(labelFilter({ lab: labIdOf({ root: dir }) }))).toEqual([]);
  });

  it("up leaves the cluster running with the UI published; doctor sees the images and counts the lab's own port as no conflict; down removes it", async () => {
    const images = await ensureStandinImages({ profile: "1.11" });
    const port = await freePort();
    const dir = realpathSync(tempLab(`{ images: ${JSON.stringify(images)}, ports: { master: ${port}, agent: 0, exhibitor: 0, zk: 0 } }`));
    const lab = labIdOf({ root: dir });
    const up = await cli(["up", "01:cluster"], { cwd: dir });
    expect(up.exitCode, up.all).toBe(0);
    expect(up.stdout).toContain("The cluster stays up");
    const running = (await runtime.owned.list(labelFilter({ lab }))).filter((i) => i.kind === "container");
    expect(running.map((c) => c.labels["io.mesos-lab.role"]).sort()).toEqual(["agent", "master", "zk"]);
    const doctor = await cli(["doctor"], { cwd: dir });
    expect(doctor.stdout).toMatch(/✓ engine: Docker \d+/);
    expect(doctor.stdout).toContain(`✓ image ${images.master}: present`);
    // issue 19 point 5: the port is taken, by this lab's own master, which the next run replaces
    expect(up.stdout).toContain(`master UI     http://127.0.0.1:${port}`);
    expect(doctor.stdout).toContain(`✓ port ${port}: held by this lab's master UI (mesos-lab down frees it)`);
    const down = await cli(["down"], { cwd: dir });
    expect(down.exitCode).toBe(0);
    expect(down.stdout).toMatch(/removed 3 container\(s\), 1 network\(s\)/);
    expect(await runtime.owned.list(labelFilter({ lab }))).toEqual([]);
  });

  it("up refuses to remove the cluster another mesos-lab process is running (the TUI's walk), changes nothing, and says how; down still removes it", async () => {
    const images = await ensureStandinImages({ profile: "1.11" });
    const dir = realpathSync(tempLab(`{ images: ${JSON.stringify(images)}, ports: { master: 0, agent: 0, exhibitor: 0, zk: 0 } }`));
    const lab = labIdOf({ root: dir });
    // a container of this lab as the TUI leaves it while it runs: kept, and labelled with a live pid (this test's)
    const id = await runtime.containers.create({
      name: `mesos-lab-${lab}-tui-master`,
      image: await ensureBusybox(),
      cmd: ["sleep", "120"],
      env: {},
      labels: runLabels({ lab, run: "tuiwalk", exercise: "11", keep: true }, { [LABEL.role]: "master" }),
    });
    await runtime.containers.start(id);
    const up = await cli(["up", "01:cluster"], { cwd: dir });
    expect(up.exitCode, up.all).toBe(7);
    expect(up.stderr).toContain(
      `This lab's cluster (exercise 11) is in use by another mesos-lab process on this machine (pid ${process.pid}: mesos-lab-${lab}-tui-master)`,
    );
    expect(up.stderr).toContain("Quit that process first (q in the TUI, Ctrl-C for `up --watch`), or run `mesos-lab down`");
    expect((await runtime.owned.list(labelFilter({ lab }))).map((i) => i.id)).toEqual([id]);
    const down = await cli(["down"], { cwd: dir });
    expect(down.exitCode, down.all).toBe(0);
    expect(await runtime.owned.list(labelFilter({ lab }))).toEqual([]);
  });
});
