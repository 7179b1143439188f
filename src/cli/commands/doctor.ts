import { openSession } from "../../lab/session.js";
import { runDoctor } from "../../lab/doctor.js";
import { EXIT } from "../../util/errors.js";
import type { GlobalOpts } from "../../lab/global-options.js";

const MARK = { ok: "✓", warn: "!", fail: "✗" } as const;

export async function doctorCommand(g: GlobalOpts): Promise<number> {
  const s = await openSession({ configFile: g.config });
  const checks = await runDoctor(s);
  const engine = checks.find((c) => c.name === "engine");
  if (engine?.status === "fail") {
    // no usable engine: say it in one line with the fix
    process.stdout.write(`✗ ${engine.detail} Fix: ${engine.fix}\n`);
    return engine.exitCode ?? EXIT.dockerUnreachable;
  }
  for (const c of checks) process.stdout.write(`${MARK[c.status]} ${c.name}: ${c.detail}${c.fix && c.status !== "ok" ? `\n    fix: ${c.fix}` : ""}\n`);
  const fails = checks.filter((c) => c.status === "fail");
  process.stdout.write(fails.length ? `\n${fails.length} problem(s) to fix before the lab can run.\n` : "\nready.\n");
  if (fails.some((c) => c.name.startsWith("image"))) return EXIT.imageMissing;
  return fails.length ? EXIT.config : EXIT.ok;
}
