import { describe, expect, it } from "vitest";
import { localTime } from "../../src/runtime/docker-api/log-follow.js";
import { FrameReader, LineAssembler, parseTimestamp, type RawLine } from "../../src/runtime/docker-api/log-frames.js";

/** One multiplexed frame as the engine sends it: stream byte, three zero bytes, length, payload. */
function frame(stream: 1 | 2, payload: string): Buffer {
  const body = Buffer.from(payload);
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
}

function linesOf(chunks: Buffer[], complete = true): RawLine[] {
  const out: RawLine[] = [];
  const lines = new LineAssembler((l) => out.push(l));
  const frames = new FrameReader((s, p) => lines.entry(s, p));
  for (const c of chunks) frames.push(c);
  lines.end(complete);
  return out;
}

describe("log frames", () => {
  it("joins Podman's partial entries, each with its own timestamp, into one line stamped by its first", () => {
    // what Podman 4.3 sent for `seq 1 3000` where conmon's read split "1041" and "1860"
    const body = Buffer.concat([
      frame(1, "2026-11-29T11:51:45Z 1040\n"),
      frame(1, "2026-11-29T11:51:45Z 104"),
      frame(2, "2026-11-29T11:51:45Z err\n"),
      frame(1, "2026-11-29T11:51:46Z 1\n"),
      frame(1, "2026-11-29T11:51:46Z 1860"),
      frame(1, "2026-11-29T11:51:46Z \n"),
    ]);
    expect(linesOf([body]).map((l) => `${l.stream} ${l.tsText} ${l.text}`)).toEqual([
      "stdout 2026-11-29T11:51:45Z 1040",
      "stderr 2026-11-29T11:51:45Z err",
      "stdout 2026-11-29T11:51:45Z 1041",
      "stdout 2026-11-29T11:51:46Z 1860",
    ]);
  });

  it("reads frames split anywhere across chunks, Docker's nanosecond stamps included", () => {
    const body = Buffer.concat([frame(1, "2026-11-29T11:51:45.123456789Z a\n"), frame(2, "2026-11-29T11:51:45.200000000Z b\r\n")]);
    for (const cut of [1, 5, 8, 20, body.length - 1]) {
      const lines = linesOf([body.subarray(0, cut), body.subarray(cut)]);
      expect(lines.map((l) => [l.stream, l.text, l.daemonMs])).toEqual([
        ["stdout", "a", Date.parse("2026-11-29T11:51:45.123Z")],
        ["stderr", "b", Date.parse("2026-11-29T11:51:45.200Z")],
      ]);
    }
  });

  it("a last line without a newline counts only once the log is complete; a frame cut off is dropped", () => {
    const body = Buffer.concat([frame(1, "2026-11-29T11:51:45Z done\n"), frame(1, "2026-11-29T11:51:45Z no-nl")]);
    expect(linesOf([body], true).map((l) => l.text)).toEqual(["done", "no-nl"]);
    expect(linesOf([body], false).map((l) => l.text)).toEqual(["done"]);
    expect(linesOf([body.subarray(0, body.length - 2)], true).map((l) => l.text)).toEqual(["done"]);
  });

  it("parses RFC 3339 stamps of any precision and zone", () => {
    expect(parseTimestamp("2026-11-29T11:51:45Z")).toBe(Date.parse("2026-11-29T11:51:45.000Z"));
    expect(parseTimestamp("2026-11-29T12:51:45.5+01:00")).toBe(Date.parse("2026-11-29T11:51:45.500Z"));
    expect(parseTimestamp("2026-11-29T11:51:45.999999999Z")).toBe(Date.parse("2026-11-29T11:51:45.999Z"));
    expect(parseTimestamp("not-a-time")).toBeNaN();
  });
});

describe("a line's local time", () => {
  const podman = (stamp: string, text: string): RawLine => ({ stream: "stderr", tsText: stamp, daemonMs: parseTimestamp(stamp), text });
  const at = (iso: string) => Date.parse(iso);

  it("takes a whole-second stamp's place in its second from the glog stamp the process wrote, not from a late arrival", () => {
    // the line a rootless Podman run delivered 150 ms after it was written, past the next step's start
    const line = podman("2026-12-07T19:40:13Z", "I1207 19:40:13.814993     1 slave.cpp:1698] Registered with master master@10.213.113.3:5050");
    expect(localTime(line, 0, at("2026-12-07T19:40:13.965Z"))).toBe(at("2026-12-07T19:40:13.814Z"));
    // the daemon clock 250 ms ahead of the local one
    expect(localTime(line, 250, at("2026-12-07T19:40:13.965Z"))).toBe(at("2026-12-07T19:40:13.564Z"));
  });

  it("puts a line the engine read after a second turned into the second it was written in, in any time zone", () => {
    // glog writes local time: UTC+05:30 differs in hours and minutes, not in seconds
    const line = podman("2026-12-07T19:40:14Z", "W1208 01:10:13.998000     1 slave.cpp:1469] Lost leading master");
    expect(localTime(line, 0, at("2026-12-07T19:40:14.100Z"))).toBe(at("2026-12-07T19:40:13.998Z"));
  });

  it("reads ZooKeeper's stamps, and falls back to the arrival within the second for a line without one", () => {
    const zk = podman("2026-12-07T19:40:13Z", "2026-12-07 19:40:13,085:1(0x7f9e3779b700):ZOO_INFO@check_events@1728: initiated connection");
    expect(localTime(zk, 0, at("2026-12-07T19:40:13.900Z"))).toBe(at("2026-12-07T19:40:13.085Z"));
    const plain = podman("2026-12-07T19:40:13Z", "Subscribed with ID 6d248da5-0000");
    expect(localTime(plain, 0, at("2026-12-07T19:40:13.900Z"))).toBe(at("2026-12-07T19:40:13.900Z"));
    expect(localTime(plain, 0, at("2026-12-07T19:40:15.000Z"))).toBe(at("2026-12-07T19:40:13.999Z"));
  });

  it("keeps Docker's nanosecond stamp, and ignores a process stamp two seconds off the engine's", () => {
    const docker: RawLine = {
      stream: "stdout",
      tsText: "2026-12-07T19:40:13.123456789Z",
      daemonMs: at("2026-12-07T19:40:13.123Z"),
      text: "I1207 19:40:13.000001 x",
    };
    expect(localTime(docker, 0, at("2026-12-07T19:40:14Z"))).toBe(at("2026-12-07T19:40:13.123Z"));
    const off = podman("2026-12-07T19:40:13Z", "I1207 19:40:11.500000     1 x.cpp:1] a clock of its own");
    expect(localTime(off, 0, at("2026-12-07T19:40:13.700Z"))).toBe(at("2026-12-07T19:40:13.700Z"));
  });
});
