import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCa, issueLeaf } from "../../src/pki/index.js";
import { makeLabImage, MANIFEST_V2, pushImage } from "../../src/registry/push.js";
import { registryConfig, REGISTRY_SERVICE, TOKEN_ISSUER } from "../../src/registry/roles.js";
import { basicCredential, grantedAccess, issueToken, parseScope, startTokenService } from "../../src/registry/token-service.js";
import { freePort, REGISTRY_BIN, registryAnswers, registryAvailable } from "../helpers/registry.js";
import { tempDir } from "../helpers/temp-dir.js";

/**
 * The lab registry's token protocol against the real thing: Debian's docker-registry (distribution 2.8) configured
 * exactly as the lab's registry container is (registryConfig), and the token service the `tokens` container runs.
 * The registry checks each token's signature against the CA and each request against the token's access.
 */

const GRANTS = { ci: { "*/*": ["pull", "push"] }, cainiao: { "cainiao/*": ["pull"] }, alipay: { "alipay/*": ["pull"] } };
const SECRETS = { ci: "ci-secret-1234", cainiao: "cainiao-secret-1234", alipay: "alipay-secret-1234" };

describe("scopes and grants", () => {
  it("parses a scope, and refuses what is not one", () => {
    expect(parseScope("repository:cainiao/a1:pull,push")).toEqual({ type: "repository", name: "cainiao/a1", actions: ["pull", "push"] });
    expect(parseScope("repository:cainiao/a1")).toBeUndefined();
    expect(parseScope("repository:a b:pull")).toBeUndefined();
  });

  it("grants only the actions a pattern of the account allows: `*` stays within one path segment", () => {
    const want = (name: string) => [{ type: "repository", name, actions: ["pull", "push"] }];
    expect(grantedAccess(GRANTS.cainiao, want("cainiao/a1"))[0]!.actions).toEqual(["pull"]);
    expect(grantedAccess(GRANTS.cainiao, want("alipay/a1"))[0]!.actions).toEqual([]);
    expect(grantedAccess(GRANTS.cainiao, want("cainiao/team/a1"))[0]!.actions, "cainiao/* is not cainiao/**").toEqual([]);
    expect(grantedAccess(GRANTS.ci, want("alipay/a1"))[0]!.actions).toEqual(["pull", "push"]);
    expect(grantedAccess(undefined, want("alipay/a1"))[0]!.actions).toEqual([]);
  });

  it("reads a Basic credential, and only a well-formed one", () => {
    expect(basicCredential(`Basic ${Buffer.from("cainiao:a:b").toString("base64")}`)).toEqual({ account: "cainiao", secret: "a:b" });
    expect(basicCredential(`Bearer x`)).toBeUndefined();
    expect(basicCredential(`Basic ${Buffer.from("nocolon").toString("base64")}`)).toBeUndefined();
  });
});

