// libprocess TLS from LIBPROCESS_SSL_* (deprecated SSL_* too), with 1.4 and 1.11 semantics and startup lines.
// Real OpenSSL via node:tls: cert/key/CA files are loaded and verified, so broken material really breaks.
import crypto from "node:crypto";
import dns from "node:dns/promises";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import tls from "node:tls";
import { FlagError, is111, parseBool, TABLES } from "./flags.mjs";
import * as glog from "./glog.mjs";

/** The running profile's libprocess SSL settings (src/model/profiles/, LIBPROCESS_SSL_X as `x`); others are ignored. */
const KNOWN = new Set(TABLES.sslKeys);

function readEnv(env) {
  const deprecated = {};
  const current = {};
  for (const [k, v] of Object.entries(env)) {
    let m;
    if ((m = /^LIBPROCESS_SSL_(.+)$/.exec(k))) current[m[1].toLowerCase()] = v;
    else if ((m = /^SSL_(.+)$/.exec(k))) deprecated[m[1].toLowerCase()] = v;
  }
  const out = {};
  for (const [k, v] of Object.entries({ ...deprecated, ...current })) if (KNOWN.has(k)) out[k] = v;
  return out;
}

/** @typedef {ReturnType<typeof initSsl>} Ssl the SSL config and key material of one process */
/** @typedef {NodeJS.ErrnoException & { stage?: string, text?: string }} ConnectError a failed request; `text` is libprocess' reason */

/** The SSL view of one process, from its own environment only (that is why executors need the env passed on). */
export function sslConfig(env = process.env) {
  const e = readEnv(env);
  const b = (k, d = false) => (e[k] === undefined ? d : parseBool(e[k], k));
  const cfg = {
    enabled: b("enabled"),
    downgrade: b("support_downgrade"),
    certFile: e.cert_file,
    keyFile: e.key_file,
    caFile: e.ca_file,
    caDir: e.ca_dir,
    verifyIpadd: b("verify_ipadd"),
    scheme: is111 ? (e.hostname_validation_scheme ?? "legacy") : "legacy",
    tls13: is111 && b("enable_tls_v1_3"),
    tls10: b("enable_tls_v1_0"),
    tls11: b("enable_tls_v1_1"),
    tls12: b("enable_tls_v1_2", true),
    legacyRequire: b("require_cert"),
    legacyVerify: b("verify_cert"),
  };
  if (is111) {
    cfg.requireClient = b("require_client_cert") || cfg.legacyRequire;
    cfg.verifyServer = b("verify_server_cert") || cfg.legacyVerify || cfg.legacyRequire;
    cfg.verifyIfPresented = cfg.requireClient;
  } else {
    cfg.requireClient = cfg.legacyRequire;
    cfg.verifyServer = cfg.legacyVerify || cfg.legacyRequire;
    cfg.verifyIfPresented = cfg.verifyServer;
  }
  const versions = [cfg.tls10 && "TLSv1", cfg.tls11 && "TLSv1.1", cfg.tls12 && "TLSv1.2", cfg.tls13 && "TLSv1.3"].filter(Boolean);
  cfg.minVersion = versions[0] ?? "TLSv1.2";
  cfg.maxVersion = versions.at(-1) ?? "TLSv1.2";
  return cfg;
}

function loadCa(cfg) {
  const cas = [];
  if (cfg.caFile) cas.push(fs.readFileSync(cfg.caFile, "utf8"));
  if (cfg.caDir)
    for (const f of fs.readdirSync(cfg.caDir)) {
      const p = path.join(cfg.caDir, f);
      if (fs.statSync(p).isFile()) cas.push(fs.readFileSync(p, "utf8"));
    }
  return cas.length ? cas : undefined;
}

const fl = (l14, l111) => `openssl.cpp:${is111 ? l111 : l14}`;

/**
 * Logs libprocess' SSL initialisation lines (these come before glog is initialised, so they are stderr-only) and
 * loads the key material. Misconfiguration ends the process the way openssl.cpp does.
 */
