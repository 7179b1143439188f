import net from "node:net";
import forge from "node-forge";
import { keyPairOf, rsaKeyPair, serial, type Pem } from "./keys.js";

const DAY = 86_400_000;

function base(cn: string, days: number, publicKey: forge.pki.PublicKey): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serial();
  // a little back-dating absorbs clock skew between the host and the containers
  cert.validity.notBefore = new Date(Date.now() - DAY);
  cert.validity.notAfter = new Date(Date.now() + days * DAY);
  cert.setSubject([
    { name: "commonName", value: cn },
    { name: "organizationName", value: "mesos-lab" },
  ]);
  return cert;
}

export function createCa(commonName: string, days = 3650): Pem {
  const k = rsaKeyPair();
  const cert = base(commonName, days, k.publicKey);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  cert.sign(k.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: k.keyPem };
}

export interface LeafOptions {
  commonName: string;
  dnsNames: string[];
  ips: string[];
  days?: number;
}

/**
 * A leaf for a Mesos process: libprocess peers are both TLS servers and clients, so both extended key usages. `keyPem`:
 * the key to certify, kept from an earlier leaf of the same identity; otherwise a new one.
 */
export function issueLeaf(ca: Pem, o: LeafOptions, keyPem?: string): Pem {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const k = keyPem ? keyPairOf(keyPem) : rsaKeyPair();
  const cert = base(o.commonName, o.days ?? 825, k.publicKey);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = [
    ...[...new Set(o.dnsNames)].map((value) => ({ type: 2, value })),
    ...[...new Set(o.ips)].filter((ip) => net.isIP(ip)).map((ip) => ({ type: 7, ip })),
  ];
  const caSki = (caCert.getExtension("subjectKeyIdentifier") as { subjectKeyIdentifier?: string } | null)?.subjectKeyIdentifier;
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true, clientAuth: true },
    { name: "subjectAltName", altNames },
    { name: "subjectKeyIdentifier" },
    ...(caSki ? [{ name: "authorityKeyIdentifier", keyIdentifier: forge.util.hexToBytes(caSki) }] : []),
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: k.keyPem };
}
