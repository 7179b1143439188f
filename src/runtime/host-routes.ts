import { readFileSync } from "node:fs";

/**
 * The IPv4 networks this host routes to an interface (Linux /proc/net/route), as [address, mask] pairs. Another
 * engine's bridges (Podman's, whose networks Docker does not see, or a VPN) live here; a lab network on one of those
 * subnets would be unreachable from the host, so the subnet search skips them. Empty where the file is not readable.
 */
export function hostRoutes(file = "/proc/net/route"): Array<[number, number]> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  // the table holds each address in the host's byte order (little-endian on the machines Docker runs on)
  const le = (hex: string) => (Buffer.from(hex, "hex").readUInt32LE(0) >>> 0) as number;
  return text
    .split("\n")
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 8 && /^[0-9A-F]{8}$/i.test(f[1]!) && /^[0-9A-F]{8}$/i.test(f[7]!))
    .map((f): [number, number] => [le(f[1]!), le(f[7]!)])
    .filter(([, mask]) => mask !== 0);
}

function ipv4(a: string): number {
  return a.split(".").reduce((n, o) => ((n << 8) | Number(o)) >>> 0, 0);
}

/** True when the /24 `subnet` (e.g. 10.213.7.0/24) shares addresses with any of `routes`. */
export function overlapsRoutes(subnet: string, routes: Array<[number, number]>): boolean {
  const net = ipv4(subnet.split("/")[0]!);
  const mask24 = 0xffffff00;
  return routes.some(([dest, mask]) => {
    const common = (mask & mask24) >>> 0;
    return (net & common) >>> 0 === (dest & common) >>> 0;
  });
}
