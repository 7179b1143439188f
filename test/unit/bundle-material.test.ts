import { createHash } from "node:crypto";
import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createWriteStream } from "node:fs";
import tar from "tar-stream";
import { beforeAll, describe, expect, it } from "vitest";
import { classifyMaterial, collectMaterial, MATERIAL_NAMES, planMaterial } from "../../src/lab/bundle-material.js";
import { familiar, readBundle } from "../../src/lab/bundle-read.js";
import { ensureLabMaterial } from "../../src/pki/index.js";
import { LabError } from "../../src/util/errors.js";
import { tempDir } from "../helpers/temp-dir.js";

/** Every file under dir, as `rel mode`. */
function files(dir: string, rel = ""): string[] {
  return readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((d) => {
    const r = rel ? `${rel}/${d.name}` : d.name;
    return d.isDirectory() ? files(dir, r) : [`${r} 0${(lstatSync(path.join(dir, r)).mode & 0o777).toString(8)}`];
  });
}

/**
 * The allow-list is checked against what src/pki really generates: every file `ensureLabMaterial` and
 * `issueForNetwork` write is accepted with the mode they wrote it with, and every name on the list is one they write.
 */
describe("bundle material allow-list (against src/pki)", () => {
  let generated: string[] = [];
  beforeAll(async () => {
    const dir = tempDir("allow");
    const m = await ensureLabMaterial({ sslDir: path.join(dir, "ssl"), credentialsDir: path.join(dir, "credentials") });
    await m.issueForNetwork({ master: "10.213.9.2", agent: "10.213.9.3", scheduler: "10.213.9.4", zk: "10.213.9.5" });
    generated = files(dir).sort();
  }, 60_000);

  it("accepts every generated file, with the mode src/pki gave it", () => {
    expect(generated.length).toBeGreaterThan(20);
    for (const line of generated) {
      const [name, mode] = line.split(" ");
      const c = classifyMaterial(name!);
      expect("refused" in c ? `${name}: ${c.refused}` : `${name} 0${c.mode.toString(8)}`).toBe(`${name} ${mode}`);
    }
  });

  it("lists nothing src/pki does not generate", () => {
    const top = generated.map((l) => l.split(" ")[0]!).filter((n) => !n.startsWith("ssl/issued/"));
    expect([...MATERIAL_NAMES].sort()).toEqual(top.sort());
  });

  it.each([
    ["lab.config.ts", "the lab's config, which runs as code"],
    ["exercises/01-x/exercise.ts", "exercises/"],
    ["workspace/01.env", "workspace/"],
    ["ssl/.hidden", "hidden file"],
    [".bashrc", "hidden file"],
    ["/etc/passwd", "absolute path"],
    ["../x", "(..)"],
    ["ssl/../lab.config.ts", "(..)"],
    ["ssl//ca.pem", "empty or '.' segment"],
    ["./ssl/ca.pem", "empty or '.' segment"],
    ["ssl/ca.pem.1a2b3c4d.tmp", "not a file a lab's material has"],
    ["ssl/notes.txt", "not a file a lab's material has"],
    ["credentials/ca.pem", "not a file a lab's material has"],
    ["ssl/issued/xyz/master.pem", "not a file a lab's material has"],
    ["ssl/issued/0123456789abcdef/ca.pem", "not a file a lab's material has"],
    ["node_modules/x/index.js", "not a file a lab's material has"],
  ])("refuses %s", (name, why) => {
    const c = classifyMaterial(name);
    expect("refused" in c ? c.refused : "accepted").toContain(why);
  });

  it("writes keys and secrets 0600 and certificates 0644", () => {
    const mode = (n: string) => {
      const c = classifyMaterial(n);
      return "refused" in c ? -1 : c.mode;
    };
    expect(mode("ssl/ca-key.pem")).toBe(0o600);
    expect(mode("ssl/key.pem")).toBe(0o600);
    expect(mode("ssl/issued/0123456789abcdef/rogue-agent-key.pem")).toBe(0o600);
    expect(mode("credentials/executor_secret_key")).toBe(0o600);
    expect(mode("credentials/secrets.json")).toBe(0o600);
    expect(mode("ssl/ca.pem")).toBe(0o644);
  });

  it("plans no write through a material folder that is a symlink", () => {
    const root = tempDir("plan");
    const elsewhere = tempDir("elsewhere");
    symlinkSync(elsewhere, path.join(root, "ssl"));
    const err = (() => {
      try {
        planMaterial({ root, material: { ssl: "ssl", credentials: "credentials" } }, "b.tar", [{ name: "ssl/ca.pem", data: Buffer.from("x") }]);
      } catch (e) {
        return e as LabError;
      }
    })();
    expect(err?.exitCode).toBe(2);
    expect(err?.message).toContain("'ssl' is a symbolic link");
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it("exports only regular allow-listed files and refuses a symlinked folder", () => {
    const root = tempDir("collect");
    mkdirSync(path.join(root, "ssl"));
    mkdirSync(path.join(root, "credentials"));
    writeFileSync(path.join(root, "ssl", "ca.pem"), "ca");
    writeFileSync(path.join(root, "ssl", "notes.txt"), "notes");
    symlinkSync("/etc/hostname", path.join(root, "ssl", "key.pem"));
    writeFileSync(path.join(root, "credentials", "secrets.json"), "{}");
    chmodSync(path.join(root, "credentials", "secrets.json"), 0o644);
    const got = collectMaterial({ root, material: { ssl: "ssl", credentials: "credentials" } });
    expect(got.files.map((f) => [f.name, f.mode])).toEqual([
      ["ssl/ca.pem", 0o644],
      ["credentials/secrets.json", 0o600],
    ]);
    expect(got.skipped.sort()).toEqual(["ssl/key.pem", "ssl/notes.txt"]);

    const other = tempDir("collect");
    mkdirSync(path.join(other, "ssl"));
    symlinkSync(path.join(root, "credentials"), path.join(other, "credentials"));
    expect(() => collectMaterial({ root: other, material: { ssl: "ssl", credentials: "credentials" } })).toThrow(/'credentials' is a symbolic link/);
  });

  it("compares image references as docker save writes them", () => {
    expect(familiar("zookeeper:3.8")).toBe("zookeeper:3.8");
    expect(familiar("docker.io/library/zookeeper:3.8")).toBe("zookeeper:3.8");
    expect(familiar("docker.io/mesos/mesos-centos:1.11.0")).toBe("mesos/mesos-centos:1.11.0");
    expect(familiar("busybox")).toBe("busybox:latest");
    expect(familiar("localhost:5000/library/x")).toBe("localhost:5000/library/x:latest");
  });
});

type Entry = { header: Partial<tar.Header> & { name: string }; data?: Buffer | string };

async function writeTar(file: string, entries: Entry[]): Promise<string> {
  const pack = tar.pack();
  const done = pipeline(pack, createWriteStream(file));
  for (const e of entries) pack.entry(e.header, e.data ?? Buffer.alloc(0));
  pack.finalize();
  await done;
  return file;
}

const manifestEntry = (over: Record<string, unknown> = {}): Entry => ({
  header: { name: "mesos-lab-bundle.json" },
  data: JSON.stringify({ version: 2, createdAt: "2026-01-01T00:00:00.000Z", profile: "1.11", images: [], material: [], ...over }),
});

/** A docker save part for one image: config, one layer, manifest.json, repositories (as docker 20.10 writes it). */
function savePart(tags: string[], extra: Entry[] = []): Entry[] {
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }));
  const id = createHash("sha256").update(config).digest("hex");
  const layer = Buffer.alloc(1024);
  return [
    { header: { name: `images/${id}.json` }, data: config },
    { header: { name: "images/aaaa/", type: "directory" } },
    { header: { name: "images/aaaa/layer.tar" }, data: layer },
    ...extra,
    { header: { name: "images/manifest.json" }, data: JSON.stringify([{ Config: `${id}.json`, RepoTags: tags, Layers: ["aaaa/layer.tar"] }]) },
    { header: { name: "images/repositories" }, data: JSON.stringify(Object.fromEntries(tags.map((t) => [t.split(":")[0], { [t.split(":")[1]!]: "aaaa" }]))) },
  ];
}

