/** What the engine needs from the lab material (src/pki): file contents by name, secrets, and per-network leaves. */
export interface Material {
  read(name: string): Buffer;
  secretOf(principal: string): string;
  /** Every secret value, so reports can redact them. */
  secrets(): string[];
  issueForNetwork(ips: Partial<Record<"master" | "agent" | "scheduler" | "zk", string>> & { agents?: string[] }): Promise<Map<string, Buffer>>;
}
