import type { ExecAction } from "../../model/exercise.js";
import { SourceKeys } from "../source-keys.js";
import { expand } from "../template.js";
import { feedAll, type ActionHandler } from "./context.js";

/** A command in a running container (e.g. read a task sandbox's file); its output, both streams, under `exec:<id>`. */
export const execAction: ActionHandler<ExecAction> = {
  describe: (a) => `exec in ${a.role}: ${a.cmd.join(" ")}`,
  run: async (ctx, a) => {
    const lines = await ctx.cluster.containers
      .exec(
        a.role,
        a.cmd.map((c) => expand(c, ctx.cluster.addresses.template)),
        15_000,
      )
      .then(
        (r) => `${r.stdout}\n${r.stderr}`.split("\n").filter(Boolean),
        (err: Error) => [`error: ${err.message}`],
      );
    feedAll(ctx, SourceKeys.exec(a.id), lines, { source: `exec:${a.id}`, role: a.role }, "the command's output did not contain it");
  },
};
