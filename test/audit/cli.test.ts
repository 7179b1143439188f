import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROBES } from "../../src/audit/probes.js";
import { cli } from "../helpers/cli.js";
import { OPEN_AGENT, OPEN_MASTER } from "./clusters.js";
import { type FakeMesos, startFake } from "./fake-mesos.js";

/** `mesos-lab audit` as the built binary runs it: registered, its help, its refusals and its exit codes. */

let master: FakeMesos;
let agent: FakeMesos;

beforeAll(async () => {
  master = await startFake(OPEN_MASTER);
  agent = await startFake(OPEN_AGENT);
});

afterAll(async () => {
  await Promise.all([master?.close(), agent?.close()]);
});

describe("mesos-lab audit (the built CLI)", () => {
  it("--help says the default is read-only and which probes --active adds (none yet)", async () => {
    const r = await cli(["audit", "--help"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("--active");
    expect(r.stdout).toMatch(/Active probes \(--active\).*none yet/s);
    expect(r.stdout).toContain("Read-only by default");
    expect(r.stdout).toMatch(/Exit codes: 0 .* 9 a target is unreachable/s);
  });

  it("--list prints every probe with its mode", async () => {
    const r = await cli(["audit", "--list"]);
    expect(r.exitCode).toBe(0);
    for (const p of PROBES) expect(r.stdout).toContain(`${p.id}  [${p.mode}, ${p.severity}`);
    expect(r.stdout).toMatch(/Active probes \(--active\): there are none yet/);
  });

  it("refuses --secret, without echoing it", async () => {
    const r = await cli(["audit", "--master", master.url, "--principal", "p", "--secret", "hunter2-not-here"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error: --secret on the command line is visible/m);
    expect(r.stderr).toMatch(/^ {2}fix: .*--secret-file FILE/m);
    expect(r.all).not.toContain("hunter2-not-here");
    expect(master.requests.length).toBe(0);
  });

  it("audits the open fake: findings on stdout, exit 1; --fail-on high too", async () => {
    const r = await cli(["audit", "--master", master.url, "--agent", agent.url]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^HIGH {4}agent-operator-api-anonymous · /m);
    expect(r.stdout).toContain("fixed in exercise 11: Protect the agent's operator API");
    const sarif = await cli(["audit", "--master", master.url, "--sarif", "--fail-on", "high"]);
    expect(sarif.exitCode).toBe(1);
    expect(JSON.parse(sarif.stdout).version).toBe("2.1.0");
  });

  it("an unreachable master: exit 9 with the cause and the fix, within the bound", async () => {
    const s = net.createServer();
    await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((resolve) => s.close(() => resolve()));
    const t0 = Date.now();
    const r = await cli(["audit", "--master", `http://127.0.0.1:${port}`, "--timeout", "500"]);
    expect(r.exitCode).toBe(9);
    expect(r.stderr).toMatch(/^error: http:\/\/127\.0\.0\.1:\d+ is unreachable: no answer \(ECONNREFUSED/m);
    expect(r.stderr).toMatch(/^ {2}fix: Check each address/m);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
