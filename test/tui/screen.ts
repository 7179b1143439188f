import { EventEmitter } from "node:events";
import { render } from "ink";
import type { ReactElement } from "react";
import stringWidth from "string-width";

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what it strips
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]|\u001b\][^\u0007]*\u0007/g;

/** A terminal of a given size for Ink: it records every frame and can be resized. */
class SizedStdout extends EventEmitter {
  frames: string[] = [];
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (frame: string) => {
    this.frames.push(frame);
  };
}

class Stdin extends EventEmitter {
  isTTY = true;
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read = () => null;
}

/** Renders `element` on a `columns`×`rows` screen; `frame()` is the last frame as the terminal shows it. */
export function renderAt(element: ReactElement, columns: number, rows: number) {
  const stdout = new SizedStdout(columns, rows);
  const stdin = new Stdin();
  const app = render(element, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  const frame = () => (stdout.frames.at(-1) ?? "").replace(ANSI, "");
  return {
    frame,
    lines: () => frame().split("\n"),
    resize(c: number, r: number) {
      stdout.columns = c;
      stdout.rows = r;
      stdout.emit("resize");
    },
    press(keys: string) {
      stdin.emit("data", keys);
    },
    unmount: () => app.unmount(),
  };
}

/** Lines of a frame wider than `columns` cells, with their width. */
export const tooWide = (lines: string[], columns: number) => lines.map((l, i) => ({ i, w: stringWidth(l), l })).filter((x) => x.w > columns);
