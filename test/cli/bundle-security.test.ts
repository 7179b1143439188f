import { createHash, randomUUID } from "node:crypto";
import {
  chmodSync,
  createReadStream,
  createWriteStream,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import Docker from "dockerode";
import tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRuntime } from "../../src/runtime/factory.js";
import { cli, tempLab } from "../helpers/cli.js";
import { hasDocker } from "../helpers/docker.js";
import { tempDir } from "../helpers/temp-dir.js";

/**
 * Issue 10: `bundle import` checks a whole bundle before it writes anything, accepts only lab material, loads only
 * the listed images; `bundle export` exports nothing else; `bundle inspect` looks without importing.
 *
 * Every crafted bundle is made from a genuine one that carries an image of our own the engine does NOT have, so a
 * bundle that was (even partly) imported shows in the engine's image list. Before and after each refused import the
 * test takes a recursive hash of the lab folder (names, modes, contents, symlink targets) and the engine's images
 * for this file's repository and image ids (other test files add and remove their own images meanwhile, so the
 * comparison is limited to the images a bundle here could load), and requires both unchanged.
 */

type Entry = { header: tar.Header; data: Buffer };

async function readTar(file: string): Promise<Entry[]> {
  const out: Entry[] = [];
  const x = tar.extract();
  const done = pipeline(createReadStream(file), x);
  for await (const e of x) {
    const chunks: Buffer[] = [];
    for await (const c of e) chunks.push(c as Buffer);
    out.push({ header: { ...e.header }, data: Buffer.concat(chunks) });
  }
  await done;
  return out;
}

async function writeTar(file: string, entries: Array<{ header: Partial<tar.Header> & { name: string }; data?: Buffer | string }>): Promise<string> {
  const pack = tar.pack();
  const done = pipeline(pack, createWriteStream(file));
  for (const e of entries)
    pack.entry({ ...e.header, pax: undefined } as tar.Header, e.header.type === "file" || !e.header.type ? (e.data ?? Buffer.alloc(0)) : Buffer.alloc(0));
  pack.finalize();
  await done;
  return file;
}

/** names, modes, contents and symlink targets of everything under dir */
function folderState(dir: string): string[] {
  const lines: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const abs = path.join(dir, r);
      const st = lstatSync(abs);
      const mode = st.mode.toString(8);
      if (st.isSymbolicLink()) lines.push(`${r} ${mode} -> ${readlinkSync(abs)}`);
      else if (st.isDirectory()) {
        lines.push(`${r}/ ${mode}`);
        walk(r);
      } else lines.push(`${r} ${mode} ${createHash("sha256").update(readFileSync(abs)).digest("hex")}`);
    }
  };
  walk("");
  return lines;
}

