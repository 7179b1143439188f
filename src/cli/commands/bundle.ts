import { statSync } from "node:fs";
import { compressedName, exportBundle, importBundle, type BundleProgress } from "../../lab/bundle.js";
import { openSession } from "../../lab/session.js";
import { EXIT } from "../../util/errors.js";
import type { GlobalOpts } from "../main.js";

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/** One compact line per second (rewritten in place on a terminal, appended in CI logs). */
function progressLine(write: (s: string) => void, tty: boolean): { onProgress: BundleProgress; done: () => void } {
  let last = 0;
  let pending = "";
  const VERB = { save: "saving images into the bundle", load: "loading images" } as const;
  return {
    onProgress: ({ phase, bytes, total }) => {
      pending = `  ${VERB[phase]}: ${mb(bytes)}${total ? ` of ${mb(total)} (${Math.min(100, Math.round((bytes / total) * 100))}%)` : ""}`;
      const now = Date.now();
      if (now - last < 1000) return;
      last = now;
      write(tty ? `\r${pending}\x1b[K` : `${pending}\n`);
    },
    done: () => pending && write(tty ? `\r${pending}\x1b[K\n` : `${pending}\n`),
  };
}

export async function bundleExportCommand(g: GlobalOpts, file: string, opts: { withMaterial?: boolean }): Promise<number> {
  const s = await openSession({ configFile: g.config });
  const p = progressLine((t) => process.stdout.write(t), !!process.stdout.isTTY);
  const m = await exportBundle(s, file, { withMaterial: opts.withMaterial, onProgress: p.onProgress });
  p.done();
  const size = statSync(file).size;
  process.stdout.write(`wrote ${file} (${mb(size)}${compressedName(file) ? ", gzip" : ""}): ${m.images.length} image(s) (${m.images.join(", ")})${m.material.length ? ` and ${m.material.length} lab material file(s)` : ""}\n  on each laptop: mesos-lab bundle import ${file}${m.material.length ? "\n  it holds the lab CA key and credentials: hand it only to this workshop's attendees" : ""}\n`);
  return EXIT.ok;
}

export async function bundleImportCommand(g: GlobalOpts, file: string, opts: { force?: boolean }): Promise<number> {
  const s = await openSession({ configFile: g.config });
  const p = progressLine((t) => process.stdout.write(t), !!process.stdout.isTTY);
  const r = await importBundle(s, file, { force: opts.force, onProgress: p.onProgress });
  p.done();
  process.stdout.write(`loaded ${r.manifest.images.length} image(s): ${r.manifest.images.join(", ")}\n`);
  if (r.material.written.length) process.stdout.write(`lab material written: ${r.material.written.length} file(s)\n`);
  if (r.material.kept.length) process.stdout.write(`lab material kept (already present; --force replaces): ${r.material.kept.length} file(s)\n`);
  return EXIT.ok;
}
