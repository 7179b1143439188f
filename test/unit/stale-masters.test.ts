import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { clearStaleMasters } from "../../src/engine/cluster/stale-masters.js";
import { openZkSession } from "../../src/engine/cluster/zk-client.js";
// @ts-expect-error: the stand-in is plain JavaScript
import { runZkServer } from "../standin/lib/zk.mjs";

/**
 * The znodes a removed master leaves: the stand-in ZooKeeper keeps a member while its connection lives, as a real one
 * keeps an ephemeral znode while its session lives (a killed master's lives on for --zk_session_timeout).
 */
describe("clearing a removed master's znode", () => {
  const open: Array<{ close?(): unknown; destroy?(): unknown }> = [];
  afterEach(() => {
    for (const o of open.splice(0)) (o.destroy ?? o.close)?.call(o);
  });

  async function server(): Promise<number> {
    const s = runZkServer({ port: 0 }) as net.Server;
    open.push(s);
    await new Promise((r) => (s.listening ? r(undefined) : s.once("listening", r)));
    return (s.address() as net.AddressInfo).port;
  }

  /** A contender that stays connected (a master whose session has not expired), and a watcher of the leader. */
  async function lines(port: number, line: string): Promise<{ sock: net.Socket; next: () => Promise<string> }> {
    const sock = net.connect({ host: "127.0.0.1", port });
    open.push(sock);
    const got: string[] = [];
    let wake: (() => void) | undefined;
    let buf = "";
    sock.on("data", (d) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        got.push(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        wake?.();
      }
    });
    await new Promise((r) => sock.once("connect", r));
    sock.write(`${line}\n`);
    const next = async () => {
      while (!got.length) await new Promise<void>((r) => (wake = r));
      return got.shift()!;
    };
    return { sock, next };
  }

  it("deletes the masters' json.info_ members and nothing else, and the watchers see no leader", async () => {
    const port = await server();
    const old = await lines(port, `JOIN /mesos ${Buffer.from(JSON.stringify({ id: "old" })).toString("base64")}`);
    expect(await old.next()).toMatch(/^JOINED \d+$/);
    const other = await lines(port, `JOIN /elsewhere ${Buffer.from("{}").toString("base64")}`);
    await other.next();
    const watch = await lines(port, "WATCH /mesos");
    expect(await watch.next()).toMatch(/^LEADER /);

    expect(await clearStaleMasters(`zk://zk:2181/mesos`, { host: "127.0.0.1", port })).toBe(true);
    expect(await watch.next()).toBe("NONE");
    const zk = await openZkSession("127.0.0.1", port, 2000);
    expect(await zk.children("/mesos")).toEqual([]);
    expect(await zk.children("/elsewhere")).toHaveLength(1);
    await zk.close();
  });

  it("leaves a ZooKeeper reached with credentials, or through several servers, to be replaced", async () => {
    const port = await server();
    const old = await lines(port, `JOIN /mesos ${Buffer.from("{}").toString("base64")}`);
    await old.next();
    expect(await clearStaleMasters("zk://u:p@zk:2181/mesos", { host: "127.0.0.1", port })).toBe(false);
    expect(await clearStaleMasters("zk://zk1:2181,zk2:2181/mesos", { host: "127.0.0.1", port })).toBe(false);
    const zk = await openZkSession("127.0.0.1", port, 2000);
    expect(await zk.children("/mesos")).toHaveLength(1);
    await zk.close();
  });

  it("fails, and does not hang, where nothing speaks ZooKeeper", async () => {
    const silent = net.createServer(() => undefined).listen(0);
    open.push(silent);
    await new Promise((r) => silent.once("listening", r));
    const port = (silent.address() as net.AddressInfo).port;
    await expect(clearStaleMasters("zk://zk:2181/mesos", { host: "127.0.0.1", port }, 300)).rejects.toThrow(/did not answer/);
  });
});