describe.runIf(registryAvailable())("the token service with a real distribution registry", () => {
  const ca = createCa("test CA");
  const issuer = issueLeaf(ca, { commonName: "token issuer", dnsNames: ["tokens"], ips: [] });
  let registry: ChildProcess;
  let tokens: ReturnType<typeof startTokenService>;
  let reg = "";
  let tokenUrl = "";
  const lines: string[] = [];

  beforeAll(async () => {
    const dir = tempDir("registry-tokens");
    const f = (name: string, content: string) => {
      writeFileSync(path.join(dir, name), content, { mode: 0o600 });
      return path.join(dir, name);
    };
    tokens = startTokenService(
      {
        port: 0,
        issuer: TOKEN_ISSUER,
        service: REGISTRY_SERVICE,
        keyFile: f("key.pem", issuer.keyPem),
        certFile: f("cert.pem", issuer.certPem),
        accountsFile: f("accounts.json", JSON.stringify(SECRETS)),
        grantsFile: f("grants.json", JSON.stringify(GRANTS)),
      },
      (l) => lines.push(l),
    );
    await new Promise((r) => tokens.once("listening", r));
    tokenUrl = `http://127.0.0.1:${(tokens.address() as AddressInfo).port}/token`;
    const port = await freePort();
    const config = registryConfig({ realm: tokenUrl, secret: "test" })
      .replace("addr: :5000", `addr: 127.0.0.1:${port}`)
      .replace("/var/lib/registry", path.join(dir, "data"))
      .replace("/etc/mesos-lab/token-ca.pem", f("ca.pem", ca.certPem));
    registry = spawn(REGISTRY_BIN, ["serve", f("registry.yml", config)], { stdio: "ignore" });
    reg = `http://127.0.0.1:${port}`;
    // behind the token service, /v2/ asks for a token
    await registryAnswers(reg, 401, registry);
  });

  afterAll(() => {
    registry?.kill("SIGKILL");
    tokens?.close();
  });

  const token = async (account: string | undefined, scope: string, secret?: string) => {
    const headers: Record<string, string> = account
      ? { Authorization: `Basic ${Buffer.from(`${account}:${secret ?? SECRETS[account as keyof typeof SECRETS]}`).toString("base64")}` }
      : {};
    return fetch(`${tokenUrl}?service=${REGISTRY_SERVICE}&scope=${encodeURIComponent(scope)}`, { headers });
  };
  const manifest = (repo: string, bearer: string) =>
    fetch(`${reg}/v2/${repo}/manifests/v0.1`, { headers: { Authorization: `Bearer ${bearer}`, Accept: MANIFEST_V2 } });

  it("the build machine pushes with its account, and the registry keeps the image", async () => {
    for (const ref of ["cainiao/a1:v0.1", "alipay/a1:v0.1"]) {
      const image = await makeLabImage(ref);
      const r = await pushImage(image, { registry: reg, tokenUrl, service: REGISTRY_SERVICE, account: "ci", secret: SECRETS.ci, timeoutMs: 10_000 });
      expect(r.status).toBe(201);
      expect(r.headers["docker-content-digest"]).toBe(image.digest);
    }
    // pushed again: every blob is there already, the manifest is stored again
    expect(
      (
        await pushImage(await makeLabImage("cainiao/a1:v0.1"), {
          registry: reg,
          tokenUrl,
          service: REGISTRY_SERVICE,
          account: "ci",
          secret: SECRETS.ci,
          timeoutMs: 10_000,
        })
      ).status,
    ).toBe(201);
  });

  it("cainiao's token pulls cainiao/a1; for alipay/a1 its token allows nothing and the registry answers insufficient_scope", async () => {
    const own = (await (await token("cainiao", "repository:cainiao/a1:pull")).json()) as { token: string };
    const ok = await manifest("cainiao/a1", own.token);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("docker-content-digest")).toBe((await makeLabImage("cainiao/a1:v0.1")).digest);

    const other = await token("cainiao", "repository:alipay/a1:pull");
    expect(other.status, "the token service issues a token, with no access").toBe(200);
    const refused = await manifest("alipay/a1", ((await other.json()) as { token: string }).token);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    expect(lines).toContain("token-service: account 'cainiao' asked for repository:alipay/a1:pull; granted repository:alipay/a1:(nothing)");
  });

  it("no credential, a wrong secret or an unknown account gets no token", async () => {
    for (const [account, secret] of [
      [undefined, undefined],
      ["cainiao", "wrong"],
      ["nobody", "x"],
    ] as const) {
      const r = await token(account, "repository:cainiao/a1:pull", secret);
      expect(r.status, `${account ?? "anonymous"}`).toBe(401);
      expect(((await r.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe("UNAUTHORIZED");
    }
    expect(lines).toContain("token-service: 401 for repository:cainiao/a1:pull: no credential (anonymous pulls are not allowed)");
    expect(lines).toContain("token-service: 401 for repository:cainiao/a1:pull: invalid credential for account 'cainiao'");
  });

  it("the registry verifies the signature: a token with the right claims from another key is refused", async () => {
    const rogueCa = createCa("rogue CA");
    const rogue = issueLeaf(rogueCa, { commonName: "token issuer", dnsNames: ["tokens"], ips: [] });
    // cainiao's pull of alipay/a1, signed with the key given
    const signedBy = ({ keyPem, certPem }: { keyPem: string; certPem: string }) =>
      issueToken({
        issuer: TOKEN_ISSUER,
        audience: REGISTRY_SERVICE,
        subject: "cainiao",
        access: [{ type: "repository", name: "alipay/a1", actions: ["pull"] }],
        ttl: 300,
        keyPem,
        certPem,
      });
    const forged = signedBy(rogue);
    const r = await manifest("alipay/a1", forged);
    expect(r.status).toBe(401);
    expect(r.headers.get("www-authenticate")).toContain('error="invalid_token"');
    // and the same claims signed with the lab issuer's key pass: the refusal is the signature's
    const genuine = signedBy(issuer);
    expect((await manifest("alipay/a1", genuine)).status).toBe(200);
  });
});
