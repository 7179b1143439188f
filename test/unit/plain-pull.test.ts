import { describe, expect, it, vi } from "vitest";
import { LabBus } from "../../src/engine/events.js";
import { attachPlain } from "../../src/report/plain.js";

describe("plain pull progress", () => {
  it("prints one compact line per image and second, summing the layers", () => {
    vi.useFakeTimers({ now: 10_000 });
    const bus = new LabBus();
    const lines: string[] = [];
    attachPlain(
      bus,
      (t) => lines.push(t.trimEnd()),
      (t) => t,
    );
    const pull = (layer: string | undefined, status: string, current?: number, total?: number) =>
      bus.emit({ type: "image:pull", progress: { image: "m:1", layer, status, current, total } });
    pull("a", "Downloading", 1e6, 4e6);
    pull("b", "Downloading", 1e6, 6e6); // within the same second: folded into the next line
    vi.advanceTimersByTime(1000);
    pull("a", "Extracting", 2e6, 9e6); // extraction's own byte counts are not the download's
    pull("a", "Pull complete");
    pull(undefined, "Digest: sha256:00");
    vi.advanceTimersByTime(1000);
    pull("b", "Downloading", 3e6, 6e6);
    pull(undefined, "Status: Downloaded newer image for m:1");
    expect(lines).toEqual([
      "  pull m:1: 0/1 layers done, 1.0/4.0 MB (25%)",
      "  pull m:1: 0/2 layers done, 2.0/10.0 MB (20%)",
      "  pull m:1: 1/2 layers done, 7.0/10.0 MB (70%)",
      "  pull m:1: 1/2 layers done, 7.0/10.0 MB (70%) · Downloaded newer image for m:1",
    ]);
    vi.useRealTimers();
  });
});
