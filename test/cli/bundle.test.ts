import { createWriteStream, existsSync, readdirSync, readFileSync, statSync, watch, writeFileSync } from "node:fs";
import { pipeline } from "node:stream/promises";
import { gunzipSync } from "node:zlib";
import tar from "tar-stream";
import path from "node:path";
import Docker from "dockerode";
import { afterAll, describe, expect, it } from "vitest";
import { cli, tempLab } from "../helpers/cli.js";
import { ensureBusybox, hasDocker } from "../helpers/docker.js";

const names = (buf: Buffer) =>
  new Promise<string[]>((resolve, reject) => {
    const x = tar.extract();
    const seen: string[] = [];
    x.on("entry", (h, st, next) => {
      seen.push(h.name);
      st.on("end", next);
      st.resume();
    });
    x.on("finish", () => resolve(seen));
    x.on("error", reject);
    x.end(buf);
  });

/**
 * Offline bundle round trip on the real engine: export a locally built image (a tag of our own, so other tests'
 * images are never removed), delete it, import the bundle into a fresh lab folder, and find it back.
 */
describe.skipIf(!hasDocker)("bundle export / import (real engine)", () => {
  const docker = new Docker();
  const repo = `mesos-lab-test/bundle-${process.pid}`;
  const image = `${repo}:1`;
  const removeImage = () =>
    docker
      .getImage(image)
      .remove()
      .catch(() => undefined);
  /** Whether the engine has the test's image (an inspect that fails: it has not). */
  const imagePresent = () =>
    docker
      .getImage(image)
      .inspect()
      .then(
        () => true,
        () => false,
      );
  afterAll(removeImage);

  it("round-trips the configured images and, with --with-material, the lab material", async () => {
    await docker.getImage(await ensureBusybox()).tag({ repo, tag: "1" });
    const config = `{ images: { zk: "${image}", master: "${image}", agent: "${image}", execute: "${image}", registry: "${image}", tokens: "${image}" } }`;
    const instructor = tempLab(config);
    const file = path.join(instructor, "room.tar");
    // the images stream into the bundle: the only files the export creates are the bundle and its .partial
    const created = new Set<string>();
    const watcher = watch(instructor, (_ev, name) => name && created.add(String(name)));
    const out = await cli(["bundle", "export", file, "--with-material"], { cwd: instructor });
    watcher.close();
    expect(out.exitCode, out.all).toBe(0);
    expect(out.stdout).toMatch(new RegExp(`wrote ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\([\\d.]+ MB\\): 1 image\\(s\\) \\(${image}\\) and`));
    expect(out.stdout).toMatch(/saving images into the bundle: [\d.]+ MB/);
    expect([...created].filter((n) => !/^(ssl|credentials)$/.test(n)).sort()).toEqual(["room.tar", "room.tar.partial"]);
    expect(existsSync(file)).toBe(true);
    const entries = await names(readFileSync(file));
    expect(entries[0]).toBe("mesos-lab-bundle.json");
    expect(entries).toContain("images/manifest.json");
    expect(entries.some((n) => n.startsWith("material/ssl/"))).toBe(true);

    // inspect lists it, without importing anything
    const id = ((await docker.getImage(image).inspect()) as { Id: string }).Id;
    const look = await cli(["bundle", "inspect", file], { cwd: instructor });
    expect(look.exitCode, look.all).toBe(0);
    expect(look.stdout).toContain(`${file}: mesos-lab bundle, version 2`);
    expect(look.stdout).toContain(`images (1):\n    ${image}  ${id.slice(7, 19)}  `);
    expect(look.stdout).toMatch(/lab material \(\d+ file\(s\)\)/);
    expect(look.stdout).toMatch(/ssl\/ca\.pem +0644/);

    await removeImage();
    expect(await imagePresent()).toBe(false);

    const attendee = tempLab(config);
    const inn = await cli(["bundle", "import", file], { cwd: attendee });
    expect(inn.exitCode, inn.all).toBe(0);
    expect(inn.stdout).toContain(`loaded 1 image(s): ${image}`);
    expect(inn.stdout).toMatch(/lab material written: \d+ file\(s\)/);
    expect(((await docker.getImage(image).inspect()) as { Id: string }).Id).toBe(id);
    expect(readdirSync(path.join(attendee, "ssl"))).toContain("ca.pem");
    expect(statSync(path.join(attendee, "ssl", "ca-key.pem")).mode & 0o777).toBe(0o600);
    expect(readdirSync(attendee).filter((f) => f.startsWith(".mesos-lab-import-"))).toEqual([]);

    // a second import keeps the attendee's material unless --force
    const again = await cli(["bundle", "import", file], { cwd: attendee });
    expect(again.stdout).toMatch(/lab material kept \(already present; --force replaces\)/);
  });

  it("a .tar.gz bundle is gzip-compressed, smaller than the .tar, and imports the same; a truncated one is refused", async () => {
    await docker.getImage(await ensureBusybox()).tag({ repo, tag: "1" });
    const config = `{ images: { zk: "${image}", master: "${image}", agent: "${image}", execute: "${image}", registry: "${image}", tokens: "${image}" } }`;
    const instructor = tempLab(config);
    const plain = path.join(instructor, "room.tar");
    const gz = path.join(instructor, "room.tar.gz");
    expect((await cli(["bundle", "export", plain], { cwd: instructor })).exitCode).toBe(0);
    const out = await cli(["bundle", "export", gz], { cwd: instructor });
    expect(out.exitCode, out.all).toBe(0);
    expect(out.stdout).toMatch(/wrote \S+room\.tar\.gz \([\d.]+ MB, gzip\)/);
    expect(readFileSync(gz).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(statSync(gz).size).toBeLessThan(statSync(plain).size * 0.8);
    // the gzip stream holds exactly the plain bundle's entries
    expect(await names(gunzipSync(readFileSync(gz)))).toEqual(await names(readFileSync(plain)));
    const look = await cli(["bundle", "inspect", gz], { cwd: instructor });
    expect(look.exitCode, look.all).toBe(0);
    expect(look.stdout).toMatch(/mesos-lab bundle, version 2, gzip, [\d.]+ MB/);

    await removeImage();
    const attendee = tempLab(config);
    const inn = await cli(["bundle", "import", gz], { cwd: attendee });
    expect(inn.exitCode, inn.all).toBe(0);
    expect(inn.stdout).toContain(`loaded 1 image(s): ${image}`);
    expect(await imagePresent()).toBe(true);

    const cut = path.join(instructor, "cut.tar.gz");
    writeFileSync(cut, readFileSync(gz).subarray(0, Math.floor(statSync(gz).size / 2)));
    const bad = await cli(["bundle", "import", cut], { cwd: attendee });
    expect(bad.exitCode, bad.all).not.toBe(0);
    expect(bad.stderr).toMatch(/error: .*cut\.tar\.gz is damaged: unexpected end of file/);
    expect(bad.stderr).toContain("fix: Copy the bundle again");
    const cutPlain = path.join(instructor, "cut.tar");
    writeFileSync(cutPlain, readFileSync(plain).subarray(0, Math.floor(statSync(plain).size / 2)));
    const badPlain = await cli(["bundle", "import", cutPlain], { cwd: attendee });
    expect(badPlain.exitCode, badPlain.all).not.toBe(0);
    expect(badPlain.stderr).toMatch(/error: .*cut\.tar is damaged: /);
    expect(badPlain.stderr).toContain("fix: Copy the bundle again");
    expect(badPlain.stderr).not.toMatch(/^\s+at /m);
  });

  it("imports a version-1 bundle (docker save spooled into one images.tar entry)", async () => {
    await docker.getImage(await ensureBusybox()).tag({ repo, tag: "1" });
    const config = `{ images: { zk: "${image}", master: "${image}", agent: "${image}", execute: "${image}", registry: "${image}", tokens: "${image}" } }`;
    const dir = tempLab(config);
    const saved = path.join(dir, "saved.tar");
    await pipeline((await docker.getImage(image).get()) as NodeJS.ReadableStream, createWriteStream(saved));
    const v1 = path.join(dir, "old.tar");
    const pack = tar.pack();
    const done = pipeline(pack, createWriteStream(v1));
    pack.entry(
      { name: "mesos-lab-bundle.json" },
      JSON.stringify({ version: 1, createdAt: new Date().toISOString(), profile: "1.4", images: [image], material: [] }),
    );
    pack.entry({ name: "images.tar" }, readFileSync(saved));
    pack.finalize();
    await done;
    await removeImage();
    const look = await cli(["bundle", "inspect", v1, "--json"], { cwd: dir });
    expect(look.exitCode, look.all).toBe(0);
    expect(JSON.parse(look.stdout)).toMatchObject({ version: 1, profile: "1.4", images: [{ tags: [image] }], material: [] });
    const r = await cli(["bundle", "import", v1], { cwd: dir });
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout).toContain(`loaded 1 image(s): ${image}`);
    expect(await imagePresent()).toBe(true);
  });

  it("a file that is not a bundle is a usage error (exit 2) with the fix", async () => {
    const dir = tempLab("{}");
    const bad = path.join(dir, "not-a-bundle.tar");
    writeFileSync(bad, "hello, this is not a tar archive at all".repeat(20));
    const r = await cli(["bundle", "import", bad], { cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/error: .*not-a-bundle\.tar is not a mesos-lab bundle/);
    expect(r.stderr).toContain("fix: ");
    const missing = await cli(["bundle", "import", path.join(dir, "nope.tar")], { cwd: dir });
    expect(missing.exitCode).toBe(2);
  });

  it("export names images that are not on the engine (exit 6)", async () => {
    const dir = tempLab(`{ images: { zk: "mesos-lab-test/absent-${process.pid}:0" } }`);
    const r = await cli(["bundle", "export", path.join(dir, "x.tar")], { cwd: dir });
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toContain(`mesos-lab-test/absent-${process.pid}:0`);
    expect(existsSync(path.join(dir, "x.tar"))).toBe(false);
  });
});
