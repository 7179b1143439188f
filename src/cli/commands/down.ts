import type { GlobalOpts } from "../../lab/global-options.js";
import { openSession } from "../../lab/session.js";
import { resetLab } from "../../lab/sweep.js";
import { EXIT } from "../../util/errors.js";

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
