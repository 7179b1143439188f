/**
 * TUI under a chatty log stream (GLOG_v=2 is thousands of lines a second): drives the real App, rendered by Ink
 * to a fake 120×40 terminal, with RATE log events/s for SECONDS, and prints frames/s, max RSS and the p95
 * event-loop delay.   node --import tsx bench/tui-stress.ts [rate] [seconds]
 */
import { EventEmitter } from "node:events";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { LabEvent } from "../src/engine/events.js";
import type { Role } from "../src/model/roles.js";
import type { Controller } from "../src/tui/App.js";

// as `mesos-lab` runs it: React's production build (src/tui/production.ts) and Ink's interactive mode (no CI);
// react, ink and the reconciler must all load after NODE_ENV is set, or they pick different builds
delete process.env.CI;
process.env.NODE_ENV ??= "production";
const { createElement } = await import("react");
const { render } = await import("ink");
const { App } = await import("../src/tui/App.js");
const { loadCatalogue } = await import("../src/catalogue/load.js");
const { resolveConfig } = await import("../src/config/load.js");
const { LabBus } = await import("../src/engine/events.js");
const { emptyProgress } = await import("../src/lab/progress.js");
const { exerciseInfos } = await import("../src/tui/catalogue.js");
const { initialState, reducer } = await import("../src/tui/state.js");

const RATE = Number(process.argv[2] ?? 5000);
const SECONDS = Number(process.argv[3] ?? 10);

class FakeStdout extends EventEmitter {
  columns = 120;
  rows = 40;
  isTTY = true;
  writes = 0;
  bytes = 0;
  write = (s: string) => {
    this.writes++;
    this.bytes += s.length;
    return true;
  };
}
class FakeStdin extends EventEmitter {
  isTTY = true;
  setRawMode() {}
  setEncoding() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read() {
    return null;
  }
}

const bus = new LabBus();
const controller: Controller = {
  bus,
  runStep: async () => undefined,
  resetExercise: async () => undefined,
  resetAll: async () => 0,
  doctor: async () => [],
  saveProgress: () => undefined,
  quit: async () => 0,
};

const infos = exerciseInfos(await loadCatalogue(), resolveConfig({}, undefined, "/tmp"));
// the step view of exercise 01 with a run in progress: the screen with the most to draw
let s = reducer(initialState(infos, emptyProgress()), { type: "open", exIndex: 0 });
s = reducer(s, { type: "runRequested", now: Date.now() });

const stdout = new FakeStdout();
let frames = 0;
let renderMs = 0;
const app = render(createElement(App, { initial: s, controller, onExit: () => undefined }), {
  stdout: stdout as unknown as NodeJS.WriteStream,
  stdin: new FakeStdin() as unknown as NodeJS.ReadStream,
  exitOnCtrlC: false,
  patchConsole: false,
  maxFps: 20,
  onRender: ({ renderTime }) => {
    frames++;
    renderMs += renderTime;
  },
});

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
let maxRss = process.memoryUsage().rss;
const rssTimer = setInterval(() => (maxRss = Math.max(maxRss, process.memoryUsage().rss)), 100);

const roles: Role[] = ["master", "agent", "master", "agent", "zk", "execute"];
const TICK_MS = 10;
let sent = 0;
const t0 = Date.now();
frames = 0;
await new Promise<void>((resolve) => {
  const timer = setInterval(() => {
    // catch up on the wall clock so a slow tick does not lower the offered rate
    const due = Math.min(Math.round(((Date.now() - t0) / 1000) * RATE), RATE * SECONDS);
    for (; sent < due; sent++) {
      const role = roles[sent % roles.length]!;
      const ev: LabEvent = {
        type: "log",
        exercise: "01",
        source: `log:${role}`,
        role,
        stream: "stderr",
        ts: Date.now(),
        text: `I1123 02:47:13.${String(sent).padStart(6, "0")}     1 process.cpp:3589] Handling HTTP event for process 'metrics' with path: '/metrics/snapshot' #${sent}`,
      };
      bus.emit(ev);
    }
    if (Date.now() - t0 >= SECONDS * 1000) {
      clearInterval(timer);
      resolve();
    }
  }, TICK_MS);
});
const elapsed = (Date.now() - t0) / 1000;
await new Promise((r) => setTimeout(r, 200));
clearInterval(rssTimer);
loop.disable();
app.unmount();

const ms = (ns: number) => (ns / 1e6).toFixed(1);
console.log(`log events: ${sent} in ${elapsed.toFixed(1)} s (${Math.round(sent / elapsed)}/s offered)`);
console.log(
  `frames:     ${frames} (${(frames / elapsed).toFixed(1)} frames/s), mean render ${(renderMs / Math.max(1, frames)).toFixed(1)} ms, ${stdout.writes} writes, ${(stdout.bytes / 1e6).toFixed(1)} MB written`,
);
console.log(`max RSS:    ${(maxRss / 1e6).toFixed(0)} MB`);
console.log(`event loop: p50 ${ms(loop.percentile(50))} ms, p95 ${ms(loop.percentile(95))} ms, p99 ${ms(loop.percentile(99))} ms, max ${ms(loop.max)} ms`);
process.exit(0);
