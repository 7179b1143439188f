import net from "node:net";

/**
 * A TCP front for the local Docker socket that holds back requests matching `slow` for `delayMs`: a real, slow
 * engine, so a test can interrupt mesos-lab while it waits on the image check.
 */
export async function slowDockerProxy(slow: RegExp, delayMs: number): Promise<{ url: string; close: () => void; hits: () => number }> {
  let hits = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect("/var/run/docker.sock");
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