export function initSsl(env = process.env) {
  let cfg;
  try {
    cfg = sslConfig(env);
  } catch (e) {
    if (e instanceof FlagError)
      glog.exit(fl(432, 520), 1, `Failed to load flags from environment variables prefixed by LIBPROCESS_SSL_ or SSL_ (deprecated): ${e.message}`);
    throw e;
  }
  if (!cfg.enabled) return { cfg, mat: null };
  if (is111) {
    if (!cfg.keyFile) glog.exit("openssl.cpp:575", 1, "SSL requires key! NOTE: Set path with LIBPROCESS_SSL_KEY_FILE");
    if (!cfg.certFile) glog.exit("openssl.cpp:580", 1, "SSL requires certificate! NOTE: Set path with LIBPROCESS_SSL_CERT_FILE");
    if (cfg.downgrade) glog.warn("openssl.cpp:569", "Failed SSL connections will be downgraded to a non-SSL socket");
    if (!cfg.caFile) glog.info("openssl.cpp:594", "CA file path is unspecified! NOTE: Set CA file path with LIBPROCESS_SSL_CA_FILE=<filepath>");
    if (!cfg.caDir) glog.info("openssl.cpp:599", "CA directory path unspecified! NOTE: Set CA directory path with LIBPROCESS_SSL_CA_DIR=<dirpath>");
    if (cfg.requireClient) glog.info("openssl.cpp:604", "Will require client certificates for incoming TLS connections.");
    if (cfg.verifyServer) glog.info("openssl.cpp:642", "Will verify server certificates for outgoing TLS connections.");
    else
      glog.info(
        "openssl.cpp:645",
        "Will not verify server certificates!\nNOTE: Set LIBPROCESS_SSL_VERIFY_SERVER_CERT=1 to enable peer certificate verification",
      );
    glog.info("openssl.cpp:663", `Using '${cfg.scheme}' scheme for hostname validation`);
    if (cfg.caFile) glog.info("openssl.cpp:688", `Using CA file: ${cfg.caFile}`);
  } else {
    if (cfg.legacyRequire && !cfg.legacyVerify)
      glog.info("openssl.cpp:466", "LIBPROCESS_SSL_REQUIRE_CERT implies peer certificate verification.\nLIBPROCESS_SSL_VERIFY_CERT set to true");
    if (cfg.downgrade) glog.warn("openssl.cpp:476", "Failed SSL connections will be downgraded to a non-SSL socket");
    if (!cfg.keyFile) glog.exit("openssl.cpp:482", 1, "SSL requires key! NOTE: Set path with LIBPROCESS_SSL_KEY_FILE");
    if (!cfg.certFile) glog.exit("openssl.cpp:487", 1, "SSL requires certificate! NOTE: Set path with LIBPROCESS_SSL_CERT_FILE");
    if (!cfg.caFile) glog.info("openssl.cpp:493", "CA file path is unspecified! NOTE: Set CA file path with LIBPROCESS_SSL_CA_FILE=<filepath>");
    if (!cfg.caDir) glog.info("openssl.cpp:498", "CA directory path unspecified! NOTE: Set CA directory path with LIBPROCESS_SSL_CA_DIR=<dirpath>");
    if (!cfg.verifyServer)
      glog.info("openssl.cpp:503", "Will not verify peer certificate!\nNOTE: Set LIBPROCESS_SSL_VERIFY_CERT=1 to enable peer certificate verification");
    if (!cfg.requireClient)
      glog.info(
        "openssl.cpp:509",
        "Will only verify peer certificate if presented!\nNOTE: Set LIBPROCESS_SSL_REQUIRE_CERT=1 to require peer certificate verification",
      );
    if (cfg.verifyServer && !cfg.caFile && !cfg.caDir)
      glog.info("openssl.cpp:527", "Using default CA file '/usr/lib/ssl/cert.pem' and/or directory '/usr/lib/ssl/certs'");
  }
  const mat = {};
  try {
    mat.ca = loadCa(cfg);
  } catch (e) {
    glog.exit(
      fl(540, 697),
      1,
      `Could not load CA file and/or directory (OpenSSL error #33558530): error:02001002:system library:fopen:${e.code === "ENOENT" ? "No such file or directory" : e.message}`,
    );
  }
  try {
    mat.cert = fs.readFileSync(cfg.certFile, "utf8");
    new crypto.X509Certificate(mat.cert);
  } catch (e) {
    glog.exit(
      fl(561, 718),
      1,
      `Could not load cert file '${cfg.certFile}' (OpenSSL error #${e.code === "ENOENT" ? "33558530): error:02001002:system library:fopen:No such file or directory" : "151584876): error:0906D06C:PEM routines:PEM_read_bio:no start line"}`,
    );
  }
  try {
    mat.key = fs.readFileSync(cfg.keyFile, "utf8");
    crypto.createPrivateKey(mat.key);
  } catch (e) {
    glog.exit(
      fl(571, 728),
      1,
      `Could not load key file '${cfg.keyFile}' (OpenSSL error #${e.code === "ENOENT" ? "33558530): error:02001002:system library:fopen:No such file or directory" : "151584876): error:0906D06C:PEM routines:PEM_read_bio:no start line"}`,
    );
  }
  if (!new crypto.X509Certificate(mat.cert).checkPrivateKey(crypto.createPrivateKey(mat.key))) {
    glog.exit(
      fl(580, 737),
      1,
      "Private key does not match the certificate public key (OpenSSL error #185073780): error:0B080074:x509 certificate routines:X509_check_private_key:key values mismatch",
    );
  }
  return { cfg, mat };
}

