import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labelFilter, runLabels } from "../../src/runtime/labels.js";
import { createRuntime } from "../../src/runtime/factory.js";
import type { ContainerSpec } from "../../src/runtime/types.js";
import {
  CAPABILITIES_SPEC,
  CAPABILITIES_LABEL,
  capabilitiesEntrypoint,
  capabilitiesEnv,
  OWN_FREEZER_DIR,
  PRIVATE_CGROUPNS,
  PRIVATE_CGROUPNS_FIX,
  releaseNestedCgroups,
} from "../../src/engine/agent-capabilities.js";
import { NO_V1_REASON } from "../../src/lab/exercise-verdicts.js";
import { probeAgentCapabilities } from "../../src/lab/image-probes.js";
import { engineClient, engineSocket, hasDocker } from "../helpers/docker.js";
import { ensureStandinImages } from "../standin/image.js";
import { pollUntil } from "../helpers/wait.js";

/**
 * The agent capabilities mode on the real engine, with the stand-in agent image (busybox: sh, awk, mount, find): the
 * wrapper remounts the freezer hierarchy read-write and nests Mesos' cgroups root in the container's own cgroup (or,
 * the way a cgroup-v2 host takes, mounts a hierarchy of its own with a lab-unique root), the host keeps nothing once
 * the container is removed, a nested cgroup left frozen with a process in it is released so
 * the removal goes through, and doctor's probe says what the host supports. The cgroup checks read the host's
 * /sys/fs/cgroup/freezer: they need a local cgroup-v1 engine, as this project's CI has.
 */

const runtime = createRuntime();
const lab = `capabilities-test-${randomBytes(3).toString("hex")}`;
const FREEZER = "/sys/fs/cgroup/freezer";
const info = hasDocker ? await runtime.info() : undefined;
// a local engine (Docker's socket or a unix DOCKER_HOST such as Podman's): its containers' cgroups are this host's
const v1Local = !!info && info.cgroupVersion === "1" && !!engineSocket() && existsSync(FREEZER);

/** Where the engine puts a container's freezer cgroup on the host (Docker: cgroupfs or systemd driver; Podman: cgroupfs). */
function hostCgroupOf(id: string): string | undefined {
  const candidates = [
    path.join(FREEZER, "docker", id),
    path.join(FREEZER, "system.slice", `docker-${id}.scope`),
    path.join(FREEZER, "libpod_parent", `libpod-${id}`),
  ];
  for (const p of candidates) if (existsSync(p)) return p;
  return undefined;
}

/** Every directory under the host's freezer hierarchy whose path names `id`. */
function hostDirsNaming(id: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 4) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const p = path.join(dir, e.name);
      if (p.includes(id)) out.push(p);
      else walk(p, depth + 1);
    }
  };
  walk(FREEZER, 0);
  return out;
}

/** The container's freezer cgroup on the host, once the engine has made it (15 s at most). */
const ownCgroup = async (id: string): Promise<string> =>
  (await pollUntil(
    () => hostCgroupOf(id),
    (p) => p !== undefined,
    { timeoutMs: 15_000, everyMs: 100, failure: () => `no freezer cgroup of container ${id.slice(0, 12)} under ${FREEZER} within 15 s` },
  ))!;

async function logsOf(id: string): Promise<string[]> {
  const f = await runtime.logs.follow(id, 0);
  return new Promise((resolve) => {
    const lines: string[] = [];
    f.onLine((l) => lines.push(l.text));
    f.onEnd(() => resolve(lines));
  });
}

const isPodman = process.env.LAB_RUNTIME === "podman";

/**
 * Creates `s` in a cgroup namespace of its own, as an engine's default may (Docker and Podman on cgroup v2). Podman
 * 4.3's Docker-compatible API drops CgroupnsMode, so there the libpod API asks for it.
 */
