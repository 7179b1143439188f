// glog-style logging as Mesos prints it: `Lmmdd hh:mm:ss.uuuuuu  tid file.cpp:LINE] msg`.
// stderr on Linux pipes and files is synchronous, so EXIT can log and exit without losing the line.
import fs from "node:fs";
import path from "node:path";

const pad = (n, w = 2) => String(n).padStart(w, "0");

function prefix(level, fileLine) {
  const nowUs = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const d = new Date(Math.floor(nowUs / 1000));
  const us = nowUs % 1_000_000;
  return `${level}${pad(d.getMonth() + 1)}${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(us, 6)} ${String(process.pid).padStart(5)} ${fileLine}] `;
}

let sinkFile = null;
let glogReady = false;
let preInitWarned = false;

/** Lines logged before this call are stderr-only, like libprocess/SSL lines before InitGoogleLogging. */
export function initGoogleLogging(logDir, program) {
  glogReady = true;
  if (!logDir) return;
  try {
    fs.mkdirSync(logDir, { recursive: true });
    sinkFile = path.join(logDir, `${program}.INFO`);
    fs.appendFileSync(
      sinkFile,
      `Log file created at: ${new Date().toISOString()}\nRunning on machine: ${process.env.HOSTNAME ?? "standin"}\nLog line format: [IWEF]mmdd hh:mm:ss.uuuuuu threadid file:line] msg\n`,
    );
  } catch {
    sinkFile = null;
  }
}

export function log(level, fileLine, msg) {
  if (!glogReady && !preInitWarned) {
    preInitWarned = true;
    process.stderr.write("WARNING: Logging before InitGoogleLogging() is written to STDERR\n");
  }
  const line = `${prefix(level, fileLine) + msg}\n`;
  process.stderr.write(line);
  if (sinkFile) {
    try {
      fs.appendFileSync(sinkFile, line);
    } catch {
      sinkFile = null;
    }
  }
}

export const info = (fl, msg) => log("I", fl, msg);
export const warn = (fl, msg) => log("W", fl, msg);
export const error = (fl, msg) => log("E", fl, msg);

/** stout's EXIT(status): an ERROR line `EXIT with status N: msg`, then the process ends with N. */
export function exit(fileLine, status, msg) {
  log("E", fileLine, `EXIT with status ${status}: ${msg}`);
  process.exit(status);
}

/** Progress lines of mesos-execute go through `cout`, not glog. */
export function out(line) {
  process.stdout.write(`${line}\n`);
}
