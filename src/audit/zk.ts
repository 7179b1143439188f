import net from "node:net";
import type { Address } from "./http.js";

export type ZkResult = { ok: true; text: string } | { ok: false; code: string; message: string };

/**
 * A ZooKeeper four-letter word: write it, read until the server closes (it always does after answering), at most
 * 64 KiB. `srvr` is read-only; ZooKeeper 3.5+ refuses words outside `4lw.commands.whitelist` with `… is not executed
 * because it is not in the whitelist.` (observed-1.11.md, Observed 2026-11-29).
 */
export function fourLetterWord(to: Address, word: string, timeoutMs: number, signal?: AbortSignal): Promise<ZkResult> {
  return new Promise<ZkResult>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const socket = net.connect({ host: to.host, port: to.port });
    const done = (r: ZkResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done({ ok: false, code: "ETIMEDOUT", message: `no answer within ${timeoutMs} ms` }), timeoutMs);
    const onAbort = () => done({ ok: false, code: "EDEADLINE", message: "the audit's overall time ran out" });
    signal?.addEventListener("abort", onAbort, { once: true });
    socket.on("connect", () => socket.write(word));
    socket.on("data", (c: Buffer) => {
      chunks.push(c);
      size += c.length;
      if (size > 65536) done({ ok: true, text: Buffer.concat(chunks).toString("utf8").slice(0, 65536) });
    });
    socket.on("end", () => done({ ok: true, text: Buffer.concat(chunks).toString("utf8") }));
    socket.on("close", () => done({ ok: true, text: Buffer.concat(chunks).toString("utf8") }));
    socket.on("error", (err: NodeJS.ErrnoException) => {
      // a server that answered and then reset still answered
      if (size > 0) done({ ok: true, text: Buffer.concat(chunks).toString("utf8") });
      else done({ ok: false, code: err.code ?? err.name, message: err.message });
    });
  });
}