export function serverOptions(ssl) {
  const { cfg, mat } = ssl;
  return {
    cert: mat.cert,
    key: mat.key,
    ca: mat.ca,
    requestCert: cfg.requireClient || cfg.verifyIfPresented,
    rejectUnauthorized: cfg.requireClient,
    minVersion: cfg.minVersion,
    maxVersion: cfg.maxVersion,
  };
}

const OPENSSL_10 = {
  "http request": "error:1407609C:SSL routines:SSL23_GET_CLIENT_HELLO:http request",
  "wrong version number": "error:140760FC:SSL routines:SSL23_GET_CLIENT_HELLO:unknown protocol",
  "unknown protocol": "error:140760FC:SSL routines:SSL23_GET_CLIENT_HELLO:unknown protocol",
  "peer did not return a certificate": "error:140890C7:SSL routines:SSL3_GET_CLIENT_CERTIFICATE:peer did not return a certificate",
  "certificate verify failed": "error:14089086:SSL routines:SSL3_GET_CLIENT_CERTIFICATE:certificate verify failed",
  "tlsv1 alert unknown ca": "error:14094418:SSL routines:SSL3_READ_BYTES:tlsv1 alert unknown ca",
  "sslv3 alert handshake failure": "error:14094410:SSL routines:SSL3_READ_BYTES:sslv3 alert handshake failure",
  "no shared cipher": "error:1408A0C1:SSL routines:SSL3_GET_CLIENT_HELLO:no shared cipher",
  "unsupported protocol": "error:1408A10B:SSL routines:SSL3_GET_CLIENT_HELLO:wrong version number",
};

const ERRNO_TEXT = {
  ECONNRESET: "Connection reset by peer",
  EPIPE: "Broken pipe",
  ECONNREFUSED: "Connection refused",
  ETIMEDOUT: "Connection timed out",
  EHOSTUNREACH: "No route to host",
  ENETUNREACH: "Network is unreachable",
};

/** OpenSSL error text in the style of the profile's OpenSSL (1.0.x for the 1.4 images, 3.x for 1.11). */
export function opensslText(err) {
  const m = /error:([0-9A-F]{8}):([^:]*):[^:]*:([^:\n]+)/.exec(err?.message ?? "");
  if (!m) return ERRNO_TEXT[err?.code] ?? err?.message ?? String(err);
  if (is111) return `error:${m[1]}:${m[2]}::${m[3]}`;
  return OPENSSL_10[m[3]] ?? `error:00000000:lib(0):func(0):${m[3]}`;
}

export const peerOf = (sock) => `${String(sock?.remoteAddress ?? "unknown").replace(/^::ffff:/, "")}:${sock?.remotePort ?? 0}`;

/** The line libprocess logs when an incoming TLS handshake fails (e.g. a plaintext peer). */
export function logAcceptFailure(err, sock) {
  // Node verifies client certificates after the handshake and just drops the socket; say what OpenSSL would say.
  if (sock?.authorizationError && (err?.code === "ECONNRESET" || !err?.message?.includes("error:")))
    err = new Error("error:0A000086:SSL routines:tls_process_client_certificate:certificate verify failed");
  const peer = sock?._parent?.standinPeer ?? peerOf(sock?._parent ?? sock);
  if (is111) glog.warn("process.cpp:911", `Failed to accept socket: Failed to complete SSL connection for ${peer}: ${opensslText(err)}`);
  else glog.info("process.cpp:1068", `Failed to accept socket: Failed accept: connection error: ${opensslText(err)}`);
}

function certNames(cert) {
  const alt = cert?.subjectaltname ?? "";
  const dnsNames = [...alt.matchAll(/DNS:([^,\s]+)/g)].map((m) => m[1]);
  const ips = [...alt.matchAll(/IP Address:([^,\s]+)/g)].map((m) => m[1]);
  return { dnsNames, ips, cn: cert?.subject?.CN };
}

