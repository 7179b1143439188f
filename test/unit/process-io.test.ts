import { describe, expect, it } from "vitest";
import { processIoText } from "../../src/engine/actions/http.js";

describe("a nested-container session's output", () => {
  it("is decoded from its ProcessIO DATA records for the reader", () => {
    const record = '{"type":"DATA","data":{"type":"STDOUT","data":"dWlkPTAocm9vdCkgZ2lkPTAocm9vdCkgZ3JvdXBzPTAocm9vdCkK"}}';
    expect(processIoText(record)).toBe("  ↳ STDOUT (decoded): uid=0(root) gid=0(root) groups=0(root)");
    expect(processIoText('{"type":"CONTROL","control":{}}')).toBeUndefined();
    expect(processIoText("HTTP/1.1 200 OK")).toBeUndefined();
  });
});
