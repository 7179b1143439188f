import net from "node:net";

/** True when something on this machine already listens on 127.0.0.1:port. */
export function localPortInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(true));
    srv.listen({ port, host: "127.0.0.1", exclusive: true }, () => srv.close(() => resolve(false)));
  });
}