/** Post-handshake peer verification as libprocess' `openssl::verify` does it for outgoing connections. */
async function verifyServer(cfg, sock, host) {
  if (!sock.authorized) throw new Error(`Failed connect: certificate verify failed: ${sock.authorizationError}`);
  const cert = sock.getPeerCertificate();
  const { dnsNames, ips, cn } = certNames(cert);
  if (net.isIP(host)) {
    if (cfg.verifyIpadd && ips.includes(host)) return;
    if (cfg.scheme === "openssl") throw new Error("Failed connect: certificate verify failed: IP address mismatch");
    let names = [];
    try {
      names = await dns.reverse(host);
    } catch {
      /* no PTR record: only the IP can match */
    }
    for (const n of names) if (!tls.checkServerIdentity(n.replace(/\.$/, ""), cert)) return;
    throw new Error(`Failed connect: Presented Certificate Name: ${dnsNames[0] ?? cn ?? "<none>"} does not match peer hostname name: ${names[0] ?? host}`);
  }
  if (!tls.checkServerIdentity(host, cert)) return;
  throw new Error(`Failed connect: Presented Certificate Name: ${dnsNames[0] ?? cn ?? "<none>"} does not match peer hostname name: ${host}`);
}

/**
 * An http.request `createConnection` that speaks TLS iff this process has SSL enabled, presents this process'
 * certificate as client certificate and verifies the server before a single request byte is sent.
 */
export function connector(ssl) {
  return (opts, cb) => {
    const host = opts.host ?? opts.hostname;
    const port = opts.port;
    if (!ssl?.cfg.enabled) {
      const s = net.connect({ host, port });
      let up = false;
      s.once("connect", () => {
        up = true;
        cb(null, s);
      });
      s.once(
        "error",
        /** @param {NodeJS.ErrnoException} e */ (e) => {
          if (!up) cb(Object.assign(e, { stage: "connect", text: `Failed to connect to ${host}:${port}: ${ERRNO_TEXT[e.code] ?? e.message}` }));
        },
      );
      return undefined;
    }
    const { cfg, mat } = ssl;
    if (cfg.verifyServer && cfg.scheme === "openssl" && net.isIP(host) && !cfg.verifyIpadd) {
      /** @type {ConnectError} */
      const e = new Error("Failed to configure socket: No DNS name given and IP address verification is  disabled. I cannot work like this :(");
      e.stage = "connect";
      e.text = e.message;
      process.nextTick(() => cb(e));
      return undefined;
    }
    const s = tls.connect({
      host,
      port,
      cert: mat.cert,
      key: mat.key,
      ca: mat.ca,
      rejectUnauthorized: false,
      servername: net.isIP(host) ? undefined : host,
      minVersion: cfg.minVersion,
      maxVersion: cfg.maxVersion,
      checkServerIdentity: () => undefined,
    });
    let done = false;
    s.once("secureConnect", () => {
      if (!cfg.verifyServer) {
        done = true;
        return cb(null, s);
      }
      verifyServer(cfg, s, host).then(
        () => {
          done = true;
          cb(null, s);
        },
        (e) => {
          done = true;
          s.destroy();
          cb(Object.assign(e, { stage: "connect", text: e.message }));
        },
      );
    });
    s.once("error", (e) => {
      if (!done) {
        done = true;
        // A handshake the server refused or cut looks the same to libprocess: the connection closed.
        const text = e.code === "ECONNREFUSED" ? `Failed to connect to ${host}:${port}: Connection refused` : "Failed connect: connection closed";
        cb(Object.assign(e, { stage: "connect", text }));
      }
    });
    return undefined;
  };
}

/** The reason text libprocess gives a failed request (`Connection reset by peer`, `Failed connect: …`). */
export function failureText(err) {
  if (!err) return "unknown error";
  if (err.stage === "connect" && err.text) return err.text;
  if (/socket hang up|before secure TLS connection/i.test(err.message) || err.code === "ECONNRESET") return "Connection reset by peer";
  if (ERRNO_TEXT[err.code]) return ERRNO_TEXT[err.code];
  if (/^Failed (connect|to configure)/.test(err.message)) return err.message;
  if (/alert|SSL routines/.test(err.message ?? "")) return "Failed connect: connection closed";
  return err.message;
}