async function createInPrivateCgroupns(s: ContainerSpec): Promise<string> {
  const client = engineClient();
  if (!isPodman) {
    const c = await client.createContainer({
      name: s.name,
      Image: s.image,
      Entrypoint: s.entrypoint,
      Cmd: s.cmd,
      Env: Object.entries(s.env ?? {}).map(([k, v]) => `${k}=${v}`),
      Labels: s.labels,
      HostConfig: { CgroupnsMode: "private" } as object,
    });
    return c.id;
  }
  const { Id } = await new Promise<{ Id: string }>((resolve, reject) =>
    client.modem.dial(
      {
        path: "/v4.0.0/libpod/containers/create",
        method: "POST",
        options: { name: s.name, image: s.image, entrypoint: s.entrypoint, command: s.cmd, env: s.env, labels: s.labels, cgroupns: { nsmode: "private" } },
        statusCodes: { 201: true, 400: "bad parameter", 500: "server error" },
      },
      (err: Error | null, data: unknown) => (err ? reject(err) : resolve(data as { Id: string })),
    ),
  );
  return Id;
}

const created: string[] = [];
function spec(image: string, script: string, o: { own?: boolean } = {}): ContainerSpec {
  const run = `t${randomBytes(3).toString("hex")}`;
  const name = `mesos-lab-${lab}-${run}`;
  return {
    name,
    image,
    entrypoint: capabilitiesEntrypoint(["/bin/sh", "-c", script]),
    cmd: [],
    env: { ...capabilitiesEnv(lab, name), ...(o.own ? { LAB_AGENT_FREEZER: "own" } : {}) },
    labels: runLabels({ lab, run }, { [CAPABILITIES_LABEL]: "true" }),
    ...CAPABILITIES_SPEC,
  };
}

afterAll(async () => {
  if (!hasDocker) return;
  const left = await runtime.owned.list(labelFilter({ lab }));
  for (const c of left.filter((i) => i.kind === "container")) await releaseNestedCgroups(runtime, c.id);
  await runtime.owned.remove(left).catch(() => undefined);
});

