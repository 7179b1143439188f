import { statSync } from "node:fs";
import { compressedName, exportBundle, importBundle, inspectBundle, type BundleProgress } from "../../lab/bundle.js";
import { openSession } from "../../lab/session.js";
import { EXIT } from "../../util/errors.js";
import type { GlobalOpts } from "../../lab/global-options.js";

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/** One compact line per second (rewritten in place on a terminal, appended in CI logs). */
function progressLine(write: (s: string) => void, tty: boolean): { onProgress: BundleProgress; done: () => void } {
  let last = 0;
  let pending = "";
  const VERB = { save: "saving images into the bundle", check: "checking the bundle", load: "loading images" } as const;
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
  const { manifest: m, skipped } = await exportBundle(s, file, { withMaterial: opts.withMaterial, onProgress: p.onProgress });
  p.done();
  const size = statSync(file).size;
  process.stdout.write(
    `wrote ${file} (${mb(size)}${compressedName(file) ? ", gzip" : ""}): ${m.images.length} image(s) (${m.images.join(", ")})${m.material.length ? ` and ${m.material.length} lab material file(s)` : ""}\n  on each laptop: mesos-lab bundle import ${file}${m.material.length ? "\n  it holds the lab CA key and credentials: hand it only to this workshop's attendees" : ""}\n`,
  );
  if (skipped.length) process.stdout.write(`  left out (not lab material, or a symlink): ${skipped.join(", ")}\n`);
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

const kb = (n: number) => (n < 1e6 ? `${(n / 1e3).toFixed(1)} kB` : mb(n));

export async function bundleInspectCommand(_g: GlobalOpts, file: string, opts: { json?: boolean }): Promise<number> {
  // no session: looking at a bundle loads no lab config, touches no engine and writes nothing
  const b = await inspectBundle(file);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(b, null, 2)}\n`);
    return EXIT.ok;
  }
  const out: string[] = [];
  out.push(`${b.file}: mesos-lab bundle, version ${b.version}${b.gzip ? ", gzip" : ""}, ${mb(b.bytes)}`);
  out.push(`  created ${b.createdAt || "(not recorded)"} for profile ${b.profile || "(not recorded)"}`);
  out.push(`  images (${b.images.length}):`);
  const w = Math.max(0, ...b.images.map((i) => i.tags.join(", ").length));
  for (const i of b.images) out.push(`    ${i.tags.join(", ").padEnd(w)}  ${i.id.slice(7, 19)}  ${kb(i.size)}  ${i.layers} layer(s)`);
  if (b.material.length) {
    out.push(`  lab material (${b.material.length} file(s)); importing it sets this lab's CA, certificates and credentials:`);
    const n = Math.max(...b.material.map((m) => m.name.length));
    for (const m of b.material) out.push(`    ${m.name.padEnd(n)}  ${m.mode}  ${kb(m.size)}`);
  } else out.push("  lab material: none");
  out.push(`  checked as an import checks it; nothing was imported. To import: mesos-lab bundle import ${file}`);
  process.stdout.write(`${out.join("\n")}\n`);
  return EXIT.ok;
}
