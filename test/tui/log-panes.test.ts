import { describe, expect, it } from "vitest";
import { withRequest } from "../../src/tui/components/LogPanes.js";
import type { LogEntry } from "../../src/tui/state.js";

const req = (id: string): LogEntry => ({ text: `→ GET ${id}`, stream: "stdout", source: `http:${id}`, request: true });
const ans = (id: string, text: string): LogEntry => ({ text, stream: "stdout", source: `http:${id}` });
const texts = (ls: LogEntry[]) => ls.map((l) => l.text);

/** The answers pane never shows an answer without the request it answers, and never a request whose answer it cut. */
describe("the answers pane's lines", () => {
  const lines = [
    req("state"),
    ans("state", "HTTP/1.1 200 OK"),
    ans("state", '{"big":"state"}'),
    req("health"),
    ans("health", "HTTP/1.1 200 OK"),
    ans("health", "date: x"),
    ans("health", "content-length: 0"),
  ];

  it("an answer whose request scrolled past gets it on the top row", () => {
    expect(texts(withRequest(lines, "", 3))).toEqual(["→ GET health", "date: x", "content-length: 0"]);
  });

  it("a request whose only line left in view would be cut is dropped, not left above the next request", () => {
    expect(texts(withRequest(lines, "", 5))).toEqual(["→ GET health", "HTTP/1.1 200 OK", "date: x", "content-length: 0"]);
    expect(texts(withRequest(lines, "", 6))).toEqual(["→ GET state", '{"big":"state"}', "→ GET health", "HTTP/1.1 200 OK", "date: x", "content-length: 0"]);
  });

  it("a pane with room shows everything from the first request, and a filtered view keeps the request of what it shows", () => {
    expect(texts(withRequest(lines, "", 20))).toEqual(texts(lines));
    expect(texts(withRequest(lines, "date", 4))).toEqual(["→ GET health", "date: x"]);
  });
});
