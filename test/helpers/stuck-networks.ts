import Docker from "dockerode";
import { expect } from "vitest";
import { StuckNetworks } from "../../src/runtime/docker-api/networks.js";

/**
 * `reset --all` sweeps the whole engine, so it meets what earlier test files left, and Docker 20.10 can leave a
 * network it will not remove though no container is on it (moby/moby#42119; a clean-clone CI run here met one a
 * stand-in test had left). The product names such networks and exits 10 (engineStuck), having removed everything
 * else. A test of the sweep takes that outcome only for networks that are mesos-lab's, and that the engine shows with
 * no container on them: anything else it named fails the test.
 */
export async function expectOnlyStuckNetworks(names: string[], notAmong: string[] = []): Promise<void> {
  const docker = new Docker();
  expect(names.length, "a stuck network is named").toBeGreaterThan(0);
  for (const name of names) {
    expect(notAmong, `${name} is one of this test's own`).not.toContain(name);
    const info = (await docker.getNetwork(name).inspect()) as { Containers?: Record<string, unknown> | null; Labels?: Record<string, string> | null };
    expect(info.Labels?.["io.mesos-lab.managed"], `${name} is mesos-lab's`).toBe("true");
    expect(Object.keys(info.Containers ?? {}), `no container on ${name}`).toEqual([]);
  }
}

/** The networks a thrown StuckNetworks names; any other error is rethrown. */
export function stuckNetworksOf(err: unknown): string[] {
  if (err instanceof StuckNetworks) return err.networks;
  throw err;
}

/** The networks a `reset --all` that exited 10 names in its message (`… remove network(s) a, b: …`). */
export function stuckNetworksSaid(stderr: string): string[] {
  const m = /refuses to remove networks? (.+?): it still counts an endpoint/.exec(stderr);
  return m ? m[1]!.split(", ") : [];
}