/** pass 1 alone, on crafted archives: every refusal is a LabError with exit 2 naming what is wrong. */
describe("readBundle refuses a crafted bundle before anything is written", () => {
  const dir = tempDir("read");
  let n = 0;
  const refusal = async (entries: Entry[]) => {
    const file = await writeTar(path.join(dir, `b${n++}.tar`), entries);
    const before = readdirSync(dir).sort();
    const err = await readBundle(file).then(
      () => undefined,
      (e: unknown) => e as LabError,
    );
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(err, "the bundle was accepted").toBeInstanceOf(LabError);
    expect(err!.exitCode).toBe(2);
    return err!.message;
  };

  it("reads a well-formed one", async () => {
    const file = await writeTar(path.join(dir, "good.tar"), [
      manifestEntry({ images: ["x/y:1"], material: ["ssl/ca.pem", "credentials/secrets.json"] }),
      { header: { name: "material/ssl/ca.pem", mode: 0o777 }, data: "ca" },
      { header: { name: "material/credentials/secrets.json", mode: 0o666 }, data: "{}" },
      ...savePart(["x/y:1"]),
    ]);
    const b = await readBundle(file);
    expect(b.images).toEqual([{ tags: ["x/y:1"], id: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), size: expect.any(Number), layers: 1 }]);
    expect(b.material.map((m) => [m.name, m.mode])).toEqual([
      ["ssl/ca.pem", 0o644],
      ["credentials/secrets.json", 0o600],
    ]);
    expect([...b.load.names].sort()).toEqual([`${b.images[0]!.id.slice(7)}.json`, "aaaa/layer.tar"].sort());
    expect(statSync(file).size).toBe(b.bytes);
  });

  it("follows docker save's symlinks and hard links to a layer, and refuses one leading out", async () => {
    const linked = (h: Partial<tar.Header>) =>
      savePart(["x/y:1"]).flatMap((e) =>
        e.header.name === "images/aaaa/layer.tar"
          ? [{ header: { name: "images/bbbb/layer.tar" }, data: e.data }, { header: { name: "images/aaaa/layer.tar", ...h } }]
          : [e],
      );
    const sym = await readBundle(
      await writeTar(path.join(dir, "sym.tar"), [manifestEntry({ images: ["x/y:1"] }), ...linked({ type: "symlink", linkname: "../bbbb/layer.tar" })]),
    );
    expect([...sym.load.names]).toEqual(expect.arrayContaining(["aaaa/layer.tar", "bbbb/layer.tar"]));
    expect(sym.images[0]!.size).toBeGreaterThan(1024);
    const hard = await readBundle(
      await writeTar(path.join(dir, "hard.tar"), [manifestEntry({ images: ["x/y:1"] }), ...linked({ type: "link", linkname: "images/bbbb/layer.tar" })]),
    );
    expect([...hard.load.names]).toEqual(expect.arrayContaining(["aaaa/layer.tar", "bbbb/layer.tar"]));
    expect(await refusal([manifestEntry({ images: ["x/y:1"] }), ...linked({ type: "symlink", linkname: "../../../etc/passwd" })])).toContain(
      "leading out of it",
    );
    expect(await refusal([manifestEntry({ images: ["x/y:1"] }), ...linked({ type: "symlink", linkname: "/etc/passwd" })])).toContain("to an absolute path");
    expect(await refusal([manifestEntry({ images: ["x/y:1"] }), ...linked({ type: "link", linkname: "material/ssl/ca.pem" })])).toContain(
      "an entry named '../material/ssl/ca.pem'",
    );
  });

  it("without a manifest, or with it after the material", async () => {
    expect(await refusal([{ header: { name: "material/ssl/ca.pem" }, data: "x" }])).toMatch(
      /not a mesos-lab bundle: its first entry is 'material\/ssl\/ca.pem', not mesos-lab-bundle.json/,
    );
    expect(
      await refusal([
        { header: { name: "manifest.json" }, data: "[]" },
        { header: { name: "material/lab.config.ts" }, data: "x" },
      ]),
    ).toMatch(/first entry is 'manifest.json'/);
    expect(await refusal([{ header: { name: "material/ssl/ca.pem" }, data: "x" }, manifestEntry({ material: ["ssl/ca.pem"] })])).toMatch(
      /first entry is 'material\/ssl\/ca.pem'/,
    );
    expect(await refusal([])).toMatch(/not a mesos-lab bundle/);
  });

  it.each([
    ["lab.config.ts", "the lab's config"],
    ["../x", "(..)"],
    ["/tmp/x", "absolute path"],
    ["exercises/01/exercise.ts", "exercises/"],
    ["workspace/a.env", "workspace/"],
    ["ssl/.hidden", "hidden file"],
  ])("material %s, listed in the manifest", async (name, why) => {
    const msg = await refusal([manifestEntry({ material: [name] }), { header: { name: `material/${name}` }, data: "x" }]);
    expect(msg).toContain(`'material/${name}' (listed in its mesos-lab-bundle.json)`);
    expect(msg).toContain(why);
  });

  it.each([
    ["lab.config.ts", "the lab's config"],
    ["../x", "(..)"],
    ["/tmp/x", "absolute path"],
  ])("material %s, not listed", async (name, why) => {
    const msg = await refusal([manifestEntry(), { header: { name: `material/${name}` }, data: "x" }]);
    expect(msg).toContain(`'material/${name}' `);
    expect(msg).toContain(why);
  });

  it.each([
    [{ type: "symlink", linkname: "../../lab.config.ts" }, "is a symbolic link (to ../../lab.config.ts)"],
    [{ type: "link", linkname: "lab.config.ts" }, "is a hard link (to lab.config.ts)"],
    [{ type: "character-device", devmajor: 1, devminor: 3 }, "is a device (character-device)"],
    [{ type: "block-device", devmajor: 8, devminor: 0 }, "is a device (block-device)"],
    [{ type: "fifo" }, "is a named pipe"],
    [{ type: "directory" }, "is a folder"],
  ] as const)("material entry of type %o", async (h, why) => {
    const msg = await refusal([manifestEntry({ material: ["ssl/ca.pem"] }), { header: { name: "material/ssl/ca.pem", ...h } }]);
    expect(msg).toContain(`'material/ssl/ca.pem' ${why}`);
  });

  it("duplicates, unlisted material, listed material missing, unknown entries", async () => {
    expect(
      await refusal([
        manifestEntry({ material: ["ssl/ca.pem"] }),
        { header: { name: "material/ssl/ca.pem" }, data: "a" },
        { header: { name: "material/ssl/ca.pem" }, data: "b" },
      ]),
    ).toContain("'material/ssl/ca.pem' appears twice");
    expect(await refusal([manifestEntry({ material: ["ssl/ca.pem", "ssl/ca.pem"] })])).toContain("listed twice");
    expect(await refusal([manifestEntry(), { header: { name: "material/ssl/ca.pem" }, data: "a" }])).toContain(
      "'material/ssl/ca.pem' is not listed in its mesos-lab-bundle.json",
    );
    expect(await refusal([manifestEntry({ material: ["ssl/ca.pem"] })])).toMatch(
      /is damaged: its mesos-lab-bundle.json lists material\/ssl\/ca.pem, which the archive does not hold/,
    );
    expect(await refusal([manifestEntry(), { header: { name: "lab.config.ts" }, data: "x" }])).toContain(
      "it holds 'lab.config.ts', which is not part of a version-2 mesos-lab bundle",
    );
    expect(await refusal([manifestEntry(), manifestEntry()])).toContain("a second mesos-lab-bundle.json");
    expect(await refusal([manifestEntry({ version: 3 })])).toContain("unknown manifest version 3");
  });

  it("images: only the listed ones, all of them, and nothing docker save does not write", async () => {
    expect(await refusal([manifestEntry({ images: ["x/y:1"] }), ...savePart(["x/y:1", "evil/other:1"])])).toContain(
      "it carries the image evil/other:1, which its manifest does not list",
    );
    expect(await refusal([manifestEntry({ images: ["x/y:1", "x/z:1"] }), ...savePart(["x/y:1"])])).toContain("it lists x/z:1 but does not carry it");
    expect(await refusal([manifestEntry({ images: ["x/y:1"] }), ...savePart([])])).toContain("untagged image");
    expect(await refusal([manifestEntry({ images: ["x/y:1"] })])).toContain("it lists x/y:1 but holds no images");
    expect(await refusal([manifestEntry({ images: ["x/y:1"] }), ...savePart(["x/y:1"]).filter((e) => e.header.name !== "images/manifest.json")])).toContain(
      "no manifest.json",
    );
    expect(await refusal([manifestEntry({ images: ["x/y:1"] }), ...savePart(["x/y:1"]).filter((e) => e.header.name !== "images/aaaa/layer.tar")])).toContain(
      "names the layer 'aaaa/layer.tar', which the archive does not hold",
    );
    expect(
      await refusal([manifestEntry({ images: ["x/y:1"] }), ...savePart(["x/y:1"], [{ header: { name: "images/dev", type: "character-device" } }])]),
    ).toContain("a character-device entry");
    expect(await refusal([manifestEntry({ images: ["x/y:1"] }), ...savePart(["x/y:1"], [{ header: { name: "images/../../x" }, data: "x" }])])).toContain(
      "an entry named '../../x'",
    );
    const repos = savePart(["x/y:1"]).map((e) =>
      e.header.name === "images/repositories" ? { ...e, data: JSON.stringify({ "x/y": { "1": "aaaa" }, evil: { latest: "aaaa" } }) } : e,
    );
    expect(await refusal([manifestEntry({ images: ["x/y:1"] }), ...repos])).toContain("it carries the image evil:latest");
    // images under images/ in a version-1 bundle, and images.tar in a version-2 one
    expect(await refusal([manifestEntry({ version: 1, images: ["x/y:1"] }), ...savePart(["x/y:1"])])).toContain("not part of a version-1 mesos-lab bundle");
    expect(await refusal([manifestEntry({ images: [] }), { header: { name: "images.tar" }, data: "x" }])).toContain("not part of a version-2 mesos-lab bundle");
  });
});
