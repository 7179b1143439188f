// A `curl` for the stand-in images (busybox has none): what the lab's attack commands use of it, with curl's output
// and exit codes. -s -S -i -k -f -X -H -d/--data/--data-raw/--data-binary -u --cacert --cert --key -o -w '%{http_code}'
// -m/--max-time, one URL. Tests only; the real Mesos image has the real curl.
import { readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";

const args = process.argv.slice(2);
const o = { headers: {}, method: undefined, data: undefined, silent: false, showError: false, include: false, insecure: false, fail: false };
let url;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const next = () => args[++i];
  if (/^-[sSikf]+$/.test(a)) {
    for (const c of a.slice(1)) {
      if (c === "s") o.silent = true;
      if (c === "S") o.showError = true;
      if (c === "i") o.include = true;
      if (c === "k") o.insecure = true;
      if (c === "f") o.fail = true;
    }
  } else if (a === "-X" || a === "--request") o.method = next();
  else if (a === "-H" || a === "--header") {
    const h = next();
    const at = h.indexOf(":");
    o.headers[h.slice(0, at).trim()] = h.slice(at + 1).trim();
  } else if (["-d", "--data", "--data-raw", "--data-binary"].includes(a)) o.data = next();
  else if (a === "-u" || a === "--user") o.user = next();
  else if (a === "--cacert") o.ca = readFileSync(next());
  else if (a === "--cert") o.cert = readFileSync(next());
  else if (a === "--key") o.key = readFileSync(next());
  else if (a === "-o" || a === "--output") o.out = next();
  else if (a === "-w" || a === "--write-out") o.writeOut = next();
  else if (a === "-m" || a === "--max-time") o.maxTime = Number(next());
  else if (!a.startsWith("-")) url = a;
}

function fail(code, message) {
  if (!o.silent || o.showError) process.stderr.write(`curl: (${code}) ${message}\n`);
  if (o.writeOut) process.stdout.write(o.writeOut.replace("%{http_code}", "000"));
  process.exit(code);
}

if (!url) fail(2, "no URL specified");
const u = new URL(url.includes("://") ? url : `http://${url}`);
const lib = u.protocol === "https:" ? https : http;
if (o.data !== undefined && !o.headers["Content-Type"]) o.headers["Content-Type"] = "application/x-www-form-urlencoded";
if (o.user) o.headers.Authorization = `Basic ${Buffer.from(o.user).toString("base64")}`;
const req = lib.request(
  u,
  {
    method: o.method ?? (o.data !== undefined ? "POST" : "GET"),
    headers: { "User-Agent": "curl/7.88.1", Accept: "*/*", ...o.headers },
    rejectUnauthorized: !o.insecure,
    ca: o.ca,
    cert: o.cert,
    key: o.key,
    servername: u.hostname,
  },
  (res) => {
    const chunks = [];
    res.on("data", (c) => chunks.push(c));
    res.on("end", () => {
      if (o.fail && res.statusCode >= 400) fail(22, `The requested URL returned error: ${res.statusCode}`);
      let head = "";
      if (o.include) {
        head = `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}\r\n`;
        for (let i = 0; i < res.rawHeaders.length; i += 2) head += `${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\r\n`;
        head += "\r\n";
      }
      const body = Buffer.concat([Buffer.from(head), ...chunks]);
      if (o.out) writeFileSync(o.out, body);
      else process.stdout.write(body);
      if (o.writeOut) process.stdout.write(o.writeOut.replace("%{http_code}", String(res.statusCode)));
      process.exit(0);
    });
    res.on("error", (err) => fail(56, `Recv failure: ${err.message}`));
  },
);
if (o.maxTime) req.setTimeout(o.maxTime * 1000, () => req.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })));
req.on(
  "error",
  /** @param {NodeJS.ErrnoException} err */ (err) => {
    if (err.code === "ECONNREFUSED") fail(7, `Failed to connect to ${u.hostname} port ${u.port} after 0 ms: Couldn't connect to server`);
    if (err.code === "ETIMEDOUT") fail(28, "Operation timed out");
    if (err.code === "ECONNRESET") fail(56, "Recv failure: Connection reset by peer");
    if (/SSL|TLS|certificate|self.signed/i.test(err.message)) fail(35, `SSL connect error: ${err.message}`);
    if (err.message === "socket hang up") fail(52, "Empty reply from server");
    fail(6, err.message);
  },
);
if (o.data !== undefined) req.write(o.data);
req.end();
