import Docker from "dockerode";
import { render } from "ink-testing-library";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRuntime } from "../../src/runtime/factory.js";
import type { PullProgress } from "../../src/runtime/types.js";
import { PullBars } from "../../src/tui/components/PullBars.js";
import { cli, tempLab } from "../helpers/cli.js";
import { hasDocker } from "../helpers/docker.js";
import { pushTestImage, registryAvailable, startRegistry, type LocalRegistry } from "../helpers/registry.js";

/**
 * Pulls through the engine from a real registry on loopback (Debian's docker-registry): `mesos-lab pull`'s compact
 * progress line, the TUI's per-layer bars fed with the engine's real progress events, and an unreachable registry.
 */
const docker = new Docker();
const run = `${process.pid}${Date.now().toString(36)}`;
// Podman's compat API reports a pull in fewer words: every blob (the config too) as a layer that ends "Download
// complete", and byte counts only for a download slower than its one-second progress tick (never for this registry)
const podman = hasDocker && (await createRuntime().name()) === "podman";

/** The TUI's bar rows once every layer's last event is in. */
function finalBars(events: PullProgress[]): string[] {
  const last: Record<string, PullProgress> = {};
  for (const e of events) last[`${e.image} ${e.layer ?? ""}`] = e;
  const done = render(<PullBars pulls={last} />);
  const rows = done
    .lastFrame()!
    .split("\n")
    .filter((l) => /█|░/.test(l));
  done.unmount();
  return rows;
}

describe.skipIf(!hasDocker || !registryAvailable())("pulling from a real registry", () => {
  let registry: LocalRegistry;
  const refs: string[] = [];
  const dropLocal = (ref: string) =>
    docker
      .getImage(ref)
      .remove({ force: true })
      .catch(() => undefined);

  beforeAll(async () => {
    registry = await startRegistry();
    refs.push(await pushTestImage(registry, `cli-${run}`), await pushTestImage(registry, `port-${run}`));
  });

  afterAll(async () => {
    await Promise.all(refs.map(dropLocal));
    await registry?.stop();
  });

  it("`mesos-lab pull` pulls every configured image with a compact progress line and exits 0", async () => {
    const ref = refs[0]!;
    expect(await createRuntime().images.inspect(ref)).toBeUndefined();
    // every role's image, the lab registry's two included (pull fetches them all)
    const roles = ["zk", "master", "agent", "execute", "registry", "tokens"];
    const lab = tempLab(`{ images: { ${roles.map((r) => `${r}: ${JSON.stringify(ref)}`).join(", ")} } }`);
    const r = await cli(["pull"], { cwd: lab });
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout.match(/^pulling /gm)).toHaveLength(1); // one image configured six times is pulled once
    // the closing line sums both layers (busybox already here, the blob downloaded) and the download's bytes
    const esc = ref.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    if (podman) expect(r.stdout).toMatch(new RegExp(`  pull ${esc}: 3/3 layers done · Downloaded newer image for ${esc}\\n`));
    else expect(r.stdout).toMatch(new RegExp(`  pull ${esc}: 2/2 layers done, [\\d.]+/[\\d.]+ MB \\(100%\\) · Downloaded newer image for ${esc}\\n`));
    expect(r.stdout.trimEnd().endsWith("all images present.")).toBe(true);
    const img = (await docker.getImage(ref).inspect()) as { RootFS: { Layers: string[] } };
    expect(img.RootFS.Layers).toHaveLength(2);
  });

  it("the TUI's bars, fed the engine's real events, end with every layer at 100 %", async () => {
    const ref = refs[1]!;
    const events: PullProgress[] = [];
    await createRuntime().images.pull(ref, (p) => events.push(p), 60_000);
    if (podman) {
      const rows = finalBars(events);
      expect(rows).toHaveLength(3);
      for (const row of rows) expect(row).toMatch(/█{24}\s+100% (Download complete|Already exists)/);
      return;
    }
    const downloading = events.filter((e) => e.status === "Downloading" && e.total);
    expect(downloading.length).toBeGreaterThan(0);
    expect(downloading.every((e) => e.image === ref && e.layer)).toBe(true);
    // the layer that carries the 8 MB blob reports its size; the reducer keeps each layer's last event
    expect(Math.max(...downloading.map((e) => e.total!))).toBeGreaterThan(7e6);
    const mid: Record<string, PullProgress> = {};
    for (const e of events) {
      mid[`${e.image} ${e.layer ?? ""}`] = e;
      if (e === downloading[0]) break;
    }
    const during = render(<PullBars pulls={mid} />);
    expect(during.lastFrame()).toMatch(/\s\d+% [\d.]+\/[\d.]+ MB Downloading/);
    during.unmount();
    const rows = finalBars(events);
    expect(rows.length).toBeGreaterThanOrEqual(1);
    for (const row of rows) expect(row).toMatch(/█{24}\s+100% (Pull complete|Already exists)/);
  });

  it("an unreachable registry fails `pull` with exit 6, naming the image and the offline bundle", async () => {
    const gone = `${registry.host.replace(/:\d+$/, ":1")}/mesos-lab-test/pulled:absent-${run}`;
    const lab = tempLab(`{ images: { zk: ${JSON.stringify(gone)} } }`);
    const r = await cli(["pull"], { cwd: lab });
    expect(r.exitCode, r.all).toBe(6);
    expect(r.stderr).toContain(`Could not pull ${gone}`);
    expect(r.stderr).toContain("mesos-lab bundle import");
    expect(await createRuntime().images.inspect(gone)).toBeUndefined();
  });
});
