import { loadCatalogue } from "../../catalogue/load.js";
import { loadConfig } from "../../config/load.js";
import { stepApplies } from "../../engine/render.js";
import type { GlobalOpts } from "../../lab/global-options.js";

export async function listCommand(g: GlobalOpts, opts: { json?: boolean }): Promise<number> {
  const config = await loadConfig({ file: g.config });
  const all = await loadCatalogue(config);
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify(
        all.map((e) => ({
          id: e.id,
          slug: e.slug,
          title: e.title,
          summary: e.summary,
          steps: e.steps
            .filter((s) => stepApplies(s, config.mesos))
            // an attack step: the attack, and whether it is the exploit on the open cluster or its replay after the control
            .map((s) => ({ id: s.id, title: s.title, ...(s.attack ? { attack: { id: s.attack.id, expect: s.attack.expect } } : {}) })),
        })),
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  process.stdout.write(`Exercises (profile ${config.profile}: ${config.mesos.checked}):\n`);
  for (const e of all) {
    const steps = e.steps.filter((s) => stepApplies(s, config.mesos));
    process.stdout.write(`\n  ${e.id}  ${e.title}  (${steps.length} step${steps.length === 1 ? "" : "s"})\n      ${e.summary}\n`);
    steps.forEach((s, i) =>
      process.stdout.write(
        `      ${i + 1}. ${s.id} — ${s.title}${s.attack ? `  [attack ${s.attack.id}: ${s.attack.expect === "works" ? "the exploit" : "replayed, blocked"}]` : ""}\n`,
      ),
    );
  }
  process.stdout.write(`\nRun one: mesos-lab up <id>   Check one: mesos-lab verify <id>\n`);
  return 0;
}
