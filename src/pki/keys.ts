import { generateKeyPairSync, randomBytes } from "node:crypto";
import forge from "node-forge";

export interface Pem {
  certPem: string;
  keyPem: string;
}

/** RSA 2048: Mesos 1.4's default cipher list has only RSA-authenticated suites, so no ECDSA here. */
export function rsaKeyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; keyPem: string } {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, publicExponent: 0x10001 });
  return keyPairOf(privateKey.export({ type: "pkcs8", format: "pem" }).toString());
}

/** An RSA key pair from its private key's PEM. */
export function keyPairOf(keyPem: string): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; keyPem: string } {
  const fk = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  return { privateKey: fk, publicKey: forge.pki.setRsaPublicKey(fk.n, fk.e), keyPem };
}

/** A positive 16-byte serial (the top bit cleared so DER does not read it as negative). */
export function serial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString("hex");
}