describe.skipIf(!hasDocker)("bundle import refuses what is not a genuine bundle (real engine)", () => {
  const docker = new Docker();
  const repo = `mesos-lab-test/bundle-sec-${process.pid}`;
  const image = `${repo}:1`;
  const extra = `${repo}:extra`;
  const ids: string[] = [];
  const work = tempDir("bundle-sec");
  const config = `{ images: { zk: "${image}", master: "${image}", agent: "${image}", execute: "${image}", registry: "${image}", tokens: "${image}" } }`;
  let genuine = "";
  let entries: Entry[] = [];
  let manifest: { version: number; images: string[]; material: string[] } = { version: 0, images: [], material: [] };
  let n = 0;

  /** an image of our own with a unique id, made without any registry */
  async function uniqueImage(ref: string): Promise<string> {
    const pack = tar.pack();
    pack.entry({ name: "id" }, `${ref} ${randomUUID()}\n`);
    pack.finalize();
    const [r, tag] = [ref.slice(0, ref.lastIndexOf(":")), ref.slice(ref.lastIndexOf(":") + 1)];
    const stream = await docker.importImage(pack as unknown as NodeJS.ReadableStream, { repo: r, tag } as object);
    await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())));
    const id = ((await docker.getImage(ref).inspect()) as { Id: string }).Id;
    ids.push(id);
    return id;
  }
  const removeOurs = async () => {
    for (const ref of [image, extra])
      await docker
        .getImage(ref)
        .remove()
        .catch(() => undefined);
    for (const id of ids)
      await docker
        .getImage(id)
        .remove()
        .catch(() => undefined);
  };

  /** the engine's images that a bundle here could have loaded: ours by tag or by id */
  async function engineImages(): Promise<string[]> {
    const all = (await docker.listImages({ all: true })) as Array<{ Id: string; RepoTags?: string[] | null }>;
    return all
      .filter((i) => ids.includes(i.Id) || (i.RepoTags ?? []).some((t) => t.startsWith(`${repo}:`)))
      .map((i) => `${i.Id} ${[...(i.RepoTags ?? [])].sort().join(",")}`)
      .sort();
  }

  /** an attendee's lab with material of its own, a workspace and a symlink */
  function attendeeLab(): string {
    const dir = tempLab(config);
    mkdirSync(path.join(dir, "ssl"), { mode: 0o700 });
    mkdirSync(path.join(dir, "credentials"), { mode: 0o700 });
    mkdirSync(path.join(dir, "workspace"));
    writeFileSync(path.join(dir, "ssl", "ca.pem"), "the attendee's own CA\n", { mode: 0o644 });
    writeFileSync(path.join(dir, "ssl", "ca-key.pem"), "the attendee's own CA key\n", { mode: 0o600 });
    writeFileSync(path.join(dir, "credentials", "secrets.json"), "{}\n", { mode: 0o600 });
    writeFileSync(path.join(dir, "workspace", "03-agent-auth.env"), "[master]\n");
    symlinkSync("lab.config.ts", path.join(dir, "config-link"));
    return dir;
  }

  const craft = (list: Array<{ header: Partial<tar.Header> & { name: string }; data?: Buffer | string }>) =>
    writeTar(path.join(work, `crafted-${n++}.tar`), list);
  const manifestEntry = (over: Record<string, unknown>) => ({
    header: { name: "mesos-lab-bundle.json", type: "file" as const },
    data: JSON.stringify({ ...manifest, ...over }),
  });
  const rest = () => entries.slice(1);
  const evilCode = "import { writeFileSync } from 'node:fs'; writeFileSync('/tmp/pwned', 'x'); export default {};\n";

  beforeAll(async () => {
    await uniqueImage(image);
    const instructor = tempLab(config);
    genuine = path.join(work, "room.tar");
    const out = await cli(["bundle", "export", genuine, "--with-material"], { cwd: instructor });
    expect(out.exitCode, out.all).toBe(0);
    entries = await readTar(genuine);
    manifest = JSON.parse(entries[0]!.data.toString()) as typeof manifest;
    expect(manifest.images).toEqual([image]);
    await docker.getImage(image).remove();
    expect(await engineImages()).toEqual([]);
  }, 180_000);
  afterAll(removeOurs);

  /** imports `file` with --force into a lab, expects exit 2 naming `named`, and nothing changed */
  async function refused(file: string, named: string | RegExp, lab = attendeeLab()) {
    const before = folderState(lab);
    const images = await engineImages();
    const r = await cli(["bundle", "import", file, "--force"], { cwd: lab });
    // what changed first (the point of the issue), then how it was refused
    expect(folderState(lab), r.all).toEqual(before);
    expect(await engineImages(), r.all).toEqual(images);
    expect(images).toEqual([]);
    expect(r.exitCode, r.all).toBe(2);
    if (typeof named === "string") expect(r.stderr).toContain(named);
    else expect(r.stderr).toMatch(named);
    expect(r.stderr).toMatch(/^error: .*\n {2}fix: /);
    return r.stderr;
  }

  it("material naming lab.config.ts (listed in the manifest, as in the issue, or not): exit 2, named, nothing changed", async () => {
    await refused(
      await craft([manifestEntry({ material: ["lab.config.ts", "ssl/ca.pem"] }), { header: { name: "material/lab.config.ts" }, data: evilCode }, ...rest()]),
      "'material/lab.config.ts' (listed in its mesos-lab-bundle.json) is the lab's config, which runs as code",
    );
    await refused(
      await craft([entries[0]!, { header: { name: "material/lab.config.ts" }, data: evilCode }, ...rest()]),
      "'material/lab.config.ts' is the lab's config",
    );
  });

  it("material naming ../x or an absolute path: exit 2, named, nothing changed", async () => {
    await refused(
      await craft([manifestEntry({ material: [...manifest.material, "../x"] }), { header: { name: "material/../x" }, data: "x" }, ...rest()]),
      "'material/../x' (listed in its mesos-lab-bundle.json) climbs out of its folder (..)",
    );
    const lab = attendeeLab();
    const abs = path.join(lab, "lab.config.ts");
    await refused(
      await craft([manifestEntry({ material: [abs] }), { header: { name: `material/${abs}` }, data: evilCode }, ...rest()]),
      `'material/${abs}' (listed in its mesos-lab-bundle.json) is an absolute path`,
      lab,
    );
    await refused(await craft([entries[0]!, { header: { name: `material/${abs}` }, data: evilCode }, ...rest()]), `'material/${abs}' is an absolute path`, lab);
  });

  it("material that is a symlink or a hard link: exit 2, named, nothing changed", async () => {
    const without = (name: string) => rest().filter((e) => e.header.name !== name);
    await refused(
      await craft([
        entries[0]!,
        { header: { name: "material/ssl/ca.pem", type: "symlink", linkname: "../../lab.config.ts" } },
        ...without("material/ssl/ca.pem"),
      ]),
      "'material/ssl/ca.pem' is a symbolic link (to ../../lab.config.ts), not a regular file",
    );
    await refused(
      await craft([
        entries[0]!,
        { header: { name: "material/ssl/ca-key.pem", type: "link", linkname: "material/ssl/ca.pem" } },
        ...without("material/ssl/ca-key.pem"),
      ]),
      "'material/ssl/ca-key.pem' is a hard link (to material/ssl/ca.pem), not a regular file",
    );
  });

  it("a bundle without a manifest, or with its manifest after the material, changes nothing", async () => {
    await refused(await craft(rest()), /is not a mesos-lab bundle: its first entry is 'material\/ssl\/[^']+', not mesos-lab-bundle\.json/);
    const material = rest().filter((e) => e.header.name.startsWith("material/"));
    const images = rest().filter((e) => !e.header.name.startsWith("material/"));
    await refused(await craft([...material, entries[0]!, ...images]), /its first entry is 'material\//);
    await refused(await craft([...images, ...material, entries[0]!]), /its first entry is 'images\//);
  });

  it("an archive carrying an image its manifest does not list is refused as foreign; neither image is loaded", async () => {
    await uniqueImage(image);
    await uniqueImage(extra);
    const saved = await createRuntime().images.save([image, extra]);
    const both = path.join(work, "both.tar");
    await pipeline(saved as Readable, createWriteStream(both));
    await docker.getImage(image).remove();
    await docker.getImage(extra).remove();
    const save = (await readTar(both)).map((e) => ({
      ...e,
      header: { ...e.header, name: `images/${e.header.name}`, linkname: e.header.type === "link" ? `images/${e.header.linkname}` : e.header.linkname },
    }));
    const material = rest().filter((e) => e.header.name.startsWith("material/"));
    await refused(await craft([entries[0]!, ...material, ...save]), `is damaged or foreign: it carries the image ${extra}, which its manifest does not list`);
  });

  it("a material folder that is a symlink is refused, and nothing is written through it", async () => {
    const lab = tempLab(config);
    const elsewhere = tempDir("elsewhere");
    writeFileSync(path.join(elsewhere, "ca.pem"), "elsewhere\n");
    symlinkSync(elsewhere, path.join(lab, "ssl"));
    const outside = folderState(elsewhere);
    await refused(genuine, "the lab's ssl folder path 'ssl' is a symbolic link", lab);
    expect(folderState(elsewhere)).toEqual(outside);
  });

  it("inspect shows a genuine bundle without importing it, and refuses a crafted one the same way", async () => {
    const lab = attendeeLab();
    const before = folderState(lab);
    const r = await cli(["bundle", "inspect", genuine], { cwd: lab });
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout).toContain(`${genuine}: mesos-lab bundle, version 2`);
    expect(r.stdout).toMatch(/created \d{4}-\d\d-\d\dT[\d:.]+Z for profile 1\.11/);
    expect(r.stdout).toContain(`${image}  ${ids[0]!.slice(7, 19)}  `);
    expect(r.stdout).toMatch(/ssl\/ca-key\.pem +0600 +[\d.]+ kB/);
    expect(r.stdout).toMatch(/ssl\/ca\.pem +0644 +[\d.]+ kB/);
    expect(r.stdout).toMatch(/credentials\/secrets\.json +0600/);
    expect(r.stdout).toContain("nothing was imported");
    const j = await cli(["bundle", "inspect", genuine, "--json"], { cwd: lab });
    expect(j.exitCode, j.all).toBe(0);
    const parsed = JSON.parse(j.stdout) as {
      images: Array<{ tags: string[]; id: string; size: number }>;
      material: Array<{ name: string; mode: string }>;
      profile: string;
    };
    expect(parsed.images).toEqual([{ tags: [image], id: ids[0], size: expect.any(Number), layers: 1 }]);
    expect(parsed.material.map((m) => m.name).sort()).toEqual([...manifest.material].sort());
    expect(parsed.profile).toBe("1.11");
    const bad = await cli(["bundle", "inspect", await craft([entries[0]!, { header: { name: "material/lab.config.ts" }, data: evilCode }, ...rest()])], {
      cwd: lab,
    });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("'material/lab.config.ts' is the lab's config");
    expect(folderState(lab)).toEqual(before);
    expect(await engineImages()).toEqual([]);
  });

  it("keys and secrets are written 0600 whatever the archive says; then the genuine bundle imports", async () => {
    const loose = rest().map((e) => (e.header.name.startsWith("material/") ? { ...e, header: { ...e.header, mode: 0o666 } } : e));
    const lab = tempLab(config);
    const r = await cli(["bundle", "import", await craft([entries[0]!, ...loose])], { cwd: lab });
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout).toContain(`loaded 1 image(s): ${image}`);
    const mode = (rel: string) => (lstatSync(path.join(lab, rel)).mode & 0o777).toString(8);
    for (const name of manifest.material) expect(`${name} ${mode(name)}`).toBe(`${name} ${/(^|\/)[^/]*key\.pem$|^credentials\//.test(name) ? "600" : "644"}`);
    expect(mode("ssl")).toBe("700");
    expect(readdirSync(lab).filter((f) => f.startsWith("."))).toEqual([]);
    expect(await engineImages()).toEqual([`${ids[0]} ${image}`]);
    await docker.getImage(image).remove();
  });
});

