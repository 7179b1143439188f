/** One argument for sh: single-quoted, with single quotes closed and escaped. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Characters sh takes literally in a word: anything else gets the word quoted. */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * An argument as a shell would take it: as is when plain, `--flag='value'` when only its value needs quoting (issue
 * 19 saw `--command=sleep 600`, which a reader pastes as two words).
 */
export function shellArg(arg: string): string {
  if (PLAIN.test(arg)) return arg;
  const flag = /^(--?[A-Za-z0-9_-]+=)(.*)$/s.exec(arg);
  return flag ? `${flag[1]}${shellQuote(flag[2]!)}` : shellQuote(arg);
}

/** A command line as a shell would take it. */
export const shellLine = (args: readonly string[]): string => args.map(shellArg).join(" ");
