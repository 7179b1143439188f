import { selectExercises } from "../../catalogue/load.js";
import { LABEL, labelFilter } from "../../runtime/labels.js";
import { LabBus } from "../../engine/events.js";
import { usesTls } from "../../engine/render.js";
import type { GlobalOpts } from "../../lab/global-options.js";
import { configuredImages } from "../../lab/images.js";
import { LabRun } from "../../lab/run-service.js";
import { openSession } from "../../lab/session.js";
import { resetLab } from "../../lab/sweep.js";
import { attachPlain } from "../../report/plain.js";
import { EXIT } from "../../util/errors.js";

/** `up 03[:step]`: run the exercise up to that step and leave the cluster running to explore. */
export async function upCommand(g: GlobalOpts, target: string, opts: { pull?: boolean; verbose?: boolean }): Promise<number> {
  const run = await LabRun.open({ configFile: g.config });
  try {
    return await upInner(run, target, opts);
  } finally {
    run.dispose();
  }
}

async function upInner(run: LabRun, target: string, opts: { pull?: boolean; verbose?: boolean }): Promise<number> {
  const s = run.session;
  const [sel] = selectExercises(run.catalogue, [target]);
  run.report("plain", { write: (t) => void process.stdout.write(t), verbose: opts.verbose });
  // one `up` cluster per lab: the previous one goes (before the port policy looks at the ports it held)
  const prepared = await run.prepare({ exercises: [sel!.exercise], pull: opts.pull ?? true, ports: "room", replaceKept: true });
  const results = await run.runExercise(prepared, sel!.exercise, { keep: true, untilStep: sel!.step });
  const containers = (await s.runtime.owned.list(labelFilter({ lab: s.labId }))).filter((i) => i.kind === "container");
  process.stdout.write(`\nThe cluster stays up: ${containers.map((c) => c.name).join(", ")}\n`);
  for (const c of containers) {
    const st = await s.runtime.containers.inspect(c.id);
    const role = c.labels[LABEL.role];
    const tls = usesTls(st?.env ?? {});
    for (const [inner, host] of Object.entries(st?.ports ?? {})) {
      const what = role === "zk" ? (inner === "8080" ? "Exhibitor UI" : "ZooKeeper") : `${role} UI`;
      const url = role === "zk" && inner !== "8080" ? `127.0.0.1:${host}` : `${tls ? "https" : "http"}://127.0.0.1:${host}`;
      process.stdout.write(`  ${what.padEnd(13)} ${url}${tls ? `  (trust ${s.config.material.ssl}/ca.pem)` : ""}\n`);
    }
  }
  const master = containers.find((c) => c.labels[LABEL.role] === "master");
  process.stdout.write(`  logs: docker logs -f ${master?.name ?? "<container>"}    stop it: mesos-lab down\n`);
  return results.every((r) => r.status === "passed") ? EXIT.ok : EXIT.expectationsFailed;
}

/** `down`: remove this lab's cluster(s); `reset --all`: every mesos-lab container, network and volume on the engine. */
export async function downCommand(g: GlobalOpts, opts: { all?: boolean; exercise?: string }): Promise<number> {
  const s = await openSession({ configFile: g.config });
  const removed = await resetLab(s.runtime, { labId: s.labId, all: !!opts.all, exercise: opts.exercise });
  const byKind = (k: string) => removed.filter((r) => r.kind === k).length;
  process.stdout.write(
    `removed ${byKind("container")} container(s), ${byKind("network")} network(s), ${byKind("volume")} volume(s)${opts.all ? " (every mesos-lab run on this engine)" : ""}\n`,
  );
  return EXIT.ok;
}

export async function pullCommand(g: GlobalOpts): Promise<number> {
  const s = await openSession({ configFile: g.config });
  await s.engine();
  const bus = new LabBus();
  attachPlain(bus, (t) => process.stdout.write(t));
  for (const image of configuredImages(s.config)) {
    process.stdout.write(`pulling ${image}\n`);
    await s.runtime.images.pull(image, (progress) => bus.emit({ type: "image:pull", progress }), s.config.timeouts.pull);
  }
  process.stdout.write("all images present.\n");
  return EXIT.ok;
}

export async function sslCommand(g: GlobalOpts, opts: { force?: boolean }): Promise<number> {
  const s = await openSession({ configFile: g.config });
  await s.material({ force: opts.force });
  process.stdout.write(
    `lab material ${opts.force ? "regenerated" : "ready"}: ${s.config.material.ssl}/ (CA, leaf certificates, rogue CA) and ${s.config.material.credentials}/ (Mesos credentials, executor secret key); keys and secrets are mode 0600.\n`,
  );
  return EXIT.ok;
}