describe("bundle export takes only lab material and follows no symlink out of the lab folder", () => {
  it.skipIf(!hasDocker)("leaves out what is not material, and refuses a material folder that is a symlink", async () => {
    const secretDir = tempDir("outside");
    writeFileSync(path.join(secretDir, "secrets.json"), "OUTSIDE-SECRET\n");
    const { ensureBusybox } = await import("../helpers/docker.js");
    const docker = new Docker();
    const repo = `mesos-lab-test/bundle-exp-${process.pid}`;
    await docker.getImage(await ensureBusybox()).tag({ repo, tag: "1" });
    try {
      const config = `{ images: { zk: "${repo}:1", master: "${repo}:1", agent: "${repo}:1", execute: "${repo}:1", registry: "${repo}:1", tokens: "${repo}:1" } }`;
      const lab = tempLab(config);
      expect((await cli(["ssl"], { cwd: lab })).exitCode).toBe(0);
      writeFileSync(path.join(lab, "ssl", "notes.txt"), "not material\n");
      writeFileSync(path.join(lab, "credentials", ".hidden"), "not material\n");
      symlinkSync(path.join(secretDir, "secrets.json"), path.join(lab, "ssl", "rogue-agent.pem.bak"));
      chmodSync(path.join(lab, "ssl", "ca-key.pem"), 0o644);
      const file = path.join(lab, "room.tar");
      const r = await cli(["bundle", "export", file, "--with-material"], { cwd: lab });
      expect(r.exitCode, r.all).toBe(0);
      expect(r.stdout).toContain("left out (not lab material, or a symlink): ");
      expect(r.stdout).toContain("ssl/notes.txt");
      const got = await readTar(file);
      const material = got.filter((e) => e.header.name.startsWith("material/"));
      expect(material.map((e) => e.header.name).filter((n) => /notes|hidden|\.bak/.test(n))).toEqual([]);
      expect(material.some((e) => e.data.toString().includes("OUTSIDE-SECRET"))).toBe(false);
      expect(material.find((e) => e.header.name === "material/ssl/ca-key.pem")?.header.mode).toBe(0o600);
      expect(got.filter((e) => !/^(mesos-lab-bundle\.json|material\/(ssl|credentials)\/.+|images\/.+)$/.test(e.header.name))).toEqual([]);

      const linked = tempLab(config);
      mkdirSync(path.join(linked, "ssl"));
      symlinkSync(secretDir, path.join(linked, "credentials"));
      const out = path.join(linked, "room.tar");
      const bad = await cli(["bundle", "export", out, "--with-material"], { cwd: linked });
      expect(bad.exitCode, bad.all).toBe(2);
      expect(bad.stderr).toContain("'credentials' is a symbolic link");
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(secretDir)).toEqual(["secrets.json"]);
    } finally {
      await docker
        .getImage(`${repo}:1`)
        .remove()
        .catch(() => undefined);
    }
  });
});
