import { byHandCommands, type Published } from "../../attack/by-hand.js";
import { uiLoginFile, uiLoginText } from "../../engine/ui-login.js";
import { selectExercises } from "../../catalogue/load.js";
import { LABEL, labelFilter } from "../../runtime/labels.js";
import { usesTls } from "../../engine/render.js";
import { verdictError } from "../../lab/exercise-verdicts.js";
import type { GlobalOpts } from "../../lab/global-options.js";
import { hostVerdicts } from "../../lab/host-verdicts.js";
import type { Cluster } from "../../engine/cluster.js";
import { watchForExploit } from "../../engine/exploit-watch.js";
import { readProgress, recordExploit, writeProgress } from "../../lab/progress.js";
import { LabRun } from "../../lab/run-service.js";
import { EXIT } from "../../util/errors.js";

/** `up 03[:step]`: run the exercise up to that step and leave the cluster running to explore. */
export async function upCommand(g: GlobalOpts, target: string, opts: { pull?: boolean; verbose?: boolean; watch?: boolean }): Promise<number> {
  const run = await LabRun.open({ configFile: g.config });
  let watch: (() => Promise<number>) | undefined;
  try {
    const code = await upInner(run, target, opts, (w) => (watch = w));
    if (!watch) return code;
  } finally {
    run.dispose();
  }
  return watch();
}

async function upInner(
  run: LabRun,
  target: string,
  opts: { pull?: boolean; verbose?: boolean; watch?: boolean },
  watchLater: (w: () => Promise<number>) => void,
): Promise<number> {
  const s = run.session;
  const [sel] = selectExercises(run.catalogue, [target]);
  // an exercise this host cannot run fails here, with the reason, before the previous cluster goes or anything starts
  const [verdict] = (await hostVerdicts(s, [sel!.exercise], { by: "up", pullable: opts.pull ?? true })).verdicts;
  if (verdict?.status === "cannot") throw verdictError(verdict);
  run.report("plain", { write: (t) => void process.stdout.write(t), verbose: opts.verbose });
  // one `up` cluster per lab: the previous one goes (before the port policy looks at the ports it held)
  const prepared = await run.prepare({ exercises: [sel!.exercise], pull: opts.pull ?? true, ports: "room", replaceKept: true });
  let cluster: Cluster | undefined;
  const results = await run.runExercise(prepared, sel!.exercise, { keep: true, untilStep: sel!.step, onCluster: (c) => (cluster = c) });
  const containers = (await s.runtime.owned.list(labelFilter({ lab: s.labId }))).filter((i) => i.kind === "container");
  process.stdout.write(`\nThe cluster stays up: ${containers.map((c) => c.name).join(", ")}\n`);
  const addresses: Published = {};
  for (const c of containers) {
    const st = await s.runtime.containers.inspect(c.id);
    const role = c.labels[LABEL.role];
    const tls = usesTls(st?.env ?? {});
    for (const [inner, host] of Object.entries(st?.ports ?? {})) {
      // ZooKeeper 3.5+ images have no Exhibitor: its port is published, but nothing answers there
      if (role === "zk" && inner === "8080" && !/exhibitor/i.test(s.config.images.zk)) continue;
      if (role === "master" || role === "agent") addresses[role] = `127.0.0.1:${host}`;
      const what = role === "zk" ? (inner === "8080" ? "Exhibitor UI" : "ZooKeeper") : `${role} UI`;
      const url = role === "zk" && inner !== "8080" ? `127.0.0.1:${host}` : `${tls ? "https" : "http"}://127.0.0.1:${host}`;
      const login = role === "master" || role === "agent" ? uiLoginFile(role, st?.env ?? {}, s.config.material.credentials) : undefined;
      process.stdout.write(`  ${what.padEnd(13)} ${url}${tls ? `  (trust ${s.config.material.ssl}/ca.pem)` : ""}\n`);
      if (login) process.stdout.write(`  ${"".padEnd(13)} ${uiLoginText(login)}\n`);
    }
  }
  // the attacks of the steps that ran, as an attendee runs them against this cluster
  const attacker = containers.find((c) => c.labels[LABEL.role] === "attacker")?.name;
  const ran = new Set(results.map((r) => r.step));
  const attacks = sel!.exercise.steps.filter((st) => ran.has(st.id) && st.attack).map((st) => sel!.exercise.attacks.find((a) => a.id === st.attack!.id)!);
  for (const a of [...new Set(attacks)]) {
    process.stdout.write(`\nThe attack "${a.title}", to run by hand (mesos-lab attack ${sel!.exercise.id} runs it and says what it got):\n`);
    for (const c of byHandCommands(a, addresses, attacker)) process.stdout.write(`  $ ${c.command}\n`);
  }
  const master = containers.find((c) => c.labels[LABEL.role] === "master");
  process.stdout.write(`\n  logs: docker logs -f ${master?.name ?? "<container>"}    stop it: mesos-lab down\n`);
  const last = results.at(-1);
  const lastAttack = last && sel!.exercise.steps.find((st) => st.id === last.step)?.attack;
  const attack = lastAttack && sel!.exercise.attacks.find((a) => a.id === lastAttack.id);
  if (opts.watch && cluster && attack?.noticed) {
    // from here on the cluster is the attendee's: Ctrl-C stops watching and leaves it up
    run.release(cluster);
    const c = cluster;
    const exercise = sel!.exercise.id;
    watchLater(
      () =>
        new Promise<number>((resolve) => {
          process.stdout.write(`\nWatching for your own run of the attack (Ctrl-C stops watching; the cluster stays up)…\n`);
          const stop = () => {
            process.stdout.write("\nStopped watching; the cluster stays up (mesos-lab down removes it).\n");
            resolve(EXIT.ok);
          };
          process.once("SIGINT", stop);
          watchForExploit(c, {
            exercise,
            step: last!.step,
            attack,
            emit: (ev) => {
              process.off("SIGINT", stop);
              process.stdout.write(`\n☠ you exploited it yourself, from ${ev.from}: ${attack.title}\n  ${ev.line}\n`);
              recordExploitFor(s.labId, s.config.root, ev.exercise, ev.attack);
              c.route(undefined, undefined);
              resolve(EXIT.ok);
            },
          });
        }),
    );
  } else if (opts.watch) process.stdout.write("\n(nothing to watch: the last step runs no attack the lab can notice by hand)\n");
  return results.every((r) => r.status === "passed") ? EXIT.ok : EXIT.expectationsFailed;
}

/** The attendee's own exploit goes into the lab's progress, as the TUI records it. */
function recordExploitFor(labId: string, root: string, exercise: string, attack: string): void {
  writeProgress(labId, { ...recordExploit(readProgress(labId), exercise, attack), root });
}
