import { MASTER_ZNODE_MEMBER } from "./readiness.js";
import { openZkSession } from "./zk-client.js";

/**
 * Deletes the contender znodes a removed master left under the masters' znode, so the next master is elected at once
 * instead of after the removed one's session expired (reconcile.ts, replacesMaster). Only members' znodes go (the
 * contender's `json.info_<sequence>`, src/zookeeper/group.cpp:603 with MASTER_INFO_JSON_LABEL, src/master/constants.hpp:141
 * at 1.11, :127 at 1.4); the caller removed every master first. False where it cannot be done from here: a ZooKeeper
 * URL with credentials (its znodes may carry ACLs that refuse others' deletes), or more than one server.
 */
export async function clearStaleMasters(zkUrl: string, at: { host: string; port: number }, timeoutMs = 3000): Promise<boolean> {
  const m = /^zk:\/\/([^/@]+)(\/.*)$/.exec(zkUrl);
  if (!m || m[1]!.includes(",")) return false;
  const znode = m[2]!.replace(/\/+$/, "");
  const zk = await openZkSession(at.host, at.port, timeoutMs);
  try {
    const members = await zk.children(znode).catch((err: { code?: number }) => {
      if (err.code === -101) return [];
      throw err;
    });
    for (const member of members.filter((n) => MASTER_ZNODE_MEMBER.test(n))) await zk.delete(`${znode}/${member}`);
    return true;
  } finally {
    await zk.close();
  }
}
