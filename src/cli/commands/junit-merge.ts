import { readFileSync, writeFileSync } from "node:fs";
import { mergeJunit, parseJunit } from "../../report/junit-merge.js";
import { EXIT, LabError } from "../../util/errors.js";

/** `mesos-lab junit-merge a.xml b.xml …`: the parts' JUnit reports as one, on stdout or in --output. */
export function junitMergeCommand(files: string[], opts: { output?: string }): number {
  const reports = files.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new LabError(
        "usage",
        `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        "Name the JUnit files the parts wrote.",
      );
    }
    return parseJunit(file, text);
  });
  const merged = mergeJunit(reports);
  if (opts.output) writeFileSync(opts.output, merged);
  else process.stdout.write(merged);
  return EXIT.ok;
}
