/** Bounded line buffer: chatty streams (GLOG_v=2) must not grow memory without limit. */
export class Ring<T> {
  private readonly items: T[] = [];
  private start = 0;
  constructor(private readonly capacity: number) {}
  push(item: T): void {
    if (this.items.length < this.capacity) this.items.push(item);
    else {
      this.items[this.start] = item;
      this.start = (this.start + 1) % this.capacity;
    }
  }
  toArray(): T[] {
    return this.start === 0 ? this.items.slice() : [...this.items.slice(this.start), ...this.items.slice(0, this.start)];
  }
}

/**
 * What a stream printed, bounded for a report: the first `headSize` lines, the last `tailSize` after them, and the
 * count. A CLI that refuses its flags prints the reason first and then its usage text, a crash prints the reason
 * last: the head keeps the one, the tail the other.
 */
export class HeadTail {
  private readonly head: string[] = [];
  private readonly tail: Ring<string>;
  private total = 0;
  constructor(
    private readonly headSize: number,
    tailSize: number,
  ) {
    this.tail = new Ring(tailSize);
  }
  push(line: string): void {
    this.total++;
    if (this.head.length < this.headSize) this.head.push(line);
    else this.tail.push(line);
  }
  snapshot(): { total: number; head: string[]; tail: string[] } {
    return { total: this.total, head: this.head.slice(), tail: this.tail.toArray() };
  }
}

/** How much of each stream a process keeps for the failure report. */
export const REPORT_HEAD_LINES = 8;
export const REPORT_TAIL_LINES = 10;

export function streamTails(): { stdout: HeadTail; stderr: HeadTail } {
  return { stdout: new HeadTail(REPORT_HEAD_LINES, REPORT_TAIL_LINES), stderr: new HeadTail(REPORT_HEAD_LINES, REPORT_TAIL_LINES) };
}
