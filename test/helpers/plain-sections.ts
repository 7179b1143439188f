const STEP = /^ {2}step \d+\/\d+ ([^:]+):/;

/**
 * The lines a plain report gave each of `steps` (`NN:step`): the exercise's header, then the step's own block, from
 * its `step i/n <id>:` line to the next step or exercise. A failing CI run names its failing steps with these rather
 * than with the report's tail, which at --jobs 4 starts in whichever exercise ended last.
 */
export function stepSections(plain: string, steps: string[]): string {
  const lines = plain.split("\n");
  const out: string[] = [];
  for (const key of steps) {
    const [exercise, step] = key.split(":");
    const header = lines.findIndex((l) => l.startsWith(`${exercise} `));
    const start = header < 0 ? -1 : lines.findIndex((l, i) => i > header && STEP.exec(l)?.[1] === step);
    if (start < 0) {
      out.push(`${key}: not in the plain report`);
      continue;
    }
    let end = start + 1;
    while (end < lines.length && !/^ {2}step \d+\/\d+ /.test(lines[end]!) && !/^\d{2} /.test(lines[end]!)) end++;
    out.push(lines[header]!, ...lines.slice(start, end));
  }
  return out.join("\n");
}