describe.skipIf(!hasDocker)("the agent capabilities mode on the engine", () => {
  let agent: string;
  beforeAll(async () => {
    ({ agent } = await ensureStandinImages({ profile: "1.11" }));
  });

  it("creates the container with SYS_ADMIN, seccomp and AppArmor unconfined, the host's cgroup namespace, and nothing privileged", async () => {
    const id = await runtime.containers.create(spec(agent, "sleep 600"));
    created.push(id);
    const inspected = (await engineClient().getContainer(id).inspect()) as {
      HostConfig: { CapAdd: string[] | null; SecurityOpt: string[] | null; Privileged: boolean; CgroupnsMode?: string };
    };
    const hc = inspected.HostConfig;
    expect(hc.CapAdd).toEqual(["SYS_ADMIN"]);
    // the host's cgroup namespace: a freezer hierarchy of its own may only be created from there (cgroup-v1.c).
    // Docker reports what was asked; Podman 4.3's compatible API neither keeps nor reports it (its default on v1 is
    // the host's namespace, which the check below sees)
    expect(hc.CgroupnsMode ?? "").toBe(isPodman ? "" : "host");
    expect(hc.SecurityOpt).toEqual(["seccomp=unconfined", "apparmor=unconfined"]);
    expect(hc.Privileged).toBe(false);
    if (engineSocket()) {
      await runtime.containers.start(id);
      const { State } = (await engineClient().getContainer(id).inspect()) as { State: { Pid: number } };
      expect(readlinkSync(`/proc/${State.Pid}/ns/cgroup`)).toBe(readlinkSync("/proc/self/ns/cgroup"));
    }
    await runtime.containers.remove(id);
  });

  it("in a cgroup namespace of its own (an engine that did not honour CgroupnsMode=host), the own-hierarchy way says so and how to fix it, and exits 1", async () => {
    const s = spec(agent, "echo never", { own: true });
    const id = await createInPrivateCgroupns(s);
    created.push(id);
    await runtime.containers.start(id);
    expect(await runtime.containers.wait(id)).toBe(1);
    const lines = await logsOf(id);
    expect(lines).toContain(`mesos-lab: the agent capabilities mode is not available here: ${PRIVATE_CGROUPNS}. ${PRIVATE_CGROUPNS_FIX}`);
    expect(lines).not.toContain("never");
    await runtime.containers.remove(id);
  });

  it.runIf(v1Local)(
    "mounts the freezer read-write and nests Mesos' cgroups root in the container's own cgroup; removal leaves nothing on the host",
    async () => {
      // what Mesos does under MESOS_CGROUPS_ROOT: a cgroup per container, a process in it
      const script = 'c="/sys/fs/cgroup/freezer/$MESOS_CGROUPS_ROOT/task"; mkdir -p "$c"; sleep 600 0<&- & echo $! > "$c/cgroup.procs"; sleep 600';
      const id = await runtime.containers.create(spec(agent, script));
      created.push(id);
      await runtime.containers.start(id);
      const own = await ownCgroup(id);
      const task = path.join(own, "mesos", "task");
      await pollUntil(
        () => existsSync(task),
        (made) => made,
        {
          timeoutMs: 15_000,
          everyMs: 100,
          failure: () =>
            `Mesos' root, and what it nests, lives inside the container's cgroup: no ${task} within 15 s; ${own} holds ${JSON.stringify(existsSync(own) ? readdirSync(own) : [])}`,
        },
      );
      expect(existsSync(path.join(FREEZER, "mesos")), "never at the host's freezer root").toBe(false);
      const r = await runtime.exec.run(id, [
        "/bin/sh",
        "-c",
        "tr '\\0' '\\n' < /proc/1/environ | grep MESOS_CGROUPS_ROOT; grep ' /sys/fs/cgroup/freezer ' /proc/self/mountinfo",
      ]);
      expect(r.stdout).toContain(`MESOS_CGROUPS_ROOT=${path.relative(FREEZER, own)}/mesos`);
      expect(r.stdout).toMatch(/ \/sys\/fs\/cgroup\/freezer rw,.* - cgroup freezer rw,/);
      await runtime.containers.remove(id);
      expect(hostDirsNaming(id), "nothing named after the container is left in the host's freezer hierarchy").toEqual([]);
    },
  );

  it("without the capabilities the wrapper says why the mode is not available, and exits 1", async () => {
    const id = await runtime.containers.create({ ...spec(agent, "echo never"), capAdd: undefined, securityOpt: undefined });
    created.push(id);
    await runtime.containers.start(id);
    expect(await runtime.containers.wait(id)).toBe(1);
    const lines = await logsOf(id);
    expect(lines.join("\n")).toMatch(
      /^mesos-lab: the agent capabilities mode is not available here: (cannot unmount the read-only \/sys\/fs\/cgroup\/freezer|there is no cgroup-v1 freezer)/m,
    );
    expect(lines).not.toContain("never");
    await runtime.containers.remove(id);
  });

  it.runIf(v1Local)(
    "a nested cgroup left frozen with a process in it is released, so the container's removal goes through and leaves nothing",
    async () => {
      // a Mesos that died between freezing a container's cgroup and thawing it leaves exactly this; the engine cannot
      // kill a frozen process, and its removal fails ("… is zombie and can not be killed", observed-1.11.md)
      const script =
        'c="/sys/fs/cgroup/freezer/$MESOS_CGROUPS_ROOT/stuck/nested"; mkdir -p "$c"; sleep 600 0<&- & echo $! > "$c/cgroup.procs"; echo FROZEN > "${c%/*}/freezer.state"; sleep 600';
      const id = await runtime.containers.create(spec(agent, script));
      created.push(id);
      await runtime.containers.start(id);
      const own = await ownCgroup(id);
      const state = path.join(own, "mesos", "stuck", "freezer.state");
      await pollUntil(
        () => (existsSync(state) ? readFileSync(state, "utf8").trim() : "(no such file)"),
        (s) => s === "FROZEN",
        { timeoutMs: 15_000, everyMs: 100, failure: (last) => `${state} not FROZEN within 15 s; last read: ${last}` },
      );
      expect(readFileSync(path.join(own, "mesos", "stuck", "nested", "cgroup.procs"), "utf8").trim(), "a process sits in the frozen cgroup").not.toBe("");
      try {
        expect(await releaseNestedCgroups(runtime, id)).toBe("released: 0 nested cgroups left");
        await runtime.containers.remove(id);
      } finally {
        // never leave a stuck container behind, whatever failed above
        if (existsSync(state)) writeFileSync(state, "THAWED");
      }
      expect(await runtime.containers.inspect(id)).toBeUndefined();
      expect(hostDirsNaming(id)).toEqual([]);
    },
    60_000,
  );

  it("doctor: a cgroup-v2 host whose kernel refuses cgroup-v1 hierarchies (the injected probe result) gets 'not available' and a fix, without starting anything", async () => {
    const [check] = await probeAgentCapabilities(runtime, lab, "no-such-image:never", { cgroupVersion: "2" }, { simulated: "refused" });
    expect(check).toMatchObject({ name: "agent capabilities mode", status: "warn" });
    expect(check!.detail).toBe(`not available: ${NO_V1_REASON}`);
    expect(check!.fix).toMatch(/cgroup_no_v1/);
  });

  it.runIf(v1Local)(
    "a freezer hierarchy of its own (a cgroup-v2 host's way, taken here with LAB_AGENT_FREEZER=own): mounted read-write, Mesos' root lab-unique, a frozen nested cgroup released, and nothing left on the host",
    async () => {
      const script =
        'c="$LAB_FREEZER_HIERARCHY/$MESOS_CGROUPS_ROOT/stuck/nested"; mkdir -p "$c"; sleep 600 0<&- & echo $! > "$c/cgroup.procs"; echo FROZEN > "${c%/*}/freezer.state"; sleep 600';
      const s = spec(agent, script, { own: true });
      const id = await runtime.containers.create(s);
      created.push(id);
      await runtime.containers.start(id);
      // in the init cgroup namespace the hierarchy's root is the host's: Mesos' root is a lab-unique folder there
      const labDir = path.join(FREEZER, "mesos-lab", lab);
      const state = path.join(labDir, s.name, "stuck", "freezer.state");
      await pollUntil(
        () => (existsSync(state) ? readFileSync(state, "utf8").trim() : "(no such file)"),
        (v) => v === "FROZEN",
        { timeoutMs: 15_000, everyMs: 100, failure: (last) => `${state} not FROZEN within 15 s; last read: ${last}` },
      );
      try {
        const r = await runtime.exec.run(id, ["/bin/sh", "-c", "tr '\\0' '\\n' < /proc/1/environ | grep MESOS_CGROUPS_ROOT; grep cgroup /proc/self/mountinfo"]);
        expect(r.stdout).toContain(`MESOS_CGROUPS_ROOT=mesos-lab/${lab}/${s.name}`);
        expect(r.stdout).toMatch(new RegExp(` ${OWN_FREEZER_DIR} rw,.* - cgroup freezer rw,`));
        expect(r.stdout, "the host's read-only mount is gone: Mesos finds only this one").not.toContain(" /sys/fs/cgroup/freezer ");
        expect(await releaseNestedCgroups(runtime, id)).toBe("released: 0 nested cgroups left");
        expect(existsSync(labDir), "Mesos' root and the lab's folder are removed with it").toBe(false);
        await runtime.containers.remove(id);
      } finally {
        if (existsSync(state)) writeFileSync(state, "THAWED");
      }
      expect(await runtime.containers.inspect(id)).toBeUndefined();
      expect(hostDirsNaming(s.name)).toEqual([]);
    },
    60_000,
  );

  it.runIf(v1Local)(
    "a hierarchy of its own outlives its container: once the container has stopped, the release removes what it left there",
    async () => {
      const script = 'c="$LAB_FREEZER_HIERARCHY/$MESOS_CGROUPS_ROOT/task/nested"; mkdir -p "$c"; sleep 600 0<&- & echo $! > "$c/cgroup.procs"; sleep 600';
      const s = spec(agent, script, { own: true });
      const id = await runtime.containers.create(s);
      created.push(id);
      await runtime.containers.start(id);
      const nested = path.join(FREEZER, "mesos-lab", lab, s.name, "task", "nested");
      await pollUntil(
        () => existsSync(nested) && readFileSync(path.join(nested, "cgroup.procs"), "utf8").trim() !== "",
        (held) => held,
        { timeoutMs: 15_000, everyMs: 100, failure: () => `no process in ${nested} within 15 s` },
      );
      await runtime.containers.kill(id, "SIGKILL");
      await runtime.containers.wait(id);
      expect(existsSync(nested), "the engine removed the container's processes, not the cgroups of a hierarchy it does not know").toBe(true);
      expect(await releaseNestedCgroups(runtime, id)).toBe("released: 0 nested cgroups left");
      expect(existsSync(path.join(FREEZER, "mesos-lab", lab)), "gone, the lab's folder with it").toBe(false);
      await runtime.containers.remove(id);
      expect(
        (await runtime.owned.list(labelFilter({ lab }))).filter((i) => i.kind === "container" && !created.includes(i.id)),
        "the release's own container is gone",
      ).toEqual([]);
    },
    60_000,
  );

  it.runIf(v1Local)("doctor on a simulated cgroup-v2 host: the probe takes the own-hierarchy way, for real, and leaves nothing on the host", async () => {
    const checks = await probeAgentCapabilities(runtime, lab, agent, { cgroupVersion: "2" }, { simulated: "own" });
    expect(checks[0]).toMatchObject({ name: "agent capabilities mode", status: "ok" });
    expect(checks[0]!.detail).toMatch(
      new RegExp(
        `^available: cgroup v2, CAP_SYS_ADMIN granted, a cgroup-v1 freezer hierarchy of its own mounts read-write .*\\(MESOS_CGROUPS_ROOT=mesos-lab/${lab}/mesos-lab-doctor-[0-9a-f]{6}\\)$`,
      ),
    );
    expect(existsSync(path.join(FREEZER, "mesos-lab", lab)), "the probe's root went with it").toBe(false);
    expect(
      (await runtime.owned.list(labelFilter({ lab }))).filter((i) => i.kind === "container" && !created.includes(i.id)),
      "the probe's container is gone",
    ).toEqual([]);
  });

  it.runIf(v1Local)("doctor: on this cgroup-v1 host the mode is available, and /proc/sysrq-trigger is reported as the kernel has it", async () => {
    const checks = await probeAgentCapabilities(runtime, lab, agent, info!);
    expect(checks[0]).toMatchObject({ name: "agent capabilities mode", status: "ok" });
    expect(checks[0]!.detail).toMatch(/^available: cgroup v1, CAP_SYS_ADMIN granted, .*MESOS_CGROUPS_ROOT=\S+\/mesos\)$/);
    const sysrq = existsSync("/proc/sysrq-trigger");
    expect(checks[1]).toMatchObject({ name: "/proc/sysrq-trigger", status: sysrq ? "ok" : "warn" });
    if (!sysrq)
      expect(checks[1]!.detail).toMatch(
        /^missing on this kernel .*WITH a container image.*nested-container sessions without an image \(exercise 11\) do not need it$/,
      );
    expect(
      (await runtime.owned.list(labelFilter({ lab }))).filter((i) => i.kind === "container" && !created.includes(i.id)),
      "the probe's container is gone",
    ).toEqual([]);
  });

  it("doctor: a missing image is 'not available' with the engine's reason, not a crash", async () => {
    const checks = await probeAgentCapabilities(runtime, lab, "mesos-lab-test/no-such-image:never", { cgroupVersion: "1" });
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ name: "agent capabilities mode", status: "warn" });
    expect(checks[0]!.detail).toMatch(/^not available: /);
  });
});
