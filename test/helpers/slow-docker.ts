import net from "node:net";
import { engineSocket } from "./docker.js";

/**
 * A TCP front for the local engine's socket (DOCKER_HOST's, so a Podman run is slowed too) that holds back requests matching `slow` for `delayMs`: a real, slow
 * engine, so a test can interrupt mesos-lab while it waits on the image check.
 */
export async function slowDockerProxy(slow: RegExp, delayMs: number): Promise<{ url: string; close: () => void; hits: () => number }> {
  const socket = engineSocket();
  if (!socket) throw new Error("slowDockerProxy needs an engine on a unix socket (DOCKER_HOST is not unix://)");
  let hits = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(socket);
    let first = true;
    client.on("data", (chunk) => {
      if (first && slow.test(chunk.toString("latin1").split("\r\n")[0] ?? "")) {
        hits++;
        client.pause();
        setTimeout(() => {
          upstream.write(chunk);
          client.resume();
        }, delayMs);
      } else upstream.write(chunk);
      first = false;
    });
    upstream.pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  return { url: `tcp://127.0.0.1:${port}`, close: () => server.close(), hits: () => hits };
}
