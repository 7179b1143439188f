import { execFileSync } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureLabMaterial, type LabMaterial } from "../../src/pki/index.js";
import { tempDir } from "../helpers/temp-dir.js";

let dir: string;
let m: LabMaterial;
const ssl = (n: string) => path.join(dir, "ssl", n);
const cred = (n: string) => path.join(dir, "credentials", n);
const openssl = (...args: string[]) => execFileSync("openssl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
const mode = (f: string) => statSync(f).mode & 0o777;

beforeAll(async () => {
  dir = tempDir("pki");
  m = await ensureLabMaterial({ sslDir: path.join(dir, "ssl"), credentialsDir: path.join(dir, "credentials") });
});

describe("lab PKI", () => {
  it("issues leaves that `openssl verify` accepts against the lab CA, and a rogue leaf it refuses", () => {
    for (const leaf of ["master", "agent", "scheduler", "zk", "cert"])
      expect(openssl("verify", "-CAfile", ssl("ca.pem"), ssl(`${leaf}.pem`))).toContain(": OK");
    expect(() => openssl("verify", "-CAfile", ssl("ca.pem"), ssl("rogue-agent.pem"))).toThrow();
    expect(openssl("verify", "-CAfile", ssl("rogue-ca.pem"), ssl("rogue-agent.pem"))).toContain(": OK");
  });

  it("puts the role names, localhost and 127.0.0.1 in the SANs, with both extended key usages and RSA 2048", () => {
    const text = openssl("x509", "-in", ssl("agent.pem"), "-noout", "-text");
    expect(text).toMatch(/DNS:agent\b/);
    expect(text).toContain("DNS:localhost");
    expect(text).toContain("DNS:agent-2");
    expect(text).toContain("IP Address:127.0.0.1");
    expect(text).toContain("TLS Web Server Authentication, TLS Web Client Authentication");
    expect(text).toContain("Public-Key: (2048 bit)");
    expect(openssl("x509", "-in", ssl("ca.pem"), "-noout", "-text")).toContain("CA:TRUE");
    const certMod = openssl("x509", "-in", ssl("master.pem"), "-noout", "-modulus");
    const keyMod = openssl("rsa", "-in", ssl("master-key.pem"), "-noout", "-modulus");
    expect(certMod).toBe(keyMod);
  });

  it("writes keys and secrets 0600 in 0700 folders; certificates 0644", () => {
    expect(mode(path.join(dir, "ssl"))).toBe(0o700);
    expect(mode(path.join(dir, "credentials"))).toBe(0o700);
    for (const f of ["ca-key.pem", "master-key.pem", "key.pem", "rogue-ca-key.pem", "rogue-agent-key.pem"]) expect(mode(ssl(f))).toBe(0o600);
    for (const f of ["credentials.json", "credential.json", "wrong-credential.json", "http_credentials.json", "executor_secret_key", "secrets.json"])
      expect(mode(cred(f))).toBe(0o600);
    expect(mode(ssl("ca.pem"))).toBe(0o644);
  });

  it("writes credentials in the Mesos JSON formats with random secrets", () => {
    const all = JSON.parse(readFileSync(cred("credentials.json"), "utf8")) as { credentials: Array<{ principal: string; secret: string }> };
    expect(all.credentials.map((c) => c.principal)).toEqual([
      "agent-principal",
      "scheduler-principal",
      "operator-principal",
      "viewer-principal",
      "service-principal",
    ]);
    const one = JSON.parse(readFileSync(cred("credential.json"), "utf8")) as { principal: string; secret: string };
    expect(one).toEqual({ principal: "agent-principal", secret: m.secretOf("agent-principal") });
    const wrong = JSON.parse(readFileSync(cred("wrong-credential.json"), "utf8")) as { secret: string };
    expect(wrong.secret).not.toBe(one.secret);
    expect(m.secretOf("scheduler-principal")).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(m.secretOf("scheduler-principal")).not.toBe("scheduler-secret");
    expect(m.secrets()).toContain(m.secretOf("operator-principal"));
    expect(m.secrets()).toContain(wrong.secret);
    expect(() => m.secretOf("nobody")).toThrow(/no credential/);
    expect(() => m.read("ssl/../../etc/passwd")).toThrow(/no lab material/);
  });

  it("makes the lab registry's material: a token issuer the lab CA signed, the accounts, and one Docker config per account (0600)", () => {
    expect(openssl("verify", "-CAfile", ssl("ca.pem"), ssl("token-issuer.pem"))).toContain(": OK");
    expect(mode(ssl("token-issuer-key.pem"))).toBe(0o600);
    const accounts = JSON.parse(readFileSync(cred("registry-accounts.json"), "utf8")) as Record<string, string>;
    expect(Object.keys(accounts)).toEqual(["cainiao", "alipay", "ci"]);
    for (const [account, secret] of Object.entries(accounts)) {
      expect(secret).toBe(m.secretOf(account));
      const file = cred(`docker-config-${account}.json`);
      expect(mode(file)).toBe(0o600);
      const auths = (JSON.parse(readFileSync(file, "utf8")) as { auths: Record<string, { auth: string }> }).auths;
      // Mesos matches the auths key against the image's registry host:port (src/uri/fetchers/docker.cpp:402-428)
      expect(Object.keys(auths)).toEqual(["registry:5000", "127.0.0.1:5000"]);
      expect(Buffer.from(auths["registry:5000"]!.auth, "base64").toString()).toBe(`${account}:${secret}`);
      // the agent prints its --docker_config: reports must hide the base64 form too
      expect(m.secrets()).toContain(auths["registry:5000"]!.auth);
    }
    expect(mode(cred("registry-accounts.json"))).toBe(0o600);
    // not Mesos principals: the Mesos credentials files do not list them
    expect(readFileSync(cred("credentials.json"), "utf8")).not.toContain("cainiao");
  });

  it("material made before the lab registry gets its accounts added, and keeps its other secrets", async () => {
    const old = tempDir("pki-old");
    const first = await ensureLabMaterial({ sslDir: path.join(old, "ssl"), credentialsDir: path.join(old, "credentials") });
    const secrets = JSON.parse(readFileSync(path.join(old, "credentials", "secrets.json"), "utf8")) as Record<string, string>;
    for (const a of ["cainiao", "alipay", "ci"]) delete secrets[a];
    writeFileSync(path.join(old, "credentials", "secrets.json"), JSON.stringify(secrets));
    const again = await ensureLabMaterial({ sslDir: path.join(old, "ssl"), credentialsDir: path.join(old, "credentials") });
    expect(again.secretOf("operator-principal")).toBe(first.secretOf("operator-principal"));
    expect(again.secretOf("cainiao")).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const auths = (JSON.parse(readFileSync(path.join(old, "credentials", "docker-config-cainiao.json"), "utf8")) as { auths: Record<string, { auth: string }> })
      .auths;
    expect(Buffer.from(auths["registry:5000"]!.auth, "base64").toString(), "the Docker config holds the new secret").toBe(
      `cainiao:${again.secretOf("cainiao")}`,
    );
    expect(JSON.parse(readFileSync(path.join(old, "credentials", "registry-accounts.json"), "utf8"))).toMatchObject({ cainiao: again.secretOf("cainiao") });
    expect(mode(path.join(old, "credentials", "secrets.json"))).toBe(0o600);
  });

  it("is idempotent; --force regenerates", async () => {
    const before = readFileSync(ssl("ca.pem"), "utf8");
    const again = await ensureLabMaterial({ sslDir: path.join(dir, "ssl"), credentialsDir: path.join(dir, "credentials") });
    expect(readFileSync(ssl("ca.pem"), "utf8")).toBe(before);
    expect(again.secretOf("agent-principal")).toBe(m.secretOf("agent-principal"));
    const d2 = tempDir("pki-force");
    const a = await ensureLabMaterial({ sslDir: path.join(d2, "ssl"), credentialsDir: path.join(d2, "c") });
    const caA = readFileSync(path.join(d2, "ssl", "ca.pem"), "utf8");
    const b = await ensureLabMaterial({ sslDir: path.join(d2, "ssl"), credentialsDir: path.join(d2, "c"), force: true });
    expect(readFileSync(path.join(d2, "ssl", "ca.pem"), "utf8")).not.toBe(caA);
    expect(b.secretOf("agent-principal")).not.toBe(a.secretOf("agent-principal"));
    expect(openssl("verify", "-CAfile", path.join(d2, "ssl", "ca.pem"), path.join(d2, "ssl", "master.pem"))).toContain(": OK");
  });

  it("issues per-network leaves with the network's IPs, cached on disk", async () => {
    const t0 = Date.now();
    const leaves = await m.issueForNetwork({ master: "10.213.9.3", agent: "10.213.9.4", scheduler: "10.213.9.20", zk: "10.213.9.2" });
    const cold = Date.now() - t0;
    const f = path.join(dir, "net-master.pem");
    writeFileSync(f, leaves.get("ssl/master.pem")!);
    const text = openssl("x509", "-in", f, "-noout", "-ext", "subjectAltName");
    expect(text).toContain("IP Address:10.213.9.3");
    expect(text).toContain("IP Address:127.0.0.1");
    expect(openssl("verify", "-CAfile", ssl("ca.pem"), f)).toContain(": OK");
    // the executors' leaf speaks from the agent's address, under a name of its own (not the agent's key)
    const e = path.join(dir, "net-executor.pem");
    writeFileSync(e, leaves.get("ssl/executor.pem")!);
    expect(openssl("x509", "-in", e, "-noout", "-ext", "subjectAltName")).toContain("IP Address:10.213.9.4");
    expect(openssl("x509", "-in", e, "-noout", "-subject")).toMatch(/CN\s*=\s*executor/);
    expect(openssl("verify", "-CAfile", ssl("ca.pem"), e)).toContain(": OK");
    expect(leaves.get("ssl/executor-key.pem")!.equals(leaves.get("ssl/agent-key.pem")!)).toBe(false);
    // a network's leaf certifies the lab's own key of that identity: no new key per network
    for (const k of ["master-key.pem", "executor-key.pem", "key.pem", "rogue-agent-key.pem"])
      expect(leaves.get(`ssl/${k}`)!.equals(m.read(`ssl/${k}`))).toBe(true);
    expect(openssl("x509", "-in", f, "-noout", "-modulus")).toBe(openssl("rsa", "-in", ssl("master-key.pem"), "-noout", "-modulus"));
    const t1 = Date.now();
    const again = await m.issueForNetwork({ master: "10.213.9.3", agent: "10.213.9.4", scheduler: "10.213.9.20", zk: "10.213.9.2" });
    const warm = Date.now() - t1;
    expect(again.get("ssl/master.pem")!.equals(leaves.get("ssl/master.pem")!)).toBe(true);
    expect(warm).toBeLessThan(cold);
  });

  it("a real TLS handshake: lab leaves pass mutual TLS, a rogue client is refused, a rogue CA rejects the server", async () => {
    const server = https.createServer(
      { cert: m.read("ssl/master.pem"), key: m.read("ssl/master-key.pem"), ca: m.read("ssl/ca.pem"), requestCert: true, rejectUnauthorized: true },
      (_q, r) => r.end("ok"),
    );
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    const get = (o: https.RequestOptions) =>
      new Promise<string>((resolve, reject) => {
        const req = https.request({ host: "127.0.0.1", port, servername: "localhost", ...o }, (res) => {
          let b = "";
          res.on("data", (c) => (b += c));
          res.on("end", () => resolve(b));
        });
        req.on("error", reject);
        req.end();
      });
    try {
      expect(await get({ ca: m.read("ssl/ca.pem"), cert: m.read("ssl/scheduler.pem"), key: m.read("ssl/scheduler-key.pem") })).toBe("ok");
      await expect(get({ ca: m.read("ssl/ca.pem"), cert: m.read("ssl/rogue-agent.pem"), key: m.read("ssl/rogue-agent-key.pem") })).rejects.toThrow();
      await expect(get({ ca: m.read("ssl/rogue-ca.pem"), cert: m.read("ssl/scheduler.pem"), key: m.read("ssl/scheduler-key.pem") })).rejects.toThrow(
        /self-signed|unable to verify|certificate/i,
      );
    } finally {
      server.close();
    }
  });
});
