import type { GlobalOpts } from "../../lab/global-options.js";
import { openSession } from "../../lab/session.js";
import { EXIT } from "../../util/errors.js";

/** `ssl [--force]`: the lab CA, leaves and credentials, made once per lab (and again with --force). */
export async function sslCommand(g: GlobalOpts, opts: { force?: boolean }): Promise<number> {
  const s = await openSession({ configFile: g.config });
  await s.material({ force: opts.force });
  process.stdout.write(
    `lab material ${opts.force ? "regenerated" : "ready"}: ${s.config.material.ssl}/ (CA, leaf certificates, rogue CA) and ${s.config.material.credentials}/ (Mesos credentials, executor secret key); keys and secrets are mode 0600.\n`,
  );
  return EXIT.ok;
}
